package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/raftplay/raftplay/node/wire"
	"github.com/raftplay/raftplay/web/playground"
)

// The bencher is the load generator's side of every workload: how it finds the leader,
// sends one request, and drives many clients for a measured while.

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
