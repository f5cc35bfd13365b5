package pgwire_test

import (
	"context"
	"crypto/tls"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/raftplay/raftplay/node/pgwire"
	"github.com/raftplay/raftplay/node/tlsconfig"
	"github.com/raftplay/raftplay/web/clustertest"
)

// tlsServers starts a one-node cluster with two Postgres servers in front of it, one with
// a certificate and one without, and returns their addresses and the CA file.
func tlsServers(t *testing.T) (withTLS, plain, caFile string) {
	t.Helper()
	m, err := tlsconfig.MakeCluster(t.TempDir(), []string{"127.0.0.1", "localhost"}, []string{"n1"})
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := tlsconfig.Load(m.Nodes[0].Files)
	if err != nil {
		t.Fatal(err)
	}
	n := clustertest.Start(t, 1).Nodes()[0]
	_, withTLS = serve(t, n, pgwire.Options{TLS: cfg.APIListener()})
	_, plain = serve(t, n, pgwire.Options{})
	return withTLS, plain, m.CACert
}

// TestPSQLOverTLS runs the real psql against a server with and without a certificate at
// each sslmode: with one, psql's sessions are encrypted and plain-text ones are refused;
// without one, TLS is declined and plain text works as before.
func TestPSQLOverTLS(t *testing.T) {
	psql, err := exec.LookPath("psql")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("psql is not installed (CI installs postgresql-client)")
		}
		t.Skip("psql is not installed")
	}
	withTLS, plain, ca := tlsServers(t)
	for _, tc := range []struct {
		name, addr, params string
		want               string // in psql's output; "" means psql must fail
		encrypted          bool
	}{
		{"tls server, sslmode=require", withTLS, "sslmode=require", "42", true},
		{"tls server, sslmode=prefer", withTLS, "sslmode=prefer", "42", true},
		{"tls server, sslmode=verify-full", withTLS, "sslmode=verify-full sslrootcert=" + ca, "42", true},
		{"tls server, sslmode=disable", withTLS, "sslmode=disable", "", false},
		{"plain server, sslmode=disable", plain, "sslmode=disable", "42", false},
		{"plain server, sslmode=prefer", plain, "sslmode=prefer", "42", false},
		{"plain server, sslmode=require", plain, "sslmode=require", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			host, port, _ := net.SplitHostPort(tc.addr)
			conn := fmt.Sprintf("host=%s port=%s user=x dbname=x connect_timeout=5 %s", host, port, tc.params)
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, psql, "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", `\conninfo`, "-c", "SELECT 40 + 2", conn)
			cmd.Env = append(os.Environ(), "PAGER=", "PSQL_PAGER=", "LC_ALL=C")
			out, err := cmd.CombinedOutput()
			if tc.want == "" {
				if err == nil {
					t.Fatalf("psql connected:\n%s", out)
				}
				return
			}
			if err != nil || !strings.Contains(string(out), tc.want) {
				t.Fatalf("psql: %v\n%s", err, out)
			}
			if got := strings.Contains(string(out), "SSL connection"); got != tc.encrypted {
				t.Fatalf("encrypted %v, want %v:\n%s", got, tc.encrypted, out)
			}
		})
	}
}

// TestPlainTextRefusedWithTLS: with a certificate, a StartupMessage in plain text is
// refused with SQLSTATE 28000, and plain text sent after an SSLRequest, before the
// server's answer, is refused instead of being read as part of the session.
func TestPlainTextRefusedWithTLS(t *testing.T) {
	withTLS, _, _ := tlsServers(t)
	startup := (&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion30, Parameters: map[string]string{"user": "x"}})
	for _, tc := range []struct {
		name  string
		first []pgproto3.FrontendMessage
		code  string
	}{
		{"startup without TLS", []pgproto3.FrontendMessage{startup}, "28000"},
		{"startup pipelined after SSLRequest", []pgproto3.FrontendMessage{&pgproto3.SSLRequest{}, startup}, "08P01"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			nc := dialDeadline(t, withTLS)
			var buf []byte
			for _, m := range tc.first {
				buf, _ = m.Encode(buf)
			}
			if _, err := nc.Write(buf); err != nil {
				t.Fatal(err)
			}
			fe := pgproto3.NewFrontend(nc, nc)
			msg, err := fe.Receive()
			if err != nil {
				t.Fatalf("receive: %v", err)
			}
			e, ok := msg.(*pgproto3.ErrorResponse)
			if !ok || e.Code != tc.code {
				t.Fatalf("got %#v, want an ErrorResponse %s", msg, tc.code)
			}
		})
	}
}

// TestEncryptionRequests walks the handshake by hand: a GSSEncRequest is declined with
// 'N', an SSLRequest is accepted with 'S', and the session then starts over TLS.
func TestEncryptionRequests(t *testing.T) {
	withTLS, plain, _ := tlsServers(t)
	t.Run("tls server", func(t *testing.T) {
		nc := dialDeadline(t, withTLS)
		if got := request(t, nc, &pgproto3.GSSEncRequest{}); got != 'N' {
			t.Fatalf("GSSEncRequest answered %q, want N", got)
		}
		if got := request(t, nc, &pgproto3.SSLRequest{}); got != 'S' {
			t.Fatalf("SSLRequest answered %q, want S", got)
		}
		tc := tls.Client(nc, &tls.Config{InsecureSkipVerify: true}) // the handshake is what is tested here
		fe := pgproto3.NewFrontend(tc, tc)
		fe.Send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion30, Parameters: map[string]string{"user": "x"}})
		if err := fe.Flush(); err != nil {
			t.Fatalf("startup over TLS: %v", err)
		}
		msg, err := fe.Receive()
		if _, ok := msg.(*pgproto3.AuthenticationOk); err != nil || !ok {
			t.Fatalf("after startup over TLS: %#v, %v; want AuthenticationOk", msg, err)
		}
	})
	t.Run("plain server", func(t *testing.T) {
		nc := dialDeadline(t, plain)
		for _, m := range []pgproto3.FrontendMessage{&pgproto3.GSSEncRequest{}, &pgproto3.SSLRequest{}} {
			if got := request(t, nc, m); got != 'N' {
				t.Fatalf("%T answered %q, want N", m, got)
			}
		}
	})
}

func dialDeadline(t *testing.T, addr string) net.Conn {
	t.Helper()
	nc, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	nc.SetDeadline(time.Now().Add(10 * time.Second))
	return nc
}

// request sends one encryption request and reads the one-byte answer.
func request(t *testing.T, nc net.Conn, m pgproto3.FrontendMessage) byte {
	t.Helper()
	buf, err := m.Encode(nil)
	if err != nil || len(buf) != 8 || binary.BigEndian.Uint32(buf) != 8 {
		t.Fatalf("encode %T: %v (%d bytes)", m, err, len(buf))
	}
	if _, err := nc.Write(buf); err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 1)
	if _, err := io.ReadFull(nc, b); err != nil {
		t.Fatalf("answer to %T: %v", m, err)
	}
	return b[0]
}
