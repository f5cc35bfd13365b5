package web

import (
	"net"
	"net/http"

	"github.com/raftplay/raftplay/node/tlsconfig"
)

// Serve serves srv (made by NewHTTPServer, which logs what net/http reports, failed TLS
// handshakes among it) on ln: over TLS with the node's certificate when t is set (clients
// are not asked for a certificate), in plain HTTP otherwise. It returns what srv.Serve does.
func Serve(srv *http.Server, ln net.Listener, t *tlsconfig.Config) error {
	if t == nil {
		return srv.Serve(ln)
	}
	srv.TLSConfig = t.APIListener()
	// The certificate is in TLSConfig; ServeTLS adds HTTP/2 to it, which Serve over a
	// tls.Listener would not.
	return srv.ServeTLS(ln, "", "")
}
