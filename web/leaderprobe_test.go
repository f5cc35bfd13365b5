package web_test

import (
	"encoding/json"
	"sort"
	"testing"
	"time"

	"github.com/raftplay/raftplay/node"
	"github.com/raftplay/raftplay/node/wire"
	"github.com/raftplay/raftplay/web/clustertest"
)

// probeTiming makes raft's own timeout long (a follower waits at least 1.6 s after a
// killed leader's last heartbeat) and the probe short, so the two paths cannot be mistaken
// for each other even on a loaded machine.
func probeTiming() node.Timing {
	return node.Timing{Heartbeat: 2 * time.Second, Election: 2 * time.Second, LeaderLease: time.Second,
		Commit: 20 * time.Millisecond, Probe: 500 * time.Millisecond}
}

// leaderDowns are the nodes that published a leader_down event about leader, in the
// order they did.
func leaderDowns(t *testing.T, c *clustertest.Cluster, leader string) []string {
	t.Helper()
	var evs []wire.Event
	for _, n := range c.Nodes() {
		for _, ev := range n.Events().Recent(8192) {
			var d wire.LeaderDownData
			if ev.Type == wire.EventLeaderDown && json.Unmarshal(ev.Data, &d) == nil && d.Leader == leader {
				evs = append(evs, ev)
			}
		}
	}
	sort.Slice(evs, func(i, j int) bool { return evs[i].Time.Before(evs[j].Time) })
	var nodes []string
	for _, ev := range evs {
		nodes = append(nodes, ev.Node)
	}
	return nodes
}

// newLeader waits for a leader other than old and returns it.
func newLeader(c *clustertest.Cluster, old *node.Node) *node.Node {
	var l *node.Node
	c.Eventually(20*time.Second, "a new leader", func() bool {
		var ok bool
		l, ok = c.Cluster.Leader()
		return ok && l != old
	})
	return l
}

func TestKilledLeaderIsReplacedWithoutWaitingOutTheHeartbeatTimeout(t *testing.T) {
	tm := probeTiming()
	c := clustertest.Start(t, 3, clustertest.WithTiming(tm))
	old := c.Leader()
	start := time.Now()
	if err := old.Kill(); err != nil {
		t.Fatal(err)
	}
	newLeader(c, old)
	took := time.Since(start)
	downs := leaderDowns(t, c, old.ID())
	if len(downs) == 0 {
		t.Fatalf("no follower found %s down; the election came from raft's own timeout after %v", old.ID(), took)
	}
	// The survivors take turns by id, so that they do not split the vote.
	first := ""
	for _, n := range c.Nodes() {
		if n != old && (first == "" || n.ID() < first) {
			first = n.ID()
		}
	}
	if downs[0] != first {
		t.Errorf("%s campaigned first (%v), not %s, the first survivor by id", downs[0], downs, first)
	}
	// raft alone could not have elected anyone before Heartbeat minus the longest
	// heartbeat gap (a fifth of it) after the kill.
	if floor := tm.Heartbeat - tm.Heartbeat/5; took >= floor {
		t.Fatalf("new leader after %v, no sooner than raft's own timeout (%v)", took, floor)
	}
}

func TestSilentLiveLeaderWaitsOutTheHeartbeatTimeout(t *testing.T) {
	c := clustertest.Start(t, 3, clustertest.WithTiming(probeTiming()))
	old := c.Leader()
	// Isolated, the leader still listens: its followers' probes connect, so they must
	// leave it to raft's timeout (a leader that may be alive may still hold a read lease).
	old.Isolate(true)
	newLeader(c, old)
	if downs := leaderDowns(t, c, old.ID()); len(downs) != 0 {
		t.Fatalf("%v found %s down, which was alive", downs, old.ID())
	}
	old.Isolate(false)
}
