package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime/pprof"
	"slices"
	"strings"
	"time"

	"github.com/raftplay/raftplay/node"
	"github.com/raftplay/raftplay/web"
	"github.com/raftplay/raftplay/web/playground"
)

// raftplay bench, by job: this file holds the flags and the runs (one per timing profile
// and round, each on a cluster of its own); bench_driver.go the load generator (leader
// lookup, requests, clients driven for a measured while); bench_kv.go, bench_sql.go,
// bench_pg.go, bench_failover.go, bench_events.go and bench_runaway.go the workloads;
// bench_report.go the statistics and the printed table; bench_proc.go the process's CPU and
// memory.

const benchUsage = `Measure a raftplay cluster. By default it starts an embedded 3-node cluster of its own
(real TCP on loopback, fsync'ed logs) in a temporary directory; with --addrs it measures
running nodes instead. Every write counts only once it is committed.

Workloads (--workload, comma-separated):
  kv-put       PUT /v1/kv/{key} with --value-size bytes over --keys keys
  kv-get       GET /v1/kv/{key}?consistency=--consistency (keys written first)
  sql-insert   one-row INSERTs over HTTP (POST /v1/sql)
  pg-insert    one-row INSERTs over the Postgres protocol (pgx, one connection per client)
  pg-select    point SELECTs by primary key over the Postgres protocol
  sql-select   point SELECT by an indexed column on a --rows table, and a whole-table SELECT
  failover     --repeat times: kill the leader, time until a write through a survivor succeeds
  events       kv-put with --subscribers WebSocket clients attached; reports delivery lag
  runaway      kv-put alone, then kv-put while a 3-way cross join of 2,000 rows runs on the leader`

type benchConfig struct {
	workloads   []string
	clients     int
	duration    time.Duration
	valueSize   int
	keys        int
	rows        int
	repeat      int
	subscribers int
	consistency string
	addrs       []string
	jsonOut     bool
	token       string
}

// benchResult is one workload's outcome.
type benchResult struct {
	Workload   string             `json:"workload"`
	Timing     string             `json:"timing,omitempty"`
	LogStore   string             `json:"log_store,omitempty"`
	Clients    int                `json:"clients"`
	Ops        int                `json:"ops"`
	Errors     int                `json:"errors"`
	Seconds    float64            `json:"seconds"`
	OpsPerSec  float64            `json:"ops_per_sec"`
	LatencyMS  map[string]float64 `json:"latency_ms"`
	Extra      map[string]float64 `json:"extra,omitempty"`
	CPUSeconds float64            `json:"cpu_seconds,omitempty"`
	// SamplesMS are a failover run's times, so that runs can be pooled.
	SamplesMS []float64 `json:"samples_ms,omitempty"`
	RSSMiB    float64   `json:"rss_mib,omitempty"`
}

func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("bench", benchUsage, stderr)
	workload := fs.String("workload", "kv-put", "workloads to run, comma-separated")
	clients := fs.Int("clients", 32, "concurrent clients")
	duration := fs.Duration("duration", 10*time.Second, "how long each workload runs")
	valueSize := fs.Int("value-size", 64, "value size in bytes")
	keys := fs.Int("keys", 10000, "key space")
	rows := fs.Int("rows", 10000, "rows in the sql-select table")
	repeat := fs.Int("repeat", 5, "failover repetitions")
	subs := fs.Int("subscribers", 100, "WebSocket subscribers for the events workload")
	consistency := fs.String("consistency", "local", "read consistency for kv-get and sql-select")
	addrs := fs.String("addrs", "", "HTTP addresses of running nodes, comma-separated (default: start an embedded cluster)")
	nodes := fs.Int("nodes", 3, "nodes of the embedded cluster")
	timing := fs.String("timing", "default", "timing profiles of the embedded cluster, comma-separated, each run in turn on a cluster of its own: "+
		"default, or fixed-<duration> (heartbeat, election and lease timeouts all that long, no probe: fixed-300ms was the default before)")
	logStores := fs.String("log-store", node.LogStoreBolt, "log stores of the embedded cluster, comma-separated, each run in turn on a cluster of its own: "+
		strings.Join(node.LogStores, ", "))
	rounds := fs.Int("rounds", 1, "run the workloads under every timing profile and log store this many times, alternating")
	jsonOut := fs.Bool("json", false, "print results as JSON lines")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the whole run (cluster and load) to this file")
	readToken := tokenFlags(fs, "send this bearer token to the nodes of --addrs (or require it on the embedded cluster's)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	token, err := readToken()
	if err != nil {
		return err
	}
	timings, err := parseTimings(*timing)
	if err != nil {
		return err
	}
	if *addrs != "" && (len(timings) > 1 || timings[0].name != "default") {
		return errors.New("--timing needs the embedded cluster (without --addrs)")
	}
	stores := splitList(*logStores)
	for _, ls := range stores {
		if !slices.Contains(node.LogStores, ls) {
			return fmt.Errorf("--log-store: unknown log store %q (want %s)", ls, strings.Join(node.LogStores, " or "))
		}
	}
	if *addrs != "" && !slices.Equal(stores, []string{node.LogStoreBolt}) {
		return errors.New("--log-store needs the embedded cluster (without --addrs)")
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return fmt.Errorf("cpu profile: %w", err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return fmt.Errorf("cpu profile: %w", err)
		}
		defer pprof.StopCPUProfile()
	}
	cfg := benchConfig{workloads: splitList(*workload), clients: *clients, duration: *duration, valueSize: *valueSize,
		keys: *keys, rows: *rows, repeat: *repeat, subscribers: *subs, consistency: *consistency, addrs: splitList(*addrs), jsonOut: *jsonOut,
		token: token}
	var results []benchResult
	for range max(*rounds, 1) {
		for _, v := range variants(timings, stores) {
			res, err := benchOnce(ctx, cfg, *nodes, v)
			results = append(results, res...)
			if err != nil {
				printBench(stdout, results, cfg.jsonOut, len(cfg.addrs) == 0)
				return err
			}
			if ctx.Err() != nil {
				break
			}
		}
	}
	printBench(stdout, results, cfg.jsonOut, len(cfg.addrs) == 0)
	return nil
}

// namedTiming is a timing profile as --timing names it.
type namedTiming struct {
	name   string
	timing node.Timing
}

func parseTimings(list string) ([]namedTiming, error) {
	var out []namedTiming
	for _, name := range splitList(list) {
		t, err := node.NamedTiming(name)
		if err != nil {
			return nil, fmt.Errorf("--timing: %w", err)
		}
		out = append(out, namedTiming{name: name, timing: t})
	}
	if len(out) == 0 {
		out = append(out, namedTiming{name: "default", timing: node.Realtime()})
	}
	return out, nil
}

// variant is one embedded cluster's configuration: a timing profile and a log store.
type variant struct {
	timing   namedTiming
	logStore string
}

// variants is every combination, in the order a round runs them.
func variants(timings []namedTiming, stores []string) []variant {
	var out []variant
	for _, tm := range timings {
		for _, ls := range stores {
			out = append(out, variant{timing: tm, logStore: ls})
		}
	}
	return out
}

// benchOnce runs the workloads once: on the running nodes of cfg.addrs, or on an embedded
// cluster of its own configured as v, started for this run and closed after it.
func benchOnce(ctx context.Context, cfg benchConfig, nodes int, v variant) ([]benchResult, error) {
	tm := v.timing
	var cluster *playground.Cluster
	if len(cfg.addrs) == 0 {
		dir, err := os.MkdirTemp("", "raftplay-bench")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(dir)
		cluster, err = playground.StartCluster(playground.ClusterConfig{Nodes: nodes, DataDir: dir, PG: true, Timing: tm.timing, LogStore: v.logStore, API: web.Options{AuthToken: cfg.token}})
		if err != nil {
			return nil, err
		}
		defer cluster.Close()
		wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		err = cluster.WaitReady(wctx)
		cancel()
		if err != nil {
			return nil, err
		}
		for _, n := range cluster.Nodes() {
			cfg.addrs = append(cfg.addrs, n.HTTPAddr())
		}
	}
	transport := bearerTransport{token: cfg.token, base: &http.Transport{MaxIdleConnsPerHost: 1024}}
	b := &bencher{cfg: cfg, cluster: cluster, hc: &http.Client{Transport: transport, Timeout: 30 * time.Second}}
	var results []benchResult
	for _, w := range cfg.workloads {
		cpu0 := cpuSeconds()
		res, err := b.run(ctx, w)
		if err != nil {
			return results, fmt.Errorf("%s: %w", w, err)
		}
		for i := range res {
			res[i].Timing = tm.name
			if cluster != nil {
				res[i].LogStore = v.logStore
			}
			if cluster != nil {
				res[i].CPUSeconds = cpuSeconds() - cpu0
				res[i].RSSMiB = rssMiB()
			}
		}
		results = append(results, res...)
		if ctx.Err() != nil {
			break
		}
	}
	return results, nil
}
