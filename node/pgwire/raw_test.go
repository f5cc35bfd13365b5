package pgwire_test

import (
	"net"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/raftplay/raftplay/node/pgwire"
	"github.com/raftplay/raftplay/web/clustertest"
)

// rawConn is a protocol-level client for what drivers do not expose.
type rawConn struct {
	t  *testing.T
	nc net.Conn
	fe *pgproto3.Frontend
}

func dialRaw(t *testing.T, addr string) *rawConn {
	t.Helper()
	nc, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	nc.SetDeadline(time.Now().Add(30 * time.Second))
	r := &rawConn{t: t, nc: nc, fe: pgproto3.NewFrontend(nc, nc)}
	r.send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion30, Parameters: map[string]string{"user": "raw"}})
	return r
}

func (r *rawConn) send(msgs ...pgproto3.FrontendMessage) {
	r.t.Helper()
	for _, m := range msgs {
		r.fe.Send(m)
	}
	if err := r.fe.Flush(); err != nil {
		r.t.Fatal(err)
	}
}

// until reads messages up to and including one of type T (by name), returning them.
func (r *rawConn) until(name string) []pgproto3.BackendMessage {
	r.t.Helper()
	var out []pgproto3.BackendMessage
	for {
		m, err := r.fe.Receive()
		if err != nil {
			r.t.Fatalf("receive (after %d messages): %v", len(out), err)
		}
		out = append(out, copyMsg(m))
		if msgName(m) == name {
			return out
		}
	}
}

func copyMsg(m pgproto3.BackendMessage) pgproto3.BackendMessage {
	switch x := m.(type) {
	case *pgproto3.DataRow:
		c := &pgproto3.DataRow{}
		for _, v := range x.Values {
			c.Values = append(c.Values, append([]byte(nil), v...))
		}
		return c
	case *pgproto3.ErrorResponse:
		c := *x
		return &c
	case *pgproto3.CommandComplete:
		return &pgproto3.CommandComplete{CommandTag: append([]byte(nil), x.CommandTag...)}
	}
	return m
}

func msgName(m pgproto3.BackendMessage) string {
	s := strings.TrimPrefix(strings.TrimPrefix(strings.SplitN(strings.TrimPrefix(typeName(m), "*"), " ", 2)[0], "pgproto3."), "*")
	return s
}

func typeName(m any) string { return strings.TrimPrefix(fmtType(m), "*pgproto3.") }

func names(ms []pgproto3.BackendMessage) string {
	var s []string
	for _, m := range ms {
		s = append(s, msgName(m))
	}
	return strings.Join(s, " ")
}

func TestPortalRowLimit(t *testing.T) {
	addr := singleNode(t)
	r := dialRaw(t, addr)
	r.until("ReadyForQuery")
	r.send(&pgproto3.Query{String: "CREATE TABLE n (id int PRIMARY KEY); INSERT INTO n VALUES (1),(2),(3),(4),(5)"})
	r.until("ReadyForQuery")
	r.send(&pgproto3.Parse{Query: "SELECT id FROM n ORDER BY id"}, &pgproto3.Bind{},
		&pgproto3.Execute{MaxRows: 2}, &pgproto3.Execute{MaxRows: 2}, &pgproto3.Execute{MaxRows: 2}, &pgproto3.Sync{})
	got := names(r.until("ReadyForQuery"))
	want := "ParseComplete BindComplete DataRow DataRow PortalSuspended DataRow DataRow PortalSuspended DataRow CommandComplete ReadyForQuery"
	if got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
	// An error skips to Sync, and the connection goes on.
	r.send(&pgproto3.Parse{Query: "SELECT * FROM nosuch"}, &pgproto3.Bind{}, &pgproto3.Execute{}, &pgproto3.Sync{})
	if got := names(r.until("ReadyForQuery")); got != "ErrorResponse ReadyForQuery" {
		t.Fatalf("after error: %s", got)
	}
	r.send(&pgproto3.Query{String: ""})
	if got := names(r.until("ReadyForQuery")); got != "EmptyQueryResponse ReadyForQuery" {
		t.Fatalf("empty query: %s", got)
	}
}

// TestOversizedMessage: a message over MaxMessageBytes ends that connection with 54000;
// another connection is unaffected.
func TestOversizedMessage(t *testing.T) {
	cl := clustertest.Start(t, 1)
	_, addr := serve(t, cl.Nodes()[0], pgwire.Options{MaxMessageBytes: 4096})
	other := connect(t, addr)
	r := dialRaw(t, addr)
	r.until("ReadyForQuery")
	r.send(&pgproto3.Query{String: "SELECT '" + strings.Repeat("x", 10000) + "'"})
	msgs := r.until("ErrorResponse")
	if e := msgs[len(msgs)-1].(*pgproto3.ErrorResponse); e.Code != "54000" || e.Severity != "FATAL" {
		t.Fatalf("got %+v", e)
	}
	if _, err := r.fe.Receive(); err == nil {
		t.Fatal("connection still open")
	}
	var n int
	if err := other.QueryRow(ctx(t), "SELECT 1").Scan(&n); err != nil {
		t.Fatal(err)
	}
}

// TestMalformedMessage: garbage ends that connection with 08P01.
func TestMalformedMessage(t *testing.T) {
	addr := singleNode(t)
	r := dialRaw(t, addr)
	r.until("ReadyForQuery")
	r.nc.Write([]byte{'Z', 0, 0, 0, 4})
	msgs := r.until("ErrorResponse")
	if e := msgs[len(msgs)-1].(*pgproto3.ErrorResponse); e.Code != "08P01" {
		t.Fatalf("got %+v", e)
	}
}

func TestMaxConns(t *testing.T) {
	cl := clustertest.Start(t, 1)
	s, addr := serve(t, cl.Nodes()[0], pgwire.Options{MaxConns: 2})
	connect(t, addr)
	connect(t, addr)
	r := dialRaw(t, addr)
	msgs := r.until("ErrorResponse")
	if e := msgs[len(msgs)-1].(*pgproto3.ErrorResponse); e.Code != "53300" {
		t.Fatalf("got %+v", e)
	}
	if s.Conns() != 2 {
		t.Fatalf("Conns() = %d", s.Conns())
	}
}

func TestPassword(t *testing.T) {
	cl := clustertest.Start(t, 1)
	_, addr := serve(t, cl.Nodes()[0], pgwire.Options{Password: "s3cret"})
	host, port, _ := net.SplitHostPort(addr)
	x := ctx(t)
	c, err := pgxConnect(x, "postgres://u:s3cret@"+host+":"+port+"/db?sslmode=disable")
	if err != nil {
		t.Fatal(err)
	}
	c.Close(x)
	_, err = pgxConnect(x, "postgres://u:wrong@"+host+":"+port+"/db?sslmode=disable")
	if sqlState(err) != "28P01" {
		t.Fatalf("wrong password: %v", err)
	}
}
