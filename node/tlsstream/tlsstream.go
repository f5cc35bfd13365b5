// Package tlsstream is a raft.StreamLayer over TLS, for raft.NetworkTransport. With the
// mutual TLS configs of package tlsconfig, a raft port then accepts RPCs only from peers
// holding a certificate the cluster's CA signed, and dials its peers the same way.
//
// The layer only makes and accepts connections; NetworkTransport does everything else
// (pooling, framing, pipelining) exactly as over plain TCP, so a wrapper around the
// transport, such as netfault, works the same with and without TLS.
package tlsstream

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/hashicorp/raft"
)

// DefaultHandshakeTimeout bounds an incoming handshake, so a client that connects and
// stays silent cannot hold a connection handler.
const DefaultHandshakeTimeout = 10 * time.Second

// Dialer gives the client config for a connection to the peer named serverName (the host
// of its address); *tlsconfig.Config's RaftDialer is one.
type Dialer func(serverName string) *tls.Config

// Layer listens with TLS and dials with TLS. It implements raft.StreamLayer.
type Layer struct {
	ln        net.Listener
	advertise net.Addr
	server    *tls.Config
	dialer    Dialer
	log       *slog.Logger

	// HandshakeTimeout bounds each incoming handshake (DefaultHandshakeTimeout if zero).
	// Set it before the layer is handed to a transport.
	HandshakeTimeout time.Duration
}

var _ raft.StreamLayer = (*Layer)(nil)

// Listen binds bind for TLS with server as the server side and dialer for outgoing
// connections. advertise, when not nil, is the address peers are told to dial; like
// raft.NewTCPTransport, Listen refuses an address peers could not dial (0.0.0.0).
func Listen(bind string, advertise net.Addr, server *tls.Config, dialer Dialer, log *slog.Logger) (*Layer, error) {
	if server == nil || dialer == nil {
		return nil, errors.New("tlsstream: server config and dialer are required")
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	ln, err := net.Listen("tcp", bind)
	if err != nil {
		return nil, fmt.Errorf("tlsstream: listen on %s: %w", bind, err)
	}
	l := &Layer{ln: ln, advertise: advertise, server: server, dialer: dialer, log: log}
	addr, ok := l.Addr().(*net.TCPAddr)
	if !ok || addr.IP == nil || addr.IP.IsUnspecified() {
		ln.Close()
		return nil, fmt.Errorf("tlsstream: %s is not an address peers can dial; give an advertise address", l.Addr())
	}
	return l, nil
}

// Addr is the address peers dial: the advertised one, or the bound one.
func (l *Layer) Addr() net.Addr {
	if l.advertise != nil {
		return l.advertise
	}
	return l.ln.Addr()
}

// Close stops listening.
func (l *Layer) Close() error { return l.ln.Close() }

// Accept returns the next incoming connection. Its handshake runs on its first read or
// write, in the transport's handler for that connection, so a slow client never holds up
// the accept loop.
func (l *Layer) Accept() (net.Conn, error) {
	c, err := l.ln.Accept()
	if err != nil {
		return nil, err
	}
	timeout := l.HandshakeTimeout
	if timeout <= 0 {
		timeout = DefaultHandshakeTimeout
	}
	return &serverConn{Conn: tls.Server(c, l.server), timeout: timeout, log: l.log}, nil
}

// Dial connects to a peer and completes the handshake within timeout. A failed TCP dial
// comes back as the *net.OpError with Op "dial" that net.Dial returns, so callers can tell
// "nothing reached the peer" as they can without TLS.
func (l *Layer) Dial(address raft.ServerAddress, timeout time.Duration) (net.Conn, error) {
	host, _, err := net.SplitHostPort(string(address))
	if err != nil {
		return nil, fmt.Errorf("tlsstream: dial %s: %w", address, err)
	}
	ctx := context.Background()
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	d := &tls.Dialer{NetDialer: &net.Dialer{}, Config: l.dialer(host)}
	return d.DialContext(ctx, "tcp", string(address))
}

// serverConn is an accepted connection whose handshake has a deadline.
type serverConn struct {
	*tls.Conn
	timeout time.Duration
	log     *slog.Logger
	once    sync.Once
	err     error
}

func (c *serverConn) handshake() error {
	c.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
		defer cancel()
		if err := c.HandshakeContext(ctx); err != nil {
			c.log.Warn("raft connection refused", "remote", c.RemoteAddr().String(), "error", err)
			// The refusal is logged here; io.EOF keeps the transport from logging it again
			// as a command it failed to decode.
			c.err = io.EOF
		}
	})
	return c.err
}

func (c *serverConn) Read(b []byte) (int, error) {
	if err := c.handshake(); err != nil {
		return 0, err
	}
	return c.Conn.Read(b)
}

func (c *serverConn) Write(b []byte) (int, error) {
	if err := c.handshake(); err != nil {
		return 0, err
	}
	return c.Conn.Write(b)
}
