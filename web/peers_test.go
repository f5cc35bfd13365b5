package web_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/raftplay/raftplay/node/wire"
	"github.com/raftplay/raftplay/web/clustertest"
)

// TestNodeClusterStreamFollowsPeersWhileWatched: a node's /v1/cluster/events carries its
// peers' events too, read from them only while someone subscribes; once nobody does, the
// peers' streams close, and a client resuming from before that pause starts over with a
// hello rather than silently missing what happened during it.
func TestNodeClusterStreamFollowsPeersWhileWatched(t *testing.T) {
	c := clustertest.Start(t, 3)
	n1, peer := c.Nodes()[0], c.Nodes()[1]
	// The embedded cluster's own hub always subscribes to every node's bus.
	peerSubs := func() float64 {
		return metric(t, clustertest.URL(peer), `raftplay_event_subscribers{stream="node:`+peer.ID()+`"}`)
	}
	if got := peerSubs(); got != 1 {
		t.Fatalf("%s's bus has %v subscribers before anyone watches, want 1 (the hub)", peer.ID(), got)
	}

	// A node follows the peers whose HTTP addresses its state machine has recorded.
	c.Eventually(10*time.Second, n1.ID()+" to know every peer's address", func() bool {
		ms, err := n1.Members()
		for _, m := range ms {
			if m.HTTPAddr == "" {
				return false
			}
		}
		return err == nil && len(ms) == 3
	})
	s := dial(t, clustertest.URL(n1)+"/v1/cluster/events?types=hello,apply")
	if ev, err := s.next(10 * time.Second); err != nil || ev.Type != wire.EventHello {
		t.Fatalf("first message %v (%v), want hello", ev.Type, err)
	}
	clustertest.Put(t, c.Play, "k", "v")
	applied := map[string]bool{}
	var last uint64
	s.until(10*time.Second, "an apply from every node", func(ev wire.Event) bool {
		last = ev.Seq
		applied[ev.Node] = true
		return len(applied) == 3
	})
	if got := peerSubs(); got != 2 {
		t.Fatalf("%s's bus has %v subscribers while %s's cluster stream is watched, want 2", peer.ID(), got, n1.ID())
	}
	// Read in batches: a message per event would cost the peer a write per event.
	if got := metric(t, clustertest.URL(peer), "raftplay_event_batched_streams"); got != 1 {
		t.Fatalf("%s serves %v batched streams, want 1 (%s following it)", peer.ID(), got, n1.ID())
	}

	s.c.CloseNow()
	c.Eventually(10*time.Second, "the peer's stream to close once nobody watches", func() bool { return peerSubs() == 1 })

	// Events go unrecorded while nobody watches; resuming across that gap starts over.
	clustertest.Put(t, c.Play, "k", "w")
	r := dial(t, clustertest.URL(n1)+"/v1/cluster/events?types=hello,apply&since="+strconv.FormatUint(last, 10))
	if ev, err := r.next(10 * time.Second); err != nil || ev.Type != wire.EventHello {
		t.Fatalf("resume across the pause: first message %v (%v), want hello", ev.Type, err)
	}
}
