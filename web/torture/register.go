package torture

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"sync/atomic"

	"github.com/anishathalye/porcupine"

	"github.com/raftplay/raftplay/node/wire"
)

// registerWorker runs get / put / cas on random keys through random nodes until ctx ends.
type registerWorker struct {
	id    int
	rng   *rand.Rand
	cl    *client
	nodes func(*rand.Rand) string // a random node's API base URL
	h     *history
	keys  int

	unknown *atomic.Int64
	seen    map[string]string // the last value this worker saw per key, for its CAS
	n       int
}

func (w *registerWorker) run(ctx context.Context) {
	cid := w.h.newClient()
	for ctx.Err() == nil {
		key := fmt.Sprintf("k%d", w.rng.IntN(w.keys))
		base := w.nodes(w.rng)
		switch r := w.rng.IntN(10); {
		case r < 4:
			w.get(ctx, cid, base, key)
		default:
			w.n++
			in := regInput{Op: "put", Key: key, Value: fmt.Sprintf("w%d.%d", w.id, w.n)}
			if r >= 7 {
				in.Op, in.Old = "cas", w.seen[key]
			}
			if !w.write(ctx, cid, base, in) {
				cid = w.h.newClient() // the unknown write stays open; this worker moves on
			}
		}
	}
}

func (w *registerWorker) get(ctx context.Context, cid int, base, key string) {
	call := w.h.now()
	a := w.cl.do(ctx, "GET", base+"/v1/kv/"+key+"?consistency="+wire.ConsistencyLinearizable, nil)
	ret := w.h.now()
	var out regOutput
	switch {
	case a.err == nil && a.status == http.StatusOK:
		var kv wire.KVPair
		if json.Unmarshal(a.body, &kv) != nil || kv.Encoding != "" {
			return
		}
		out.Value = kv.Value
	case a.err == nil && a.status == http.StatusNotFound && a.detail().Code == wire.CodeNotFound:
	default:
		return // a failed read tells nothing
	}
	w.seen[key] = out.Value
	w.h.add(porcupine.Operation{ClientId: cid, Input: regInput{Op: "get", Key: key}, Call: call, Output: out, Return: ret})
}

// write performs a put or cas and records it; it reports false when the outcome is unknown.
func (w *registerWorker) write(ctx context.Context, cid int, base string, in regInput) bool {
	u := base + "/v1/kv/" + in.Key
	if in.Op == "cas" {
		if in.Old == "" {
			u += "?prev_exists=false"
		} else {
			u += "?cas=" + url.QueryEscape(in.Old)
		}
	}
	call := w.h.now()
	a := w.cl.do(ctx, "PUT", u, in.Value)
	ret := w.h.now()
	op := porcupine.Operation{ClientId: cid, Input: in, Call: call, Return: ret}
	var out regOutput
	switch a.outcome() {
	case applied:
		out.OK = true
		w.seen[in.Key] = in.Value
	case unknown:
		out.Unknown = true
		op.Return = pending
		w.unknown.Add(1)
	case failed:
		d := a.detail()
		if a.err != nil || a.status != http.StatusPreconditionFailed || d.Code != wire.CodeCASMismatch {
			return true // never applied: not part of the history
		}
		if d.Current != nil {
			out.Current, out.HasCurrent = *d.Current, true
			w.seen[in.Key] = *d.Current
		}
	}
	op.Output = out
	op.Metadata = base
	w.h.add(op)
	return !out.Unknown
}
