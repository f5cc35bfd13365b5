package web

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"github.com/raftplay/raftplay/node"
	"github.com/raftplay/raftplay/node/eventbus"
	"github.com/raftplay/raftplay/node/wire"
)

// Hub merges the event streams of several nodes into one ordered stream: each event keeps
// its node id and timestamp and gets a cluster-wide sequence number. It keeps the stream's
// history (eventbus.History) and, once given the stream's picture (Record), a keyframe of
// it every keyframeEvery, for pages that replay the past (docs/events.md).
type Hub struct {
	bus       *eventbus.Bus
	stop      chan struct{}
	wg        sync.WaitGroup
	once      sync.Once
	recording sync.Once
}

// historyLimits are what a hub's history keeps; tests make them small.
var historyLimits = eventbus.History

// keyframeEvery is how often a recording hub takes a picture of its stream.
const keyframeEvery = 2 * time.Second

// NewHub returns an empty hub.
func NewHub() *Hub {
	return &Hub{bus: eventbus.NewLimited(historyLimits), stop: make(chan struct{})}
}

// Record takes a keyframe of the hub's stream with picture (the stream's hello) now and
// every keyframeEvery until the hub closes. Only the first call records.
func (h *Hub) Record(picture func(context.Context) wire.HelloData) {
	h.recording.Do(func() { h.record(h.stop, &h.wg, picture) })
}

// record takes keyframes until stop is closed, counting its goroutine in wg.
func (h *Hub) record(stop <-chan struct{}, wg *sync.WaitGroup, picture func(context.Context) wire.HelloData) {
	wg.Add(1)
	go func() {
		defer wg.Done()
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		go func() {
			select {
			case <-stop:
				cancel() // a picture that asks the peers gives up
			case <-ctx.Done():
			}
		}()
		t := time.NewTicker(keyframeEvery)
		defer t.Stop()
		for {
			h.keyframe(ctx, picture)
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
}

// keyframe keeps the picture of the stream as it is after the latest event. The number is
// taken first, so the picture accounts for every event up to it (and maybe a few after).
func (h *Hub) keyframe(ctx context.Context, picture func(context.Context) wire.HelloData) {
	seq := h.bus.Seq()
	at := time.Now()
	hello := picture(ctx)
	if ctx.Err() != nil {
		return
	}
	hello.Seq = seq
	hello.Recent = []wire.Event{} // they are in the history
	data, err := json.Marshal(hello)
	if err != nil {
		return // a HelloData always encodes
	}
	h.bus.PutKeyframe(eventbus.Keyframe{Seq: seq, Time: at, Data: data})
}

// Bus is the merged stream.
func (h *Hub) Bus() *eventbus.Bus { return h.bus }

// Attach merges a local node's events into the hub until the hub closes.
func (h *Hub) Attach(n *node.Node) { h.attach(n, h.stop, &h.wg) }

// attach merges n's events into the hub until stop is closed, counting its goroutine in wg.
func (h *Hub) attach(n *node.Node, stop <-chan struct{}, wg *sync.WaitGroup) {
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			sub, err := n.Events().Subscribe(1<<14, 0) // as far behind as the node's ring allows
			if err != nil {
				return // the node closed
			}
			if !h.relay(sub, stop) {
				return
			}
			// The hub fell behind a burst (it never blocks the node); pick up again.
			select {
			case <-stop:
				return
			case <-time.After(10 * time.Millisecond):
			}
		}
	}()
}

// relay copies events until the subscription ends (true) or stop is closed (false).
func (h *Hub) relay(sub *eventbus.Sub, stop <-chan struct{}) bool {
	defer sub.Close()
	var evs []wire.Event
	publish := func() {
		evs = sub.Read(evs[:0], 0)
		for _, ev := range evs {
			h.bus.Publish(ev) // renumbered; its encoding is the node's
		}
	}
	for {
		select {
		case <-stop:
			return false
		case <-sub.Ready():
			publish()
		case <-sub.Done():
			publish()
			return sub.Err() != nil && sub.Err() != eventbus.ErrClosed
		}
	}
}

// Close stops merging and ends every subscription.
func (h *Hub) Close() {
	h.once.Do(func() {
		close(h.stop)
		h.wg.Wait()
		h.bus.Close()
	})
}
