package web

import (
	"context"
	"encoding/json"
	"net/url"
	"sync"
	"time"

	"github.com/raftplay/raftplay/node"
	"github.com/raftplay/raftplay/node/eventbus"
	"github.com/raftplay/raftplay/node/wire"
)

const (
	// peerFeedLinger is how long a node keeps following its peers after the last subscriber
	// of its cluster stream left: long enough for a reloading page to find it still running.
	peerFeedLinger = time.Second
	// peerFeedStart bounds how long a first subscriber waits for the peers' streams to open,
	// so that its hello is not followed by a stream that misses their first events.
	peerFeedStart = 2 * time.Second
	// peerWindow batches what a peer sends: a message per event would cost each peer a
	// write per event, and this node a read per event.
	peerWindow = "5ms"
)

// peerFeed runs a node's merged cluster stream, its own events plus every peer's read from
// the peers' /v1/events, while anyone is subscribed to it. Following costs every peer a
// stream and this node a decode of each event they publish, so with nobody watching it stops;
// the next subscriber starts it again, after a gap in the stream (eventbus.Bus.Forget).
type peerFeed struct {
	n   *node.Node
	hub *Hub
	// picture is the stream's hello, of which the hub keeps keyframes while following.
	picture func(context.Context) wire.HelloData

	mu     sync.Mutex
	users  int
	stop   context.CancelFunc // set while following
	run    *sync.WaitGroup    // the goroutines of the current (or last) run
	ready  chan struct{}      // closed once the current run follows its peers
	linger *time.Timer
	closed bool
}

// open counts a subscriber in, starting the feed if it is stopped, and returns the merged
// stream and the function that counts the subscriber out.
func (f *peerFeed) open() (*eventbus.Bus, func()) {
	select {
	case <-f.acquire():
	case <-time.After(peerFeedStart):
	}
	return f.hub.Bus(), f.release
}

// acquire counts a subscriber in, starting the feed if it is stopped; the channel it returns
// is closed once the feed follows the peers.
func (f *peerFeed) acquire() <-chan struct{} {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.users++
	if f.linger != nil {
		f.linger.Stop()
		f.linger = nil
	}
	if f.stop != nil || f.closed {
		if f.ready == nil {
			f.ready = make(chan struct{})
			close(f.ready)
		}
		return f.ready
	}
	if f.run != nil {
		f.run.Wait() // the last run's relays must not publish into the new one
	}
	f.hub.bus.Forget()
	ctx, cancel := context.WithCancel(context.Background())
	run, ready := &sync.WaitGroup{}, make(chan struct{})
	f.stop, f.run, f.ready = cancel, run, ready
	f.hub.attach(f.n, ctx.Done(), run)
	if f.picture != nil {
		f.hub.record(ctx.Done(), run, f.picture)
	}
	run.Add(1)
	go func() {
		defer run.Done()
		f.followPeers(ctx, run, func() { close(ready) })
	}()
	return ready
}

// release counts a subscriber out; the last one out stops the feed after peerFeedLinger.
func (f *peerFeed) release() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.users--
	if f.users > 0 || f.stop == nil {
		return
	}
	f.linger = time.AfterFunc(peerFeedLinger, func() {
		f.mu.Lock()
		defer f.mu.Unlock()
		if f.users == 0 && f.stop != nil {
			f.stop()
			f.stop = nil
		}
	})
}

// close stops the feed for good and waits for its goroutines.
func (f *peerFeed) close() {
	f.mu.Lock()
	f.closed = true
	if f.linger != nil {
		f.linger.Stop()
	}
	if f.stop != nil {
		f.stop()
		f.stop = nil
	}
	run := f.run
	f.mu.Unlock()
	if run != nil {
		run.Wait()
	}
	f.hub.Close()
}

// followPeers keeps one reader per peer that the node's configuration names, until ctx ends.
// It calls started once the first readers are streaming (or have failed to).
func (f *peerFeed) followPeers(ctx context.Context, wg *sync.WaitGroup, started func()) {
	var mu sync.Mutex
	following := map[string]bool{}
	t := time.NewTicker(time.Second)
	defer t.Stop()
	first := &sync.WaitGroup{}
	for {
		ms, _ := f.n.Members()
		for _, m := range ms {
			mu.Lock()
			start := m.ID != f.n.ID() && m.HTTPAddr != "" && !following[m.ID]
			if start {
				following[m.ID] = true
			}
			mu.Unlock()
			if start {
				wg.Add(1)
				streaming := func() {}
				if first != nil {
					first.Add(1)
					streaming = sync.OnceFunc(first.Done)
				}
				go func(id, addr string) {
					defer wg.Done()
					defer streaming()
					f.followPeer(ctx, addr, streaming)
					mu.Lock()
					delete(following, id)
					mu.Unlock()
				}(m.ID, m.HTTPAddr)
			}
		}
		if first != nil {
			go func(first *sync.WaitGroup) { first.Wait(); started() }(first)
			first = nil
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// isHeartbeat tells a peer's heartbeat or idle append from the other rpcs, once as it
// arrives, for the streams' filters (wire.Event.Heartbeat does not travel).
func isHeartbeat(ev wire.Event) bool {
	if ev.Type != wire.EventRPC {
		return false
	}
	var d struct {
		Heartbeat bool `json:"heartbeat"`
		Idle      bool `json:"idle"`
	}
	return json.Unmarshal(ev.Data, &d) == nil && (d.Heartbeat || d.Idle)
}

// followPeer relays one peer's events into the hub until ctx ends or the peer goes away.
// It calls streaming when the peer's stream has started (its hello has arrived).
func (f *peerFeed) followPeer(ctx context.Context, addr string, streaming func()) {
	// The node's own client, so the stream is https (with the cluster CA) when it has TLS.
	c, err := f.n.Peers().Events(ctx, addr, url.Values{"heartbeats": {"all"}, "window": {peerWindow}})
	if err != nil {
		return
	}
	defer c.CloseNow()
	c.SetReadLimit(16 << 20)
	for {
		_, data, err := c.Read(ctx)
		if err != nil {
			return
		}
		evs, err := wire.DecodeEvents(data)
		if err != nil || len(evs) == 1 && evs[0].Type == wire.EventHello {
			streaming() // the hello comes first
			continue
		}
		for _, ev := range evs {
			if ev.Node == "" {
				continue
			}
			ev.Heartbeat = isHeartbeat(ev)
			f.hub.bus.Publish(ev)
		}
	}
}
