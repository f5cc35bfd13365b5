package web

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"time"
)

// ServerLimits bound what one client connection may hold of an HTTP server. Zero fields
// take the defaults.
type ServerLimits struct {
	// ReadHeaderTimeout bounds the wait for a request's headers (default 10 s); it also
	// closes connections that never send a request.
	ReadHeaderTimeout time.Duration
	// BodyTimeout bounds the wait for a request's whole body (default 30 s: a 1 MiB body
	// at 35 KB/s). It runs only while a body is read, so WebSocket streams and answers
	// that take long are not cut.
	BodyTimeout time.Duration
	// IdleTimeout closes a kept-alive connection after this long without a request
	// (default 2 min). It is longer than Go clients keep idle connections (90 s), so the
	// client lets go first and never sends a write into a connection being closed, which
	// it could not tell from a write that failed on the way.
	IdleTimeout time.Duration
	// MaxHeaderBytes bounds a request's headers (default 64 KiB); larger ones get 431.
	MaxHeaderBytes int
}

func (l ServerLimits) withDefaults() ServerLimits {
	if l.ReadHeaderTimeout <= 0 {
		l.ReadHeaderTimeout = 10 * time.Second
	}
	if l.BodyTimeout <= 0 {
		l.BodyTimeout = 30 * time.Second
	}
	if l.IdleTimeout <= 0 {
		l.IdleTimeout = 2 * time.Minute
	}
	if l.MaxHeaderBytes <= 0 {
		l.MaxHeaderBytes = 64 << 10
	}
	return l
}

// NewHTTPServer is the http.Server every raftplay listener uses: h behind the limits, with
// the server's own errors (bad TLS, failed accepts) logged to log.
func NewHTTPServer(h http.Handler, l ServerLimits, log *slog.Logger) *http.Server {
	l = l.withDefaults()
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &http.Server{
		Handler:           bodyDeadline(h, l.BodyTimeout),
		ReadHeaderTimeout: l.ReadHeaderTimeout,
		IdleTimeout:       l.IdleTimeout,
		MaxHeaderBytes:    l.MaxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
}

// bodyDeadline gives a request with a body a read deadline of d from now, lifted once the
// body has been read. Requests without a body, WebSocket upgrades among them, get none.
// http.Server's ReadTimeout would bound the body too, but it is documented to possibly stay
// on a connection a handler hijacks, and every WebSocket is one; this deadline is set and
// lifted here, where it can be seen.
func bodyDeadline(h http.Handler, d time.Duration) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body != nil && r.Body != http.NoBody {
			rc := http.NewResponseController(w)
			if rc.SetReadDeadline(time.Now().Add(d)) == nil {
				r.Body = &deadlineBody{ReadCloser: r.Body, rc: rc, limit: d}
			}
		}
		h.ServeHTTP(w, r)
	})
}

// deadlineBody lifts the read deadline when its body has been read to the end, so that it
// does not outlive the body whatever the handler does next, and reports a body that
// missed it as errSlowBody.
type deadlineBody struct {
	io.ReadCloser
	rc    *http.ResponseController
	limit time.Duration
	ended bool
}

func (b *deadlineBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	switch {
	case err == io.EOF && !b.ended:
		b.ended = true
		_ = b.rc.SetReadDeadline(time.Time{}) // only fails on a connection that is gone
	case errors.Is(err, os.ErrDeadlineExceeded):
		// The deadline stays: after the handler, the server would otherwise wait for the
		// rest of the body, without limit, before it answers.
		err = fmt.Errorf("%w: the whole body must arrive within %v", errSlowBody, b.limit)
	}
	return n, err
}
