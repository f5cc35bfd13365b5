package web_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/raftplay/raftplay/web/clustertest"
)

// TestOpenAPIMatchesTheServer: a server serves openapi.json as it is, routes every
// operation it documents, and refuses a request to any of them only with a status the
// document gives that operation: without the token (or with it, where none is needed),
// with another Host, from a page of another origin, with a body that is not JSON, is
// malformed or is too large. (That every route is documented, the generator checks.)
func TestOpenAPIMatchesTheServer(t *testing.T) {
	const token = "openapi-token"
	c := clustertest.Start(t, 1, clustertest.WithAuthToken(token))
	file, err := os.ReadFile("openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, base := range []string{c.Play, clustertest.URL(c.Leader())} {
		served := send(t, "GET", base+"/v1/openapi.json", token, nil, nil)
		if served.Status != http.StatusOK || !bytes.Equal(served.Body, file) {
			t.Fatalf("%s/v1/openapi.json: %d, %d bytes; want openapi.json's %d", base, served.Status, len(served.Body), len(file))
		}
	}
	var doc struct {
		Paths map[string]map[string]struct {
			Responses   map[string]json.RawMessage `json:"responses"`
			RequestBody json.RawMessage            `json:"requestBody"`
			Security    *[]json.RawMessage         `json:"security"`
			WebSocket   json.RawMessage            `json:"x-websocket"`
		} `json:"paths"`
	}
	if err := json.Unmarshal(file, &doc); err != nil {
		t.Fatal(err)
	}
	upgrade := http.Header{"Connection": {"Upgrade"}, "Upgrade": {"websocket"}, "Sec-Websocket-Version": {"13"}, "Sec-Websocket-Key": {"dGhlIHNhbXBsZSBub25jZQ=="}}
	crossSite := http.Header{"Origin": {"https://evil.example"}, "Sec-Fetch-Site": {"cross-site"}}
	for path, item := range doc.Paths {
		url := c.Play + regexp.MustCompile(`\{[^}]+\}`).ReplaceAllString(path, "x")
		for method, op := range item {
			m := strings.ToUpper(method)
			stream := op.WebSocket != nil
			public := op.Security != nil && len(*op.Security) == 0
			documented := func(probe string, r clustertest.Response) {
				t.Helper()
				_, ok := op.Responses[strconv.Itoa(r.Status)]
				if !ok && !(r.Status >= 500 && op.Responses["default"] != nil) {
					t.Errorf("%s %s %s: %d, which the document does not give: %s", m, path, probe, r.Status, r.Body)
				}
				if r.Status == http.StatusNotFound && bytes.Contains(r.Body, []byte("no such endpoint")) {
					t.Errorf("%s %s %s: not routed", m, path, probe)
				}
			}
			var hdr http.Header
			if stream {
				hdr = upgrade
			}
			noToken := send(t, m, url, "", hdr, nil)
			if public == (noToken.Status == http.StatusUnauthorized) {
				t.Errorf("%s %s without a token: %d (public: %v)", m, path, noToken.Status, public)
			}
			documented("without a token", noToken)
			documented("with another Host", sendTo(t, m, url, "evil.example", token, hdr))
			cross := send(t, m, url, token, merge(hdr, crossSite), nil)
			if changes := m != "GET" || stream; changes != (cross.Status == http.StatusForbidden) {
				t.Errorf("%s %s from another origin: %d", m, path, cross.Status)
			}
			documented("from another origin", cross)
			if m == "GET" { // a stream's without upgrading: its socket would not end
				documented("as it is", send(t, m, url, token, nil, nil))
			}
			if op.RequestBody == nil {
				continue
			}
			asJSON := http.Header{"Content-Type": {"application/json"}}
			documented("with malformed JSON", send(t, m, url, token, asJSON, []byte(`{"node":`)))
			documented("with a body over the limit", send(t, m, url, token, asJSON, bytes.Repeat([]byte(" "), 2<<20)))
			if m == "POST" {
				documented("with a text body", send(t, m, url, token, http.Header{"Content-Type": {"text/plain"}}, []byte("{}")))
			}
		}
	}
}

func merge(hs ...http.Header) http.Header {
	out := http.Header{}
	for _, h := range hs {
		for k, v := range h {
			out[k] = v
		}
	}
	return out
}

func send(t *testing.T, method, url, token string, hdr http.Header, body []byte) clustertest.Response {
	t.Helper()
	return sendTo(t, method, url, "", token, hdr, body...)
}

// sendTo sends a request with the given Host header ("" for the URL's), token and headers.
func sendTo(t *testing.T, method, url, host, token string, hdr http.Header, body ...byte) clustertest.Response {
	t.Helper()
	req := clustertest.NewRequest(t, method, url, nil)
	if body != nil {
		req = clustertest.NewRequest(t, method, url, body)
	}
	for k, v := range hdr {
		req.Header[k] = v
	}
	if host != "" {
		req.Host = host
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return clustertest.Send(t, req)
}
