package torture

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"nhooyr.io/websocket"

	"github.com/raftplay/raftplay/node/wire"
)

// watchTypes are the events the watcher needs.
const watchTypes = "state,rpc,heartbeats,log_append,log_delete,snapshot,apply"

// watcher follows the cluster's event stream for the whole run and checks what it sees as
// it goes: who led each term, and that every index applied on two nodes has the same term
// and leaves the same digest. It also keeps each node's log, for the final comparison.
type watcher struct {
	url  string
	done chan struct{}
	stop context.CancelFunc

	mu      sync.Mutex
	seq     uint64
	gaps    int                          // times the stream had to start over and events were missed
	leaders map[uint64]map[string]string // term -> leader -> how it was seen
	applied map[uint64]appliedAt         // index -> the first apply seen
	logs    map[string]map[uint64]uint64 // node -> index -> term
	forgets []forget
	install uint64
	restore uint64
	errs    []string
}

type appliedAt struct {
	node, digest string
	term         uint64
}

// forget drops a removed node's log once the stream is past its last event (seq).
type forget struct {
	node string
	seq  uint64
}

func startWatcher(base string) (*watcher, error) {
	ctx, cancel := context.WithCancel(context.Background())
	w := &watcher{
		url:     strings.Replace(base, "http://", "ws://", 1) + "/v1/cluster/events?batch=true&types=" + watchTypes,
		done:    make(chan struct{}),
		stop:    cancel,
		leaders: map[uint64]map[string]string{},
		applied: map[uint64]appliedAt{},
		logs:    map[string]map[uint64]uint64{},
	}
	conn, err := w.dial(ctx, 0)
	if err != nil {
		cancel()
		return nil, err
	}
	go w.loop(ctx, conn)
	return w, nil
}

func (w *watcher) dial(ctx context.Context, since uint64) (*websocket.Conn, error) {
	u := w.url
	if since > 0 {
		u += "&since=" + strconv.FormatUint(since, 10)
	}
	dctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(dctx, u, nil)
	if err != nil {
		return nil, fmt.Errorf("watch %s: %w", u, err)
	}
	conn.SetReadLimit(64 << 20)
	return conn, nil
}

// loop reads until stopped, resuming after the last event seen when the connection drops.
func (w *watcher) loop(ctx context.Context, conn *websocket.Conn) {
	defer close(w.done)
	for {
		err := w.read(ctx, conn)
		conn.CloseNow()
		if ctx.Err() != nil {
			return
		}
		w.note("stream dropped: %v", err)
		for {
			w.mu.Lock()
			since := w.seq
			w.mu.Unlock()
			if conn, err = w.dial(ctx, since); err == nil {
				break
			}
			select {
			case <-ctx.Done():
				return
			case <-time.After(100 * time.Millisecond):
			}
		}
	}
}

func (w *watcher) read(ctx context.Context, conn *websocket.Conn) error {
	for {
		_, msg, err := conn.Read(ctx)
		if err != nil {
			return err
		}
		evs, err := wire.DecodeEvents(msg)
		if err != nil {
			return fmt.Errorf("decode %.200s: %w", msg, err)
		}
		w.mu.Lock()
		for _, ev := range evs {
			w.handle(ev)
		}
		w.mu.Unlock()
	}
}

func (w *watcher) note(format string, args ...any) {
	w.mu.Lock()
	w.errs = append(w.errs, fmt.Sprintf(format, args...))
	w.mu.Unlock()
}

// handle folds one event into the watcher's state; w.mu is held.
func (w *watcher) handle(ev wire.Event) {
	if ev.Type == wire.EventHello {
		w.hello(ev)
		return
	}
	if ev.Seq <= w.seq {
		return
	}
	w.seq = ev.Seq
	w.forgetPassed()
	switch ev.Type {
	case wire.EventState:
		var d wire.StateData
		if json.Unmarshal(ev.Data, &d) == nil && d.Role == wire.RoleLeader {
			w.leader(d.Term, ev.Node, "state")
		}
	case wire.EventRPC:
		var d wire.RPCData
		if json.Unmarshal(ev.Data, &d) != nil {
			return
		}
		switch d.RPC {
		case wire.RPCAppendEntries:
			// Only a leader sends AppendEntries, and the request carries its term exactly.
			w.leader(d.Term, d.From, "append_entries")
		case wire.RPCInstallSnapshot:
			if d.Success {
				w.install++
			}
		}
	case wire.EventHeartbeats:
		var d wire.HeartbeatsData
		if json.Unmarshal(ev.Data, &d) == nil && d.Count > 0 {
			w.leader(d.Term, d.From, "heartbeats")
		}
	case wire.EventSnapshot:
		var d wire.SnapshotData
		if json.Unmarshal(ev.Data, &d) == nil && d.Action == "restored" {
			w.restore++
		}
	case wire.EventApply:
		var d wire.ApplyData
		if json.Unmarshal(ev.Data, &d) != nil {
			return
		}
		first, ok := w.applied[d.Index]
		if !ok {
			w.applied[d.Index] = appliedAt{node: ev.Node, digest: d.Digest, term: d.Term}
		} else if first.term != d.Term || first.digest != d.Digest {
			w.errs = append(w.errs, fmt.Sprintf("index %d applied as term %d digest %s on %s but term %d digest %s on %s",
				d.Index, first.term, first.digest, first.node, d.Term, d.Digest, ev.Node))
		}
	case wire.EventLogAppend:
		var d wire.LogAppendData
		if json.Unmarshal(ev.Data, &d) != nil {
			return
		}
		l := w.log(ev.Node)
		for _, e := range d.Entries {
			l[e.Index] = e.Term
		}
	case wire.EventLogDelete:
		var d wire.LogDeleteData
		if json.Unmarshal(ev.Data, &d) != nil {
			return
		}
		l := w.log(ev.Node)
		for i := range l {
			if d.Min <= i && i <= d.Max {
				delete(l, i)
			}
		}
	}
}

// hello starts the picture over from a hello; w.mu is held. A hello after the first
// means the stream started over and missed the events in between.
func (w *watcher) hello(ev wire.Event) {
	var h wire.HelloData
	if err := json.Unmarshal(ev.Data, &h); err != nil {
		return
	}
	if w.seq > 0 {
		w.gaps++ // the events between w.seq and h.Seq are gone
		w.logs = map[string]map[uint64]uint64{}
	}
	w.seq = h.Seq
	for id, entries := range h.Logs {
		for _, e := range entries {
			w.log(id)[e.Index] = e.Term
		}
	}
}

// forgetPassed drops the logs of removed nodes the stream is now past; w.mu is held.
func (w *watcher) forgetPassed() {
	keep := w.forgets[:0]
	for _, f := range w.forgets {
		if w.seq > f.seq {
			delete(w.logs, f.node)
		} else {
			keep = append(keep, f)
		}
	}
	w.forgets = keep
}

func (w *watcher) log(id string) map[uint64]uint64 {
	l, ok := w.logs[id]
	if !ok {
		l = map[uint64]uint64{}
		w.logs[id] = l
	}
	return l
}

// leader records that node acted as leader in term; w.mu is held.
func (w *watcher) leader(term uint64, node, how string) {
	m, ok := w.leaders[term]
	if !ok {
		m = map[string]string{}
		w.leaders[term] = m
	}
	if _, ok := m[node]; !ok {
		m[node] = how
	}
}

// forgetNode drops node's log once the stream passes seq (the hub's sequence number when
// the node had been removed), so that a new node reusing the id starts with an empty log.
func (w *watcher) forgetNode(node string, seq uint64) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.seq >= seq {
		delete(w.logs, node)
		return
	}
	w.forgets = append(w.forgets, forget{node: node, seq: seq})
}

// caughtUp waits until the watcher has handled the events up to seq.
func (w *watcher) caughtUp(seq uint64, d time.Duration) error {
	deadline := time.Now().Add(d)
	for {
		w.mu.Lock()
		got := w.seq
		w.mu.Unlock()
		if got >= seq {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("event stream at %d, want %d", got, seq)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (w *watcher) close() {
	w.stop()
	<-w.done
}

// check adds what the watcher found to rep: more than one leader in a term, applies that
// disagree, and logs of the given nodes that disagree on an index they both hold.
func (w *watcher) check(nodes []string, rep *Report) {
	w.mu.Lock()
	defer w.mu.Unlock()
	rep.InstallSnapshots, rep.Restores, rep.Terms = w.install, w.restore, len(w.leaders)
	terms := make([]uint64, 0, len(w.leaders))
	for t := range w.leaders {
		terms = append(terms, t)
	}
	sort.Slice(terms, func(i, j int) bool { return terms[i] < terms[j] })
	for _, t := range terms {
		if m := w.leaders[t]; len(m) > 1 {
			rep.violation("term %d had %d leaders: %v", t, len(m), m)
		}
	}
	for _, e := range w.errs {
		if strings.HasPrefix(e, "index ") {
			rep.violation("%s", e)
		}
	}
	for i, a := range nodes {
		for _, b := range nodes[i+1:] {
			la, lb := w.logs[a], w.logs[b]
			var bad []string
			for idx, ta := range la {
				if tb, ok := lb[idx]; ok && ta != tb {
					bad = append(bad, fmt.Sprintf("%d: %d vs %d", idx, ta, tb))
				}
			}
			if len(bad) > 0 {
				sort.Strings(bad)
				rep.violation("logs of %s and %s differ at %d indexes: %v", a, b, len(bad), bad[:min(len(bad), 10)])
			}
		}
	}
}

// dropped lists the times the stream was lost (not a violation, but it weakens the checks).
func (w *watcher) dropped() ([]string, int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []string
	for _, e := range w.errs {
		if !strings.HasPrefix(e, "index ") {
			out = append(out, e)
		}
	}
	return out, w.gaps
}
