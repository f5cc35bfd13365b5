package pgwire_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/raftplay/raftplay/node/pgwire"
	"github.com/raftplay/raftplay/web/clustertest"
)

// BenchmarkPGX measures pgx round trips through the server against the leader of a
// three-node cluster: single-row INSERTs (one raft entry each) and point SELECTs.
func BenchmarkPGX(b *testing.B) {
	cl := clustertest.Start(b, 3)
	_, addr := serve(b, cl.Leader(), pgwire.Options{})
	setup := connect(b, addr)
	// One context for all sub-benchmarks: long enough for any -benchtime.
	x, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	if _, err := setup.Exec(x, "CREATE TABLE bench (id bigint PRIMARY KEY, v text)"); err != nil {
		b.Fatal(err)
	}
	if _, err := setup.Exec(x, "INSERT INTO bench SELECT id, 'seed' FROM bench"); err != nil {
		b.Fatal(err)
	}
	for i := range 1000 {
		if _, err := setup.Exec(x, "INSERT INTO bench VALUES ($1, 'seed')", -1-i); err != nil {
			b.Fatal(err)
		}
	}
	var next atomic.Int64
	run := func(b *testing.B, conns int, op func(c *pgx.Conn, i int64) error) {
		cs := make([]*pgx.Conn, conns)
		for i := range cs {
			cs[i] = connect(b, addr)
		}
		var done atomic.Int64
		var wg sync.WaitGroup
		b.ResetTimer()
		for _, c := range cs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for done.Add(1) <= int64(b.N) {
					if err := op(c, next.Add(1)); err != nil {
						b.Error(err)
						return
					}
				}
			}()
		}
		wg.Wait()
		b.StopTimer()
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
		for _, c := range cs {
			c.Close(x)
		}
	}
	for _, conns := range []int{1, 16} {
		b.Run(fmt.Sprintf("insert/conns=%d", conns), func(b *testing.B) {
			run(b, conns, func(c *pgx.Conn, i int64) error {
				_, err := c.Exec(x, "INSERT INTO bench VALUES ($1, 'v')", i)
				return err
			})
		})
		b.Run(fmt.Sprintf("select/conns=%d", conns), func(b *testing.B) {
			run(b, conns, func(c *pgx.Conn, i int64) error {
				var v string
				return c.QueryRow(x, "SELECT v FROM bench WHERE id = $1", -1-i%1000).Scan(&v)
			})
		})
	}
}
