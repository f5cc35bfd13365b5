package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"nhooyr.io/websocket"

	"github.com/raftplay/raftplay/node/wire"
	"github.com/raftplay/raftplay/web/clustertest"
)

// capture is a real answer and the type the document gives it in the generated client:
// an operation's response (path, method, status) or a component schema.
type capture struct {
	path, method string
	status       int
	schema       string // a component schema instead of an operation's response
	body         []byte
}

// tsType is the capture's type in openapi-typescript's output.
func (c capture) tsType() string {
	if c.schema != "" {
		return fmt.Sprintf(`components["schemas"][%q]`, c.schema)
	}
	return fmt.Sprintf(`paths[%q][%q]["responses"][%d]["content"]["application/json"]`, c.path, strings.ToLower(c.method), c.status)
}

// TestOpenAPITypedClient generates a TypeScript client's types from openapi.json with
// openapi-typescript, captures real answers of a real cluster (the main operations, error
// answers and event stream messages), and has tsc --strict check them as literals of their
// documented types: a field the document lacks, a field it requires that is missing, or a
// value of another type fails. Each required field is also taken out of each answer in
// turn, which tsc must refuse, so required fields are required in the client.
func TestOpenAPITypedClient(t *testing.T) {
	bin := npmBin(t)
	dir := t.TempDir()
	runTool(t, filepath.Join(bin, "openapi-typescript"), "openapi.json", "-o", filepath.Join(dir, "api.ts"))
	caps := captureAnswers(t)
	doc := readDocument(t)
	var ts bytes.Buffer
	ts.WriteString("import type { components, paths } from \"./api\";\n\n")
	for i, c := range caps {
		writeChecks(t, &ts, doc, i, c)
	}
	if err := os.WriteFile(filepath.Join(dir, "answers.ts"), ts.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	runTool(t, filepath.Join(bin, "tsc"), "--noEmit", "--strict", "--target", "es2022", "--module", "esnext",
		"--moduleResolution", "bundler", "--skipLibCheck", filepath.Join(dir, "answers.ts"))
	t.Logf("tsc accepted %d real answers (%d bytes of checks)", len(caps), ts.Len())
}

// writeChecks writes c as a literal of its type, and, each marked as an error tsc must
// find, the literal with a field the document does not have and without each field it
// requires. Every literal is one line, so that each expected error is on its line.
func writeChecks(t *testing.T, ts *bytes.Buffer, doc document, i int, c capture) {
	t.Helper()
	fmt.Fprintf(ts, "// %s %s %d %s\nconst answer%d: %s = %s;\n", c.method, c.path, c.status, c.schema, i, c.tsType(), c.body)
	var obj map[string]json.RawMessage
	if json.Unmarshal(c.body, &obj) != nil {
		return // an array: its elements were checked as their own captures
	}
	obj["not_in_the_document"] = json.RawMessage("1")
	fmt.Fprintf(ts, "// @ts-expect-error a field the document does not have\nconst answer%dExtra: %s = %s;\n", i, c.tsType(), mustJSON(t, obj))
	delete(obj, "not_in_the_document")
	required := doc.required(t, c, obj)
	if len(required) == 0 {
		t.Errorf("%s %s %d %s: the document requires none of its fields", c.method, c.path, c.status, c.schema)
	}
	for j, name := range required {
		without := map[string]json.RawMessage{}
		for k, v := range obj {
			if k != name {
				without[k] = v
			}
		}
		fmt.Fprintf(ts, "// @ts-expect-error %s is required\nconst answer%dWithout%d: %s = %s;\n", name, i, j, c.tsType(), mustJSON(t, without))
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// document is openapi.json, for finding the schema of an answer.
type document struct {
	Paths      map[string]map[string]operation `json:"paths"`
	Components struct {
		Schemas   map[string]schema   `json:"schemas"`
		Responses map[string]response `json:"responses"`
	} `json:"components"`
}

type operation struct {
	Responses map[string]response `json:"responses"`
}

type response struct {
	Ref     string `json:"$ref"`
	Content map[string]struct {
		Schema schema `json:"schema"`
	} `json:"content"`
}

type schema struct {
	Ref           string   `json:"$ref"`
	Required      []string `json:"required"`
	Discriminator *struct {
		PropertyName string            `json:"propertyName"`
		Mapping      map[string]string `json:"mapping"`
	} `json:"discriminator"`
}

func readDocument(t *testing.T) document {
	t.Helper()
	b, err := os.ReadFile("openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	var d document
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatal(err)
	}
	return d
}

// required are the fields of obj that its schema requires, in order.
func (d document) required(t *testing.T, c capture, obj map[string]json.RawMessage) []string {
	t.Helper()
	var s schema
	if c.schema != "" {
		s = d.Components.Schemas[c.schema]
	} else {
		r, ok := d.Paths[c.path][strings.ToLower(c.method)].Responses[fmt.Sprint(c.status)]
		if !ok {
			t.Fatalf("%s %s answered %d, which the document does not give", c.method, c.path, c.status)
		}
		if name, ok := strings.CutPrefix(r.Ref, "#/components/responses/"); ok {
			r = d.Components.Responses[name]
		}
		s = r.Content["application/json"].Schema
	}
	for range 3 { // a reference, a oneOf by discriminator, the schema
		if name, ok := strings.CutPrefix(s.Ref, "#/components/schemas/"); ok {
			s = d.Components.Schemas[name]
			continue
		}
		if s.Discriminator != nil {
			var v string
			_ = json.Unmarshal(obj[s.Discriminator.PropertyName], &v)
			s = schema{Ref: s.Discriminator.Mapping[v]}
		}
	}
	var out []string
	for _, name := range s.Required {
		if _, ok := obj[name]; ok {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

// recorder sends requests and keeps their answers as captures.
type recorder struct {
	t    *testing.T
	caps []capture
}

// do sends method url with body and records the answer as path's, which must come with
// status.
func (r *recorder) do(method, path, url string, body any, status int) clustertest.Response {
	r.t.Helper()
	resp := clustertest.Do(r.t, method, url, body)
	if resp.Status != status {
		r.t.Fatalf("%s %s: %d, want %d: %s", method, url, resp.Status, status, resp.Body)
	}
	r.caps = append(r.caps, capture{path: path, method: method, status: status, body: bytes.TrimSpace(resp.Body)})
	return resp
}

// captureAnswers runs the main operations against a real three-node cluster, on the
// playground and on a follower's own API, with some of the errors they answer, and reads
// messages of its event streams.
func captureAnswers(t *testing.T) []capture {
	c := clustertest.Start(t, 3)
	c.WaitReady()
	r := &recorder{t: t}
	follower := clustertest.URL(c.Followers()[0])
	c.Eventually(20*time.Second, "the playground and the follower are ready", func() bool {
		return clustertest.Do(t, "GET", c.Play+"/readyz", nil).Status == http.StatusOK &&
			clustertest.Do(t, "GET", follower+"/readyz", nil).Status == http.StatusOK
	})
	for _, base := range []string{c.Play, follower} {
		r.do("GET", "/healthz", base+"/healthz", nil, 200)
		r.do("GET", "/readyz", base+"/readyz", nil, 200)
		r.do("GET", "/v1/status", base+"/v1/status", nil, 200)
		r.do("GET", "/v1/cluster", base+"/v1/cluster", nil, 200)
		r.do("PUT", "/v1/kv/{key}", base+"/v1/kv/greeting", "hello", 200)
		r.do("PUT", "/v1/kv/{key}", base+"/v1/kv/bytes", wire.KVWrite{Value: "AAEC", Encoding: "base64"}, 200)
		r.do("GET", "/v1/kv/{key}", base+"/v1/kv/greeting?consistency=linearizable", nil, 200)
		r.do("GET", "/v1/kv/{key}", base+"/v1/kv/bytes", nil, 200)
		r.do("GET", "/v1/kv", base+"/v1/kv?prefix=&limit=1", nil, 200)
		r.do("DELETE", "/v1/kv/{key}", base+"/v1/kv/nothing-here", nil, 200)
		r.do("GET", "/v1/control/faults", base+"/v1/control/faults", nil, 200)
		r.do("GET", "/v1/control/scenarios", base+"/v1/control/scenarios", nil, 200)
		// Errors.
		r.do("GET", "/v1/kv/{key}", base+"/v1/kv/nothing-here", nil, 404)
		r.do("GET", "/v1/kv", base+"/v1/kv?limit=0", nil, 400)
		r.do("PUT", "/v1/kv/{key}", base+"/v1/kv/greeting?cas=bye", "hi", 412)
		r.do("POST", "/v1/sql", base+"/v1/sql", wire.SQLRequest{SQL: "SELEC 1"}, 400)
		r.do("POST", "/v1/sql", base+"/v1/sql", "SELECT 1", 415)
		r.do("POST", "/v1/control/kill", base+"/v1/control/kill", map[string]string{"node": "n99"}, 404)
	}
	r.do("POST", "/v1/sql", c.Play+"/v1/sql", wire.SQLRequest{SQL: "CREATE TABLE people (id int PRIMARY KEY, name text, score float); INSERT INTO people VALUES (1, 'garry', 1.5), (2, NULL, NULL)"}, 200)
	r.do("POST", "/v1/sql", follower+"/v1/sql", wire.SQLRequest{SQL: "SELECT * FROM people WHERE id >= $1 ORDER BY id", Params: []any{1}, Consistency: wire.ConsistencyLinearizable}, 200)
	r.do("POST", "/v1/sql", c.Play+"/v1/sql", wire.SQLRequest{SQL: "INSERT INTO people VALUES (1, 'again', 0)"}, 409)
	r.do("POST", "/v1/cluster/snapshot", c.Play+"/v1/cluster/snapshot", map[string]string{"node": "n2"}, 200)
	r.do("POST", "/v1/control/snapshot", follower+"/v1/control/snapshot", nil, 200)
	var fs wire.NodeStatus
	clustertest.MustOK(t, "GET", follower+"/v1/status", nil).JSON(t, &fs)
	// Joining again with the same address changes nothing.
	r.do("POST", "/v1/cluster/join", follower+"/v1/cluster/join", wire.JoinRequest{ID: fs.ID, RaftAddr: fs.RaftAddr}, 200)
	r.do("POST", "/v1/cluster/join", c.Play+"/v1/cluster/join", wire.JoinRequest{ID: "n9"}, 400)
	victim := c.Followers()[1].ID()
	r.do("POST", "/v1/control/partition", c.Play+"/v1/control/partition", map[string]any{"groups": [][]string{{victim}}}, 200)
	r.do("POST", "/v1/control/isolate", c.Play+"/v1/control/isolate", map[string]string{"node": victim}, 200)
	r.do("POST", "/v1/control/link", c.Play+"/v1/control/link", wire.Link{From: "n1", To: "n2", DelayMS: 5}, 200)
	r.do("POST", "/v1/control/speed", c.Play+"/v1/control/speed", map[string]string{"preset": "slow"}, 200)
	r.do("POST", "/v1/control/heal", c.Play+"/v1/control/heal", nil, 200)
	r.do("POST", "/v1/control/speed", follower+"/v1/control/speed", map[string]string{"preset": "realtime"}, 200)
	r.do("POST", "/v1/control/kill", c.Play+"/v1/control/kill", map[string]string{"node": victim}, 200)
	r.do("POST", "/v1/control/kill", c.Play+"/v1/control/kill", map[string]string{"node": victim}, 409)
	r.do("POST", "/v1/control/restart", c.Play+"/v1/control/restart", map[string]string{"node": victim}, 200)
	r.do("POST", "/v1/control/add-node", follower+"/v1/control/add-node", nil, 400)
	r.do("POST", "/v1/control/scenario", follower+"/v1/control/scenario", map[string]string{"name": "leader-failover"}, 400)
	added := r.do("POST", "/v1/control/add-node", c.Play+"/v1/control/add-node", nil, 200)
	var st wire.NodeStatus
	added.JSON(t, &st)
	r.do("POST", "/v1/control/remove-node", c.Play+"/v1/control/remove-node", map[string]string{"node": st.ID}, 200)
	r.do("DELETE", "/v1/cluster/nodes/{id}", c.Play+"/v1/cluster/nodes/n99", nil, 404)
	r.caps = append(r.caps, streamAnswers(t, c)...)
	// Last, as it moves the leader.
	c.WaitConverged()
	r.do("POST", "/v1/cluster/transfer-leadership", c.Play+"/v1/cluster/transfer-leadership", nil, 200)
	return r.caps
}

// streamAnswers reads the cluster's event stream while a write and two commands go
// through it: the hello, the first event of each type that comes, the commands' result and
// error events, and a batched stream's message.
func streamAnswers(t *testing.T, c *clustertest.Cluster) []capture {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	ws := strings.Replace(c.Play, "http://", "ws://", 1)
	conn := dialEvents(ctx, t, ws+"/v1/cluster/events")
	batched := dialEvents(ctx, t, ws+"/v1/cluster/events?window=5ms&types=apply,commit")
	if err := conn.Write(ctx, websocket.MessageText, []byte(`{"id":"c1","op":"kv.get","key":"greeting"}`)); err != nil {
		t.Fatal(err)
	}
	if err := conn.Write(ctx, websocket.MessageText, []byte(`{"op":`)); err != nil {
		t.Fatal(err)
	}
	clustertest.Put(t, c.Play, "streamed", "yes")
	want := []string{wire.EventHello, wire.EventResult, wire.EventError, wire.EventLogAppend, wire.EventCommit, wire.EventApply, wire.EventStatus}
	seen := map[string]bool{}
	var out []capture
	for len(seen) < len(want) {
		_, msg, err := conn.Read(ctx)
		if err != nil {
			t.Fatalf("read events (have %v of %v): %v", seen, want, err)
		}
		var ev struct{ Type string }
		if err := json.Unmarshal(msg, &ev); err != nil {
			t.Fatalf("event %s: %v", msg, err)
		}
		if seen[ev.Type] {
			continue
		}
		seen[ev.Type] = true
		out = append(out, capture{schema: "EventMessage", body: msg})
	}
	for { // after its hello, which is one event
		_, msg, err := batched.Read(ctx)
		if err != nil {
			t.Fatalf("read a batched message: %v", err)
		}
		if bytes.HasPrefix(msg, []byte("[")) {
			return append(out, capture{schema: "EventBatch", body: msg})
		}
	}
}

func dialEvents(ctx context.Context, t *testing.T, url string) *websocket.Conn {
	t.Helper()
	conn, _, err := websocket.Dial(ctx, url, &websocket.DialOptions{Subprotocols: []string{wire.WebSocketProtocol}})
	if err != nil {
		t.Fatalf("dial %s: %v", url, err)
	}
	conn.SetReadLimit(16 << 20)
	t.Cleanup(func() { conn.CloseNow() })
	return conn
}
