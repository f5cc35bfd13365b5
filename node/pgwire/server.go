package pgwire

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"crypto/tls"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/raftplay/raftplay/node"
	"github.com/raftplay/raftplay/node/wire"
)

// Backend is what the server needs from a node; *node.Node satisfies it. A Backend that
// also has PGMetrics (as *node.Node does) gets the server's connections, queries and
// errors counted there.
type Backend interface {
	SQL(ctx context.Context, req wire.SQLRequest) (wire.SQLResponse, error)
	Describe(text string) (params []string, cols []wire.SQLColumn, err error)
}

// Options configure a Server. The zero value is usable.
type Options struct {
	// Password, when set, is required from every client (SCRAM-SHA-256). Empty means
	// trust: any user and database name is accepted.
	Password string
	// MaxMessageBytes bounds one protocol message (default 1 MiB). A bigger message ends
	// its connection with SQLSTATE 54000.
	MaxMessageBytes int
	// MaxConns bounds concurrent connections (default 1000); one more is refused with
	// SQLSTATE 53300.
	MaxConns int
	// TLS, when set, is offered to clients that ask for it (SSLRequest, as psql's sslmode
	// does) and required: a session that does not ask is refused with SQLSTATE 28000. Nil
	// declines TLS and serves plain text, as before.
	TLS    *tls.Config
	Logger *slog.Logger
}

const (
	defaultMaxMessageBytes = 1 << 20
	defaultMaxConns        = 1000
	// startupTimeout bounds the handshake, so a silent client cannot hold a goroutine.
	startupTimeout = 10 * time.Second
)

// Server accepts PostgreSQL connections for one Backend.
type Server struct {
	b    Backend
	opts Options
	log  *slog.Logger
	auth *scramVerifier  // nil without a password
	m    *node.PGMetrics // nil: nothing counted

	// ctx is cancelled by Close: it ends every running query.
	ctx    context.Context
	cancel context.CancelFunc

	mu      sync.Mutex
	closed  bool
	lns     map[net.Listener]struct{}
	pending map[net.Conn]struct{} // in the handshake
	conns   map[uint32]*conn      // by process id (BackendKeyData)
	nextPID uint32
	wg      sync.WaitGroup
}

// New returns a server for b.
func New(b Backend, opts Options) *Server {
	if opts.MaxMessageBytes <= 0 {
		opts.MaxMessageBytes = defaultMaxMessageBytes
	}
	if opts.MaxConns <= 0 {
		opts.MaxConns = defaultMaxConns
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Server{
		b: b, opts: opts, log: opts.Logger, ctx: ctx, cancel: cancel,
		lns:     map[net.Listener]struct{}{},
		pending: map[net.Conn]struct{}{},
		conns:   map[uint32]*conn{},
	}
	if opts.Password != "" {
		s.auth = newSCRAMVerifier(opts.Password)
	}
	if mb, ok := b.(interface{ PGMetrics() *node.PGMetrics }); ok {
		s.m = mb.PGMetrics()
	}
	return s
}

// Serve accepts connections on ln until Close; it then returns net.ErrClosed.
func (s *Server) Serve(ln net.Listener) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		ln.Close()
		return net.ErrClosed
	}
	s.lns[ln] = struct{}{}
	s.wg.Add(1)
	s.mu.Unlock()
	defer s.wg.Done()
	var backoff time.Duration
	for {
		nc, err := ln.Accept()
		if err != nil {
			s.mu.Lock()
			closed := s.closed
			s.mu.Unlock()
			if closed || errors.Is(err, net.ErrClosed) {
				return net.ErrClosed
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				// Out of file descriptors and the like: wait instead of spinning.
				backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
				s.log.Warn("pgwire accept", "err", err, "retry_in", backoff)
				time.Sleep(backoff)
				continue
			}
			return fmt.Errorf("pgwire accept: %w", err)
		}
		backoff = 0
		if !s.track(nc) {
			nc.Close()
			return net.ErrClosed
		}
		go s.handle(nc)
	}
}

// track registers a connection in its handshake; false once the server is closed.
func (s *Server) track(nc net.Conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.pending[nc] = struct{}{}
	s.wg.Add(1)
	return true
}

// ServeConn runs the protocol on one already accepted connection and returns when it ends.
func (s *Server) ServeConn(nc net.Conn) {
	if !s.track(nc) {
		nc.Close()
		return
	}
	s.handle(nc)
}

func (s *Server) handle(nc net.Conn) {
	defer s.wg.Done()
	c := newConn(s, nc)
	defer func() {
		s.mu.Lock()
		delete(s.pending, nc)
		registered := s.conns[c.pid] == c
		if registered {
			delete(s.conns, c.pid)
		}
		s.mu.Unlock()
		if registered {
			s.m.Closed()
		}
		nc.Close()
	}()
	c.serve()
}

// register makes a connection that finished its handshake known (for Conns, cancel
// requests and Close), or refuses it when MaxConns connections are open.
func (s *Server) register(c *conn) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return net.ErrClosed
	}
	if len(s.conns) >= s.opts.MaxConns {
		return &pgError{Severity: "FATAL", Code: stateTooManyConnections, Message: fmt.Sprintf("sorry, too many clients already (max %d)", s.opts.MaxConns)}
	}
	for {
		s.nextPID++
		if s.nextPID != 0 && s.conns[s.nextPID] == nil {
			break
		}
	}
	c.pid = s.nextPID
	s.conns[c.pid] = c
	delete(s.pending, c.raw)
	s.m.Opened()
	return nil
}

// cancelRequest cancels the running query of the connection with that key, if the secret
// matches; a wrong or stale key is ignored, as PostgreSQL does.
func (s *Server) cancelRequest(pid uint32, secret []byte) {
	s.mu.Lock()
	c := s.conns[pid]
	s.mu.Unlock()
	if c == nil || subtle.ConstantTimeCompare(c.secret, secret) != 1 {
		return
	}
	c.cancelRunning()
}

// Conns is the number of connections past their handshake.
func (s *Server) Conns() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.conns)
}

// Close stops every listener and connection and waits for their goroutines.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		s.wg.Wait()
		return nil
	}
	s.closed = true
	s.cancel()
	for ln := range s.lns {
		ln.Close()
	}
	for nc := range s.pending {
		nc.Close()
	}
	for _, c := range s.conns {
		// The raw connection: closing a TLS one first tries to tell the client, which
		// could block here while the client does not read.
		c.raw.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
	return nil
}

func newSecret() []byte {
	b := make([]byte, 4)
	if _, err := rand.Read(b); err != nil {
		binary.BigEndian.PutUint32(b, uint32(time.Now().UnixNano()))
	}
	return b
}
