package web

import (
	"github.com/raftplay/raftplay/node/wire"
	"github.com/raftplay/raftplay/web/apidoc"
)

// What the OpenAPI document says about each route that the code cannot: its name, what it
// is for, its query parameters and the errors its handler can answer. Everything else (the
// routes, bodies and answers, admission errors, schemas) comes from the code; see
// openapi_gen_test.go. A route missing here, or an entry for a route that is gone, fails
// the generator.
type operationDoc struct {
	id, summary, description string
	tag                      string
	// query are the query parameters; path parameters come from the pattern, described by
	// pathParams.
	query      []apidoc.Parameter
	pathParams map[string]string
	// body is the value the handler decodes its JSON body into (nil: no body), optional
	// when an empty body is fine; rawBody says any other content type is the body's bytes.
	body         any
	bodyOptional bool
	rawBody      bool
	// answer is what a 200 carries (nil with text: text/plain), answerDoc says what it is.
	answer    any
	answerDoc string
	text      bool
	// errors are the statuses the handler itself can answer, beyond those of admission,
	// which the generator adds (421 always; 401 where a token is needed; 403 for what
	// changes state and WebSocket upgrades; 400, 408 and 413 with a body; 415 for every
	// POST).
	errors []int
	// stream upgrades to a WebSocket.
	stream bool
}

// The answers the handlers write as maps, as types the schemas can be made from. The
// typed-client check compares them with real answers.
type (
	probeAnswer struct {
		Status string `json:"status"`
	}
	joinAnswer struct {
		Joined string `json:"joined"`
	}
	removeAnswer struct {
		Removed string `json:"removed"`
	}
	transferAnswer struct {
		Leader string `json:"leader"`
	}
	scenariosAnswer struct {
		Scenarios []wire.Scenario `json:"scenarios"`
	}
	scenarioStarted struct {
		Started     string `json:"started"`
		Description string `json:"description"`
	}
)

// typeDocs describe the types whose doc comments are not written for API users.
var typeDocs = map[string]string{
	"web.probeAnswer":      "A probe's answer: ok (/healthz) or ready (/readyz).",
	"web.joinAnswer":       "The node that joined.",
	"web.removeAnswer":     "The node that was removed.",
	"web.transferAnswer":   "The leader after the transfer (empty while none is known).",
	"web.scenariosAnswer":  "The scenarios the server can run (none on a node process).",
	"web.scenarioStarted":  "The scenario that started.",
	"web.nodeRequest":      "Names the node a control action concerns.",
	"web.snapshotRequest":  "The node to snapshot (the playground's nodes); empty, or no body, is the node serving the request.",
	"web.transferRequest":  "The node to hand leadership to, as id or node; neither lets raft choose an up-to-date follower.",
	"web.partitionRequest": "The groups of a partition: nodes in different groups cannot reach each other; the nodes no group names form one more group.",
	"web.speedRequest":     "A speed preset, or explicit raft timings (milliseconds) with an optional delay on every RPC.",
	"web.scenarioRequest":  "The scenario to start, as GET /v1/control/scenarios names it.",
}

var (
	encodingParam = apidoc.Parameter{Name: "encoding", In: "query",
		Description: "base64: every value comes back base64-encoded (values that are not UTF-8 always do, with encoding base64).",
		Schema:      &apidoc.Schema{Type: "string", Enum: []string{"base64"}}}
	keyParam = map[string]string{"key": "The key: any bytes, \"/\" included, sent as they are (not as a path to clean); at most 1 KiB."}
	nodeErrs = []int{404, 409, 503}
)

// streamQuery are the event streams' filters (ws.go, parseFilter).
func streamQuery(eventTypes []string) []apidoc.Parameter {
	no := false
	zero := int64(0)
	return []apidoc.Parameter{
		{Name: "types", In: "query", Style: "form", Explode: &no, Description: "Only events of these types (comma-separated).",
			Schema: &apidoc.Schema{Type: "array", Items: &apidoc.Schema{Type: "string", Enum: eventTypes}}},
		{Name: "nodes", In: "query", Style: "form", Explode: &no, Description: "Only events of these nodes (comma-separated); events of no node pass.",
			Schema: &apidoc.Schema{Type: "array", Items: &apidoc.Schema{Type: "string"}}},
		{Name: "heartbeats", In: "query", Description: "summary (the default): heartbeats, and empty append_entries that change nothing, arrive only as per-link heartbeats summaries (every 250 ms per link with traffic); all: every such rpc event too.",
			Schema: &apidoc.Schema{Type: "string", Enum: []string{"summary", "all"}, Default: "summary"}},
		{Name: "batch", In: "query", Description: "Send events as JSON arrays of envelopes (up to 512), at most one message per window: 20 ms while the server has up to 50 batched streams, stretched beyond that to 0.4 ms times their number (at most 100 ms).",
			Schema: &apidoc.Schema{Type: "boolean", Default: false}},
		{Name: "window", In: "query", Description: "Batch with this window instead, a Go duration from 1ms to 1s (implies batch=true); a crowd of streams still stretches it.",
			Schema: &apidoc.Schema{Type: "string", Pattern: `^([0-9]+(\.[0-9]*)?(ns|us|µs|ms|s|m|h))+$`}},
		{Name: "since", In: "query", Description: "Resume after this sequence number: the events after it are replayed from the stream's history (the cluster stream keeps at least the smaller of 10 minutes and 200,000 events; a node's own /v1/events its last 8192) instead of a hello; if they are gone the stream starts over with a hello.",
			Schema: &apidoc.Schema{Type: "integer", Minimum: &zero}},
	}
}

// operationDocs are the routes' documentation, by "METHOD pattern" as the route table has
// it, given the values of event types and of consistency levels.
func operationDocs(eventTypes, consistencies []string) map[string]operationDoc {
	docs := controlDocs()
	for k, v := range dataDocs(eventTypes, consistencies) {
		docs[k] = v
	}
	return docs
}

// dataDocs document the routes of probes, the cluster, keys, SQL and event streams.
func dataDocs(eventTypes, consistencies []string) map[string]operationDoc {
	one, max := int64(1), int64(10000)
	consistencyParam := apidoc.Parameter{Name: "consistency", In: "query",
		Description: "local: this node's state as it is (may be stale); leader (the default): the leader answers while a quorum confirmed its leadership within half a heartbeat timeout; linearizable: the leader confirms its leadership with a quorum for this read.",
		Schema:      &apidoc.Schema{Type: "string", Enum: consistencies, Default: wire.ConsistencyLeader}}
	return map[string]operationDoc{
		"GET /healthz": {id: "getHealth", tag: "health", summary: "The process is up",
			answer: probeAnswer{}, answerDoc: "The process is up."},
		"GET /readyz": {id: "getReady", tag: "health", summary: "Ready to serve writes",
			description: "Ready: a leader is known, and this node has applied its log as it was when it first saw one and everything committed since. A node that knows no leader or is down answers 503 (no_leader, node_down); one still applying its log answers 503 catching_up.",
			answer:      probeAnswer{}, answerDoc: "Ready.", errors: []int{503}},
		"GET /v1/openapi.json": {id: "getOpenAPI", tag: "health", summary: "This document",
			answer: map[string]any{}, answerDoc: "The OpenAPI document."},
		"GET /v1/status": {id: "getStatus", tag: "cluster", summary: "This node's status",
			description: "This node (on the playground: the node serving data requests), with the limits it applies to one request.",
			answer:      wire.NodeStatus{}, answerDoc: "The node.", errors: []int{503}},
		"GET /v1/cluster": {id: "getCluster", tag: "cluster", summary: "Every member with its role, term and indexes",
			description: "A node asks its peers; one it cannot reach is listed with role unreachable.",
			answer:      wire.ClusterStatus{}, answerDoc: "The cluster.", errors: []int{503}},
		"POST /v1/cluster/join": {id: "joinCluster", tag: "cluster", summary: "Add a node to the cluster",
			description: "Sent to a follower, the join is forwarded to the leader. Joining again with the same address is a no-op.",
			body:        wire.JoinRequest{}, answer: joinAnswer{}, answerDoc: "Joined.", errors: []int{503}},
		"DELETE /v1/cluster/nodes/{id}": {id: "removeClusterMember", tag: "cluster", summary: "Remove a member from the raft configuration",
			pathParams: map[string]string{"id": "The member's node id."},
			answer:     removeAnswer{}, answerDoc: "Removed.", errors: []int{404, 503}},
		"POST /v1/cluster/transfer-leadership": {id: "transferLeadership", tag: "cluster", summary: "Hand leadership to a node, or to any up-to-date follower",
			body: transferRequest{}, bodyOptional: true, answer: transferAnswer{}, answerDoc: "Transferred.", errors: []int{404, 503}},
		"POST /v1/cluster/snapshot": {id: "snapshotNode", tag: "cluster", summary: "Snapshot now and compact the log",
			description: "On the named node (the playground's nodes), or on the node serving the request.",
			body:        snapshotRequest{}, bodyOptional: true, answer: wire.SnapshotData{}, answerDoc: "The snapshot taken.", errors: []int{404, 503}},
		"GET /v1/kv": {id: "listKeys", tag: "kv", summary: "List keys by prefix, in key order",
			query: []apidoc.Parameter{
				{Name: "prefix", In: "query", Description: "Only keys that start with this.", Schema: &apidoc.Schema{Type: "string"}},
				{Name: "limit", In: "query", Description: "At most this many keys; more says whether there were others.",
					Schema: &apidoc.Schema{Type: "integer", Minimum: &one, Maximum: &max, Default: 100}},
				consistencyParam, encodingParam},
			answer: wire.KVList{}, answerDoc: "The keys, in order.", errors: []int{400, 503}},
		"GET /v1/kv/{key...}": {id: "getKey", tag: "kv", summary: "Read a key", pathParams: keyParam,
			query:  []apidoc.Parameter{consistencyParam, encodingParam},
			answer: wire.KVPair{}, answerDoc: "The key's value.", errors: []int{400, 404, 503}},
		"PUT /v1/kv/{key...}": {id: "putKey", tag: "kv", summary: "Write a key", pathParams: keyParam,
			description: "The body is the value, as bytes; with Content-Type application/json it is a KVWrite instead, which can also carry a compare-and-set. A compare-and-set that does not match answers 412 cas_mismatch with the current value.",
			query: []apidoc.Parameter{
				{Name: "encoding", In: "query", Description: "base64: the body is base64 (of a raw body).", Schema: &apidoc.Schema{Type: "string", Enum: []string{"base64"}}},
				{Name: "cas", In: "query", Description: "Compare-and-set: write only if the current value is this (of a raw body).", Schema: &apidoc.Schema{Type: "string"}},
				{Name: "prev_exists", In: "query", Description: "false: write only if the key does not exist; true: only if it does (of a raw body).", Schema: &apidoc.Schema{Type: "boolean"}}},
			body: wire.KVWrite{}, rawBody: true, answer: wire.KVWriteResult{}, answerDoc: "Written.", errors: []int{412, 503}},
		"DELETE /v1/kv/{key...}": {id: "deleteKey", tag: "kv", summary: "Delete a key", pathParams: keyParam,
			answer: wire.KVWriteResult{}, answerDoc: "Deleted; found says whether the key existed.", errors: []int{400, 503}},
		"POST /v1/sql": {id: "runSQL", tag: "sql", summary: "Run SQL statements",
			description: "PostgreSQL syntax. All statements of a request that writes are one raft entry, checked on the leader before it enters the log: all or nothing. Reads run at the consistency asked for. Errors carry a SQLSTATE: 400 for most, 409 for a unique violation or a serialization failure, 413 (54000) past the limits, 504 (57014) past the query timeout.",
			body:        wire.SQLRequest{}, answer: wire.SQLResponse{}, answerDoc: "One result per statement.", errors: []int{409, 503}},
		"GET /v1/events": {id: "streamNodeEvents", tag: "events", summary: "This node's event stream (WebSocket)", stream: true,
			description: "One node's own events (on the playground: the merged stream). The first message is a hello with the whole picture, unless since resumes; then the events as they happen. Commands may be sent on the socket; each gets a result event.",
			query:       streamQuery(eventTypes), errors: []int{400}},
		"GET /v1/cluster/events": {id: "streamClusterEvents", tag: "events", summary: "The whole cluster's merged event stream (WebSocket)", stream: true,
			description: "A node merges its own events with its peers' streams, which it follows only while someone is subscribed. Otherwise as /v1/events.",
			query:       streamQuery(eventTypes), errors: []int{400}},
		"GET /v1/cluster/events/history": {id: "getEventHistory", tag: "events", summary: "The cluster stream's kept events, a page at a time",
			description: "The events the cluster stream keeps (at least the smaller of 10 minutes and 200,000 events, at most 128 MiB), with after < seq < before, filtered like a stream, in seq order. Page forward by passing the last seq as after.",
			query:       append(historyQuery(), streamQuery(eventTypes)[:3]...), answer: wire.History{}, answerDoc: "A page of events.", errors: []int{400}},
		"GET /v1/cluster/events/keyframe": {id: "getEventKeyframe", tag: "events", summary: "The cluster's picture at or before a seq",
			description: "The newest keyframe (recorded every 2 s) at or before at: the hello the stream would have sent then. Replaying the history's events after its seq rebuilds the picture at any later moment.",
			query:       []apidoc.Parameter{{Name: "at", In: "query", Description: "A sequence number (default: the newest).", Schema: &apidoc.Schema{Type: "integer", Minimum: new(int64)}}},
			answer:      wire.Keyframe{}, answerDoc: "The keyframe.", errors: []int{400, 404}},
	}
}

// historyQuery are the history's paging parameters.
func historyQuery() []apidoc.Parameter {
	zero, one, most := int64(0), int64(1), int64(20000)
	return []apidoc.Parameter{
		{Name: "after", In: "query", Description: "Only events after this sequence number (default 0).", Schema: &apidoc.Schema{Type: "integer", Minimum: &zero}},
		{Name: "before", In: "query", Description: "Only events before this sequence number (default: no bound).", Schema: &apidoc.Schema{Type: "integer", Minimum: &zero}},
		{Name: "limit", In: "query", Description: "At most this many events.", Schema: &apidoc.Schema{Type: "integer", Minimum: &one, Maximum: &most, Default: 5000}},
	}
}

// controlDocs document the control routes.
func controlDocs() map[string]operationDoc {
	return map[string]operationDoc{
		"GET /v1/control/faults": {id: "getFaults", tag: "control", summary: "The active faults",
			answer: wire.Faults{}, answerDoc: "Down and isolated nodes, the partition, link faults and the speed."},
		"POST /v1/control/kill": {id: "killNode", tag: "control", summary: "Kill a node: its raft and transport stop; its disk and HTTP API stay",
			body: nodeRequest{}, answer: wire.Faults{}, answerDoc: "The faults after it.", errors: nodeErrs},
		"POST /v1/control/restart": {id: "restartNode", tag: "control", summary: "Restart a killed node from its snapshot and log",
			body: nodeRequest{}, answer: wire.Faults{}, answerDoc: "The faults after it.", errors: nodeErrs},
		"POST /v1/control/isolate": {id: "isolateNode", tag: "control", summary: "Cut every raft connection of a node, both ways",
			body: nodeRequest{}, answer: wire.Faults{}, answerDoc: "The faults after it.", errors: nodeErrs},
		"POST /v1/control/partition": {id: "partitionCluster", tag: "control", summary: "Split the cluster into groups that cannot reach each other",
			body: partitionRequest{}, answer: wire.Faults{}, answerDoc: "The faults after it.", errors: []int{404, 503}},
		"POST /v1/control/heal": {id: "healCluster", tag: "control", summary: "Remove every network fault",
			body: struct{}{}, bodyOptional: true, answer: wire.Faults{}, answerDoc: "The faults after it.", errors: []int{503}},
		"POST /v1/control/link": {id: "setLinkFault", tag: "control", summary: "Set the fault on the directed link from → to",
			description: "Drop a share of its RPCs (0 to 1), delay them (0 to 60000 ms) or block it; zero values remove the fault.",
			body:        wire.Link{}, answer: wire.Faults{}, answerDoc: "The faults after it.", errors: []int{404, 503}},
		"POST /v1/control/speed": {id: "setSpeed", tag: "control", summary: "Change raft's timings live",
			description: "realtime is the configured timing; slow is slower with a visible delay on every RPC. Explicit values need a heartbeat and an election timeout of at least 10 ms (the heartbeat at least the leader lease, the election at least the heartbeat) and an RPC delay under half the heartbeat.",
			body:        speedRequest{}, answer: wire.Faults{}, answerDoc: "The faults after it.", errors: []int{503}},
		"POST /v1/control/add-node": {id: "addNode", tag: "control", summary: "Start a new node in the playground's cluster and join it",
			description: "A node process answers 400: start `raftplay node --join` instead.",
			body:        struct{}{}, bodyOptional: true, answer: wire.NodeStatus{}, answerDoc: "The new node.", errors: []int{503}},
		"POST /v1/control/remove-node": {id: "removeNode", tag: "control", summary: "Remove a node from the cluster",
			description: "The playground also stops the node and deletes its data.",
			body:        nodeRequest{}, answer: removeAnswer{}, answerDoc: "Removed.", errors: []int{404, 503}},
		"POST /v1/control/transfer-leadership": {id: "controlTransferLeadership", tag: "control", summary: "Hand leadership to a node, or to any up-to-date follower",
			description: "The same as POST /v1/cluster/transfer-leadership, which also takes the node as id.",
			body:        transferRequest{}, bodyOptional: true, answer: transferAnswer{}, answerDoc: "Transferred.", errors: []int{404, 503}},
		"POST /v1/control/snapshot": {id: "controlSnapshot", tag: "control", summary: "Snapshot a node now and compact its log",
			description: "The same as POST /v1/cluster/snapshot.",
			body:        snapshotRequest{}, bodyOptional: true, answer: wire.SnapshotData{}, answerDoc: "The snapshot taken.", errors: []int{404, 503}},
		"GET /v1/control/scenarios": {id: "listScenarios", tag: "control", summary: "The scripted scenarios the server can run",
			answer: scenariosAnswer{}, answerDoc: "The scenarios."},
		"POST /v1/control/scenario": {id: "startScenario", tag: "control", summary: "Start a scenario; its steps arrive as fault events",
			description: "Only the playground runs scenarios; a node process answers 400, and a second one while one runs 409.",
			body:        scenarioRequest{}, answer: scenarioStarted{}, answerDoc: "Started.", errors: []int{409}},
		"GET /metrics": {id: "getMetrics", tag: "health", summary: "Prometheus metrics",
			description: "Node roles, terms and indexes, HTTP requests by route, event streams, in the Prometheus text format.",
			text:        true, answerDoc: "The metrics."},
	}
}

// tags group the operations, in the document's order.
var tags = []apidoc.Tag{
	{Name: "kv", Description: "Keys and values, replicated through the raft log."},
	{Name: "sql", Description: "SQL over the replicated state (PostgreSQL dialect)."},
	{Name: "cluster", Description: "Status and membership of the raft cluster."},
	{Name: "events", Description: "What the nodes do, live, over a WebSocket."},
	{Name: "control", Description: "Faults and control: kill, restart, isolate, partition, slow down."},
	{Name: "health", Description: "Probes, metrics and this document."},
}

// eventData is the payload of each event type, as node and web emit them.
var eventData = map[string]any{
	wire.EventHello:      wire.HelloData{},
	wire.EventState:      wire.StateData{},
	wire.EventLeader:     wire.LeaderData{},
	wire.EventRPC:        wire.RPCData{},
	wire.EventLogAppend:  wire.LogAppendData{},
	wire.EventLogDelete:  wire.LogDeleteData{},
	wire.EventCommit:     wire.CommitData{},
	wire.EventApply:      wire.ApplyData{},
	wire.EventStatus:     wire.NodeStatus{},
	wire.EventSnapshot:   wire.SnapshotData{},
	wire.EventMembership: wire.MembershipData{},
	wire.EventFault:      wire.FaultData{},
	wire.EventResult:     wire.ResultData{},
	wire.EventError:      wire.ErrorDetail{},
	wire.EventHeartbeats: wire.HeartbeatsData{},
	wire.EventVote:       wire.VoteData{},
	wire.EventLeaderDown: wire.LeaderDownData{},
	wire.EventPeer:       wire.PeerData{},
}
