package pgwire_test

import (
	"runtime"
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
	setup := connect(t, addr)
	if _, err := setup.Exec(ctx(t), "CREATE TABLE kv (k int PRIMARY KEY, v text)"); err != nil {
		t.Fatal(err)
	}
	setup.Close(ctx(t))
	time.Sleep(100 * time.Millisecond)
	baseline := runtime.NumGoroutine()

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
	deadline := time.Now().Add(10 * time.Second)
	for s.Conns() != 0 || runtime.NumGoroutine() > baseline+2 {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			t.Fatalf("after closing: %d connections, %d goroutines (baseline %d)\n%s", s.Conns(), runtime.NumGoroutine(), baseline, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(20 * time.Millisecond)
	}
	var cnt int
	c := connect(t, addr)
	if err := c.QueryRow(ctx(t), "SELECT count(*) FROM kv").Scan(&cnt); err != nil || cnt != n {
		t.Fatalf("%d rows, %v", cnt, err)
	}
}
