package web_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/raftplay/raftplay/node"
	"github.com/raftplay/raftplay/node/wire"
	"github.com/raftplay/raftplay/web/clustertest"
)

// TestEitherLogStoreKeepsWhatRaftNeeds runs each kind of durable log through what raft asks
// of it: appends, compaction after snapshots, a leader killed mid-run, and restarts that must
// bring back the term, the vote and every committed entry from disk.
func TestEitherLogStoreKeepsWhatRaftNeeds(t *testing.T) {
	for _, tc := range []struct {
		kind, onDisk, notOnDisk string
	}{
		{node.LogStoreBolt, "raft.db", "wal"},
		{node.LogStoreWAL, "wal", "raft.db"},
	} {
		t.Run(tc.kind, func(t *testing.T) {
			c := clustertest.Start(t, 3, clustertest.WithLogStore(tc.kind), clustertest.WithSnapshots(16, 4))
			for i := range 40 {
				clustertest.Put(t, c.Play, fmt.Sprintf("k%d", i), "one")
			}
			old := c.Leader()
			termBefore := old.Status().Term
			if err := old.Kill(); err != nil {
				t.Fatal(err)
			}
			c.Eventually(clustertest.Tolerant().Election*6, "a new leader", func() bool {
				l, ok := c.Cluster.Leader()
				return ok && l != old
			})
			for i := range 40 {
				clustertest.Put(t, c.Play, fmt.Sprintf("k%d", i), "two")
			}
			if err := old.Restart(); err != nil {
				t.Fatal(err)
			}
			c.WaitConverged()
			// A restarted node may catch up from the log and snapshot only once it has applied
			// enough entries since (every 50 ms at most).
			c.Eventually(10*time.Second, "a snapshot on every node", func() bool {
				for _, n := range c.Nodes() {
					if n.Status().LastSnapshotIndex == 0 {
						return false
					}
				}
				return true
			})
			for _, n := range c.Nodes() {
				st := n.Status()
				if st.LogStore != tc.kind || st.Term <= termBefore || st.LastSnapshotIndex == 0 {
					t.Errorf("%s: log store %q term %d snapshot %d; want %q, a term after %d and a snapshot",
						n.ID(), st.LogStore, st.Term, st.LastSnapshotIndex, tc.kind, termBefore)
				}
				kv, r := clustertest.Get(t, clustertest.URL(n), "k39", wire.ConsistencyLocal)
				if r.Status != 200 || kv.Value != "two" {
					t.Errorf("%s: k39 = %d %s; want two", n.ID(), r.Status, r.Body)
				}
				dir := n.DataDir()
				if _, err := os.Stat(filepath.Join(dir, tc.onDisk)); err != nil {
					t.Errorf("%s: %s log not on disk: %v", n.ID(), tc.kind, err)
				}
				if _, err := os.Stat(filepath.Join(dir, tc.notOnDisk)); err == nil {
					t.Errorf("%s: %s found beside a %s log", n.ID(), tc.notOnDisk, tc.kind)
				}
			}
		})
	}
}
