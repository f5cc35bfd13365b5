package pgwire_test

import (
	"context"
	"io"
	"net"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/raftplay/raftplay/node/pgwire"
	"github.com/raftplay/raftplay/node/wire"
)

// blockingBackend holds every statement until its context ends, and hands the test each
// statement's context as it starts.
type blockingBackend struct {
	fakeBackend
	running chan context.Context
}

func (b blockingBackend) SQL(ctx context.Context, req wire.SQLRequest) (wire.SQLResponse, error) {
	b.running <- ctx
	<-ctx.Done()
	return wire.SQLResponse{}, ctx.Err()
}

func TestCancelRequest(t *testing.T) {
	b := blockingBackend{running: make(chan context.Context, 1)}
	_, addr := serve(t, b, pgwire.Options{})
	r := dialRaw(t, addr)
	var key *pgproto3.BackendKeyData
	for _, m := range r.until("ReadyForQuery") {
		if k, ok := m.(*pgproto3.BackendKeyData); ok {
			key = &pgproto3.BackendKeyData{ProcessID: k.ProcessID, SecretKey: append([]byte(nil), k.SecretKey...)}
		}
	}
	if key == nil {
		t.Fatal("no BackendKeyData")
	}
	r.send(&pgproto3.Query{String: "SELECT 1"})
	var query context.Context
	select {
	case query = <-b.running:
	case <-time.After(10 * time.Second):
		t.Fatal("the query never reached the backend")
	}

	// A wrong secret is ignored: once the server has closed that cancel connection (it
	// handled the request), the query still runs.
	cancelRequest(t, addr, key.ProcessID, []byte{1, 2, 3, 4})
	if err := query.Err(); err != nil {
		t.Fatalf("a wrong secret cancelled the query: %v", err)
	}
	// The right one cancels it.
	cancelRequest(t, addr, key.ProcessID, key.SecretKey)
	msgs := r.until("ReadyForQuery")
	if e, ok := msgs[0].(*pgproto3.ErrorResponse); !ok || e.Code != "57014" {
		t.Fatalf("got %s", names(msgs))
	}
}

// cancelRequest sends a CancelRequest on a connection of its own and waits until the
// server has closed it, which it does after acting on the request.
func cancelRequest(t *testing.T, addr string, pid uint32, secret []byte) {
	t.Helper()
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	b, _ := (&pgproto3.CancelRequest{ProcessID: pid, SecretKey: secret}).Encode(nil)
	if _, err := nc.Write(b); err != nil {
		t.Fatal(err)
	}
	nc.SetReadDeadline(time.Now().Add(10 * time.Second))
	if n, err := nc.Read(make([]byte, 1)); err != io.EOF {
		t.Fatalf("cancel connection: read %d bytes, %v; want the server to close it", n, err)
	}
}
