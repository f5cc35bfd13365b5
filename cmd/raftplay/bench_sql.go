package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/raftplay/raftplay/node/wire"
)

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
