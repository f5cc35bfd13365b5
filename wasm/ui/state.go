package ui

import (
	"sort"
	"time"

	"github.com/raftplay/raftplay/node/wire"
)

// Connection states shown in the header.
const (
	ConnConnecting   = "connecting"
	ConnLive         = "live"
	ConnReconnecting = "reconnecting"
	// ConnUnauthorized: the server wants a token the page does not have, or refused the
	// one it has; the page asks for one (viewToken) and connects again once it gets it.
	ConnUnauthorized = "unauthorized"
)

// Limits that keep the model bounded however long the page stays open.
const (
	maxLog      = 200 // entries kept per node
	maxDigests  = 256 // applied indexes whose digests are kept for the divergence check
	maxHistory  = 50  // SQL statements kept for up/down recall
	maxTimeline = 1000
	maxApplies  = 12 // applied summaries kept per node for a replayed data panel
)

// State is everything the app knows. One goroutine owns it: the events, the user's actions
// and the clock all reach it through that goroutine.
type State struct {
	Conn      string
	ConnError string
	// token is one the user entered, until the app takes it (TakeToken).
	token   string
	Ready   bool // the first hello has been applied
	LastSeq uint64
	Leader  string
	Term    uint64
	Nodes   map[string]*Node
	Faults  wire.Faults
	// digests[index][node] is the state digest a node reported after applying index;
	// two nodes with different digests at one index have diverged.
	digests map[uint64]map[string]string

	Flights  Flights
	Timeline Timeline
	Console  Console
	// Notice is the last control answer or stream error, shown under the header.
	Notice Notice
	// Selected is the log entry whose details are open ("" when none).
	Selected EntryRef
	// Picked is the node ("node:<id>") or link ("link:<a>:<b>") whose actions are shown
	// under the cluster picture ("" when none).
	Picked string

	// Data is each node's tables and keys as that node holds them; DataOpen is whether the
	// data view is open (its reads run only then).
	Data     map[string]*NodeData
	DataOpen bool
	// PartPick is the partition builder's group letter per node.
	PartPick map[string]string
	// Scenarios are the scripted runs the server offers, as its last hello listed them.
	Scenarios []wire.Scenario
	// Scenario is the scenario last started or announced by the server.
	Scenario Scenario
	// Metrics are the recent write throughput and command latency for the header.
	Metrics Metrics
	// Timers are the followers' election timers, as far as the page can see them.
	Timers map[string]*Timer
	// past is the cluster as of the selected timeline event (while scrubbed back).
	past *pastState
	// Held is the picture while paused: a still copy that steps one moment at a time,
	// while the live picture goes on underneath.
	Held *State
	// Player is a replay running (nil: none).
	Player *Player
	// Offer is a replay the page offers of something that just happened (nil: none);
	// AutoReplay plays each at once instead.
	Offer      *Episode
	AutoReplay bool
	// open is what is happening now that may become an offer (an election under way).
	open *Episode
	// History is what the server's history holds (HistoryRange), and the fetches the model
	// wants made against it.
	History HistoryRange
	fetches []Fetch
	wants   map[uint64]want
	fetchID uint64
	// base is the cluster just before the oldest event the timeline holds; replaying the
	// timeline over it rebuilds the picture at any event still in the timeline.
	base *State
	// replica marks a State that only rebuilds the cluster picture (base and past states).
	replica bool
	// memo keeps the parts of the last view that are unchanged (view_memo.go).
	memo *viewMemo

	// Causal time (clock.go): the moments received but not yet drawn, the real moment the
	// picture shows, and the nodes that died (what they send is no longer drawn).
	queue   queue
	last    moment // the moment released last
	Shown   time.Time
	recvSeq uint64 // the newest event accepted
	dead    map[string]time.Time
	// removed are nodes taken out of the configuration: events still about them (a last
	// status) do not bring them back.
	removed map[string]bool
	// drawn records what the picture drew (nil: it records nothing); mode says which
	// picture it is ("live" or "replay").
	drawn *DrawnLog
	mode  string
	// Rate is picture time per wall time: 1 live, 0.1 in a replay ten times slower.
	Rate float64
	// Frozen marks a picture held still (paused, or a moment scrubbed to).
	Frozen bool

	Now time.Time
}

// Node is one node as the app draws it.
type Node struct {
	ID        string
	Role      string
	Term      uint64
	Leader    string // the leader this node knows
	Commit    uint64
	Applied   uint64
	LastIndex uint64
	SnapIndex uint64 // last snapshot (entries at or below may be compacted)
	SnapTerm  uint64
	Suffrage  string
	Digest    string
	Diverged  bool
	Error     string
	Log       []wire.LogEntry // ascending by index, contiguous as far as the node reported
	// Cut is the last range a new leader truncated from this node's log (zero: none).
	Cut    Range
	CutAt  time.Time
	Status bool // a status report has been seen (hello or status event)
	// ElectionTimeout is the timeout the node reported (0: not reported).
	ElectionTimeout time.Duration
	// Restarted: the node came back from down and has not yet applied what the cluster had
	// committed; CatchingUp is derived from it.
	Restarted  bool
	CatchingUp bool
	// Applies are the summaries of the last entries the node applied, newest last: a
	// replayed picture's data panel is rebuilt from them (the server's data is live).
	Applies []string
}

// Range is an inclusive range of log indexes.
type Range struct{ Min, Max uint64 }

// EntryRef names one log entry of one node.
type EntryRef struct {
	Node  string
	Index uint64
}

// Scenario is a scripted run of faults on the server; its steps arrive as fault events.
type Scenario struct {
	Name    string
	Step    string
	Running bool
	Failed  bool
}

// Notice is a one-line message with a severity ("ok" or "error").
type Notice struct {
	Level string
	Text  string
	At    time.Time
}

// New returns the state of an app that has not connected yet.
func New() *State {
	return &State{
		drawn:    &DrawnLog{},
		Conn:     ConnConnecting,
		Nodes:    map[string]*Node{},
		digests:  map[uint64]map[string]string{},
		Timeline: Timeline{cap: maxTimeline, ShowNoise: false},
		Console:  Console{Consistency: "", Target: ""},
		DataOpen: true,
	}
}

// NodeIDs returns the node ids in display order.
func (s *State) NodeIDs() []string {
	ids := make([]string, 0, len(s.Nodes))
	for id := range s.Nodes {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return nodeLess(ids[i], ids[j]) })
	return ids
}

// nodeLess orders "n2" before "n10".
func nodeLess(a, b string) bool {
	if len(a) != len(b) {
		return len(a) < len(b)
	}
	return a < b
}

// node returns the node with id, creating it when an event names a node not seen yet
// (a node added while the page is open).
func (s *State) node(id string) *Node {
	if s.removed[id] {
		return &Node{ID: id} // a removed node's last words change nothing drawn
	}
	n := s.Nodes[id]
	if n == nil {
		n = &Node{ID: id, Role: wire.RoleFollower}
		s.Nodes[id] = n
	}
	return n
}

// SetConn records a change of the connection to the server.
func (s *State) SetConn(conn, errText string) {
	s.Conn, s.ConnError = conn, errText
	if conn != ConnLive {
		s.Console.failPending("connection lost")
		for _, d := range s.Data {
			d.inflight, d.rowsWanted, d.force = 0, nil, true
		}
	}
}

func contains(list []string, id string) bool {
	for _, v := range list {
		if v == id {
			return true
		}
	}
	return false
}
