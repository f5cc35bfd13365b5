package web_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/raftplay/raftplay/node/wire"
	"github.com/raftplay/raftplay/web/clustertest"
)

func TestFollowerWriteIsReadableEverywhere(t *testing.T) {
	c := clustertest.Start(t, 3)
	f := c.Followers()[0]
	res := clustertest.Put(t, clustertest.URL(f), "greeting", "hello")
	if res.Node != c.Leader().ID() || res.Index == 0 || res.Term == 0 {
		t.Fatalf("write via follower %s answered %+v; want the leader %s with index and term", f.ID(), res, c.Leader().ID())
	}
	for _, n := range c.Nodes() {
		kv, r := clustertest.Get(t, clustertest.URL(n), "greeting", wire.ConsistencyLinearizable)
		if r.Status != http.StatusOK || kv.Value != "hello" || kv.Index < res.Index {
			t.Fatalf("linearizable read on %s: %d %s", n.ID(), r.Status, r.Body)
		}
	}
	c.WaitConverged()
}

func TestLeaderFailoverAndCatchUp(t *testing.T) {
	c := clustertest.Start(t, 3)
	old := c.Leader()
	oldTerm := old.Status().Term
	for i := range 20 {
		clustertest.Put(t, c.Play, fmt.Sprintf("k%d", i), "before")
	}
	if err := old.Kill(); err != nil {
		t.Fatal(err)
	}
	var newLeader string
	c.Eventually(10*time.Second, "a new leader", func() bool {
		l, ok := c.Cluster.Leader()
		if ok {
			newLeader = l.ID()
		}
		return ok && l != old
	})
	// Writes continue through any surviving node.
	for i := range 20 {
		clustertest.Put(t, clustertest.URL(c.Followers()[0]), fmt.Sprintf("k%d", i), "after")
	}
	if err := old.Restart(); err != nil {
		t.Fatal(err)
	}
	c.WaitConverged()
	st := old.Status()
	if st.Role != wire.RoleFollower || st.Leader != newLeader || st.Term <= oldTerm {
		t.Fatalf("restarted %s: %+v; want a follower of %s in a term after %d", old.ID(), st, newLeader, oldTerm)
	}
	for i := range 20 {
		kv, r := clustertest.Get(t, clustertest.URL(old), fmt.Sprintf("k%d", i), wire.ConsistencyLocal)
		if kv.Value != "after" {
			t.Fatalf("k%d on restarted node: %d %s", i, r.Status, r.Body)
		}
	}
}

func TestSnapshotCompactionAndInstallSnapshot(t *testing.T) {
	c := clustertest.Start(t, 3, clustertest.WithSnapshots(32, 8))
	down := c.Followers()[0]
	if err := down.Kill(); err != nil {
		t.Fatal(err)
	}
	for i := range 200 {
		clustertest.Put(t, c.Play, fmt.Sprintf("key%03d", i), fmt.Sprint(i))
	}
	leader := c.Leader()
	var snap wire.SnapshotData
	clustertest.MustOK(t, "POST", c.Play+"/v1/cluster/snapshot", map[string]string{"node": leader.ID()}).JSON(t, &snap)
	st := leader.Status()
	if st.LastSnapshotIndex < 150 {
		t.Fatalf("leader snapshot at %d after 200 writes: %+v", st.LastSnapshotIndex, st)
	}
	if err := down.Restart(); err != nil {
		t.Fatal(err)
	}
	c.WaitConverged()
	if st := down.Status(); st.RestoreCount == 0 {
		t.Fatalf("%s caught up without installing a snapshot: %+v", down.ID(), st)
	}
	kv, _ := clustertest.Get(t, clustertest.URL(down), "key199", wire.ConsistencyLocal)
	if kv.Value != "199" {
		t.Fatalf("key199 on %s = %q", down.ID(), kv.Value)
	}
}

func TestRestartRestoresSnapshotAndReplaysTailOnce(t *testing.T) {
	c := clustertest.Start(t, 3)
	for i := range 30 {
		clustertest.Put(t, c.Play, fmt.Sprintf("a%d", i), "x")
	}
	n := c.Followers()[0]
	c.Eventually(5*time.Second, n.ID()+" to apply the writes", c.Converged)
	clustertest.MustOK(t, "POST", c.Play+"/v1/cluster/snapshot", map[string]string{"node": n.ID()})
	const tail = 25
	for i := range tail {
		clustertest.Put(t, c.Play, fmt.Sprintf("b%d", i), "y")
	}
	c.WaitConverged()
	if err := n.Kill(); err != nil {
		t.Fatal(err)
	}
	if err := n.Restart(); err != nil {
		t.Fatal(err)
	}
	c.WaitConverged()
	st := n.Status()
	if st.RestoreCount != 1 || st.ApplyCount != tail {
		t.Fatalf("restart: restored %d snapshots and applied %d entries; want 1 and exactly the %d after the snapshot", st.RestoreCount, st.ApplyCount, tail)
	}
}

func TestRemoveNodeAndTransferLeadership(t *testing.T) {
	c := clustertest.Start(t, 3)
	target := c.Followers()[0]
	clustertest.MustOK(t, "POST", clustertest.URL(c.Followers()[1])+"/v1/cluster/transfer-leadership", wire.TransferRequest{ID: target.ID()})
	c.Eventually(5*time.Second, target.ID()+" to lead", target.IsLeader)

	victim := c.Followers()[0]
	clustertest.MustOK(t, "DELETE", c.Play+"/v1/cluster/nodes/"+victim.ID(), nil)
	c.Eventually(5*time.Second, victim.ID()+" to leave the configuration", func() bool {
		ms, err := c.Leader().Members()
		if err != nil {
			return false
		}
		for _, m := range ms {
			if m.ID == victim.ID() {
				return false
			}
		}
		return len(ms) == 2
	})
	// The two remaining voters still commit.
	clustertest.Put(t, c.Play, "after-remove", "ok")

	r := clustertest.Do(t, "DELETE", c.Play+"/v1/cluster/nodes/nope", nil)
	if r.Status != http.StatusNotFound || r.Error(t).Code != wire.CodeUnknownNode {
		t.Fatalf("removing an unknown node: %d %s", r.Status, r.Body)
	}
	r = clustertest.Do(t, "POST", c.Play+"/v1/cluster/transfer-leadership", wire.TransferRequest{ID: "nope"})
	if r.Status != http.StatusNotFound {
		t.Fatalf("transfer to an unknown node: %d %s", r.Status, r.Body)
	}
}
