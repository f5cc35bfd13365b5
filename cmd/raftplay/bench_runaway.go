package main

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"
)

// runawayRows is the size of the table the runaway workload cross-joins with itself three
// times: 8·10⁹ combinations, hours of work for one SELECT.
const runawayRows = 2000

// runaway measures kv-put alone, then kv-put while a three-way cross join of a 2,000-row
// table runs on the leader, so the two p99s show what a runaway read costs the writes.
func (b *bencher) runaway(ctx context.Context) ([]benchResult, error) {
	addr, err := b.leaderAddr(ctx)
	if err != nil {
		return nil, err
	}
	table := fmt.Sprintf("bench_runaway_%d", time.Now().UnixNano())
	if err := b.seedRunaway(ctx, addr, table); err != nil {
		return nil, err
	}
	base := b.kvPut(ctx, "kv-put/alone")
	qctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		q := fmt.Sprintf("SELECT count(*) FROM %s x, %s y, %s z", table, table, table)
		b.do(qctx, "POST", "http://"+addr+"/v1/sql", "application/json", sqlBody(q))
	}()
	loaded := b.kvPut(ctx, "kv-put/runaway-select")
	cancel()
	wg.Wait()
	return []benchResult{base, loaded}, nil
}

func (b *bencher) seedRunaway(ctx context.Context, addr, table string) error {
	stmts := []string{"CREATE TABLE " + table + " (id int PRIMARY KEY, v text)"}
	for lo := 1; lo <= runawayRows; lo += 500 {
		var vals []string
		for i := lo; i < lo+500 && i <= runawayRows; i++ {
			vals = append(vals, fmt.Sprintf("(%d, 'v%d')", i, i))
		}
		stmts = append(stmts, "INSERT INTO "+table+" VALUES "+strings.Join(vals, ", "))
	}
	for _, s := range stmts {
		if !b.do(ctx, "POST", "http://"+addr+"/v1/sql", "application/json", sqlBody(s)) {
			return fmt.Errorf("seed %s: %.40s failed", table, s)
		}
	}
	return nil
}
