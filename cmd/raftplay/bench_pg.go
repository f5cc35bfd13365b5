package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/raftplay/raftplay/node/wire"
)

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
