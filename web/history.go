package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/raftplay/raftplay/node/wire"
)

// A history page's size: enough for a page to fetch a few seconds of a busy cluster at
// once, small enough that one answer stays a few MiB.
const (
	historyLimit    = 5000
	historyMaxLimit = 20000
)

// handleEventHistory serves GET /v1/cluster/events/history: the kept events of the
// cluster stream between after and before, filtered like a stream, as JSON (docs/events.md).
// The events are written as the stream encoded them; the bus's lock is held only while it
// takes views of its store.
func (s *Server) handleEventHistory(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f, err := parseFilter(q)
	if err != nil {
		writeError(w, err)
		return
	}
	after, err1 := seqParam(q, "after", 0)
	before, err2 := seqParam(q, "before", 0)
	limit, err3 := seqParam(q, "limit", historyLimit)
	if err := firstErr(err1, err2, err3); err != nil {
		writeError(w, err)
		return
	}
	if limit < 1 || limit > historyMaxLimit {
		writeError(w, fmt.Errorf("%w: limit must be from 1 to %d", errBadRequest, historyMaxLimit))
		return
	}
	bus, done := s.api.ClusterEvents().Open()
	defer done()
	p := bus.Range(after, before, int(limit), f.pass)
	b := make([]byte, 0, 64+historyBytes(p.Events))
	b = append(b, `{"oldest":`...)
	b = strconv.AppendUint(b, p.Oldest, 10)
	b = append(b, `,"newest":`...)
	b = strconv.AppendUint(b, p.Newest, 10)
	b = append(b, `,"events":`...)
	b = encodeBatch(b, p.Events)
	b = append(b, "}\n"...)
	w.Header().Set("Content-Type", "application/json")
	w.Write(b)
}

// handleEventKeyframe serves GET /v1/cluster/events/keyframe: the newest keyframe of the
// cluster stream at or before ?at= (default: the newest), 404 when none is kept.
func (s *Server) handleEventKeyframe(w http.ResponseWriter, r *http.Request) {
	bus, done := s.api.ClusterEvents().Open()
	defer done()
	at, err := seqParam(r.URL.Query(), "at", bus.Seq())
	if err != nil {
		writeError(w, err)
		return
	}
	k, err := bus.Keyframe(at)
	if err != nil {
		writeError(w, err)
		return
	}
	b := make([]byte, 0, 96+len(k.Data))
	b = append(b, `{"seq":`...)
	b = strconv.AppendUint(b, k.Seq, 10)
	b = append(b, `,"time":"`...)
	b = k.Time.UTC().AppendFormat(b, time.RFC3339Nano)
	b = append(b, `","hello":`...)
	b = append(b, k.Data...)
	b = append(b, "}\n"...)
	w.Header().Set("Content-Type", "application/json")
	w.Write(b)
}

// seqParam is the unsigned integer query parameter name, or def when it is absent.
func seqParam(q url.Values, name string, def uint64) (uint64, error) {
	s := q.Get(name)
	if s == "" {
		return def, nil
	}
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%w: %s must be a non-negative integer", errBadRequest, name)
	}
	return v, nil
}

func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// historyBytes is about the size of the events' encodings, to allocate an answer once.
func historyBytes(evs []wire.Event) int {
	n := 0
	for _, ev := range evs {
		n += len(ev.Encoded) + 1
	}
	return n
}
