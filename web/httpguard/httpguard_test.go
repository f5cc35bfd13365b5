package httpguard_test

import (
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"

	"github.com/raftplay/raftplay/node/wire"
	"github.com/raftplay/raftplay/web/httpguard"
)

func TestHosts(t *testing.T) {
	tests := []struct {
		name         string
		own, allowed []string
		host         string
		ok           bool
	}{
		{"localhost", []string{"127.0.0.1:8080"}, nil, "localhost:8080", true},
		{"a localhost subdomain", []string{"127.0.0.1:8080"}, nil, "app.localhost:8080", true},
		{"loopback v4, any port", []string{"127.0.0.1:8080"}, nil, "127.9.9.9:1", true},
		{"loopback v6", []string{"127.0.0.1:8080"}, nil, "[::1]:8080", true},
		{"no Host (HTTP/1.0)", []string{"127.0.0.1:8080"}, nil, "", true},
		{"a rebinding name", []string{"127.0.0.1:8080"}, nil, "evil.example", false},
		{"a rebinding name with the port", []string{"127.0.0.1:8080"}, nil, "evil.example:8080", false},
		{"a name that only starts like localhost", []string{"127.0.0.1:8080"}, nil, "localhost.evil.example", false},
		{"an address that is not ours", []string{"127.0.0.1:8080"}, nil, "192.0.2.7:8080", false},
		{"the published name", []string{"127.0.0.1:8080", "node1.internal:8001"}, nil, "NODE1.internal.:8001", true},
		{"the bound address", []string{"192.0.2.7:8080"}, nil, "192.0.2.7", true},
		{"an allowed name", []string{"127.0.0.1:8080"}, []string{"raft.example"}, "raft.example:8080", true},
		{"an allowed name's subdomain is not allowed", []string{"127.0.0.1:8080"}, []string{"raft.example"}, "x.raft.example", false},
		{"any host", []string{"127.0.0.1:8080"}, []string{"*"}, "evil.example", true},
		{"every interface does not mean every name", []string{"0.0.0.0:8080"}, nil, "evil.example", false},
		{"every interface does not mean every address", []string{"[::]:8080"}, nil, "192.0.2.7", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := httpguard.NewHosts(tt.own, tt.allowed).Check(tt.host)
			if (err == nil) != tt.ok {
				t.Fatalf("Check(%q) = %v, want ok %v", tt.host, err, tt.ok)
			}
			if err != nil && !errors.Is(err, httpguard.ErrUnknownHost) {
				t.Fatalf("error %v is not ErrUnknownHost", err)
			}
		})
	}
}

// TestHostsOnEveryInterface checks that a server listening on every interface answers to
// each of the machine's own addresses, found by listing them, and to none bound elsewhere.
func TestHostsOnEveryInterface(t *testing.T) {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		t.Fatal(err)
	}
	var own []string
	for _, a := range addrs {
		if p, err := netip.ParsePrefix(a.String()); err == nil && !p.Addr().IsLoopback() {
			own = append(own, net.JoinHostPort(p.Addr().WithZone("").String(), "8080"))
		}
	}
	if len(own) == 0 {
		t.Skip("this machine has no address besides loopback")
	}
	every := httpguard.NewHosts([]string{"0.0.0.0:8080"}, nil)
	loopbackOnly := httpguard.NewHosts([]string{"127.0.0.1:8080"}, nil)
	for _, host := range own {
		if err := every.Check(host); err != nil {
			t.Errorf("listening on 0.0.0.0, own address %s refused: %v", host, err)
		}
		if err := loopbackOnly.Check(host); err == nil {
			t.Errorf("listening on loopback only, %s was served", host)
		}
	}
}

func TestOrigins(t *testing.T) {
	const host = "127.0.0.1:8080"
	tests := []struct {
		name           string
		allowed        []string
		method, origin string
		site           string // Sec-Fetch-Site
		websocket      bool
		ok             bool
	}{
		{"a read from anywhere", nil, "GET", "https://evil.example", "cross-site", false, true},
		{"curl: no Origin, no Sec-Fetch-Site", nil, "POST", "", "", false, true},
		{"the page itself", nil, "POST", "http://127.0.0.1:8080", "same-origin", false, true},
		{"the page itself, older browser", nil, "POST", "http://127.0.0.1:8080", "", false, true},
		{"typed into the address bar", nil, "POST", "", "none", false, true},
		{"another site", nil, "POST", "https://evil.example", "cross-site", false, false},
		{"another site, older browser", nil, "POST", "https://evil.example", "", false, false},
		{"another port is the same site", nil, "POST", "http://127.0.0.1:9999", "same-site", false, false},
		{"another port, older browser", nil, "DELETE", "http://127.0.0.1:9999", "", false, false},
		{"a sandboxed page", nil, "POST", "null", "cross-site", false, false},
		{"a WebSocket from another site", nil, "GET", "https://evil.example", "cross-site", true, false},
		{"a WebSocket from another port, older browser", nil, "GET", "http://localhost:9999", "", true, false},
		{"a WebSocket from the page", nil, "GET", "http://127.0.0.1:8080", "same-origin", true, true},
		{"an allowed origin", []string{"https://app.example"}, "POST", "https://app.example", "cross-site", false, true},
		{"an allowed origin with a trailing slash", []string{"https://app.example/"}, "POST", "https://app.example", "cross-site", false, true},
		{"an allowed origin's other scheme", []string{"https://app.example"}, "POST", "http://app.example", "cross-site", false, false},
		{"a host pattern", []string{"*.example.com:*"}, "PUT", "https://a.example.com:8443", "cross-site", false, true},
		{"a host pattern, another host", []string{"*.example.com:*"}, "PUT", "https://example.org:8443", "cross-site", false, false},
		{"a same-site origin allowed on purpose", []string{"127.0.0.1:9999"}, "POST", "http://127.0.0.1:9999", "same-site", false, true},
		{"any origin", []string{"*"}, "POST", "https://evil.example", "cross-site", false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(tt.method, "http://"+host+"/v1/sql", nil)
			if tt.origin != "" {
				r.Header.Set("Origin", tt.origin)
			}
			if tt.site != "" {
				r.Header.Set("Sec-Fetch-Site", tt.site)
			}
			if tt.websocket {
				r.Header.Set("Connection", "Upgrade")
				r.Header.Set("Upgrade", "websocket")
			}
			err := httpguard.NewOrigins(tt.allowed...).Check(r)
			if (err == nil) != tt.ok {
				t.Fatalf("Check = %v, want ok %v", err, tt.ok)
			}
			if err != nil && !errors.Is(err, httpguard.ErrCrossOrigin) {
				t.Fatalf("error %v is not ErrCrossOrigin", err)
			}
		})
	}
}

func TestToken(t *testing.T) {
	const secret = "s3cret token/+=" // any bytes travel, also in a subprotocol
	tests := []struct {
		name      string
		required  string
		header    http.Header
		websocket bool
		ok        bool
	}{
		{"no token required", "", nil, false, true},
		{"missing", secret, nil, false, false},
		{"right", secret, http.Header{"Authorization": {"Bearer " + secret}}, false, true},
		{"scheme in any case", secret, http.Header{"Authorization": {"bearer " + secret}}, false, true},
		{"wrong", secret, http.Header{"Authorization": {"Bearer nope"}}, false, false},
		{"a prefix of it", secret, http.Header{"Authorization": {"Bearer s3cret"}}, false, false},
		{"basic auth is not it", secret, http.Header{"Authorization": {"Basic " + secret}}, false, false},
		{"in a subprotocol of a WebSocket upgrade", secret, http.Header{"Sec-Websocket-Protocol": {wire.WebSocketProtocol + ", " + wire.TokenProtocol(secret)}}, true, true},
		{"a wrong one in a subprotocol", secret, http.Header{"Sec-Websocket-Protocol": {wire.WebSocketProtocol + ", " + wire.TokenProtocol("nope")}}, true, false},
		{"a subprotocol on a plain request", secret, http.Header{"Sec-Websocket-Protocol": {wire.TokenProtocol(secret)}}, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/v1/status", nil)
			for k, v := range tt.header {
				r.Header[k] = v
			}
			if tt.websocket {
				r.Header.Set("Upgrade", "websocket")
			}
			err := httpguard.NewToken(tt.required).Check(r)
			if (err == nil) != tt.ok {
				t.Fatalf("Check = %v, want ok %v", err, tt.ok)
			}
			if err != nil && !errors.Is(err, httpguard.ErrUnauthorized) {
				t.Fatalf("error %v is not ErrUnauthorized", err)
			}
		})
	}
}
