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
	r := &run{t: t, cfg: cfg, rep: Report{Seed: cfg.Seed, FaultKinds: map[string]int{}}}
	r.c = clustertest.Start(t, cfg.Nodes, clustertest.WithSnapshots(cfg.SnapshotThreshold, cfg.TrailingLogs),
		clustertest.WithLogStore(cfg.LogStore))
	if r.cfg.ConvergeWithin <= 0 {
		r.cfg.ConvergeWithin = 3 * clustertest.Tolerant().Election
	}
	r.cl = newClient(15 * time.Second)
	defer r.cl.close()

	var err error
	if r.w, err = startWatcher(r.c.Play); err != nil {
		return r.rep, err
	}
	defer r.w.close()
	if err := setup(ctx, r.cl, r.c.Play); err != nil {
		return r.rep, err
	}
	r.tl, r.h = newTimeline(time.Now()), newHistory()
	r.sets, r.bank = newSetLog(), &bankLog{}

	r.underFaults(ctx)
	if err := r.converge(ctx); err != nil {
		return r.finish(err)
	}
	if err := r.restartAll(ctx); err != nil {
		return r.finish(err)
	}
	if err := r.checkFinalState(ctx); err != nil {
		return r.finish(err)
	}
	r.checkRegister()
	return r.finish(nil)
}

// run is one torture run: the cluster, the harness's own parts, and what was seen.
type run struct {
	t   testing.TB
	cfg Config
	rep Report

	c   *clustertest.Cluster
	cl  *client
	w   *watcher
	tl  *timeline
	nem *nemesis

	// What the workloads did, for the checks at the end.
	h       *history
	sets    *setLog
	bank    *bankLog
	unknown atomic.Int64
}

func (r *run) finish(err error) (Report, error) {
	return finish(r.t, r.cfg, r.rep, r.h, r.tl, err)
}

// rng is the random stream of one part of the run, all drawn from the seed.
func (r *run) rng(stream uint64) *rand.Rand {
	return rand.New(rand.NewPCG(uint64(r.cfg.Seed), stream))
}

// upNode returns a random node that is up, so most requests do real work; the node may
// still go down while the request is in flight.
func (r *run) upNode(rng *rand.Rand) string {
	all := r.c.Nodes()
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

// underFaults runs the workloads and the nemesis for cfg.Duration; the nemesis heals
// everything as it stops.
func (r *run) underFaults(ctx context.Context) {
	wctx, stop := context.WithTimeout(ctx, r.cfg.Duration)
	defer stop()
	var wg sync.WaitGroup
	for i := range r.cfg.Clients {
		rw := &registerWorker{id: i, rng: r.rng(uint64(100 + i)), cl: r.cl, nodes: r.upNode, h: r.h, keys: r.cfg.Keys, unknown: &r.unknown, seen: map[string]string{}}
		wg.Go(func() { rw.run(wctx) })
	}
	for i := range r.cfg.SetClients {
		sw := &setWorker{id: i + 1, rng: r.rng(uint64(200 + i)), cl: r.cl, nodes: r.upNode, log: r.sets}
		wg.Go(func() { sw.run(wctx) })
	}
	for i := range r.cfg.BankClients {
		bw := &bankWorker{rng: r.rng(uint64(300 + i)), cl: r.cl, nodes: r.upNode, log: r.bank}
		wg.Go(func() { bw.run(wctx) })
	}
	r.nem = &nemesis{c: r.c, cl: r.cl, rng: r.rng(1), tl: r.tl, nodes: r.cfg.Nodes, kinds: r.rep.FaultKinds,
		forget: func(id string) { r.w.forgetNode(id, r.c.Hub().Bus().Seq()) }}
	wg.Go(func() { r.nem.run(wctx, r.cfg.FaultEvery) })
	wg.Wait()
	for _, v := range r.rep.FaultKinds {
		r.rep.Faults += v
	}
	r.rep.Unknown = int(r.unknown.Load())
}

// converge requires every node to converge soon after the last heal, then checks what the
// event stream saw: one leader per term, applies and logs that agree.
func (r *run) converge(ctx context.Context) error {
	r.tl.add("workloads stopped")
	healed := time.Now()
	if err := converge(ctx, r.cl, r.c.Play, healed.Add(r.cfg.ConvergeWithin)); err != nil {
		// Liveness, not safety: a follower that was down for a while may wait out raft's
		// replication backoff (up to 10.24 s in hashicorp/raft) before the leader tries it
		// again, so this is reported but not counted as a violation.
		r.rep.SlowConvergence = fmt.Sprintf("not converged %v after the last heal: %v", r.cfg.ConvergeWithin, err)
		r.tl.add("%s", r.rep.SlowConvergence)
		if err := converge(ctx, r.cl, r.c.Play, time.Now().Add(60*time.Second)); err != nil {
			return fmt.Errorf("cluster never converged: %w\n%s", err, r.c.Dump())
		}
	}
	r.rep.Converged = time.Since(healed)
	r.tl.add("converged after %v", r.rep.Converged.Round(time.Millisecond))
	if err := r.w.caughtUp(r.c.Hub().Bus().Seq(), 30*time.Second); err != nil {
		r.rep.violation("%v", err)
	}
	r.w.check(r.nodeIDs(), &r.rep)
	return nil
}

func (r *run) nodeIDs() []string {
	var ids []string
	for _, n := range r.c.Nodes() {
		ids = append(ids, n.ID())
	}
	return ids
}

// restartAll kills and restarts every node: acknowledged writes must survive on disk, and
// every node must come back from its snapshot.
func (r *run) restartAll(ctx context.Context) error {
	r.tl.add("kill and restart every node")
	ids := r.nodeIDs()
	for _, id := range ids {
		if err := r.nem.control(ctx, "kill", map[string]string{"node": id}); err != nil {
			return err
		}
	}
	for _, id := range ids {
		if err := r.nem.control(ctx, "restart", map[string]string{"node": id}); err != nil {
			return err
		}
	}
	for _, n := range r.c.Nodes() {
		if n.Status().RestoreCount > 0 {
			r.rep.StartRestores++
		}
	}
	rctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	if err := r.c.Cluster.WaitReady(rctx); err != nil {
		return fmt.Errorf("after restarting every node: %w", err)
	}
	return nil
}

// checkFinalState reads the set and the bank after the restarts and checks them, and
// counts the snapshots the stream saw, restarts included.
func (r *run) checkFinalState(ctx context.Context) error {
	found, err := retry(ctx, 30*time.Second, func() ([]int64, error) { return readSet(ctx, r.cl, r.c.Play) })
	if err != nil {
		return err
	}
	r.sets.check(found, &r.rep)
	total, err := retry(ctx, 30*time.Second, func() (int64, error) { return readTotal(ctx, r.cl, r.c.Play) })
	if err != nil {
		return err
	}
	if total != bankTotal {
		r.rep.violation("bank: final total %d, want %d", total, bankTotal)
	}
	r.bank.check(&r.rep)
	// The restarts count too: wait until the watcher has seen them.
	if err := r.w.caughtUp(r.c.Hub().Bus().Seq(), 30*time.Second); err == nil {
		r.w.mu.Lock()
		r.rep.InstallSnapshots, r.rep.Restores = r.w.install, r.w.restore
		r.w.mu.Unlock()
	}
	if errs, gaps := r.w.dropped(); len(errs) > 0 {
		r.t.Logf("seed %d: event stream: %d gaps, %v", r.cfg.Seed, gaps, errs)
	}
	return nil
}

// checkRegister checks the register history for linearizability, keeping it as an
// artifact when it is not.
func (r *run) checkRegister() {
	ops := r.h.operations()
	r.rep.Ops = len(ops)
	res, info := porcupine.CheckOperationsVerbose(registerModel, ops, r.cfg.CheckTimeout)
	if res != porcupine.Ok {
		r.rep.violation("register history: %s", res)
		r.rep.Artifacts = append(r.rep.Artifacts, writeHistory(r.t, r.cfg, info))
	}
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
