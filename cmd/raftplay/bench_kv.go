package main

import (
	"bytes"
	"context"
	"fmt"
	"strconv"

	"github.com/raftplay/raftplay/node/wire"
)

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
