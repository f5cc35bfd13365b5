package web_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/raftplay/raftplay/node/wire"
	"github.com/raftplay/raftplay/web/clustertest"
)

// TestConcurrentWritesShareEntriesButNotFates sends bursts of concurrent writes, some of
// them compare-and-sets that must fail: writes are grouped into shared log entries, yet each
// keeps its own outcome.
func TestConcurrentWritesShareEntriesButNotFates(t *testing.T) {
	c := clustertest.Start(t, 3)
	leader := clustertest.URL(c.Leader())
	clustertest.Put(t, leader, "guard", "1")
	var wg sync.WaitGroup
	statuses := make([]int, 200)
	for round := range 4 {
		for i := range 50 {
			k := round*50 + i
			wg.Add(1)
			go func() {
				defer wg.Done()
				if k%10 == 0 {
					statuses[k] = clustertest.Do(t, "PUT", leader+"/v1/kv/guard?cas=nope", "x").Status
					return
				}
				statuses[k] = clustertest.Do(t, "PUT", fmt.Sprintf("%s/v1/kv/gc%d", leader, k), "v").Status
			}()
		}
		wg.Wait()
	}
	for k, st := range statuses {
		want := http.StatusOK
		if k%10 == 0 {
			want = http.StatusPreconditionFailed
		}
		if st != want {
			t.Fatalf("write %d answered %d, want %d", k, st, want)
		}
	}
	c.WaitConverged()
	var l wire.KVList
	clustertest.MustOK(t, "GET", leader+"/v1/kv?prefix=gc&limit=1000&consistency=linearizable", nil).JSON(t, &l)
	if len(l.Items) != 180 {
		t.Fatalf("%d keys written, want 180", len(l.Items))
	}
	if kv, _ := clustertest.Get(t, leader, "guard", wire.ConsistencyLinearizable); kv.Value != "1" {
		t.Fatalf("a failed compare-and-set changed guard to %q", kv.Value)
	}
	batched := false
	for _, e := range c.Leader().RecentLog(300) {
		if strings.HasPrefix(e.Summary, "BATCH of ") {
			batched = true
		}
	}
	if !batched {
		t.Fatal("200 concurrent writes made no batch entry")
	}
}
