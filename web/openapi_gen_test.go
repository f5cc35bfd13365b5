package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/raftplay/raftplay/node/wire"
	"github.com/raftplay/raftplay/web/apidoc"
)

var update = flag.Bool("update", false, "rewrite openapi.json from the code")

// TestOpenAPIDocumentIsGenerated fails when openapi.json is not what the code says: the
// routes, the types they decode and answer, their doc comments and constants. go generate
// ./web rewrites it.
func TestOpenAPIDocumentIsGenerated(t *testing.T) {
	want, err := generateOpenAPI()
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile("openapi.json", want, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if !bytes.Equal(openAPI, want) {
		t.Fatalf("openapi.json differs from what the code says (go generate ./web rewrites it): %s", firstDiff(openAPI, want))
	}
}

// firstDiff shows the first line where got and want differ.
func firstDiff(got, want []byte) string {
	g, w := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
	for i := range min(len(g), len(w)) {
		if g[i] != w[i] {
			return fmt.Sprintf("line %d is\n\t%s\nand should be\n\t%s", i+1, g[i], w[i])
		}
	}
	return fmt.Sprintf("it has %d lines and should have %d", len(g), len(w))
}

// generateOpenAPI builds the document from the route table, the documentation beside it
// (openapi_ops_test.go) and the types and constants of node/wire, read by reflection and
// from source.
func generateOpenAPI() ([]byte, error) {
	src, err := apidoc.ReadSource("../node/wire", "../node", ".")
	if err != nil {
		return nil, err
	}
	srv := New(NewNodeAPI(nil), Options{})
	ops, err := commandOps(srv.routes)
	if err != nil {
		return nil, err
	}
	eventTypes := src.Consts("wire", "Event")
	r := &apidoc.Reflector{Source: src, Descriptions: typeDocs, Enums: enums(src, ops, eventTypes),
		Fields: map[string]*apidoc.Schema{
			"wire.HelloData.Recent": {Type: "array", Items: apidoc.Ref("EventMessage")},
			"wire.History.Events":   {Type: "array", Items: apidoc.Ref("EventMessage")},
		}}
	d := document()
	if err := addOperations(d, r, srv.routes, operationDocs(eventTypes, src.Consts("wire", "Consistency"))); err != nil {
		return nil, err
	}
	if err := addEvents(r, eventTypes); err != nil {
		return nil, err
	}
	if unused := r.Unused(); len(unused) > 0 {
		return nil, fmt.Errorf("schema settings for fields or types that are gone: %v", unused)
	}
	d.Components.Schemas = r.Schemas
	d.Components.Responses = usedResponses(d)
	b, err := d.Marshal()
	if err != nil {
		return nil, err
	}
	if names := unreferenced(b); len(names) > 0 {
		return nil, fmt.Errorf("components nothing refers to: %v", names)
	}
	return b, nil
}

// unreferenced are the components of doc that no $ref names, x-websocket's included
// (redocly's no-unused-components does not look there, so this check stands in for it).
func unreferenced(doc []byte) []string {
	var v struct {
		Components map[string]map[string]json.RawMessage `json:"components"`
	}
	_ = json.Unmarshal(doc, &v)
	refs := map[string]bool{}
	for _, m := range regexp.MustCompile(`"\$ref": "([^"]+)"`).FindAllSubmatch(doc, -1) {
		refs[string(m[1])] = true
	}
	var out []string
	for _, kind := range []string{"schemas", "responses"} {
		for name := range v.Components[kind] {
			if !refs["#/components/"+kind+"/"+name] {
				out = append(out, kind+"/"+name)
			}
		}
	}
	sort.Strings(out)
	return out
}

// enums are the values of the string fields that take a fixed set: the constants beside
// their types.
func enums(src *apidoc.Source, ops, eventTypes []string) map[string][]string {
	roles, suffrages := src.Consts("wire", "Role"), src.Consts("wire", "Suffrage")
	consistencies, base64 := src.Consts("wire", "Consistency"), []string{"base64"}
	return map[string][]string{
		"wire.NodeStatus.Role":        roles,
		"wire.StateData.Role":         roles,
		"wire.StateData.Prev":         roles,
		"wire.NodeStatus.Suffrage":    suffrages,
		"wire.Server.Suffrage":        suffrages,
		"wire.SQLRequest.Consistency": consistencies,
		"wire.Command.Consistency":    consistencies,
		"wire.ErrorDetail.Code":       src.Consts("wire", "Code"),
		"wire.Event.Type":             eventTypes,
		"wire.RPCData.RPC":            src.Consts("wire", "RPC"),
		"wire.PeerData.State":         src.Consts("wire", "Peer"),
		"web.speedRequest.Preset":     src.Consts("node", "Speed"),
		"wire.Command.Op":             ops,
		"wire.Command.Encoding":       base64,
		"wire.KVWrite.Encoding":       base64,
		"wire.KVPair.Encoding":        base64,
	}
}

// commandOps are the ops a command on an event stream may name: those commandRequest
// switches on, and control.<action> for every POST /v1/control/<action>.
func commandOps(routes []route) ([]string, error) {
	ops, err := apidoc.SwitchCases("ws.go", "commandRequest")
	if err != nil {
		return nil, err
	}
	for _, rt := range routes {
		if a, ok := strings.CutPrefix(rt.pattern, "/v1/control/"); ok && rt.method == http.MethodPost {
			ops = append(ops, "control."+a)
		}
	}
	return slices.Compact(ops), nil
}

func document() *apidoc.Document {
	return &apidoc.Document{
		OpenAPI: "3.1.1",
		Info: apidoc.Info{Title: "raftplay HTTP API", Version: "1", Description: strings.Join([]string{
			"The API of one raftplay node, or of a playground acting on an embedded cluster; both serve the same routes. Writes sent to a follower are forwarded to the leader.",
			"JSON uses snake_case. A field an answer's schema requires is always there; the others are left out when empty. Answers may gain fields, never lose or rename one. JSON bodies with fields the server does not know are refused (400 bad_json).",
			"Errors are {\"error\": {\"code\", \"message\"}} with the status given per operation; 503 answers carry Retry-After. Every request must name the server in its Host header (421 unknown_host); a request that changes state (every method but GET, HEAD and OPTIONS, and every WebSocket upgrade) from a web page of another origin gets 403 forbidden_origin; every POST body must be sent as application/json (415). Headers over 64 KiB get 431.",
			"This document is generated from the server's code (go generate ./web) and checked against it by the tests.",
		}, "\n\n")},
		Servers: []apidoc.Server{
			{URL: "http://127.0.0.1:8080", Description: "The playground (raftplay play) at its default address."},
			// No descriptions on the variables: the OpenAPI 3.1 schema swagger-parser
			// validates against misspells that field, and refuses it.
			{URL: "{scheme}://{host}:{port}", Description: "One node (raftplay node) at its --http-addr (host and port); https when it has --tls-cert.",
				Variables: map[string]apidoc.ServerVariable{
					"scheme": {Default: "http", Enum: []string{"http", "https"}},
					"host":   {Default: "127.0.0.1"},
					"port":   {Default: "8001"},
				}},
		},
		Security: []map[string][]string{{"bearerToken": {}}},
		Tags:     tags,
		Paths:    map[string]apidoc.PathItem{},
		Components: apidoc.Components{SecuritySchemes: map[string]apidoc.SecurityScheme{
			"bearerToken": {Type: "http", Scheme: "bearer",
				Description: "The server's --auth-token, as Authorization: Bearer <token>; needed only when the server was started with one. A WebSocket upgrade may carry it instead as a Sec-WebSocket-Protocol entry raftplay.bearer.<the token in unpadded base64url>, next to raftplay, which the server then selects."},
		}},
	}
}

// addOperations documents every route, and fails on a route without documentation or
// documentation without a route.
func addOperations(d *apidoc.Document, r *apidoc.Reflector, routes []route, docs map[string]operationDoc) error {
	seen := map[string]bool{}
	for _, rt := range routes {
		key := rt.method + " " + rt.pattern
		od, ok := docs[key]
		if !ok {
			return fmt.Errorf("route %s is not documented (openapi_ops_test.go)", key)
		}
		seen[key] = true
		path := strings.ReplaceAll(rt.pattern, "...}", "}")
		op, err := operation(r, rt.method, path, od)
		if err != nil {
			return fmt.Errorf("%s: %w", key, err)
		}
		if d.Paths[path] == nil {
			d.Paths[path] = apidoc.PathItem{}
		}
		d.Paths[path][strings.ToLower(rt.method)] = op
	}
	for key := range docs {
		if !seen[key] {
			return fmt.Errorf("%s is documented but not routed", key)
		}
	}
	return nil
}

var pathParam = regexp.MustCompile(`\{([^}]+)\}`)

func operation(r *apidoc.Reflector, method, path string, od operationDoc) (*apidoc.Operation, error) {
	op := &apidoc.Operation{OperationID: od.id, Summary: od.summary, Description: od.description, Tags: []string{od.tag}}
	for _, m := range pathParam.FindAllStringSubmatch(path, -1) {
		desc, ok := od.pathParams[m[1]]
		if !ok {
			return nil, fmt.Errorf("path parameter %s is not described", m[1])
		}
		op.Parameters = append(op.Parameters, apidoc.Parameter{Name: m[1], In: "path", Required: true, Description: desc, Schema: &apidoc.Schema{Type: "string"}})
	}
	op.Parameters = append(op.Parameters, od.query...)
	if od.body != nil {
		s, err := r.Of(od.body)
		if err != nil {
			return nil, err
		}
		content := map[string]apidoc.MediaType{"application/json": {Schema: s}}
		desc := ""
		if od.rawBody {
			content["application/octet-stream"] = apidoc.MediaType{Schema: &apidoc.Schema{Description: "The value's bytes."}}
			desc = "The value as bytes, in any content type but application/json; or, as application/json, a KVWrite."
		}
		op.RequestBody = &apidoc.RequestBody{Description: desc, Required: !od.bodyOptional, Content: content}
	}
	ok, err := success(r, od)
	if err != nil {
		return nil, err
	}
	op.Responses = map[string]*apidoc.Response{}
	for code, resp := range ok {
		op.Responses[code] = resp
	}
	for _, status := range statuses(method, path, od) {
		op.Responses[strconv.Itoa(status)] = &apidoc.Response{Ref: "#/components/responses/" + errorResponses[status].name}
	}
	op.Responses["default"] = &apidoc.Response{Ref: "#/components/responses/" + errorResponses[0].name}
	if public(httptest.NewRequest(method, pathParam.ReplaceAllString(path, "x"), nil)) {
		op.Security = &[]map[string][]string{}
	}
	if od.stream {
		op.WebSocket = &apidoc.WebSocket{Subprotocol: wire.WebSocketProtocol,
			Description: "The server sends EventMessage objects, one per message, or with batch (or window) EventBatch arrays; the first is a hello unless since resumes. The client may send Command objects; each is answered with a result event carrying its id. Messages to the server are limited to 64 KiB (close code 1009); a client that falls more than 4096 events behind is closed with 1013.",
			Receive:     &apidoc.Schema{OneOf: []*apidoc.Schema{apidoc.Ref("EventMessage"), apidoc.Ref("EventBatch")}},
			Send:        apidoc.Ref("Command")}
	}
	return op, nil
}

// success is an operation's answer when it succeeds.
func success(r *apidoc.Reflector, od operationDoc) (map[string]*apidoc.Response, error) {
	switch {
	case od.stream:
		return map[string]*apidoc.Response{"101": {Description: "Switching Protocols: the WebSocket is open; x-websocket describes its messages."}}, nil
	case od.text:
		return map[string]*apidoc.Response{"200": {Description: od.answerDoc,
			Content: map[string]apidoc.MediaType{"text/plain": {Schema: &apidoc.Schema{Type: "string"}}}}}, nil
	}
	s, err := r.Of(od.answer)
	if err != nil {
		return nil, err
	}
	return map[string]*apidoc.Response{"200": {Description: od.answerDoc,
		Content: map[string]apidoc.MediaType{"application/json": {Schema: s}}}}, nil
}

// statuses are the error statuses of an operation: its handler's, and admission's (admit,
// requireJSON and route in server.go, errors.go).
func statuses(method, path string, od operationDoc) []int {
	set := map[int]bool{http.StatusMisdirectedRequest: true}
	for _, s := range od.errors {
		set[s] = true
	}
	if !public(httptest.NewRequest(method, pathParam.ReplaceAllString(path, "x"), nil)) {
		set[http.StatusUnauthorized] = true
	}
	if (method != http.MethodGet && method != http.MethodHead) || od.stream {
		set[http.StatusForbidden] = true
	}
	if od.body != nil {
		set[http.StatusBadRequest], set[http.StatusRequestTimeout], set[http.StatusRequestEntityTooLarge] = true, true, true
	}
	if method == http.MethodPost {
		set[http.StatusUnsupportedMediaType] = true
	}
	if od.stream {
		set[http.StatusUpgradeRequired] = true
	}
	var out []int
	for s := range set {
		out = append(out, s)
	}
	sort.Ints(out)
	return out
}

// errorResponse is the shared response of one error status.
type errorResponse struct {
	name, description string
	text              bool // the WebSocket library's own answers are text
}

// errorResponses by status; 0 is the default response. Their codes are node/errors.go's.
var errorResponses = map[int]errorResponse{
	0:   {"Error", "Any other error: 500 internal, or 504 timeout when a read or a statement ran past its time.", false},
	400: {"BadRequest", "bad_request (a parameter or field out of range), bad_json (a body that is not the JSON asked for), or sql_error with a SQLSTATE (and position, where the parser gave one); a WebSocket handshake the library refuses is answered in text.", false},
	401: {"Unauthorized", "unauthorized: the server's token is missing or wrong.", false},
	403: {"ForbiddenOrigin", "forbidden_origin: a request that changes state came from a web page of another origin.", false},
	404: {"NotFound", "not_found (no such key) or unknown_node.", false},
	408: {"SlowBody", "timeout: the request body did not arrive within the server's body timeout (30 s).", false},
	409: {"Conflict", "conflict (the node is already down or up, or a scenario is running), or sql_error for a unique violation (23505) or a serialization failure (40001).", false},
	412: {"CASMismatch", "cas_mismatch: the compare-and-set did not match; current is the value found (absent: none).", false},
	413: {"TooLarge", "too_large: the body is over the server's --max-body (1 MiB by default), or sql_error 54000 for a request over the SQL limits.", false},
	415: {"UnsupportedMediaType", "unsupported_media_type: a body that is not sent as application/json.", false},
	421: {"UnknownHost", "unknown_host: the Host header names neither this server nor an allowed host.", false},
	426: {"UpgradeRequired", "Upgrade Required: the request is not a WebSocket handshake.", true},
	503: {"Unavailable", "no_leader, not_leader, node_down or unavailable: retry after Retry-After; indeterminate: leadership changed while the write was in flight, so it may or may not have been applied.", false},
}

// usedResponses are the shared error responses the operations refer to.
func usedResponses(d *apidoc.Document) map[string]*apidoc.Response {
	byName := map[string]int{}
	for status, er := range errorResponses {
		byName[er.name] = status
	}
	out := map[string]*apidoc.Response{}
	for _, item := range d.Paths {
		for _, op := range item {
			for _, resp := range op.Responses {
				name, ok := strings.CutPrefix(resp.Ref, "#/components/responses/")
				if !ok {
					continue
				}
				out[name] = errorResponseOf(byName[name])
			}
		}
	}
	return out
}

func errorResponseOf(status int) *apidoc.Response {
	er := errorResponses[status]
	content := map[string]apidoc.MediaType{"application/json": {Schema: apidoc.Ref("ErrorBody")}}
	if er.text {
		content = map[string]apidoc.MediaType{"text/plain": {Schema: &apidoc.Schema{Type: "string"}}}
	}
	if status == http.StatusBadRequest {
		content["text/plain"] = apidoc.MediaType{Schema: &apidoc.Schema{Type: "string"}}
	}
	resp := &apidoc.Response{Description: er.description, Content: content}
	switch status {
	case http.StatusServiceUnavailable:
		resp.Headers = map[string]apidoc.Header{"Retry-After": {Description: "Seconds to wait before retrying.", Schema: &apidoc.Schema{Type: "integer"}}}
	case http.StatusUnauthorized:
		resp.Headers = map[string]apidoc.Header{"WWW-Authenticate": {Description: `Bearer realm="raftplay"`, Schema: &apidoc.Schema{Type: "string"}}}
	}
	return resp
}

// addEvents adds the event stream's messages: one schema per event type (the envelope
// with that type and its data), EventMessage (any of them), EventBatch (an array of them)
// and Command.
func addEvents(r *apidoc.Reflector, eventTypes []string) error {
	if _, err := r.Of(wire.Event{}); err != nil {
		return err
	}
	for _, v := range []any{wire.Command{}, wire.ErrorBody{}} {
		if _, err := r.Of(v); err != nil {
			return err
		}
	}
	envelope := r.Schemas["Event"]
	delete(r.Schemas, "Event") // only its copies, one per type, are referred to
	msg := &apidoc.Schema{Description: "One event: " + envelope.Description,
		Discriminator: &apidoc.Discriminator{PropertyName: "type", Mapping: map[string]string{}}}
	for _, typ := range eventTypes {
		data, ok := eventData[typ]
		if !ok {
			return fmt.Errorf("event type %q has no data type (eventData)", typ)
		}
		ds, err := r.Of(data)
		if err != nil {
			return err
		}
		name := camel(typ) + "Event"
		if _, taken := r.Schemas[name]; taken {
			return fmt.Errorf("event type %q: another schema is named %s", typ, name)
		}
		s := *envelope
		s.Description = fmt.Sprintf("An event of type %s.", typ)
		s.Properties = &apidoc.Properties{}
		for _, p := range envelope.Properties.Names() {
			ps := envelope.Properties.Get(p)
			switch p {
			case "type":
				ps = &apidoc.Schema{Type: "string", Const: typ, Description: ps.Description}
			case "data":
				ps = &apidoc.Schema{Ref: ds.Ref, Description: ps.Description}
			}
			s.Properties.Set(p, ps)
		}
		r.Schemas[name] = &s
		ref := apidoc.Ref(name)
		msg.OneOf = append(msg.OneOf, ref)
		msg.Discriminator.Mapping[typ] = ref.Ref
	}
	for typ := range eventData {
		if !slices.Contains(eventTypes, typ) {
			return errors.New("eventData has a type node/wire does not declare: " + typ)
		}
	}
	r.Schemas["EventMessage"] = msg
	r.Schemas["EventBatch"] = &apidoc.Schema{Type: "array", Items: apidoc.Ref("EventMessage"),
		Description: "A message of a batched stream (batch=true or window=): the window's events in order."}
	return nil
}

// camel turns log_append into LogAppend.
func camel(s string) string {
	var b strings.Builder
	for _, part := range strings.Split(s, "_") {
		if part != "" {
			b.WriteString(strings.ToUpper(part[:1]) + part[1:])
		}
	}
	return b.String()
}
