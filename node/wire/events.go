package wire

import (
	"encoding/json"
	"time"
)

// Event types. The envelope and these names are a contract: fields may be added, never renamed.
const (
	EventHello      = "hello"
	EventState      = "state"
	EventLeader     = "leader"
	EventRPC        = "rpc"
	EventLogAppend  = "log_append"
	EventLogDelete  = "log_delete"
	EventCommit     = "commit"
	EventApply      = "apply"
	EventStatus     = "status"
	EventSnapshot   = "snapshot"
	EventMembership = "membership"
	EventFault      = "fault"
	EventResult     = "result"
	EventError      = "error"
	EventHeartbeats = "heartbeats"
	EventVote       = "vote"
	EventLeaderDown = "leader_down"
)

// Event is the envelope of everything on an event stream. Seq is assigned by the hub that
// merges node streams (0 on a node's own stream before merging); Data is the type's payload,
// encoded once when the event is made so fan-out copies bytes, not structs.
type Event struct {
	Seq  uint64          `json:"seq"`
	Node string          `json:"node,omitempty"`
	Time time.Time       `json:"time"`
	Type string          `json:"type"`
	Data json.RawMessage `json:"data,omitempty"`
	// Encoded is the event's JSON, filled in once by the stream that numbered it so that
	// fan-out copies bytes; it is not part of the encoding.
	Encoded []byte `json:"-"`
	// Heartbeat marks an rpc event that default streams fold into the per-link heartbeats
	// summary instead of sending: a heartbeat or an idle append (its data says which), so
	// that a stream can drop them without decoding the data. It is not part of the encoding.
	Heartbeat bool `json:"-"`
}

// NewEvent encodes data into an event envelope stamped with t.
func NewEvent(node, typ string, t time.Time, data any) Event {
	raw, err := json.Marshal(data)
	if err != nil {
		raw, _ = json.Marshal(ErrorDetail{Code: CodeInternal, Message: "encode event: " + err.Error()})
		typ = EventError
	}
	return Event{Node: node, Time: t, Type: typ, Data: raw}
}

// StateData is a role change.
type StateData struct {
	Role string `json:"role"`
	Prev string `json:"prev,omitempty"`
	Term uint64 `json:"term"`
	// ElectionTimeoutMS is, on becoming candidate, the election timeout the node now waits
	// out (raft draws the real timer between it and twice it).
	ElectionTimeoutMS int64 `json:"election_timeout_ms,omitempty"`
}

// LeaderData is a change of the leader a node knows. Leader is empty when it knows none.
type LeaderData struct {
	Leader string `json:"leader"`
	Term   uint64 `json:"term"`
}

// LeaderDownData is a follower finding its leader's raft down (its port refuses
// connections) after QuietMS without contact; it starts an election at once.
type LeaderDownData struct {
	Leader  string `json:"leader"`
	Term    uint64 `json:"term"`
	QuietMS int64  `json:"quiet_ms"`
}

// RPC names in RPCData.RPC.
const (
	RPCAppendEntries   = "append_entries"
	RPCRequestVote     = "request_vote"
	RPCRequestPreVote  = "request_pre_vote"
	RPCInstallSnapshot = "install_snapshot"
	RPCTimeoutNow      = "timeout_now"
)

// RPCData is one RPC as the sender saw it (request and outcome). Heartbeats, and idle
// appends (empty AppendEntries that change nothing), are by default summarised into
// HeartbeatsData. The envelope's time is when the outcome was known; Sent is when it was sent.
type RPCData struct {
	RPC          string `json:"rpc"`
	From         string `json:"from"`
	To           string `json:"to"`
	Term         uint64 `json:"term"`
	Entries      int    `json:"entries"`
	PrevIndex    uint64 `json:"prev_index,omitempty"`
	PrevTerm     uint64 `json:"prev_term,omitempty"`
	LeaderCommit uint64 `json:"leader_commit,omitempty"`
	LastIndex    uint64 `json:"last_index,omitempty"`
	Success      bool   `json:"success"`
	Granted      *bool  `json:"granted,omitempty"`
	RespTerm     uint64 `json:"resp_term,omitempty"`
	// Sent is when the sender sent the request, on its own clock.
	Sent      time.Time `json:"sent"`
	LatencyUS int64     `json:"latency_us"`
	Heartbeat bool      `json:"heartbeat,omitempty"`
	// Idle marks an empty append that changed nothing: the same term, previous entry and
	// commit index as the link's previous successful append.
	Idle      bool   `json:"idle,omitempty"`
	Pipelined bool   `json:"pipelined,omitempty"`
	Dropped   bool   `json:"dropped,omitempty"`
	DelayMS   int64  `json:"delay_ms,omitempty"`
	Error     string `json:"error,omitempty"`
}

// HeartbeatsData summarises the idle traffic on one link since the last summary: Count
// heartbeats (Failed of them failed) and Appends idle appends.
type HeartbeatsData struct {
	From          string `json:"from"`
	To            string `json:"to"`
	Term          uint64 `json:"term"`
	Count         int    `json:"count"`
	Failed        int    `json:"failed"`
	Appends       int    `json:"appends"`
	LastLatencyUS int64  `json:"last_latency_us"`
	// LastAt is when the link last carried a successful RPC of any kind (zero: none yet).
	LastAt time.Time `json:"last_at,omitzero"`
}

// VoteData is a vote request as the observer saw it (the candidate asking this node).
type VoteData struct {
	Candidate string `json:"candidate"`
	Term      uint64 `json:"term"`
	PreVote   bool   `json:"pre_vote,omitempty"`
}

// LogEntry is one raft log entry as the UI draws it.
type LogEntry struct {
	Index   uint64 `json:"index"`
	Term    uint64 `json:"term"`
	Type    string `json:"type"`
	Summary string `json:"summary,omitempty"`
}

// LogAppendData is entries stored in a node's log.
type LogAppendData struct {
	First   uint64     `json:"first"`
	Last    uint64     `json:"last"`
	Term    uint64     `json:"term"`
	Entries []LogEntry `json:"entries"`
}

// LogDeleteData is a range removed from a node's log: compaction after a snapshot, or a
// conflicting suffix truncated by a new leader.
type LogDeleteData struct {
	Min    uint64 `json:"min"`
	Max    uint64 `json:"max"`
	Reason string `json:"reason,omitempty"`
}

// CommitData is a node's commit index moving forward.
type CommitData struct {
	Index uint64 `json:"index"`
}

// ApplyData is one entry applied to a node's state machine.
type ApplyData struct {
	Index   uint64 `json:"index"`
	Term    uint64 `json:"term"`
	Digest  string `json:"digest"`
	Summary string `json:"summary,omitempty"`
	Error   string `json:"error,omitempty"`
}

// SnapshotData is a snapshot taken, persisted, installed or restored.
type SnapshotData struct {
	Action string `json:"action"` // "taken", "restored", "installing", "installed"
	Index  uint64 `json:"index"`
	Term   uint64 `json:"term"`
	Size   int64  `json:"size,omitempty"`
}

// Server is one member of the raft configuration.
type Server struct {
	ID       string `json:"id"`
	RaftAddr string `json:"raft_addr"`
	Suffrage string `json:"suffrage"`
}

// MembershipData is the raft configuration after a change.
type MembershipData struct {
	Servers []Server `json:"servers"`
	Change  string   `json:"change,omitempty"`
	Node    string   `json:"node,omitempty"`
}
