package httpguard

import (
	"fmt"
	"net/http"
	"net/url"
	"path"
	"strings"

	"github.com/raftplay/raftplay/node"
)

// ErrCrossOrigin is a request that would change state and comes from a web page of
// another origin.
var ErrCrossOrigin = node.ErrCrossOrigin

// Origins are the web origins allowed to drive the API besides the server's own. It is the
// one notion of an allowed origin: state-changing requests and WebSocket upgrades both
// answer to it.
type Origins struct {
	any      bool
	patterns []string
}

// NewOrigins allows the origins matching patterns. A pattern with "://" is matched against
// the whole origin ("https://app.example.com", "http://*.example.com:*"), one without
// against the origin's host and port ("app.example.com", "*.example.com:8080"), with
// path.Match; "*" allows every origin. A malformed pattern matches only itself.
func NewOrigins(patterns ...string) Origins {
	var o Origins
	for _, p := range patterns {
		p = strings.TrimRight(strings.ToLower(strings.TrimSpace(p)), "/")
		switch p {
		case "":
		case "*":
			o.any = true
		default:
			o.patterns = append(o.patterns, p)
		}
	}
	return o
}

// Any reports whether every origin is allowed.
func (o Origins) Any() bool { return o.any }

// Allowed reports whether origin (an Origin header) is allowed on purpose.
func (o Origins) Allowed(origin string) bool {
	if o.any {
		return true
	}
	origin = strings.ToLower(origin)
	u, err := url.Parse(origin)
	for _, p := range o.patterns {
		if p == origin {
			return true
		}
		if err != nil || u.Host == "" {
			continue
		}
		target := u.Host
		if strings.Contains(p, "://") {
			target = u.Scheme + "://" + u.Host
		}
		if ok, _ := path.Match(p, target); ok {
			return true
		}
	}
	return false
}

// ChangesState reports whether r can change state: every method but GET, HEAD and
// OPTIONS, and WebSocket upgrades, since commands travel on the socket.
func ChangesState(r *http.Request) bool {
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return IsWebSocket(r)
	}
	return true
}

// IsWebSocket reports whether r asks for a WebSocket upgrade.
func IsWebSocket(r *http.Request) bool {
	return strings.EqualFold(r.Header.Get("Upgrade"), "websocket")
}

// Check refuses a request that can change state when a browser says it comes from another
// site, or when its Origin is not the server's own (the Host it was sent to) and not
// allowed. A browser's Sec-Fetch-Site is believed when present; browsers send it only to
// https and loopback URLs, so a page served over plain HTTP from another machine is told
// apart by its Origin. A request with neither header is not from a browser page (every
// browser since 2020 sends Origin on cross-origin POSTs), and passes.
func (o Origins) Check(r *http.Request) error {
	if !ChangesState(r) {
		return nil
	}
	origin := r.Header.Get("Origin")
	if origin != "" && o.Allowed(origin) {
		return nil
	}
	switch site := r.Header.Get("Sec-Fetch-Site"); site {
	case "same-origin", "none":
		return nil
	case "":
	default:
		return fmt.Errorf("%w: a page of another site (Sec-Fetch-Site: %s, Origin: %s) may not change this cluster; the server's --cors-origin allows an origin on purpose", ErrCrossOrigin, site, origin)
	}
	if origin == "" || sameOrigin(origin, r.Host) {
		return nil
	}
	return fmt.Errorf("%w: origin %s is not this server (%s); the server's --cors-origin allows an origin on purpose", ErrCrossOrigin, origin, r.Host)
}

// sameOrigin reports whether origin names host (the request's Host header). The Host has
// no scheme, so http and https on one host:port count as one.
func sameOrigin(origin, host string) bool {
	u, err := url.Parse(origin)
	return err == nil && u.Host != "" && strings.EqualFold(u.Host, host)
}
