package web_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/raftplay/raftplay/web"
	"github.com/raftplay/raftplay/web/clustertest"
	"github.com/raftplay/raftplay/web/playground"
)

// FuzzHTTPHandlers sends arbitrary KV and SQL requests to a real one-node cluster: every
// answer must be a JSON document with a non-5xx status, and the node must keep serving.
func FuzzHTTPHandlers(f *testing.F) {
	c := clustertest.Start(f, 1)
	h := playground.NewServer(c.Cluster, web.Options{})
	f.Cleanup(h.Close)
	for _, seed := range []struct {
		method, path, ct, body string
	}{
		{"PUT", "/v1/kv/a", "", "hello"},
		{"PUT", "/v1/kv/a?cas=x", "application/json", `{"value":"b","prev":"hello"}`},
		{"GET", "/v1/kv/a?consistency=local&encoding=base64", "", ""},
		{"GET", "/v1/kv?prefix=a&limit=3", "", ""},
		{"DELETE", "/v1/kv/a", "", ""},
		{"POST", "/v1/sql", "application/json", `{"sql":"CREATE TABLE t (id int PRIMARY KEY, v text)"}`},
		{"POST", "/v1/sql", "application/json", `{"sql":"INSERT INTO t VALUES ($1, $2)","params":[1,"x"]}`},
		{"POST", "/v1/sql", "application/json", `{"sql":"SELECT * FROM t WHERE id = 1","consistency":"linearizable"}`},
		{"POST", "/v1/sql", "application/json", `{"sql":`},
	} {
		f.Add(seed.method, seed.path, seed.ct, []byte(seed.body))
	}
	f.Fuzz(func(t *testing.T, method, path, ct string, body []byte) {
		if method != "GET" && method != "PUT" && method != "POST" && method != "DELETE" {
			return
		}
		if !strings.HasPrefix(path, "/v1/kv") && !strings.HasPrefix(path, "/v1/sql") {
			return
		}
		req, err := http.NewRequest(method, "http://localhost"+path, bytes.NewReader(body))
		if err != nil {
			return // not a URL
		}
		if ct != "" {
			req.Header.Set("Content-Type", ct)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code >= 500 && rec.Code != http.StatusServiceUnavailable {
			t.Fatalf("%s %s %q: %d %s", method, path, body, rec.Code, rec.Body)
		}
		if rec.Code/100 == 3 {
			return // ServeMux sends unclean paths (other than keys) to their clean form
		}
		if !json.Valid(rec.Body.Bytes()) {
			t.Fatalf("%s %s: answer is not JSON: %q", method, path, rec.Body)
		}
	})
}
