package web_test

import (
	"encoding/json"
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

// leaderDowns are the leader_down events the nodes published about leader.
func leaderDowns(t *testing.T, c *clustertest.Cluster, leader string) int {
	t.Helper()
	count := 0
	for _, n := range c.Nodes() {
		for _, ev := range n.Events().Recent(8192) {
			var d wire.LeaderDownData
			if ev.Type == wire.EventLeaderDown && json.Unmarshal(ev.Data, &d) == nil && d.Leader == leader {
				count++
			}
		}
	}
	return count
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
	if leaderDowns(t, c, old.ID()) == 0 {
		t.Fatalf("no follower found %s down; the election came from raft's own timeout after %v", old.ID(), took)
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
	if n := leaderDowns(t, c, old.ID()); n != 0 {
		t.Fatalf("%d leader_down events about %s, which was alive", n, old.ID())
	}
	old.Isolate(false)
}
