package pgwire

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"runtime/debug"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/raftplay/raftplay/node/sql"
	"github.com/raftplay/raftplay/node/wire"
)

// Transaction status as ReadyForQuery reports it.
const (
	txIdle   = 'I'
	txBlock  = 'T'
	txFailed = 'E'
)

// conn is one client connection. Everything but the cancel hook is owned by the
// connection's goroutine.
type conn struct {
	s   *Server
	nc  net.Conn // raw, or the TLS connection over it once the client asked for TLS
	raw net.Conn // the accepted connection, which the server tracks and closes
	in  *countingReader
	be  *pgproto3.Backend
	log *slog.Logger

	encrypted bool // the session runs over TLS

	pid            uint32
	secret         []byte
	user, database string
	settings       map[string]string

	txn byte  // txIdle, txBlock, txFailed
	blk block // the open transaction block

	stmts      map[string]*prepared
	portals    map[string]*portal
	skipToSync bool // after an error in the extended protocol

	lastWrite time.Time // of this session's last write that went through the log

	mu      sync.Mutex
	running context.CancelFunc // of the query in flight, for CancelRequest
}

func newConn(s *Server, nc net.Conn) *conn {
	// Counting what the backend reads tells whether a client sent plain text after asking
	// for TLS (see startTLS).
	in := &countingReader{r: nc}
	be := pgproto3.NewBackend(in, nc)
	be.SetMaxBodyLen(s.opts.MaxMessageBytes)
	return &conn{
		s: s, nc: nc, raw: nc, in: in, be: be, log: s.log, txn: txIdle,
		stmts: map[string]*prepared{}, portals: map[string]*portal{},
	}
}

// serve serves the connection until the client leaves, the server closes or the client
// breaks the protocol. A panic ends only this connection.
func (c *conn) serve() {
	defer func() {
		if r := recover(); r != nil {
			c.log.Error("pgwire connection failed", "panic", r, "stack", string(debug.Stack()))
			c.fatal(pgErr(sql.StateInternal, "internal error; the connection is closed"))
		}
	}()
	if err := c.startup(); err != nil {
		if !errors.Is(err, errHandled) && !quietErr(err) {
			c.log.Debug("pgwire handshake failed", "remote", c.nc.RemoteAddr().String(), "err", err)
		}
		return
	}
	for {
		msg, err := c.be.Receive()
		if err != nil {
			c.receiveFailed(err)
			return
		}
		if !c.dispatch(msg) {
			return
		}
	}
}

// quietErr is the end of a connection that needs no log line: the client or the server
// closed it.
func quietErr(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, net.ErrClosed)
}

func (c *conn) receiveFailed(err error) {
	var tooBig *pgproto3.ExceededMaxBodyLenErr
	switch {
	case errors.As(err, &tooBig):
		c.fatal(pgErr(sql.StateLimitExceeded, fmt.Sprintf("message of %d bytes exceeds the limit of %d bytes", tooBig.ActualBodyLen, tooBig.MaxExpectedBodyLen)))
	case quietErr(err):
	default:
		c.fatal(pgErr(sql.StateProtocol, fmt.Sprintf("invalid message: %v", err)))
	}
	if !quietErr(err) {
		c.log.Debug("pgwire connection closed", "pid", c.pid, "err", err)
	}
}

// dispatch handles one message; false ends the connection.
func (c *conn) dispatch(msg pgproto3.FrontendMessage) bool {
	switch m := msg.(type) {
	case *pgproto3.Query:
		c.skipToSync = false
		c.s.m.Query()
		c.simpleQuery(m.String)
	case *pgproto3.Parse, *pgproto3.Bind, *pgproto3.Describe, *pgproto3.Execute, *pgproto3.Close:
		if c.skipToSync {
			return true
		}
		if err := c.extended(m); err != nil {
			c.sendError(err)
			c.skipToSync = true
		}
	case *pgproto3.Sync:
		c.skipToSync = false
		c.sync()
	case *pgproto3.Flush:
		return c.flush()
	case *pgproto3.Terminate:
		return false
	case *pgproto3.CopyData, *pgproto3.CopyDone, *pgproto3.CopyFail:
		// No COPY is ever started; PostgreSQL ignores these outside one too.
	case *pgproto3.FunctionCall:
		c.sendError(pgErr(stateFeatureNotSupported, "the fastpath function call interface is not supported"))
		c.ready()
	default:
		c.fatal(pgErr(sql.StateProtocol, fmt.Sprintf("unexpected message %T", msg)))
		return false
	}
	return true
}

func (c *conn) flush() bool {
	if err := c.be.Flush(); err != nil {
		if !quietErr(err) {
			c.log.Debug("pgwire write failed", "pid", c.pid, "err", err)
		}
		c.nc.Close()
		return false
	}
	return true
}

// ready ends a request cycle.
func (c *conn) ready() {
	c.be.Send(&pgproto3.ReadyForQuery{TxStatus: c.txn})
	c.flush()
}

func (c *conn) sendError(err error) {
	pe := toPGError(err)
	c.s.m.Error(pe.Code)
	if pe.Code == sql.StateInternal {
		c.log.Warn("pgwire internal error", "pid", c.pid, "err", err)
	}
	c.be.Send(pe.response())
}

func (c *conn) notice(code, msg string) {
	c.be.Send(&pgproto3.NoticeResponse{Severity: "WARNING", SeverityUnlocalized: "WARNING", Code: code, Message: msg})
}

// fatal sends a last error and gives the client a moment to read it before the close.
func (c *conn) fatal(e *pgError) {
	f := *e
	f.Severity = "FATAL"
	c.s.m.Error(f.Code)
	_ = c.nc.SetWriteDeadline(time.Now().Add(time.Second))
	c.be.Send(f.response())
	_ = c.be.Flush()
}

// cancelRunning cancels the query in flight, if any (a CancelRequest).
func (c *conn) cancelRunning() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.running != nil {
		c.running()
	}
}

// execSQL sends one request to the backend under the session's consistency and timeout,
// cancellable by a CancelRequest and by Close.
func (c *conn) execSQL(text string, params []any) ([]wire.SQLResult, error) {
	resp, err := c.exec(wire.SQLRequest{SQL: text, Params: params})
	return resp.Results, err
}

// exec is execSQL for any request; the session's consistency is filled in.
func (c *conn) exec(req wire.SQLRequest) (wire.SQLResponse, error) {
	var (
		ctx    context.Context
		cancel context.CancelFunc
	)
	if ms := c.statementTimeout(); ms > 0 {
		ctx, cancel = context.WithTimeout(c.s.ctx, time.Duration(ms)*time.Millisecond)
	} else {
		ctx, cancel = context.WithCancel(c.s.ctx)
	}
	c.mu.Lock()
	c.running = cancel
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		c.running = nil
		c.mu.Unlock()
		cancel()
	}()
	req.Consistency = c.settings[settingConsistency]
	resp, err := c.s.b.SQL(ctx, req)
	if err != nil {
		return resp, err
	}
	if resp.Index > 0 {
		c.lastWrite = time.Now()
	}
	return resp, nil
}

// Describe runs on this node's own state, which on a follower may not yet have applied
// the session's last write (CREATE TABLE, then INSERT into it). A check failure that such
// a write would cure is retried for a moment after the session wrote, so a client reads
// its own schema changes.
const (
	describeCatchUp = 10 * time.Second
	describeWait    = 2 * time.Second
)

func (c *conn) describeSQL(text string) ([]string, []wire.SQLColumn, error) {
	params, cols, err := c.s.b.Describe(text)
	// Inside a block with kept writes the failure may be cured by those writes, and
	// COMMIT decides: no reason to wait.
	if err == nil || !dependsOnBlock(err) || time.Since(c.lastWrite) > describeCatchUp || (c.txn == txBlock && len(c.blk.stmts) > 0) {
		return params, cols, err
	}
	deadline := time.Now().Add(describeWait)
	for wait := 2 * time.Millisecond; time.Now().Before(deadline); wait = min(2*wait, 100*time.Millisecond) {
		select {
		case <-c.s.ctx.Done():
			return nil, nil, err
		case <-time.After(wait):
		}
		if params, cols, err = c.s.b.Describe(text); err == nil || !dependsOnBlock(err) {
			break
		}
	}
	return params, cols, err
}
