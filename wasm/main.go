//go:build js && wasm

// Command wasm is the raftplay browser app (GOOS=js GOARCH=wasm). It connects to the
// cluster event stream, feeds every event and every user action to one UI goroutine that
// owns the model (package ui), and renders the model's view at most once per animation
// frame (package dom).
package main

import (
	"context"
	"encoding/json"
	"time"

	"github.com/raftplay/raftplay/node/wire"
	"github.com/raftplay/raftplay/wasm/dom"
	"github.com/raftplay/raftplay/wasm/ui"
)

// tick is how often the UI goroutine looks at the clock for what moves by it alone: timer
// arcs and notices. Moments and flights wake it themselves (State.NextWake).
const tick = 200 * time.Millisecond

func main() {
	if err := run(); err != nil {
		dom.LogError(err.Error())
	}
}

func run() error {
	page := dom.NewPage()
	root := page.ByID("app")
	renderer := dom.NewRenderer(page, root)

	msgs := make(chan ui.Msg, 256)
	listeners := dom.Listen(root, msgs)
	defer listeners.Release()
	frames := dom.NewFrames()
	defer frames.Release()

	events := make(chan wire.Event, 1024)
	status := make(chan connStatus, 16)
	proto, host := dom.Location()
	scheme := "ws://"
	if proto == "https:" {
		scheme = "wss://"
	}
	cl := &client{url: scheme + host + "/v1/cluster/events", statusURL: proto + "//" + host + "/v1/status", base: proto + "//" + host,
		events: events, status: status, tokens: make(chan string, 1), token: dom.Token()}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go cl.run(ctx)

	state := ui.New()
	fetched := make(chan ui.Fetched, 8)
	ticker := time.NewTicker(tick)
	defer ticker.Stop()
	// wake fires when the picture next changes by itself (a moment falls due, a flight
	// ends), so an idle page does no work between.
	wake := time.NewTimer(time.Hour)
	defer wake.Stop()
	dirty := true
	for {
		if dirty {
			frames.Request()
		}
		select {
		case ev := <-events:
			now := time.Now()
			dirty = state.Receive(ev, now) || dirty
			send(cl, state, state.Poll(now), now)
		case st := <-status:
			state.SetConn(st.state, st.err)
			dirty = true
		case m := <-msgs:
			now := time.Now()
			send(cl, state, state.Handle(m, now), now)
			if tok, ok := state.TakeToken(); ok {
				dom.SaveToken(tok)
				cl.setToken(tok)
			}
			send(cl, state, state.Poll(now), now)
			dirty = true
		case r := <-fetched:
			state.Fetched(r, time.Now())
			dirty = true
		case <-frames.C:
			frames.Done()
			now := time.Now()
			// Moments are released on the frame that draws them, so each is drawn within a
			// frame of its due time.
			if state.Advance(now) || dirty {
				renderer.Render(state.View())
				dirty = false
			}
			publishDrawn(state.TakeDrawn())
		case <-wake.C:
			frames.Request()
		case now := <-ticker.C:
			// Timer arcs and notices follow the clock.
			send(cl, state, state.Poll(now), now)
			dirty = true
		}
		for _, f := range state.TakeFetches() {
			go fetchHistory(ctx, cl, f, fetched)
		}
		if w := state.NextWake(); !w.IsZero() {
			wake.Reset(max(time.Until(w), time.Millisecond))
		}
	}
}

// send sends the model's commands; one that cannot be sent is answered at once.
func send(cl *client, state *ui.State, cmds []wire.Command, now time.Time) {
	for _, cmd := range cmds {
		if !cl.send(cmd) {
			state.Apply(notSent(cmd), now)
		}
	}
}

// notSent is the answer to a command that could not be sent.
func notSent(cmd wire.Command) wire.Event {
	d, _ := json.Marshal(wire.ResultData{ID: cmd.ID, Error: &wire.ErrorDetail{Code: wire.CodeUnavailable, Message: "not connected to the cluster"}})
	return wire.Event{Type: wire.EventResult, Time: time.Now(), Data: d}
}
