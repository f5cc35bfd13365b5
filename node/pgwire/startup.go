package pgwire

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/raftplay/raftplay/node/sql"
)

// errHandled ends a connection whose handshake was answered completely (a cancel request).
var errHandled = errors.New("handshake handled")

// startup runs the handshake: an SSLRequest is answered by upgrading to TLS when the server
// has a certificate (and declined otherwise), GSS encryption is declined, cancel requests
// are passed to the server, and a StartupMessage is authenticated and answered with the
// session's parameters, its BackendKeyData and ReadyForQuery.
func (c *conn) startup() error {
	if err := c.nc.SetDeadline(time.Now().Add(startupTimeout)); err != nil {
		return fmt.Errorf("set handshake deadline: %w", err)
	}
	var sm *pgproto3.StartupMessage
	requests := 0 // SSL and GSS encryption requests so far, 8 bytes each
	for sm == nil {
		msg, err := c.be.ReceiveStartupMessage()
		if err != nil {
			c.fatal(pgErr(sql.StateProtocol, fmt.Sprintf("invalid startup packet: %v", err)))
			return fmt.Errorf("read startup message: %w", err)
		}
		switch m := msg.(type) {
		case *pgproto3.SSLRequest:
			requests++
			if err := c.answerSSLRequest(8 * requests); err != nil {
				return err
			}
		case *pgproto3.GSSEncRequest:
			requests++
			if err := c.decline(); err != nil {
				return err
			}
		case *pgproto3.CancelRequest:
			c.s.cancelRequest(m.ProcessID, m.SecretKey)
			return errHandled
		case *pgproto3.StartupMessage:
			if c.s.opts.TLS != nil && !c.encrypted {
				c.fatal(pgErr(stateAuthSpecification, "this server accepts only TLS sessions: connect with sslmode=require (or verify-full)"))
				return errors.New("plain-text session refused: TLS is required")
			}
			sm = m
		default:
			c.fatal(pgErr(sql.StateProtocol, fmt.Sprintf("unexpected startup message %T", msg)))
			return fmt.Errorf("unexpected startup message %T", msg)
		}
	}
	params := sm.Parameters
	c.user = params["user"]
	if c.user == "" {
		c.fatal(pgErr("28000", "no PostgreSQL user name specified in startup packet"))
		return errors.New("no user name")
	}
	c.database = params["database"]
	if c.database == "" {
		c.database = c.user
	}
	c.settings = defaultSettings(c.user)
	if sm.ProtocolVersion != pgproto3.ProtocolVersion30 {
		// A 3.2 client is told we speak 3.0 and which _pq_ options we ignore; it then
		// goes on with 3.0 (4-byte cancel keys and all).
		var unknown []string
		for k := range params {
			if strings.HasPrefix(k, "_pq_.") {
				unknown = append(unknown, k)
			}
		}
		sort.Strings(unknown)
		c.be.Send(&pgproto3.NegotiateProtocolVersion{NewestMinorProtocol: 0, UnrecognizedOptions: unknown})
	}
	if err := c.authenticate(); err != nil {
		return err
	}
	for k, v := range params {
		switch strings.ToLower(k) {
		case "user", "database", "options", "replication", "client_encoding", "datestyle":
			// client_encoding and DateStyle stay UTF8 and ISO: all the server produces.
			continue
		}
		if strings.HasPrefix(k, "_pq_.") {
			continue
		}
		if err := c.setSetting(k, v); err != nil {
			c.log.Debug("pgwire startup parameter ignored", "name", k, "err", err)
		}
	}
	if err := c.s.register(c); err != nil {
		if pe, ok := err.(*pgError); ok {
			c.fatal(pe)
		}
		return fmt.Errorf("register connection: %w", err)
	}
	c.secret = newSecret()
	c.be.Send(&pgproto3.AuthenticationOk{})
	for _, name := range reportedSettings {
		c.be.Send(&pgproto3.ParameterStatus{Name: name, Value: c.settings[strings.ToLower(name)]})
	}
	c.be.Send(&pgproto3.BackendKeyData{ProcessID: c.pid, SecretKey: c.secret})
	c.be.Send(&pgproto3.ReadyForQuery{TxStatus: c.txn})
	if err := c.be.Flush(); err != nil {
		return fmt.Errorf("send startup answer: %w", err)
	}
	if err := c.nc.SetDeadline(time.Time{}); err != nil {
		return fmt.Errorf("clear handshake deadline: %w", err)
	}
	c.log.Debug("pgwire connection ready", "pid", c.pid, "user", c.user, "database", c.database, "remote", c.nc.RemoteAddr().String())
	return nil
}

// authenticate runs SCRAM-SHA-256 when the server has a password; without one every user
// is trusted.
func (c *conn) authenticate() error {
	if c.s.auth == nil {
		return nil
	}
	fail := func(err error) error {
		c.fatal(&pgError{Code: stateAuthFailed, Message: fmt.Sprintf("password authentication failed for user %q", c.user)})
		return fmt.Errorf("authenticate %q: %w", c.user, err)
	}
	x := &scramExchange{v: c.s.auth}
	c.be.Send(&pgproto3.AuthenticationSASL{AuthMechanisms: []string{"SCRAM-SHA-256"}})
	if err := c.be.Flush(); err != nil {
		return fmt.Errorf("send SASL request: %w", err)
	}
	if err := c.be.SetAuthType(pgproto3.AuthTypeSASL); err != nil {
		return err
	}
	msg, err := c.be.Receive()
	if err != nil {
		return fmt.Errorf("read SASL initial response: %w", err)
	}
	init, ok := msg.(*pgproto3.SASLInitialResponse)
	if !ok || init.AuthMechanism != "SCRAM-SHA-256" {
		return fail(fmt.Errorf("expected SCRAM-SHA-256, got %T", msg))
	}
	serverFirst, err := x.first(string(init.Data))
	if err != nil {
		return fail(err)
	}
	c.be.Send(&pgproto3.AuthenticationSASLContinue{Data: []byte(serverFirst)})
	if err := c.be.Flush(); err != nil {
		return fmt.Errorf("send SASL continue: %w", err)
	}
	if err := c.be.SetAuthType(pgproto3.AuthTypeSASLContinue); err != nil {
		return err
	}
	msg, err = c.be.Receive()
	if err != nil {
		return fmt.Errorf("read SASL response: %w", err)
	}
	resp, ok := msg.(*pgproto3.SASLResponse)
	if !ok {
		return fail(fmt.Errorf("expected SASL response, got %T", msg))
	}
	serverFinal, err := x.final(string(resp.Data))
	if err != nil {
		return fail(err)
	}
	c.be.Send(&pgproto3.AuthenticationSASLFinal{Data: []byte(serverFinal)})
	// Later 'p' messages are not expected; decoding them as passwords makes them a
	// protocol violation instead of a SASL step.
	return c.be.SetAuthType(pgproto3.AuthTypeOk)
}
