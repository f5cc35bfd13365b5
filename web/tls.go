package web

import (
	"log/slog"
	"net"
	"net/http"

	"github.com/raftplay/raftplay/node/tlsconfig"
)

// Serve serves srv on ln: over TLS with the node's certificate when t is set (clients are
// not asked for a certificate), in plain HTTP otherwise. It returns what srv.Serve does.
// Unless srv has an ErrorLog, what net/http reports (failed TLS handshakes among it) goes
// to log at warning level instead of the standard logger.
func Serve(srv *http.Server, ln net.Listener, t *tlsconfig.Config, log *slog.Logger) error {
	if srv.ErrorLog == nil && log != nil {
		srv.ErrorLog = slog.NewLogLogger(log.Handler(), slog.LevelWarn)
	}
	if t == nil {
		return srv.Serve(ln)
	}
	srv.TLSConfig = t.APIListener()
	// The certificate is in TLSConfig; ServeTLS adds HTTP/2 to it, which Serve over a
	// tls.Listener would not.
	return srv.ServeTLS(ln, "", "")
}
