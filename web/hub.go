package web

import (
	"sync"
	"time"

	"github.com/raftplay/raftplay/node"
	"github.com/raftplay/raftplay/node/eventbus"
	"github.com/raftplay/raftplay/node/wire"
)

// Hub merges the event streams of several nodes into one ordered stream: each event keeps
// its node id and timestamp and gets a cluster-wide sequence number.
type Hub struct {
	bus  *eventbus.Bus
	stop chan struct{}
	wg   sync.WaitGroup
	once sync.Once
}

// NewHub returns an empty hub.
func NewHub() *Hub {
	return &Hub{bus: eventbus.New(8192), stop: make(chan struct{})}
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
