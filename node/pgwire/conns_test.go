package pgwire_test

import (
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/raftplay/raftplay/node/pgwire"
	"github.com/raftplay/raftplay/web/clustertest"
)

// TestManyConnections opens 200 connections that each run a few queries, then checks that
// every connection's goroutine is gone.
func TestManyConnections(t *testing.T) {
	cl := clustertest.Start(t, 1)
	s, addr := serve(t, cl.Nodes()[0], pgwire.Options{})
	t.Cleanup(func() {
		if t.Failed() {
			_, stacks := connGoroutines()
			t.Logf("goroutines:\n%s", stacks)
		}
	})
	setup := connect(t, addr)
	if _, err := setup.Exec(ctx(t), "CREATE TABLE kv (k int PRIMARY KEY, v text)"); err != nil {
		t.Fatal(err)
	}
	setup.Close(ctx(t))

	const n = 200
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			x := ctx(t)
			c, err := pgxConnect(x, connString(addr))
			if err != nil {
				errs <- err
				return
			}
			defer c.Close(x)
			if _, err := c.Exec(x, "INSERT INTO kv VALUES ($1, $2)", i, "v"); err != nil {
				errs <- err
				return
			}
			var v string
			if err := c.QueryRow(x, "SELECT v FROM kv WHERE k = $1", i).Scan(&v); err != nil {
				errs <- err
				return
			}
			var cnt int
			if err := c.QueryRow(x, "SELECT count(*) FROM kv").Scan(&cnt); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	cl.Eventually(10*time.Second, "every connection and its goroutine to end", func() bool {
		n, _ := connGoroutines()
		return s.Conns() == 0 && n == 0
	})
	var cnt int
	c := connect(t, addr)
	if err := c.QueryRow(ctx(t), "SELECT count(*) FROM kv").Scan(&cnt); err != nil || cnt != n {
		t.Fatalf("%d rows, %v", cnt, err)
	}
}

// connGoroutines counts the goroutines serving a connection (each runs Server.handle) and
// returns every goroutine's stack. Counting these, not all goroutines against a baseline,
// leaves out what the cluster, pgx and the runtime start and stop on their own.
func connGoroutines() (int, string) {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			stacks := string(buf[:n])
			return strings.Count(stacks, "node/pgwire.(*Server).handle("), stacks
		}
		buf = make([]byte, 2*len(buf))
	}
}
