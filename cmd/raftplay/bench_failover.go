package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/raftplay/raftplay/node"
)

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
