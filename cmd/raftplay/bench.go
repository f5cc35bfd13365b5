package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime/pprof"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/jackc/pgx/v5"
	"nhooyr.io/websocket"

	"github.com/raftplay/raftplay/node"
	"github.com/raftplay/raftplay/node/wire"
	"github.com/raftplay/raftplay/web"
	"github.com/raftplay/raftplay/web/playground"
)

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
	rounds := fs.Int("rounds", 1, "run the workloads under every timing profile this many times, alternating")
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
		for _, tm := range timings {
			res, err := benchOnce(ctx, cfg, *nodes, tm)
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

// benchOnce runs the workloads once: on the running nodes of cfg.addrs, or on an embedded
// cluster of its own with timing tm, started for this run and closed after it.
func benchOnce(ctx context.Context, cfg benchConfig, nodes int, tm namedTiming) ([]benchResult, error) {
	var cluster *playground.Cluster
	if len(cfg.addrs) == 0 {
		dir, err := os.MkdirTemp("", "raftplay-bench")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(dir)
		cluster, err = playground.StartCluster(playground.ClusterConfig{Nodes: nodes, DataDir: dir, PG: true, Timing: tm.timing, API: web.Options{AuthToken: cfg.token}})
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

type bencher struct {
	cfg     benchConfig
	cluster *playground.Cluster
	hc      *http.Client
}

func (b *bencher) run(ctx context.Context, w string) ([]benchResult, error) {
	switch w {
	case "kv-put":
		return []benchResult{b.kvPut(ctx, "kv-put")}, nil
	case "kv-get":
		return b.kvGet(ctx)
	case "sql-insert":
		return b.sqlInsert(ctx)
	case "sql-select":
		return b.sqlSelect(ctx)
	case "pg-insert", "pg-select":
		return b.pg(ctx, w)
	case "failover":
		return b.failover(ctx)
	case "events":
		return b.events(ctx)
	case "runaway":
		return b.runaway(ctx)
	}
	return nil, fmt.Errorf("unknown workload %q", w)
}

// leaderAddr is the HTTP address of the current leader (writes go there, as a client that
// follows the leader would; followers would forward them).
func (b *bencher) leaderAddr(ctx context.Context) (string, error) {
	for _, a := range b.cfg.addrs {
		var cs wire.ClusterStatus
		if err := b.getJSON(ctx, "http://"+a+"/v1/cluster", &cs); err != nil {
			continue
		}
		for _, n := range cs.Nodes {
			if n.ID == cs.Leader {
				return n.HTTPAddr, nil
			}
		}
	}
	return "", errors.New("no leader found")
}

func (b *bencher) getJSON(ctx context.Context, url string, v any) error {
	req, _ := http.NewRequestWithContext(ctx, "GET", url, nil)
	resp, err := b.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return errors.New(resp.Status)
	}
	return json.NewDecoder(resp.Body).Decode(v)
}

// do sends one request and reports whether it answered 200.
func (b *bencher) do(ctx context.Context, method, url, ct string, body []byte) bool {
	req, err := http.NewRequestWithContext(ctx, method, url, bytes.NewReader(body))
	if err != nil {
		return false
	}
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	resp, err := b.hc.Do(req)
	if err != nil {
		return false
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// drive runs op from clients goroutines for the configured duration and measures it.
func (b *bencher) drive(ctx context.Context, name string, clients int, op func(ctx context.Context, client int, i int64) bool) benchResult {
	ctx, cancel := context.WithTimeout(ctx, b.cfg.duration)
	defer cancel()
	var errs atomic.Int64
	lat := make([][]time.Duration, clients)
	var wg sync.WaitGroup
	start := time.Now()
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int64(0); ctx.Err() == nil; i++ {
				t0 := time.Now()
				ok := op(ctx, c, i)
				if ctx.Err() != nil {
					return // cut off by the deadline: not counted
				}
				if !ok {
					errs.Add(1)
					continue
				}
				lat[c] = append(lat[c], time.Since(t0))
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start).Seconds()
	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	return benchResult{Workload: name, Clients: clients, Ops: len(all), Errors: int(errs.Load()), Seconds: elapsed,
		OpsPerSec: float64(len(all)) / elapsed, LatencyMS: percentiles(all)}
}

func percentiles(d []time.Duration) map[string]float64 {
	if len(d) == 0 {
		return nil
	}
	sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
	at := func(p float64) float64 {
		return float64(d[min(len(d)-1, int(p*float64(len(d))))].Microseconds()) / 1000
	}
	return map[string]float64{"p50": at(0.50), "p90": at(0.90), "p99": at(0.99), "max": float64(d[len(d)-1].Microseconds()) / 1000}
}

func (b *bencher) kvPut(ctx context.Context, name string) benchResult {
	addr, err := b.leaderAddr(ctx)
	if err != nil {
		return benchResult{Workload: name, Errors: 1}
	}
	value := bytes.Repeat([]byte("v"), b.cfg.valueSize)
	return b.drive(ctx, name, b.cfg.clients, func(ctx context.Context, c int, i int64) bool {
		key := (int64(c)*7919 + i) % int64(b.cfg.keys)
		return b.do(ctx, "PUT", "http://"+addr+"/v1/kv/k"+strconv.FormatInt(key, 10), "", value)
	})
}

func (b *bencher) kvGet(ctx context.Context) ([]benchResult, error) {
	addr, err := b.leaderAddr(ctx)
	if err != nil {
		return nil, err
	}
	n := min(b.cfg.keys, 1000)
	for i := range n {
		if !b.do(ctx, "PUT", fmt.Sprintf("http://%s/v1/kv/k%d", addr, i), "", []byte("value")) {
			return nil, fmt.Errorf("seeding key %d failed", i)
		}
	}
	// Reads spread over every node at local consistency, or go to the leader otherwise.
	r := b.drive(ctx, "kv-get/"+b.cfg.consistency, b.cfg.clients, func(ctx context.Context, c int, i int64) bool {
		a := addr
		if b.cfg.consistency == wire.ConsistencyLocal {
			a = b.cfg.addrs[(c+int(i))%len(b.cfg.addrs)]
		}
		return b.do(ctx, "GET", fmt.Sprintf("http://%s/v1/kv/k%d?consistency=%s", a, (int64(c)*31+i)%int64(n), b.cfg.consistency), "", nil)
	})
	return []benchResult{r}, nil
}

func sqlBody(s string) []byte {
	b, _ := json.Marshal(wire.SQLRequest{SQL: s})
	return b
}

func (b *bencher) sqlInsert(ctx context.Context) ([]benchResult, error) {
	addr, err := b.leaderAddr(ctx)
	if err != nil {
		return nil, err
	}
	table := fmt.Sprintf("bench_ins_%d", time.Now().UnixNano())
	if !b.do(ctx, "POST", "http://"+addr+"/v1/sql", "application/json", sqlBody("CREATE TABLE "+table+" (id bigint PRIMARY KEY, v text)")) {
		return nil, errors.New("create table failed")
	}
	r := b.drive(ctx, "sql-insert", b.cfg.clients, func(ctx context.Context, c int, i int64) bool {
		id := int64(c)<<32 | i
		return b.do(ctx, "POST", "http://"+addr+"/v1/sql", "application/json", sqlBody(fmt.Sprintf("INSERT INTO %s VALUES (%d, 'value')", table, id)))
	})
	return []benchResult{r}, nil
}

func (b *bencher) sqlSelect(ctx context.Context) ([]benchResult, error) {
	addr, err := b.leaderAddr(ctx)
	if err != nil {
		return nil, err
	}
	table := fmt.Sprintf("bench_sel_%d", time.Now().UnixNano())
	if !b.do(ctx, "POST", "http://"+addr+"/v1/sql", "application/json", sqlBody(
		"CREATE TABLE "+table+" (id bigint PRIMARY KEY, email text, n int); CREATE INDEX "+table+"_email ON "+table+" (email)")) {
		return nil, errors.New("create table failed")
	}
	for i := 0; i < b.cfg.rows; i += 200 { // 200 rows stay under the 16 KiB statement limit
		var sb strings.Builder
		fmt.Fprintf(&sb, "INSERT INTO %s VALUES ", table)
		for j := i; j < min(i+200, b.cfg.rows); j++ {
			if j > i {
				sb.WriteByte(',')
			}
			fmt.Fprintf(&sb, "(%d, 'user%d@example.com', %d)", j, j, j%100)
		}
		if !b.do(ctx, "POST", "http://"+addr+"/v1/sql", "application/json", sqlBody(sb.String())) {
			return nil, errors.New("loading rows failed")
		}
	}
	point := b.drive(ctx, "sql-select/point", b.cfg.clients, func(ctx context.Context, c int, i int64) bool {
		a := b.cfg.addrs[(c+int(i))%len(b.cfg.addrs)]
		req := wire.SQLRequest{SQL: "SELECT id, n FROM " + table + " WHERE email = $1", Params: []any{fmt.Sprintf("user%d@example.com", (int64(c)*131+i)%int64(b.cfg.rows))}, Consistency: b.cfg.consistency}
		body, _ := json.Marshal(req)
		return b.do(ctx, "POST", "http://"+a+"/v1/sql", "application/json", body)
	})
	full := b.drive(ctx, "sql-select/full-table", 1, func(ctx context.Context, c int, i int64) bool {
		body, _ := json.Marshal(wire.SQLRequest{SQL: "SELECT * FROM " + table, Consistency: b.cfg.consistency})
		return b.do(ctx, "POST", "http://"+addr+"/v1/sql", "application/json", body)
	})
	full.Extra = map[string]float64{"rows": float64(b.cfg.rows)}
	return []benchResult{point, full}, nil
}

// pg runs INSERTs or point SELECTs through pgx against the leader's Postgres listener.
func (b *bencher) pg(ctx context.Context, w string) ([]benchResult, error) {
	addr, err := b.leaderAddr(ctx)
	if err != nil {
		return nil, err
	}
	var st wire.NodeStatus
	if err := b.getJSON(ctx, "http://"+addr+"/v1/status", &st); err != nil {
		return nil, err
	}
	if st.PGAddr == "" {
		return nil, errors.New("the leader has no Postgres listener (start nodes with --pg-addr)")
	}
	conns := make([]*pgx.Conn, b.cfg.clients)
	for i := range conns {
		if conns[i], err = pgx.Connect(ctx, "postgres://bench@"+st.PGAddr+"/bench?sslmode=disable"); err != nil {
			return nil, fmt.Errorf("connect to %s: %w", st.PGAddr, err)
		}
		defer conns[i].Close(context.Background())
	}
	table := fmt.Sprintf("bench_pg_%d", time.Now().UnixNano())
	if _, err := conns[0].Exec(ctx, "CREATE TABLE "+table+" (id bigint PRIMARY KEY, v text)"); err != nil {
		return nil, err
	}
	if w == "pg-select" {
		for i := 0; i < 1000; i += 100 {
			var sb strings.Builder
			fmt.Fprintf(&sb, "INSERT INTO %s VALUES ", table)
			for j := i; j < i+100; j++ {
				if j > i {
					sb.WriteByte(',')
				}
				fmt.Fprintf(&sb, "(%d, 'v')", j)
			}
			if _, err := conns[0].Exec(ctx, sb.String()); err != nil {
				return nil, err
			}
		}
		return []benchResult{b.drive(ctx, w, b.cfg.clients, func(ctx context.Context, c int, i int64) bool {
			var v string
			return conns[c].QueryRow(ctx, "SELECT v FROM "+table+" WHERE id = $1", (int64(c)*37+i)%1000).Scan(&v) == nil
		})}, nil
	}
	return []benchResult{b.drive(ctx, w, b.cfg.clients, func(ctx context.Context, c int, i int64) bool {
		_, err := conns[c].Exec(ctx, "INSERT INTO "+table+" VALUES ($1, 'v')", int64(c)<<32|i)
		return err == nil
	})}, nil
}

// failover kills the leader (the embedded node, or via the control API) and times the first
// write that succeeds through a surviving node.
func (b *bencher) failover(ctx context.Context) ([]benchResult, error) {
	if b.cluster == nil {
		return nil, errors.New("failover needs the embedded cluster (or kill processes yourself)")
	}
	var times []time.Duration
	errs := 0
	for range b.cfg.repeat {
		d, ok, err := b.failoverOnce(ctx)
		if err != nil {
			return nil, err
		}
		if ok {
			times = append(times, d)
		} else {
			errs++
		}
	}
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := b.waitAllFollow(wctx); err != nil {
		return nil, err
	}
	samples := make([]float64, len(times))
	for i, d := range times {
		samples[i] = float64(d.Microseconds()) / 1000
	}
	return []benchResult{{Workload: "failover", Clients: 1, Ops: len(times), Errors: errs, LatencyMS: percentiles(times), SamplesMS: samples}}, nil
}

// failoverOnce waits for a whole cluster, kills its leader, times the first write through a
// survivor (false if none succeeds within 30 s) and restarts the killed node.
func (b *bencher) failoverOnce(ctx context.Context) (time.Duration, bool, error) {
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	err := b.waitAllFollow(wctx)
	cancel()
	if err != nil {
		return 0, false, err
	}
	l, ok := b.cluster.Leader()
	if !ok {
		return 0, false, errors.New("no leader")
	}
	var survivor *node.Node
	for _, n := range b.cluster.Nodes() {
		if n != l && n.Up() {
			survivor = n
		}
	}
	start := time.Now()
	if err := l.Kill(); err != nil {
		return 0, false, err
	}
	var took time.Duration
	for ctx.Err() == nil && time.Since(start) <= 30*time.Second {
		wctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		ok = b.do(wctx, "PUT", "http://"+survivor.HTTPAddr()+"/v1/kv/failover", "", []byte("x"))
		cancel()
		if ok {
			took = time.Since(start)
			break
		}
	}
	if err := l.Restart(); err != nil {
		return 0, false, err
	}
	return took, ok, nil
}

// waitAllFollow waits until the cluster is ready and every node knows the same leader, so
// each failover starts from a whole cluster: killing the leader a moment after the last
// victim came back, before it heard from anyone, measures a cluster with a node that
// knows no leader (one that grants any vote at once, but cannot campaign itself).
func (b *bencher) waitAllFollow(ctx context.Context) error {
	if err := b.cluster.WaitReady(ctx); err != nil {
		return err
	}
	for {
		if l, ok := b.cluster.Leader(); ok {
			all := true
			for _, n := range b.cluster.Nodes() {
				all = all && n.Leader() == l.ID()
			}
			if all {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("wait for every node to follow the leader: %w", ctx.Err())
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// events runs kv-put with subscribers attached to the merged stream and measures how long
// an apply event takes from the node to a subscriber.
func (b *bencher) events(ctx context.Context) ([]benchResult, error) {
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var mu sync.Mutex
	var lags []time.Duration
	var msgs, bytes atomic.Int64 // over all subscribers
	var wg sync.WaitGroup
	for i := range b.cfg.subscribers {
		c, _, err := websocket.Dial(sctx, "ws://"+b.cfg.addrs[0]+"/v1/cluster/events?batch=true&types=apply",
			&websocket.DialOptions{HTTPHeader: authHeader(b.cfg.token)})
		if err != nil {
			return nil, fmt.Errorf("subscriber %d: %w", i, err)
		}
		c.SetReadLimit(64 << 20)
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer c.CloseNow()
			var buf []byte
			for {
				if i != 0 {
					// All subscribers but one read every byte and decode nothing: the
					// cost measured is the server's, not this process's JSON decoding,
					// which would compete for the same cores. They read in 64 KiB pieces, as
					// a browser's socket does: io.Discard reads 8 KiB at a time, three
					// syscalls for a typical batch, and that alone was as much CPU as
					// the server spent sending.
					_, r, err := c.Reader(sctx)
					if err != nil {
						return
					}
					if buf == nil {
						buf = make([]byte, 64<<10)
					}
					// Hide io.Discard's ReadFrom, which would bring its own 8 KiB buffer.
					n, err := io.CopyBuffer(struct{ io.Writer }{io.Discard}, r, buf)
					if err != nil {
						return
					}
					msgs.Add(1)
					bytes.Add(n)
					continue
				}
				_, msg, err := c.Read(sctx)
				if err != nil {
					return
				}
				msgs.Add(1)
				bytes.Add(int64(len(msg)))
				now := time.Now()
				var evs []struct {
					Time time.Time `json:"time"`
				}
				if len(msg) == 0 || msg[0] != '[' || json.Unmarshal(msg, &evs) != nil {
					continue
				}
				mu.Lock()
				for _, ev := range evs {
					lags = append(lags, now.Sub(ev.Time))
				}
				mu.Unlock()
			}
		}()
	}
	msgs.Store(0)
	bytes.Store(0)
	r := b.kvPut(ctx, fmt.Sprintf("events/%d-subscribers", b.cfg.subscribers))
	cancel()
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	r.Extra = map[string]float64{"messages_per_s": float64(msgs.Load()) / r.Seconds, "mib_per_s": float64(bytes.Load()) / r.Seconds / (1 << 20)}
	if p := percentiles(lags); p != nil {
		r.Extra["lag_p50_ms"], r.Extra["lag_p99_ms"], r.Extra["lag_max_ms"] = p["p50"], p["p99"], p["max"]
	}
	return []benchResult{r}, nil
}

func cpuSeconds() float64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	tv := func(t syscall.Timeval) float64 { return float64(t.Sec) + float64(t.Usec)/1e6 }
	return tv(ru.Utime) + tv(ru.Stime)
}

func rssMiB() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 64)
			return kb / 1024
		}
	}
	return 0
}

func printBench(w io.Writer, rs []benchResult, asJSON, embedded bool) {
	if asJSON {
		enc := json.NewEncoder(w)
		for _, r := range rs {
			enc.Encode(r)
		}
		return
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "workload\ttiming\tclients\tops\terrors\tops/s\tp50 ms\tp90 ms\tp99 ms\tmax ms\tcpu s\trss MiB\t")
	for _, r := range rs {
		l := r.LatencyMS
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%.0f\t%.2f\t%.2f\t%.2f\t%.2f\t%.1f\t%.0f\t\n", r.Workload, r.Timing, r.Clients, r.Ops, r.Errors, r.OpsPerSec,
			l["p50"], l["p90"], l["p99"], l["max"], r.CPUSeconds, r.RSSMiB)
	}
	tw.Flush()
	for _, r := range rs {
		if len(r.Extra) > 0 {
			keys := make([]string, 0, len(r.Extra))
			for k := range r.Extra {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			fmt.Fprintf(w, "%s:", r.Workload)
			for _, k := range keys {
				fmt.Fprintf(w, " %s=%.2f", k, r.Extra[k])
			}
			fmt.Fprintln(w)
		}
	}
	if embedded {
		fmt.Fprintln(w, "(cpu and rss: the whole process — the embedded cluster and the load generator)")
	}
}
