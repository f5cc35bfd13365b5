package web_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/raftplay/raftplay/node/wire"
	"github.com/raftplay/raftplay/web/clustertest"
)

// The idle-connection tests hold their connections in a child process: one process cannot
// hold both ends of 10,000 connections within the machine's limit on open files.
const holdEnv = "RAFTPLAY_TEST_HOLD_CONNS"

// TestMain also fails the package if its tests leave goroutines behind.
func TestMain(m *testing.M) {
	if spec := os.Getenv(holdEnv); spec != "" {
		os.Exit(holdConns(spec))
	}
	os.Exit(clustertest.RunChecked(m))
}

// holdConns opens "count@addr" idle connections, reports how many it holds, and keeps them
// until its standard input closes.
func holdConns(spec string) int {
	count, addr, _ := strings.Cut(spec, "@")
	n, _ := strconv.Atoi(count)
	conns := make([]net.Conn, 0, n)
	var mu sync.Mutex
	var wg sync.WaitGroup
	sem := make(chan struct{}, 64)
	for range n {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			c, err := net.DialTimeout("tcp", addr, 5*time.Second)
			if err == nil {
				mu.Lock()
				conns = append(conns, c)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	fmt.Printf("holding %d\n", len(conns))
	io.Copy(io.Discard, os.Stdin)
	for _, c := range conns {
		c.Close()
	}
	return 0
}

// holdIdle opens n idle connections to addr from a child process; they close when the
// returned function is called.
func holdIdle(t *testing.T, n int, addr string) func() {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%d@%s", holdEnv, n, addr))
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("holder: %v", err)
	}
	var held int
	fmt.Sscanf(line, "holding %d", &held)
	if held < n*9/10 {
		t.Fatalf("could only open %d of %d connections to %s", held, n, addr)
	}
	t.Logf("holding %d idle connections to %s", held, addr)
	return func() { stdin.Close(); cmd.Wait() }
}

// TestTenThousandIdleConnections opens 10,000 idle connections to a node's HTTP, raft and
// Postgres listeners in turn; the node keeps committing writes and answering clients.
func TestTenThousandIdleConnections(t *testing.T) {
	if testing.Short() {
		t.Skip("opens 10,000 connections per listener")
	}
	c := clustertest.Start(t, 3, clustertest.WithPostgres())
	leader := c.Leader()
	check := func(what string) {
		t.Helper()
		clustertest.Put(t, clustertest.URL(leader), "alive-"+what, "yes")
		for _, n := range c.Nodes() {
			if kv, r := clustertest.Get(t, clustertest.URL(n), "alive-"+what, wire.ConsistencyLinearizable); kv.Value != "yes" {
				t.Fatalf("with idle %s connections, read on %s: %d %s", what, n.ID(), r.Status, r.Body)
			}
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, "postgres://x@"+leader.PGAddr()+"/x?sslmode=disable")
		if err != nil {
			t.Fatalf("with idle %s connections, postgres connect: %v", what, err)
		}
		defer conn.Close(ctx)
		var one int
		if err := conn.QueryRow(ctx, "SELECT 1").Scan(&one); err != nil || one != 1 {
			t.Fatalf("with idle %s connections, postgres query: %v", what, err)
		}
	}
	for _, l := range []struct{ name, addr string }{
		{"http", leader.HTTPAddr()}, {"raft", leader.RaftAddr()}, {"postgres", leader.PGAddr()},
	} {
		release := holdIdle(t, 10000, l.addr)
		check(l.name)
		release()
	}
}

// TestHugeBodiesAreRefusedWithoutReadingThem sends 100 MB bodies, with and without a
// Content-Length: both get 413, and the node goes on serving.
func TestHugeBodiesAreRefusedWithoutReadingThem(t *testing.T) {
	c := clustertest.Start(t, 1)
	url := clustertest.URL(c.Leader())
	for _, chunked := range []bool{false, true} {
		body := io.LimitReader(zeros{}, 100<<20)
		req, _ := http.NewRequest("PUT", url+"/v1/kv/huge", body)
		if chunked {
			req.ContentLength = -1
		} else {
			req.ContentLength = 100 << 20
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			// The server may close the connection mid-upload once it has refused it.
			t.Logf("chunked=%v: %v", chunked, err)
			continue
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusRequestEntityTooLarge {
			t.Fatalf("100 MB body (chunked=%v): %d", chunked, resp.StatusCode)
		}
	}
	clustertest.Put(t, url, "after-huge", "ok")
	if _, r := clustertest.Get(t, url, "huge", wire.ConsistencyLocal); r.Status != http.StatusNotFound {
		t.Fatalf("a refused body was stored: %d", r.Status)
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}
