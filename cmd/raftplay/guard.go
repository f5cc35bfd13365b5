package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"os"
	"strings"
	"time"
)

// tokenFlags adds --auth-token and --auth-token-file to fs (and so RAFTPLAY_AUTH_TOKEN and
// RAFTPLAY_AUTH_TOKEN_FILE) and returns what reads the token once the flags are parsed.
func tokenFlags(fs *flag.FlagSet, use string) func() (string, error) {
	token := fs.String("auth-token", "", use+" (prefer --auth-token-file or RAFTPLAY_AUTH_TOKEN: arguments show in ps)")
	file := fs.String("auth-token-file", "", "read --auth-token from this file (surrounding white space is dropped)")
	return func() (string, error) {
		switch {
		case *token != "" && *file != "":
			return "", errors.New("--auth-token and --auth-token-file are exclusive")
		case *file == "":
			return *token, nil
		}
		b, err := os.ReadFile(*file)
		if err != nil {
			return "", fmt.Errorf("--auth-token-file: %w", err)
		}
		t := strings.TrimSpace(string(b))
		if t == "" {
			return "", fmt.Errorf("--auth-token-file: %s is empty", *file)
		}
		return t, nil
	}
}

// tokenHint tells a client refused with 401 how to send the token.
const tokenHint = "the server needs its token: give --auth-token, --auth-token-file or RAFTPLAY_AUTH_TOKEN"

// serverGuard holds the flags of a command that serves HTTP about who may call it.
type serverGuard struct {
	token        func() (string, error)
	allowedHosts *string
	insecure     *bool
}

func addServerGuard(fs *flag.FlagSet) *serverGuard {
	return &serverGuard{
		token:        tokenFlags(fs, "require this bearer token on every HTTP request but /healthz, /readyz and the browser app's files; nodes of a cluster send it to each other, so give them all the same"),
		allowedHosts: fs.String("allowed-hosts", "", "comma-separated names the Host header may give besides loopback names and the server's own addresses (* for any; a DNS rebinding page sends its own name)"),
		insecure:     fs.Bool("insecure", false, "serve on a non-loopback address without --auth-token (or Postgres without --pg-password): anyone who can reach it can run the cluster"),
	}
}

// checkExposed refuses to serve what (a listener on addr) beyond loopback when it is
// protected by no credential (named by cred) and --insecure was not given.
func (g *serverGuard) checkExposed(what, addr string, protected bool, cred string) error {
	if protected || *g.insecure {
		return nil
	}
	loopback, err := isLoopback(addr)
	if err != nil {
		return err
	}
	if !loopback {
		return fmt.Errorf("%s would listen on %s, which is not a loopback address, without %s: set %s, or give --insecure to let anyone who can reach it run the cluster", what, addr, cred, cred)
	}
	return nil
}

// isLoopback reports whether addr (host:port) listens only on loopback; an empty host
// listens on every interface, and a name counts when everything it resolves to does.
func isLoopback(addr string) (bool, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false, fmt.Errorf("address %q: %w", addr, err)
	}
	if host == "" {
		return false, nil
	}
	if ip, err := netip.ParseAddr(host); err == nil {
		return ip.IsLoopback(), nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	ips, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return false, fmt.Errorf("address %q: %w", addr, err)
	}
	for _, ip := range ips {
		if !ip.IsLoopback() {
			return false, nil
		}
	}
	return len(ips) > 0, nil
}

// authHeader is the header that carries token (none when it is empty).
func authHeader(token string) http.Header {
	if token == "" {
		return nil
	}
	return http.Header{"Authorization": {"Bearer " + token}}
}

// bearerTransport adds the token to every request it carries.
type bearerTransport struct {
	token string
	base  http.RoundTripper
}

func (t bearerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if t.token == "" {
		return t.base.RoundTrip(r)
	}
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+t.token)
	return t.base.RoundTrip(r)
}
