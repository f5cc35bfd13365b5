package web_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/raftplay/raftplay/node"
	"github.com/raftplay/raftplay/node/wire"
	"github.com/raftplay/raftplay/web/clustertest"
)

func control(t *testing.T, c *clustertest.Cluster, action string, body any) clustertest.Response {
	t.Helper()
	return clustertest.Do(t, "POST", c.Play+"/v1/control/"+action, body)
}

func mustControl(t *testing.T, c *clustertest.Cluster, action string, body any) wire.Faults {
	t.Helper()
	r := control(t, c, action, body)
	if r.Status != http.StatusOK {
		t.Fatalf("%s %v: %d %s", action, body, r.Status, r.Body)
	}
	var f wire.Faults
	r.JSON(t, &f)
	return f
}

func nodeOf(t *testing.T, c *clustertest.Cluster, id string) *node.Node {
	n, ok := c.Node(id)
	if !ok {
		t.Fatalf("no node %s", id)
	}
	return n
}

// leaderAmong waits for a leader among the given nodes, of a term above min.
func leaderAmong(c *clustertest.Cluster, nodes []*node.Node, min uint64) *node.Node {
	var l *node.Node
	c.Eventually(10*time.Second, "a leader in the majority", func() bool {
		for _, n := range nodes {
			if n.IsLeader() && n.Status().Term > min {
				l = n
				return true
			}
		}
		return false
	})
	return l
}

// TestIsolatedLeaderIsReplacedAndItsEntriesTruncated covers a partitioned minority leader:
// it cannot commit, the majority elects a new leader, its stale reads are refused, and after
// heal its uncommitted entry is truncated and every digest converges.
func TestIsolatedLeaderIsReplacedAndItsEntriesTruncated(t *testing.T) {
	for _, size := range []int{3, 5} {
		t.Run(fmt.Sprintf("%d nodes", size), func(t *testing.T) {
			c := clustertest.Start(t, size)
			clustertest.Put(t, c.Play, "x", "old")
			old := c.Leader()
			oldTerm := old.Status().Term
			s := dial(t, c.Play+"/v1/cluster/events?types=log_delete")
			s.until(5*time.Second, "hello", func(ev wire.Event) bool { return ev.Type == wire.EventHello })

			f := mustControl(t, c, "isolate", map[string]string{"node": old.ID()})
			if len(f.Isolated) != 1 || f.Isolated[0] != old.ID() {
				t.Fatalf("faults after isolate: %+v", f)
			}
			// The old leader accepts an entry it can never commit.
			go clustertest.Do(t, "PUT", clustertest.URL(old)+"/v1/kv/lost", "never-committed")
			var others []*node.Node
			for _, n := range c.Nodes() {
				if n != old {
					others = append(others, n)
				}
			}
			nl := leaderAmong(c, others, oldTerm)
			clustertest.Put(t, clustertest.URL(nl), "x", "new")

			// No stale read from the old leader at leader or linearizable consistency.
			for _, cons := range []string{wire.ConsistencyLeader, wire.ConsistencyLinearizable} {
				kv, r := clustertest.Get(t, clustertest.URL(old), "x", cons)
				if r.Status == http.StatusOK && kv.Value != "new" {
					t.Fatalf("%s read on the isolated old leader returned stale %q", cons, kv.Value)
				}
			}
			// A local read is stale by design.
			if kv, _ := clustertest.Get(t, clustertest.URL(old), "x", wire.ConsistencyLocal); kv.Value != "old" {
				t.Fatalf("local read on the isolated node = %q, want the stale value", kv.Value)
			}
			c.Eventually(10*time.Second, "the old leader to step down", func() bool { return !old.IsLeader() })

			mustControl(t, c, "heal", struct{}{})
			c.WaitConverged()
			if kv, _ := clustertest.Get(t, clustertest.URL(old), "x", wire.ConsistencyLocal); kv.Value != "new" {
				t.Fatalf("x on the healed node = %q", kv.Value)
			}
			if _, r := clustertest.Get(t, c.Play, "lost", wire.ConsistencyLinearizable); r.Status != http.StatusNotFound {
				t.Fatalf("the isolated leader's uncommitted write survived: %d %s", r.Status, r.Body)
			}
			s.until(10*time.Second, "the old leader truncating its log", func(ev wire.Event) bool {
				return ev.Node == old.ID() && data[wire.LogDeleteData](t, ev).Reason == "truncated"
			})
		})
	}
}

func TestMinorityPartitionAndOneWayLoss(t *testing.T) {
	c := clustertest.Start(t, 5)
	ids := []string{"n1", "n2", "n3", "n4", "n5"}
	f := mustControl(t, c, "partition", map[string][][]string{"groups": {ids[:2], ids[2:]}})
	if len(f.Partition) != 2 {
		t.Fatalf("faults: %+v", f)
	}
	maj := []*node.Node{nodeOf(t, c, "n3"), nodeOf(t, c, "n4"), nodeOf(t, c, "n5")}
	l := leaderAmong(c, maj, 0)
	clustertest.Put(t, clustertest.URL(l), "p", "majority")
	for _, id := range ids[:2] {
		c.Eventually(10*time.Second, id+" to lose leadership", func() bool { return !nodeOf(t, c, id).IsLeader() })
	}
	mustControl(t, c, "heal", struct{}{})
	c.WaitConverged()

	// One-way loss: the leader cannot reach one follower, which still reaches the leader.
	l = c.Leader()
	victim := c.Followers()[0]
	mustControl(t, c, "link", wire.Link{From: l.ID(), To: victim.ID(), Block: true})
	clustertest.Put(t, c.Play, "oneway", "1")
	if kv, _ := clustertest.Get(t, clustertest.URL(victim), "oneway", wire.ConsistencyLocal); kv.Value == "1" {
		t.Fatalf("%s got an entry over a blocked link", victim.ID())
	}
	mustControl(t, c, "heal", struct{}{})
	c.WaitConverged()
}

func TestControlErrorsChangeNothing(t *testing.T) {
	c := clustertest.Start(t, 3)
	down := c.Followers()[0]
	mustControl(t, c, "kill", map[string]string{"node": down.ID()})
	tests := []struct {
		action string
		body   any
		status int
	}{
		{"kill", map[string]string{"node": down.ID()}, http.StatusConflict},
		{"isolate", map[string]string{"node": down.ID()}, http.StatusConflict},
		{"kill", map[string]string{"node": "n9"}, http.StatusNotFound},
		{"kill", map[string]string{}, http.StatusBadRequest},
		{"partition", map[string][][]string{"groups": {{"n1", "n2"}, {"n2", "n3"}}}, http.StatusBadRequest},
		{"partition", map[string][][]string{"groups": {{"n1"}, {"n7"}}}, http.StatusNotFound},
		{"link", wire.Link{From: "n1", To: "n1", Block: true}, http.StatusBadRequest},
		{"link", wire.Link{From: "n1", To: "n2", Drop: 2}, http.StatusBadRequest},
		{"speed", map[string]string{"preset": "ludicrous"}, http.StatusBadRequest},
	}
	before := mustControl(t, c, "heal", struct{}{})
	for _, tt := range tests {
		if r := control(t, c, tt.action, tt.body); r.Status != tt.status {
			t.Errorf("%s %v: %d %s, want %d", tt.action, tt.body, r.Status, r.Body, tt.status)
		}
	}
	var after wire.Faults
	clustertest.MustOK(t, "GET", c.Play+"/v1/control/faults", nil).JSON(t, &after)
	if a, b := jsonOf(after), jsonOf(before); a != b {
		t.Fatalf("failed controls changed the faults:\n%+v\n%+v", before, after)
	}
	mustControl(t, c, "restart", map[string]string{"node": down.ID()})
	c.WaitConverged()
}

func jsonOf(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func TestRemoveThenAddAndRestartAll(t *testing.T) {
	dir := t.TempDir()
	c := clustertest.Start(t, 3, clustertest.WithDataDir(dir))
	for i := range 20 {
		clustertest.Put(t, c.Play, fmt.Sprintf("r%d", i), "v")
	}
	victim := c.Followers()[0].ID()
	clustertest.MustOK(t, "POST", c.Play+"/v1/control/remove-node", map[string]string{"node": victim})
	var st wire.NodeStatus
	clustertest.MustOK(t, "POST", c.Play+"/v1/control/add-node", struct{}{}).JSON(t, &st)
	if st.ID != "n4" {
		t.Fatalf("added %+v", st)
	}
	c.WaitConverged()
	if len(c.Nodes()) != 3 {
		t.Fatalf("nodes after remove+add: %d", len(c.Nodes()))
	}
	kv, _ := clustertest.Get(t, clustertest.URL(nodeOf(t, c, "n4")), "r19", wire.ConsistencyLocal)
	if kv.Value != "v" {
		t.Fatalf("new node did not catch up: %+v", kv)
	}
	// Restart every node at once: the cluster recovers its full state from disk.
	digest := c.Leader().Status().Digest
	for _, n := range c.Nodes() {
		mustControl(t, c, "kill", map[string]string{"node": n.ID()})
	}
	for _, n := range c.Nodes() {
		mustControl(t, c, "restart", map[string]string{"node": n.ID()})
	}
	c.WaitReady()
	c.WaitConverged()
	if got := c.Leader().Status().Digest; got != digest {
		t.Fatalf("digest after restarting every node %s, before %s", got, digest)
	}
}

func TestSlowSpeedReloadsTimeouts(t *testing.T) {
	c := clustertest.Start(t, 3)
	f := mustControl(t, c, "speed", map[string]string{"preset": "slow"})
	if f.Speed != "slow" || f.Timing == nil || f.Timing.HeartbeatMS != 2000 || f.Timing.RPCDelayMS == 0 {
		t.Fatalf("slow: %+v %+v", f, f.Timing)
	}
	// Raft itself runs with the new timeouts on every node, and a node restarted while
	// slow comes back slow.
	raftHeartbeats := func(want time.Duration, when string) {
		t.Helper()
		for _, n := range c.Nodes() {
			if hb, _ := n.RaftTiming(); hb != want {
				t.Fatalf("%s: %s runs raft with a %v heartbeat timeout, want %v", when, n.ID(), hb, want)
			}
		}
	}
	raftHeartbeats(2*time.Second, "slow")
	victim := c.Followers()[0]
	mustControl(t, c, "kill", map[string]string{"node": victim.ID()})
	mustControl(t, c, "restart", map[string]string{"node": victim.ID()})
	raftHeartbeats(2*time.Second, "slow, after a restart")
	clustertest.Put(t, c.Play, "slowly", "yes")
	f = mustControl(t, c, "speed", map[string]string{"preset": "realtime"})
	if f.Speed != "realtime" || f.Timing.HeartbeatMS != 1000 {
		t.Fatalf("realtime: %+v", f)
	}
	raftHeartbeats(time.Second, "realtime")
}

func TestScenariosRunToTheEnd(t *testing.T) {
	for _, name := range []string{"leader-failover", "minority-partition", "snapshot-install", "one-way-loss"} {
		t.Run(name, func(t *testing.T) {
			c := clustertest.Start(t, 3)
			s := dial(t, c.Play+"/v1/cluster/events?types=fault")
			s.until(5*time.Second, "hello", func(ev wire.Event) bool { return ev.Type == wire.EventHello })
			clustertest.MustOK(t, "POST", c.Play+"/v1/control/scenario", map[string]string{"name": name})
			if r := control(t, c, "scenario", map[string]string{"name": name}); r.Status != http.StatusConflict {
				t.Fatalf("a second scenario while one runs: %d %s", r.Status, r.Body)
			}
			var steps int
			s.until(60*time.Second, "the scenario to finish", func(ev wire.Event) bool {
				var f struct{ Action string }
				json.Unmarshal(ev.Data, &f)
				if strings.HasPrefix(f.Action, "scenario:"+name+": stopped") {
					t.Fatalf("scenario stopped: %s", f.Action)
				}
				if strings.HasPrefix(f.Action, "scenario:"+name+":") {
					steps++
				}
				return f.Action == "scenario:"+name+": done"
			})
			if steps < 3 {
				t.Fatalf("%d steps announced", steps)
			}
			c.WaitReady()
			c.WaitConverged()
		})
	}
	c := clustertest.Start(t, 1)
	if r := control(t, c, "scenario", map[string]string{"name": "nope"}); r.Status != http.StatusBadRequest {
		t.Fatalf("unknown scenario: %d %s", r.Status, r.Body)
	}
}

// TestKillWhileCatchingUpBySnapshot restarts a follower that is behind the leader's
// snapshot with the leader's sends to it held back 1.5 s, kills it again inside that window
// (while the leader's InstallSnapshot is pending or in flight), then brings it back: the
// next install completes and the cluster converges.
func TestKillWhileCatchingUpBySnapshot(t *testing.T) {
	c := clustertest.Start(t, 3, clustertest.WithSnapshots(32, 8))
	f := c.Followers()[0]
	mustControl(t, c, "kill", map[string]string{"node": f.ID()})
	for i := range 100 {
		clustertest.Put(t, c.Play, fmt.Sprintf("k%d", i), "v")
	}
	l := c.Leader()
	clustertest.MustOK(t, "POST", c.Play+"/v1/control/snapshot", map[string]string{"node": l.ID()})
	mustControl(t, c, "link", wire.Link{From: l.ID(), To: f.ID(), DelayMS: 1500})
	mustControl(t, c, "restart", map[string]string{"node": f.ID()})
	c.Eventually(5*time.Second, f.ID()+" up", f.Up)
	if st := f.Status(); st.RestoreCount != 0 || st.AppliedIndex >= l.Status().LastSnapshotIndex {
		t.Fatalf("%s caught up before it was killed: %+v", f.ID(), st)
	}
	mustControl(t, c, "kill", map[string]string{"node": f.ID()})
	mustControl(t, c, "heal", struct{}{})
	mustControl(t, c, "restart", map[string]string{"node": f.ID()})
	c.WaitConverged()
	if st := f.Status(); st.RestoreCount == 0 {
		t.Fatalf("the follower caught up without installing a snapshot: %+v", st)
	}
}

// TestInstalledSnapshotDropsDeposedLeaderEntries covers a deposed leader that catches up by
// InstallSnapshot: the entries it appended alone, in its old term, must not survive below
// the snapshot, or it would one day serve them to a follower as committed history.
func TestInstalledSnapshotDropsDeposedLeaderEntries(t *testing.T) {
	c := clustertest.Start(t, 3, clustertest.WithSnapshots(8, 4))
	clustertest.Put(t, c.Play, "x", "old")
	old := c.Leader()
	st := old.Status()
	oldTerm, committed := st.Term, st.CommitIndex

	mustControl(t, c, "isolate", map[string]string{"node": old.ID()})
	var wg sync.WaitGroup
	defer wg.Wait()
	for i := range 3 {
		wg.Add(1)
		go func() { // refused once the old leader steps down; only its log keeps them
			defer wg.Done()
			req, _ := http.NewRequest("PUT", fmt.Sprintf("%s/v1/kv/lost%d", clustertest.URL(old), i), strings.NewReader("never"))
			if resp, err := http.DefaultClient.Do(req); err == nil {
				resp.Body.Close()
			}
		}()
	}
	c.Eventually(10*time.Second, "the isolated leader to append the writes", func() bool {
		return old.Status().LastIndex > committed
	})
	var others []*node.Node
	for _, n := range c.Nodes() {
		if n != old {
			others = append(others, n)
		}
	}
	nl := leaderAmong(c, others, oldTerm)
	// Enough writes for the new leader to snapshot and compact past everything the old one has.
	stale := old.Status().LastIndex
	for i := 0; nl.Status().LastSnapshotIndex <= stale+8; i++ {
		clustertest.Put(t, clustertest.URL(nl), fmt.Sprintf("k%d", i), "v")
	}
	restores := old.Status().RestoreCount
	mustControl(t, c, "heal", struct{}{})
	c.WaitConverged()
	if got := old.Status().RestoreCount; got <= restores {
		t.Fatalf("the old leader caught up without installing a snapshot (restores %d -> %d)", restores, got)
	}
	for _, e := range old.RecentLog(1 << 16) {
		if e.Term == oldTerm && e.Index > committed {
			t.Fatalf("entry %d of deposed term %d is still in %s's log: %+v", e.Index, oldTerm, old.ID(), old.RecentLog(1<<16))
		}
	}
}
