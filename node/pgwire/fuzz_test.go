package pgwire_test

import (
	"context"
	"encoding/binary"
	"log/slog"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/raftplay/raftplay/node/pgwire"
	"github.com/raftplay/raftplay/node/wire"
)

// fakeBackend answers every statement with the same small result, so fuzzing exercises
// the protocol code and not the engine.
type fakeBackend struct{}

func (fakeBackend) SQL(ctx context.Context, req wire.SQLRequest) (wire.SQLResponse, error) {
	return wire.SQLResponse{Results: []wire.SQLResult{{
		Columns: []wire.SQLColumn{{Name: "a", Type: "integer"}, {Name: "b", Type: "text"}, {Name: "c", Type: "numeric"}, {Name: "d", Type: "timestamptz"}},
		Rows:    [][]any{{int64(1), "x", "1.5", "2024-01-02 03:04:05+00"}, {nil, nil, nil, nil}},
		Command: "SELECT 2",
	}}}, nil
}

func (fakeBackend) Describe(text string) ([]string, []wire.SQLColumn, error) {
	return []string{"integer"}, []wire.SQLColumn{{Name: "a", Type: "integer"}}, nil
}

// errorCounter fails the fuzz target when the server logs an error (a recovered panic).
type errorCounter struct{ n *atomic.Int64 }

func (h errorCounter) Enabled(context.Context, slog.Level) bool { return true }
func (h errorCounter) Handle(_ context.Context, r slog.Record) error {
	if r.Level >= slog.LevelError {
		h.n.Add(1)
	}
	return nil
}
func (h errorCounter) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h errorCounter) WithGroup(string) slog.Handler      { return h }

func msgBytes(msgs ...pgproto3.FrontendMessage) []byte {
	var b []byte
	for _, m := range msgs {
		var err error
		if b, err = m.Encode(b); err != nil {
			panic(err)
		}
	}
	return b
}

func FuzzServeConn(f *testing.F) {
	f.Add(msgBytes(&pgproto3.Query{String: "SELECT 1; BEGIN; INSERT INTO t VALUES (1); COMMIT"}))
	f.Add(msgBytes(&pgproto3.Parse{Name: "s", Query: "SELECT $1"}, &pgproto3.Describe{ObjectType: 'S', Name: "s"},
		&pgproto3.Bind{PreparedStatement: "s", ParameterFormatCodes: []int16{1}, Parameters: [][]byte{{0, 0, 0, 7}}, ResultFormatCodes: []int16{1}},
		&pgproto3.Describe{ObjectType: 'P'}, &pgproto3.Execute{MaxRows: 1}, &pgproto3.Execute{}, &pgproto3.Sync{}))
	f.Add(msgBytes(&pgproto3.Query{String: "SET raftplay.consistency = 'local'; SHOW ALL; \\dt"}, &pgproto3.Terminate{}))
	f.Add([]byte{'Q', 0, 0, 0, 4})
	f.Add([]byte{'B', 0, 0, 0, 9, 0, 0, 0, 1, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		var errs atomic.Int64
		s := pgwire.New(fakeBackend{}, pgwire.Options{MaxMessageBytes: 1 << 16, Logger: slog.New(errorCounter{&errs})})
		client, server := net.Pipe()
		done := make(chan struct{})
		go func() { s.ServeConn(server); close(done) }()
		go func() {
			buf := make([]byte, 4096)
			for {
				if _, err := client.Read(buf); err != nil {
					return
				}
			}
		}()
		start := msgBytes(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion30, Parameters: map[string]string{"user": "f"}})
		client.SetWriteDeadline(time.Now().Add(2 * time.Second))
		client.Write(start)
		client.Write(data)
		// End the input with a Sync and a valid length prefix's worth of padding, then close.
		client.Write(binary.BigEndian.AppendUint32([]byte{'S'}, 4))
		client.Close()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatal("connection did not end")
		}
		s.Close()
		if errs.Load() != 0 {
			t.Fatal("the server logged an error (recovered panic)")
		}
	})
}
