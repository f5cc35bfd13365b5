package pgwire

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/raftplay/raftplay/node/sql"
)

// answerSSLRequest answers an SSLRequest: 'S' and a TLS handshake when the server has a
// certificate and the session is not encrypted yet, 'N' without one. consumed is how many
// bytes the requests so far took; a client that sent more has pipelined plain text after
// its request, which is refused, as PostgreSQL does (CVE-2021-23214): the bytes would
// otherwise be lost, or read as if they came over TLS.
func (c *conn) answerSSLRequest(consumed int) error {
	if c.s.opts.TLS == nil {
		return c.decline()
	}
	if c.encrypted {
		c.fatal(pgErr(sql.StateProtocol, "SSLRequest on a session that is already encrypted"))
		return errors.New("second SSLRequest")
	}
	if c.in.n != int64(consumed) {
		c.fatal(pgErr(sql.StateProtocol, "received unencrypted data after SSL request"))
		return errors.New("plain text after SSLRequest")
	}
	if _, err := c.nc.Write([]byte{'S'}); err != nil {
		return fmt.Errorf("accept encryption: %w", err)
	}
	tc := tls.Server(c.raw, c.s.opts.TLS)
	// The handshake runs under the startup deadline already set on the raw connection.
	if err := tc.HandshakeContext(context.Background()); err != nil {
		return fmt.Errorf("tls handshake: %w", err)
	}
	c.nc, c.encrypted = tc, true
	c.be = pgproto3.NewBackend(tc, tc)
	c.be.SetMaxBodyLen(c.s.opts.MaxMessageBytes)
	return nil
}

// decline answers an encryption request with 'N': the client goes on in plain text or
// gives up.
func (c *conn) decline() error {
	if _, err := c.nc.Write([]byte{'N'}); err != nil {
		return fmt.Errorf("decline encryption: %w", err)
	}
	return nil
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (r *countingReader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	r.n += int64(n)
	return n, err
}
