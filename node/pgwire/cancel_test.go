package pgwire_test

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/raftplay/raftplay/node/pgwire"
	"github.com/raftplay/raftplay/node/wire"
)

// blockingBackend holds every statement until its context ends.
type blockingBackend struct{ fakeBackend }

func (blockingBackend) SQL(ctx context.Context, req wire.SQLRequest) (wire.SQLResponse, error) {
	<-ctx.Done()
	return wire.SQLResponse{}, ctx.Err()
}

func TestCancelRequest(t *testing.T) {
	_, addr := serve(t, blockingBackend{}, pgwire.Options{})
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
	time.Sleep(100 * time.Millisecond)
	// A wrong secret is ignored; the right one cancels.
	for _, secret := range [][]byte{{1, 2, 3, 4}, key.SecretKey} {
		nc, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := (&pgproto3.CancelRequest{ProcessID: key.ProcessID, SecretKey: secret}).Encode(nil)
		nc.Write(b)
		nc.Close()
	}
	msgs := r.until("ReadyForQuery")
	if e, ok := msgs[0].(*pgproto3.ErrorResponse); !ok || e.Code != "57014" {
		t.Fatalf("got %s", names(msgs))
	}
}
