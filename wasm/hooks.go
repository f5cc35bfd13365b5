//go:build js && wasm

package main

import (
	"context"
	"errors"
	"syscall/js"

	"github.com/raftplay/raftplay/wasm/ui"
)

// maxDrawn is how many records window.raftplayDrawn keeps (docs/ui-testing.md).
const maxDrawn = 2000

// publishDrawn appends what the picture drew to window.raftplayDrawn, the test hook that
// says what the page drew in what order, keeping the newest maxDrawn.
func publishDrawn(ds []ui.Drawn) {
	if len(ds) == 0 {
		return
	}
	g := js.Global()
	arr := g.Get("raftplayDrawn")
	if arr.Type() != js.TypeObject {
		arr = g.Get("Array").New()
		g.Set("raftplayDrawn", arr)
	}
	for _, d := range ds {
		o := map[string]any{"t": d.T, "at": d.At, "kind": d.Kind, "mode": d.Mode, "seq": float64(d.Seq), "term": float64(d.Term)}
		for k, v := range map[string]string{"node": d.Node, "from": d.From, "to": d.To, "rpc": d.RPC, "role": d.Role} {
			if v != "" {
				o[k] = v
			}
		}
		arr.Call("push", o)
	}
	if n := arr.Length(); n > maxDrawn {
		arr.Call("splice", 0, n-maxDrawn)
	}
}

// fetchTimeout bounds one history request (ms); the browser aborts it after that.
const fetchTimeout = 15000

// fetchHistory makes one of the model's GETs against the server (its history and
// keyframes) with the page's token, and hands the answer back to the UI goroutine.
func fetchHistory(ctx context.Context, cl *client, f ui.Fetch, out chan<- ui.Fetched) {
	r := ui.Fetched{ID: f.ID}
	status, body, err := get(cl.base+f.Path, cl.currentToken())
	r.Status, r.Body = status, body
	if err != nil {
		r.Err = err.Error()
	}
	select {
	case out <- r:
	case <-ctx.Done():
	}
}

func get(url, token string) (int, []byte, error) {
	opts := map[string]any{"cache": "no-store", "signal": js.Global().Get("AbortSignal").Call("timeout", fetchTimeout)}
	if token != "" {
		opts["headers"] = map[string]any{"Authorization": "Bearer " + token}
	}
	type outcome struct {
		status int
		body   []byte
		err    error
	}
	done := make(chan outcome, 1)
	var status int
	gotText := js.FuncOf(func(_ js.Value, args []js.Value) any {
		done <- outcome{status: status, body: []byte(args[0].String())}
		return nil
	})
	defer gotText.Release()
	fail := js.FuncOf(func(_ js.Value, args []js.Value) any {
		done <- outcome{err: errors.New(args[0].Call("toString").String())}
		return nil
	})
	defer fail.Release()
	gotResp := js.FuncOf(func(_ js.Value, args []js.Value) any {
		status = args[0].Get("status").Int()
		return args[0].Call("text").Call("then", gotText, fail)
	})
	defer gotResp.Release()
	js.Global().Call("fetch", url, opts).Call("then", gotResp, fail)
	o := <-done // the timeout settles the promise
	return o.status, o.body, o.err
}
