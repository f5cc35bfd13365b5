package wire

// Roles a node can report. "down" is a node whose raft is stopped but whose process is up;
// "unreachable" is a peer this node could not ask.
const (
	RoleLeader      = "leader"
	RoleFollower    = "follower"
	RoleCandidate   = "candidate"
	RoleDown        = "down"
	RoleUnreachable = "unreachable"
)

// Read consistency levels.
const (
	ConsistencyLocal        = "local"
	ConsistencyLeader       = "leader"
	ConsistencyLinearizable = "linearizable"
)

// NodeStatus is one node as GET /v1/status reports it.
type NodeStatus struct {
	ID                string `json:"id"`
	RaftAddr          string `json:"raft_addr"`
	HTTPAddr          string `json:"http_addr"`
	PGAddr            string `json:"pg_addr,omitempty"`
	Role              string `json:"role"`
	Leader            string `json:"leader,omitempty"`
	Term              uint64 `json:"term"`
	CommitIndex       uint64 `json:"commit_index"`
	AppliedIndex      uint64 `json:"applied_index"`
	LastIndex         uint64 `json:"last_index"`
	LastSnapshotIndex uint64 `json:"last_snapshot_index"`
	LastSnapshotTerm  uint64 `json:"last_snapshot_term"`
	LastContactMS     int64  `json:"last_contact_ms,omitempty"`
	// ElectionTimeoutMS is the timeout the node's raft timer uses in its role: the
	// heartbeat timeout for a follower or leader, the election timeout for a candidate.
	ElectionTimeoutMS int64  `json:"election_timeout_ms,omitempty"`
	Suffrage          string `json:"suffrage,omitempty"`
	Digest            string `json:"digest,omitempty"`
	// ApplyCount and RestoreCount count entries applied and snapshots restored since the
	// node's raft last started: a restart shows what was replayed.
	ApplyCount   uint64 `json:"apply_count"`
	RestoreCount uint64 `json:"restore_count"`
	// Limits are what this node allows one request (only in this node's own status).
	Limits *Limits `json:"limits,omitempty"`
	Error  string  `json:"error,omitempty"`
}

// Limits bound what one request may send and do; docs/reliability.md explains each.
type Limits struct {
	MaxStatementBytes int   `json:"max_statement_bytes"`
	MaxRequestBytes   int   `json:"max_request_bytes"`
	MaxStatements     int   `json:"max_statements"`
	MaxRowsExamined   int64 `json:"max_rows_examined"`
	MaxRowsWritten    int64 `json:"max_rows_written"`
	MaxValueBytes     int64 `json:"max_value_bytes"`
	MaxWriteBytes     int64 `json:"max_write_bytes"`
	MaxHeldBytes      int64 `json:"max_held_bytes"`
	QueryTimeoutMS    int64 `json:"query_timeout_ms"`
}

// ClusterStatus is GET /v1/cluster.
type ClusterStatus struct {
	Leader string       `json:"leader,omitempty"`
	Term   uint64       `json:"term"`
	Nodes  []NodeStatus `json:"nodes"`
}

// WriteResult is what every acknowledged write answers: where it landed in the log.
type WriteResult struct {
	Index uint64 `json:"index"`
	Term  uint64 `json:"term"`
	Node  string `json:"node"`
}

// KVPair is GET /v1/kv/{key}. Value is UTF-8 text, or standard base64 when Encoding is "base64".
type KVPair struct {
	Key      string `json:"key"`
	Value    string `json:"value"`
	Encoding string `json:"encoding,omitempty"`
	Index    uint64 `json:"index"`
}

// KVList is GET /v1/kv?prefix=.
type KVList struct {
	Items []KVPair `json:"items"`
	Index uint64   `json:"index"`
	More  bool     `json:"more,omitempty"`
}

// KVWriteResult answers PUT and DELETE on a key.
type KVWriteResult struct {
	WriteResult
	Key string `json:"key"`
	// Found is false when DELETE named a key that did not exist.
	Found *bool `json:"found,omitempty"`
}

// KVWrite is the JSON form of PUT /v1/kv/{key} (content-type application/json), which also
// carries compare-and-set: with Prev set the write happens only if the current value equals
// *Prev; with PrevExists false only if the key does not exist.
type KVWrite struct {
	Value      string  `json:"value"`
	Encoding   string  `json:"encoding,omitempty"`
	Prev       *string `json:"prev,omitempty"`
	PrevExists *bool   `json:"prev_exists,omitempty"`
}

// JoinRequest is POST /v1/cluster/join.
type JoinRequest struct {
	ID       string `json:"id"`
	RaftAddr string `json:"raft_addr"`
	HTTPAddr string `json:"http_addr,omitempty"`
	PGAddr   string `json:"pg_addr,omitempty"`
	// Voter defaults to true.
	Voter *bool `json:"voter,omitempty"`
}

// TransferRequest is POST /v1/cluster/transfer-leadership. An empty ID lets raft choose.
type TransferRequest struct {
	ID string `json:"id,omitempty"`
}

// SQLRequest is POST /v1/sql.
type SQLRequest struct {
	SQL         string `json:"sql"`
	Params      []any  `json:"params,omitempty"`
	Consistency string `json:"consistency,omitempty"`
}

// SQLColumn names a result column and its SQL type.
type SQLColumn struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

// SQLResult is the outcome of one statement. Rows hold JSON-typed values: numbers for
// integers and floats, strings for text (and for numeric and timestamps, as PostgreSQL
// prints them), booleans, and null.
type SQLResult struct {
	Columns      []SQLColumn `json:"columns,omitempty"`
	Rows         [][]any     `json:"rows,omitempty"`
	RowsAffected int64       `json:"rows_affected"`
	Command      string      `json:"command"`
}

// SQLResponse is the answer to POST /v1/sql. Index and Term are set when the request went
// through the log.
type SQLResponse struct {
	Results []SQLResult `json:"results"`
	Index   uint64      `json:"index,omitempty"`
	Term    uint64      `json:"term,omitempty"`
	Node    string      `json:"node"`
}

// ErrorBody is every error answer: {"error": {...}}.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail says what went wrong. SQLState is set for SQL errors, Position (1-based, in
// bytes) where the parser gave one, Leader when the error is about leadership.
type ErrorDetail struct {
	Code     string `json:"code"`
	Message  string `json:"message"`
	SQLState string `json:"sqlstate,omitempty"`
	Position int    `json:"position,omitempty"`
	Leader   string `json:"leader,omitempty"`
	// Current is the value found when a compare-and-set did not match (absent: no value).
	Current *string `json:"current,omitempty"`
}

// Error codes of ErrorDetail.Code. node/errors.go says which error each one answers, with
// its HTTP status and SQLSTATE.
const (
	CodeBadRequest    = "bad_request"
	CodeBadJSON       = "bad_json"
	CodeTooLarge      = "too_large"
	CodeNotFound      = "not_found"
	CodeUnknownNode   = "unknown_node"
	CodeNoLeader      = "no_leader"
	CodeNotLeader     = "not_leader"
	CodeNodeDown      = "node_down"
	CodeConflict      = "conflict"
	CodeSQL           = "sql_error"
	CodeTimeout       = "timeout"
	CodeInternal      = "internal"
	CodeUnavailable   = "unavailable"
	CodeUnsupported   = "unsupported_media_type"
	CodeIndeterminate = "indeterminate"
	CodeCASMismatch   = "cas_mismatch"
	// CodeUnauthorized (401): the request lacks the server's bearer token, or carries a
	// wrong one.
	CodeUnauthorized = "unauthorized"
	// CodeForbiddenOrigin (403): a request that changes state came from a web page of
	// another origin.
	CodeForbiddenOrigin = "forbidden_origin"
	// CodeUnknownHost (421): the Host header names neither this server nor an allowed host
	// (a DNS rebinding page sends its own name).
	CodeUnknownHost = "unknown_host"
)

// Link is a network fault on the directed link From -> To.
type Link struct {
	From    string  `json:"from"`
	To      string  `json:"to"`
	Drop    float64 `json:"drop,omitempty"`
	DelayMS int64   `json:"delay_ms,omitempty"`
	Block   bool    `json:"block,omitempty"`
}

// Faults is GET /v1/control/faults: every active fault.
type Faults struct {
	Down      []string   `json:"down"`
	Isolated  []string   `json:"isolated"`
	Partition [][]string `json:"partition,omitempty"`
	Links     []Link     `json:"links"`
	Speed     string     `json:"speed"`
	Timing    *Timing    `json:"timing,omitempty"`
}

// Timing is the raft timing in force (milliseconds).
type Timing struct {
	HeartbeatMS   int64 `json:"heartbeat_ms"`
	ElectionMS    int64 `json:"election_ms"`
	LeaderLeaseMS int64 `json:"leader_lease_ms"`
	RPCDelayMS    int64 `json:"rpc_delay_ms,omitempty"`
	// ProbeMS is how long a follower goes without contact before it checks whether its
	// leader's raft is down (0: it never does).
	ProbeMS int64 `json:"probe_ms,omitempty"`
}
