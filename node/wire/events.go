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
	// Heartbeat marks an rpc event that is a heartbeat (its data says so too), so that a
	// stream can drop heartbeats without decoding the data. It is not part of the encoding.
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

// RPCData is one RPC as the sender saw it (request and outcome). Heartbeats are
// AppendEntries with no entries; by default they are summarised into HeartbeatsData.
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
	LatencyUS    int64  `json:"latency_us"`
	Heartbeat    bool   `json:"heartbeat,omitempty"`
	Pipelined    bool   `json:"pipelined,omitempty"`
	Dropped      bool   `json:"dropped,omitempty"`
	DelayMS      int64  `json:"delay_ms,omitempty"`
	Error        string `json:"error,omitempty"`
}

// HeartbeatsData summarises the heartbeats sent on one link since the last summary.
type HeartbeatsData struct {
	From          string `json:"from"`
	To            string `json:"to"`
	Term          uint64 `json:"term"`
	Count         int    `json:"count"`
	Failed        int    `json:"failed"`
	LastLatencyUS int64  `json:"last_latency_us"`
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
