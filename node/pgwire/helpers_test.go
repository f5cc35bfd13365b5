package pgwire_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/raftplay/raftplay/node/pgwire"
	"github.com/raftplay/raftplay/web/clustertest"
)

// serve runs a server for b on a loopback port until the test ends.
func serve(t testing.TB, b pgwire.Backend, opts pgwire.Options) (*pgwire.Server, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := pgwire.New(b, opts)
	done := make(chan error, 1)
	go func() { done <- s.Serve(ln) }()
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("close server: %v", err)
		}
		if err := <-done; !errors.Is(err, net.ErrClosed) {
			t.Errorf("Serve returned %v, want net.ErrClosed", err)
		}
	})
	return s, ln.Addr().String()
}

func connString(addr string) string {
	host, port, _ := net.SplitHostPort(addr)
	return fmt.Sprintf("postgres://tester@%s:%s/raftplay?sslmode=disable&connect_timeout=5", host, port)
}

func connect(t testing.TB, addr string) *pgx.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := pgx.Connect(ctx, connString(addr))
	if err != nil {
		t.Fatalf("connect %s: %v", addr, err)
	}
	t.Cleanup(func() { c.Close(context.Background()) })
	return c
}

// singleNode starts a one-node cluster with a server in front of it.
func singleNode(t testing.TB) string {
	c := clustertest.Start(t, 1)
	_, addr := serve(t, c.Nodes()[0], pgwire.Options{})
	return addr
}

func ctx(t testing.TB) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

func fmtType(m any) string { return fmt.Sprintf("%T", m) }

func pgxConnect(x context.Context, cs string) (*pgx.Conn, error) { return pgx.Connect(x, cs) }
