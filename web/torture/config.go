package torture

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// Config describes one run.
type Config struct {
	Seed     int64
	Duration time.Duration // how long workloads and faults run
	Nodes    int           // 3 or 5
	Clients  int           // register clients
	Keys     int           // register keys
	// FaultEvery bounds the time between two fault draws.
	FaultEvery [2]time.Duration
	// ArtifactDir receives the history visualisation and the fault timeline on a failure.
	ArtifactDir string
	// ConvergeWithin is how long the cluster should take, after the last heal, to have
	// every node on the same digest (default three election timeouts).
	ConvergeWithin time.Duration
	// CheckTimeout bounds the linearizability check; running out counts as a failure.
	CheckTimeout time.Duration
	// SetClients and BankClients run the set and bank workloads (defaults 2 and 2).
	SetClients, BankClients int
	// SnapshotThreshold and TrailingLogs are small so every run compacts, installs
	// snapshots on lagging followers and restores them on restart.
	SnapshotThreshold, TrailingLogs uint64
	// LogStore is the nodes' kind of durable log (node.LogStoreBolt when empty).
	LogStore string
}

func (c Config) withDefaults() Config {
	if c.Duration <= 0 {
		c.Duration = 20 * time.Second
	}
	if c.Nodes <= 0 {
		c.Nodes = 3
	}
	if c.Clients <= 0 {
		c.Clients = 10
	}
	if c.Keys <= 0 {
		c.Keys = 10
	}
	if c.FaultEvery[0] <= 0 {
		c.FaultEvery = [2]time.Duration{time.Second, 5 * time.Second}
	}
	if c.FaultEvery[1] < c.FaultEvery[0] {
		c.FaultEvery[1] = c.FaultEvery[0]
	}
	if c.CheckTimeout <= 0 {
		c.CheckTimeout = 2 * time.Minute
	}
	if c.SetClients <= 0 {
		c.SetClients = 2
	}
	if c.BankClients <= 0 {
		c.BankClients = 2
	}
	if c.SnapshotThreshold == 0 {
		c.SnapshotThreshold, c.TrailingLogs = 64, 16
	}
	return c
}

// Report is what one run did and found.
type Report struct {
	Seed       int64
	Ops        int // register operations checked (including ones of unknown outcome)
	Unknown    int // register writes whose outcome was unknown
	SetAdds    int // acknowledged set inserts
	BankReads  int // total reads of the bank workload
	Transfers  int // acknowledged transfers
	Faults     int
	FaultKinds map[string]int
	// Violations counts every safety failure: a non-linearizable (or unchecked) register
	// history, a wrong total, a phantom set element, two leaders in a term, diverging
	// logs or digests.
	Violations int
	// LostWrites counts acknowledged set inserts missing after the final restart.
	LostWrites       int
	InstallSnapshots uint64 // successful InstallSnapshot RPCs
	Restores         uint64 // snapshot restores (on start and after an install)
	StartRestores    int    // nodes that restored a snapshot when restarted at the end
	Terms            int    // terms that had a leader
	// Converged is how long the cluster took, after the last heal, to have every node on
	// the same applied index and digest; SlowConvergence says why it took longer than
	// Config.ConvergeWithin (a liveness finding, not a violation).
	Converged       time.Duration
	SlowConvergence string
	Problems        []string // what each violation was
	Artifacts       []string
}

func (r *Report) violation(format string, args ...any) {
	r.Violations++
	r.Problems = append(r.Problems, fmt.Sprintf(format, args...))
}

// String is a one-line summary.
func (r Report) String() string {
	kinds := make([]string, 0, len(r.FaultKinds))
	for k, v := range r.FaultKinds {
		kinds = append(kinds, fmt.Sprintf("%s=%d", k, v))
	}
	sort.Strings(kinds)
	return fmt.Sprintf("seed=%d ops=%d unknown=%d set_adds=%d transfers=%d bank_reads=%d faults=%d [%s] violations=%d lost=%d install_snapshots=%d restores=%d start_restores=%d terms=%d converged=%v",
		r.Seed, r.Ops, r.Unknown, r.SetAdds, r.Transfers, r.BankReads, r.Faults, strings.Join(kinds, " "),
		r.Violations, r.LostWrites, r.InstallSnapshots, r.Restores, r.StartRestores, r.Terms, r.Converged.Round(time.Millisecond)) + slow(r.SlowConvergence)
}

func slow(s string) string {
	if s == "" {
		return ""
	}
	return " (slow: " + s + ")"
}
