package web

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"nhooyr.io/websocket"

	"github.com/raftplay/raftplay/node"
	"github.com/raftplay/raftplay/node/wire"
)

// peerHub is the merged cluster stream of a node process: its own events plus those of every
// peer, read from the peers' /v1/events. It starts on first use and stops with the server.
func (s *Server) peerHub() *Hub {
	s.hubOnce.Do(func() {
		s.hub = NewHub()
		s.hub.Attach(s.self)
		s.hub.wg.Add(1)
		go s.followPeers(s.hub)
	})
	return s.hub
}

// followPeers keeps one reader per peer that the node's configuration names.
func (s *Server) followPeers(h *Hub) {
	defer h.wg.Done()
	var mu sync.Mutex
	following := map[string]bool{}
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		ms, _ := s.self.Members()
		for _, m := range ms {
			mu.Lock()
			start := m.ID != s.self.ID() && m.HTTPAddr != "" && !following[m.ID]
			if start {
				following[m.ID] = true
			}
			mu.Unlock()
			if start {
				h.wg.Add(1)
				go func(id, addr string) {
					defer h.wg.Done()
					s.followPeer(h, addr)
					mu.Lock()
					delete(following, id)
					mu.Unlock()
				}(m.ID, m.HTTPAddr)
			}
		}
		select {
		case <-h.stop:
			return
		case <-t.C:
		}
	}
}

// followPeer relays one peer's events into h until the hub stops or the peer goes away.
func (s *Server) followPeer(h *Hub, addr string) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		select {
		case <-h.stop:
			cancel()
		case <-ctx.Done():
		}
	}()
	c, _, err := websocket.Dial(ctx, "ws://"+addr+"/v1/events?heartbeats=all&since="+"0", &websocket.DialOptions{HTTPHeader: map[string][]string{node.ForwardedHeader: {s.self.ID()}}})
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
		var ev wire.Event
		if json.Unmarshal(data, &ev) != nil || ev.Type == wire.EventHello || ev.Node == "" {
			continue
		}
		ev.Seq, ev.Encoded = 0, nil
		h.bus.Publish(ev)
	}
}
