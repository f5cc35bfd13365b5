package torture

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/raftplay/raftplay/node"
	"github.com/raftplay/raftplay/node/wire"
	"github.com/raftplay/raftplay/web/clustertest"
)

// TestStaleReads isolates the leader, lets a new leader commit a new value, and then reads
// on the old leader: at leader and linearizable consistency it must never answer the old
// value, while at local consistency the old value is exactly what an isolated node holds.
func TestStaleReads(t *testing.T) {
	c := clustertest.Start(t, 3)
	cl := newClient(15 * time.Second)
	defer cl.close()
	ctx := context.Background()
	put := func(base, v string) {
		t.Helper()
		_, err := retry(ctx, 20*time.Second, func() (bool, error) {
			if a := cl.do(ctx, "PUT", base+"/v1/kv/x", v); a.outcome() != applied {
				return false, fmt.Errorf("put %s: %v", v, a)
			}
			return true, nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	put(c.Play, "old")
	c.WaitConverged()
	old := c.Leader()
	oldTerm := old.Status().Term
	if a := cl.do(ctx, "POST", c.Play+"/v1/control/isolate", map[string]string{"node": old.ID()}); a.status != http.StatusOK {
		t.Fatalf("isolate: %v", a)
	}
	// Readers hammer the old leader from the moment it is isolated, each read bounded by a
	// short timeout, until well after the new value was acknowledged elsewhere.
	type read struct {
		cons  string
		start time.Time
		value string
	}
	reads := make(chan read, 1<<16)
	rctx, stopReads := context.WithCancel(ctx)
	var wg sync.WaitGroup
	for _, cons := range []string{wire.ConsistencyLeader, wire.ConsistencyLinearizable, wire.ConsistencyLocal} {
		wg.Go(func() {
			for rctx.Err() == nil {
				qctx, cancel := context.WithTimeout(rctx, 500*time.Millisecond)
				start := time.Now()
				a := cl.do(qctx, "GET", clustertest.URL(old)+"/v1/kv/x?consistency="+cons, nil)
				cancel()
				var kv wire.KVPair
				if a.err == nil && a.status == http.StatusOK && json.Unmarshal(a.body, &kv) == nil {
					reads <- read{cons, start, kv.Value}
				}
				time.Sleep(5 * time.Millisecond) // pace the readers: the cluster shares the CPU

			}
		})
	}
	var nl *node.Node
	c.Eventually(20*time.Second, "a new leader", func() bool {
		for _, n := range c.Nodes() {
			if n != old && n.IsLeader() && n.Status().Term > oldTerm {
				nl = n
				return true
			}
		}
		return false
	})
	put(clustertest.URL(nl), "new")
	acked := time.Now()
	time.Sleep(2 * time.Second) // the observation window, not synchronisation
	stopReads()
	wg.Wait()
	close(reads)

	total, after, stale := map[string]int{}, map[string]int{}, map[string]int{}
	for r := range reads {
		total[r.cons]++
		if r.start.After(acked) {
			after[r.cons]++
			if r.value != "new" {
				stale[r.cons]++
			}
		}
	}
	t.Logf("reads on the isolated old leader: %v; begun after the new value was acknowledged: %v; stale: %v", total, after, stale)
	for _, cons := range []string{wire.ConsistencyLeader, wire.ConsistencyLinearizable} {
		if stale[cons] > 0 {
			t.Errorf("%d stale %s reads on the isolated old leader", stale[cons], cons)
		}
	}
	if stale[wire.ConsistencyLocal] == 0 {
		t.Errorf("no stale local read on the isolated old leader (%d reads): local reads should show its old state", after[wire.ConsistencyLocal])
	}

	if a := cl.do(ctx, "POST", c.Play+"/v1/control/heal", struct{}{}); a.status != http.StatusOK {
		t.Fatalf("heal: %v", a)
	}
	c.WaitConverged()
	a := cl.do(ctx, "GET", clustertest.URL(old)+"/v1/kv/x?consistency=local", nil)
	var kv wire.KVPair
	if json.Unmarshal(a.body, &kv) != nil || kv.Value != "new" {
		t.Fatalf("after heal the old leader holds %v", a)
	}
}
