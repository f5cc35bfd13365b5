package torture

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"

	"github.com/raftplay/raftplay/node/wire"
	"github.com/raftplay/raftplay/web/clustertest"
)

// Run starts a cluster of cfg.Nodes, runs the workloads under faults for cfg.Duration, heals,
// and checks the results. The error is set when the harness itself could not do its job
// (the cluster never came back, the final read failed); safety failures are counted in
// Report.Violations and described in Report.Problems.
func Run(ctx context.Context, t testing.TB, cfg Config) (Report, error) {
	cfg = cfg.withDefaults()
	rep := Report{Seed: cfg.Seed, FaultKinds: map[string]int{}}
	c := clustertest.Start(t, cfg.Nodes, clustertest.WithSnapshots(cfg.SnapshotThreshold, cfg.TrailingLogs))
	if cfg.ConvergeWithin <= 0 {
		cfg.ConvergeWithin = 3 * clustertest.Tolerant().Election
	}
	cl := newClient(15 * time.Second)
	defer cl.close()

	w, err := startWatcher(c.Play)
	if err != nil {
		return rep, err
	}
	defer w.close()
	if err := setup(ctx, cl, c.Play); err != nil {
		return rep, err
	}

	start := time.Now()
	tl := newTimeline(start)
	h := newHistory()
	sets, bank := newSetLog(), &bankLog{}
	var unknown atomic.Int64
	nodes := func(rng *rand.Rand) string {
		// A random node that is up, so most requests do real work; the node may still go
		// down while the request is in flight.
		all := c.Nodes()
		var up []string
		for _, n := range all {
			if n.Up() {
				up = append(up, clustertest.URL(n))
			}
		}
		if len(up) == 0 {
			return clustertest.URL(all[rng.IntN(len(all))])
		}
		return up[rng.IntN(len(up))]
	}
	rng := func(stream uint64) *rand.Rand { return rand.New(rand.NewPCG(uint64(cfg.Seed), stream)) }

	wctx, stop := context.WithTimeout(ctx, cfg.Duration)
	defer stop()
	var wg sync.WaitGroup
	for i := range cfg.Clients {
		rw := &registerWorker{id: i, rng: rng(uint64(100 + i)), cl: cl, nodes: nodes, h: h, keys: cfg.Keys, unknown: &unknown, seen: map[string]string{}}
		wg.Go(func() { rw.run(wctx) })
	}
	for i := range cfg.SetClients {
		sw := &setWorker{id: i + 1, rng: rng(uint64(200 + i)), cl: cl, nodes: nodes, log: sets}
		wg.Go(func() { sw.run(wctx) })
	}
	for i := range cfg.BankClients {
		bw := &bankWorker{rng: rng(uint64(300 + i)), cl: cl, nodes: nodes, log: bank}
		wg.Go(func() { bw.run(wctx) })
	}
	nem := &nemesis{c: c, cl: cl, rng: rng(1), tl: tl, nodes: cfg.Nodes, kinds: rep.FaultKinds,
		forget: func(id string) { w.forgetNode(id, c.Hub().Bus().Seq()) }}
	wg.Go(func() { nem.run(wctx, cfg.FaultEvery) })
	wg.Wait()
	for _, v := range rep.FaultKinds {
		rep.Faults += v
	}
	rep.Unknown = int(unknown.Load())

	// The last heal happened as the nemesis stopped: now every node must converge quickly.
	tl.add("workloads stopped")
	healed := time.Now()
	if err := converge(ctx, cl, c.Play, healed.Add(cfg.ConvergeWithin)); err != nil {
		// Liveness, not safety: a follower that was down for a while may wait out raft's
		// replication backoff (up to 10.24 s in hashicorp/raft) before the leader tries it
		// again, so this is reported but not counted as a violation.
		rep.SlowConvergence = fmt.Sprintf("not converged %v after the last heal: %v", cfg.ConvergeWithin, err)
		tl.add("%s", rep.SlowConvergence)
		if err := converge(ctx, cl, c.Play, time.Now().Add(60*time.Second)); err != nil {
			return finish(t, cfg, rep, h, tl, fmt.Errorf("cluster never converged: %w\n%s", err, c.Dump()))
		}
	}
	rep.Converged = time.Since(healed)
	tl.add("converged after %v", rep.Converged.Round(time.Millisecond))
	if err := w.caughtUp(c.Hub().Bus().Seq(), 30*time.Second); err != nil {
		rep.violation("%v", err)
	}
	var ids []string
	for _, n := range c.Nodes() {
		ids = append(ids, n.ID())
	}
	w.check(ids, &rep)

	// Kill and restart every node: acknowledged writes must survive on disk, and every node
	// must come back from its snapshot.
	tl.add("kill and restart every node")
	for _, id := range ids {
		if err := nem.control(ctx, "kill", map[string]string{"node": id}); err != nil {
			return finish(t, cfg, rep, h, tl, err)
		}
	}
	for _, id := range ids {
		if err := nem.control(ctx, "restart", map[string]string{"node": id}); err != nil {
			return finish(t, cfg, rep, h, tl, err)
		}
	}
	for _, n := range c.Nodes() {
		if n.Status().RestoreCount > 0 {
			rep.StartRestores++
		}
	}
	rctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	err = c.Cluster.WaitReady(rctx)
	cancel()
	if err != nil {
		return finish(t, cfg, rep, h, tl, fmt.Errorf("after restarting every node: %w", err))
	}
	found, err := retry(ctx, 30*time.Second, func() ([]int64, error) { return readSet(ctx, cl, c.Play) })
	if err != nil {
		return finish(t, cfg, rep, h, tl, err)
	}
	sets.check(found, &rep)
	total, err := retry(ctx, 30*time.Second, func() (int64, error) { return readTotal(ctx, cl, c.Play) })
	if err != nil {
		return finish(t, cfg, rep, h, tl, err)
	}
	if total != bankTotal {
		rep.violation("bank: final total %d, want %d", total, bankTotal)
	}
	bank.check(&rep)
	// The restarts count too: wait until the watcher has seen them.
	if err := w.caughtUp(c.Hub().Bus().Seq(), 30*time.Second); err == nil {
		w.mu.Lock()
		rep.InstallSnapshots, rep.Restores = w.install, w.restore
		w.mu.Unlock()
	}
	if errs, gaps := w.dropped(); len(errs) > 0 {
		t.Logf("seed %d: event stream: %d gaps, %v", cfg.Seed, gaps, errs)
	}

	ops := h.operations()
	rep.Ops = len(ops)
	res, info := porcupine.CheckOperationsVerbose(registerModel, ops, cfg.CheckTimeout)
	if res != porcupine.Ok {
		rep.violation("register history: %s", res)
		rep.Artifacts = append(rep.Artifacts, writeHistory(t, cfg, info))
	}
	return finish(t, cfg, rep, h, tl, nil)
}

// setup creates the set and bank tables (idempotent, so it can be retried).
func setup(ctx context.Context, cl *client, base string) error {
	_, err := retry(ctx, 30*time.Second, func() (bool, error) {
		for _, sql := range []string{setSchema, bankSchema()} {
			if a := cl.do(ctx, "POST", base+"/v1/sql", wire.SQLRequest{SQL: sql}); a.err != nil || a.status != http.StatusOK {
				return false, fmt.Errorf("setup %q: %v", sql, a)
			}
		}
		return true, nil
	})
	return err
}

// converge waits until GET /v1/cluster shows a leader and every node up on the same applied
// index and digest.
func converge(ctx context.Context, cl *client, base string, deadline time.Time) error {
	_, err := retry(ctx, time.Until(deadline), func() (bool, error) {
		var st wire.ClusterStatus
		a := cl.do(ctx, "GET", base+"/v1/cluster", nil)
		if a.err != nil || a.status != http.StatusOK {
			return false, fmt.Errorf("cluster status: %v", a)
		}
		if err := json.Unmarshal(a.body, &st); err != nil {
			return false, err
		}
		if st.Leader == "" {
			return false, fmt.Errorf("no leader")
		}
		for _, n := range st.Nodes {
			if n.Error != "" || n.Role == "" || n.Role == wire.RoleDown || n.Role == wire.RoleUnreachable {
				return false, fmt.Errorf("%s: %s %s", n.ID, n.Role, n.Error)
			}
			if n.Digest != st.Nodes[0].Digest || n.AppliedIndex != st.Nodes[0].AppliedIndex {
				return false, fmt.Errorf("%s at %d %s, %s at %d %s", n.ID, n.AppliedIndex, n.Digest, st.Nodes[0].ID, st.Nodes[0].AppliedIndex, st.Nodes[0].Digest)
			}
		}
		return true, nil
	})
	return err
}

// retry calls f every 50 ms until it succeeds or d passes, returning the last error.
func retry[T any](ctx context.Context, d time.Duration, f func() (T, error)) (T, error) {
	deadline := time.Now().Add(d)
	for {
		v, err := f()
		if err == nil || time.Now().After(deadline) || ctx.Err() != nil {
			return v, err
		}
		select {
		case <-ctx.Done():
		case <-time.After(50 * time.Millisecond):
		}
	}
}
