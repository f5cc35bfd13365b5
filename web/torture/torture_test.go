package torture

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/raftplay/raftplay/node"
)

// TestTorture runs three fixed seeds on three nodes: no violation, no acknowledged write
// lost, and every run installs at least one snapshot and restores one on start. The last
// seed runs on raft-wal logs, so both kinds of log go through kills, truncations by a new
// leader, compaction and restarts.
func TestTorture(t *testing.T) {
	if testing.Short() {
		t.Skip("torture runs take a while")
	}
	for _, run := range []struct {
		seed     int64
		logStore string
	}{{1, node.LogStoreBolt}, {2, node.LogStoreBolt}, {3, node.LogStoreWAL}} {
		t.Run("seed="+strconv.FormatInt(run.seed, 10)+"/"+run.logStore, func(t *testing.T) {
			runSeed(t, Config{Seed: run.seed, Duration: 20 * time.Second, Nodes: 3, LogStore: run.logStore,
				ArtifactDir: os.Getenv("RAFTPLAY_TORTURE_ARTIFACTS")})
		})
	}
}

// TestTortureLong is the long run, driven by the environment:
//
//	RAFTPLAY_TORTURE_SEEDS=50 RAFTPLAY_TORTURE_DURATION=60s RAFTPLAY_TORTURE_NODES=5 \
//	  go test ./web/torture -run TestTortureLong -timeout 0 -v
//
// RAFTPLAY_TORTURE_FIRST_SEED (default 1000) is the first seed; RAFTPLAY_TORTURE_ARTIFACTS
// is where failing runs leave their evidence; RAFTPLAY_TORTURE_LOG_STORE (boltdb or wal)
// is the nodes' kind of log.
func TestTortureLong(t *testing.T) {
	seeds, _ := strconv.Atoi(os.Getenv("RAFTPLAY_TORTURE_SEEDS"))
	if seeds <= 0 {
		t.Skip("set RAFTPLAY_TORTURE_SEEDS to run")
	}
	dur, err := time.ParseDuration(envOr("RAFTPLAY_TORTURE_DURATION", "60s"))
	if err != nil {
		t.Fatalf("RAFTPLAY_TORTURE_DURATION: %v", err)
	}
	nodes, _ := strconv.Atoi(envOr("RAFTPLAY_TORTURE_NODES", "5"))
	first, _ := strconv.ParseInt(envOr("RAFTPLAY_TORTURE_FIRST_SEED", "1000"), 10, 64)
	var total Report
	total.FaultKinds = map[string]int{}
	for i := range int64(seeds) {
		t.Run("seed="+strconv.FormatInt(first+i, 10), func(t *testing.T) {
			rep := runSeed(t, Config{Seed: first + i, Duration: dur, Nodes: nodes, LogStore: os.Getenv("RAFTPLAY_TORTURE_LOG_STORE"),
				ArtifactDir: os.Getenv("RAFTPLAY_TORTURE_ARTIFACTS")})
			add(&total, rep)
		})
	}
	t.Logf("TOTAL seeds=%d nodes=%d duration=%v: %s", seeds, nodes, dur, total)
}

// convergeLimit bounds convergence after the last heal in the tests: three election
// timeouts, plus hashicorp/raft's longest replication backoff (10.24 s) for a follower the
// leader gave up on while it was down, plus slack for a shared CI machine.
const convergeLimit = 20 * time.Second

func runSeed(t *testing.T, cfg Config) Report {
	rep, err := Run(context.Background(), t, cfg)
	t.Logf("%s", rep)
	for _, p := range rep.Problems {
		t.Errorf("violation: %s", p)
	}
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	if rep.LostWrites != 0 {
		t.Errorf("%d acknowledged writes lost", rep.LostWrites)
	}
	if rep.Ops == 0 || rep.SetAdds == 0 || rep.Transfers == 0 || rep.BankReads == 0 {
		t.Errorf("the workloads did too little: %s", rep)
	}
	if rep.SlowConvergence != "" {
		t.Logf("liveness: %s", rep.SlowConvergence)
	}
	if rep.Converged > convergeLimit {
		t.Errorf("converged %v after the last heal, more than %v", rep.Converged, convergeLimit)
	}
	if rep.InstallSnapshots == 0 {
		t.Errorf("no InstallSnapshot in the run")
	}
	if rep.Restores == 0 || rep.StartRestores == 0 {
		t.Errorf("no snapshot restored (%d restores, %d on the final start)", rep.Restores, rep.StartRestores)
	}
	return rep
}

func add(total *Report, r Report) {
	total.Seed++
	total.Ops += r.Ops
	total.Unknown += r.Unknown
	total.SetAdds += r.SetAdds
	total.Transfers += r.Transfers
	total.BankReads += r.BankReads
	total.Faults += r.Faults
	for k, v := range r.FaultKinds {
		total.FaultKinds[k] += v
	}
	total.Violations += r.Violations
	total.LostWrites += r.LostWrites
	total.InstallSnapshots += r.InstallSnapshots
	total.Restores += r.Restores
	total.StartRestores += r.StartRestores
	total.Terms += r.Terms
	total.Converged = max(total.Converged, r.Converged)
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}
