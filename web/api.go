package web

import (
	"context"
	"net/http"

	"github.com/raftplay/raftplay/node"
	"github.com/raftplay/raftplay/node/eventbus"
	"github.com/raftplay/raftplay/node/wire"
)

// API is what a Server serves. There are two: one node (NodeAPI, for `raftplay node` and
// every node of a playground) and a whole embedded cluster (playground.Playground). Both
// speak the same routes; where they differ — which node answers, who else must hear of a
// change, what a stream carries — the API decides, so the Server never asks which it is.
type API interface {
	// Entry is the node that serves data requests (KV, SQL, status, membership).
	Entry() (*node.Node, error)
	// Ready reports whether writes can be served now (GET /readyz).
	Ready() error
	// Cluster describes every member (GET /v1/cluster).
	Cluster(ctx context.Context) (wire.ClusterStatus, error)
	// Members are the ids of every member, which control requests may name.
	Members() []string
	// Nodes are the nodes this API runs itself, which /metrics reports.
	Nodes() []*node.Node

	// Control carries out a control action wherever the nodes it concerns run, announces
	// it as a fault event, and returns the faults after it.
	Control(ctx context.Context, c Change) (wire.Faults, error)
	// Faults are the active faults (GET /v1/control/faults).
	Faults() wire.Faults
	// Snapshot snapshots the node id (the entry node when id is empty).
	Snapshot(ctx context.Context, id string) (wire.SnapshotData, error)
	// AddNode starts a node and has it join; RemoveNode takes one out. Both announce it.
	AddNode(ctx context.Context) (*node.Node, error)
	RemoveNode(ctx context.Context, id string) error
	// Scenarios are the scripted runs StartScenario can start.
	Scenarios() []wire.Scenario
	StartScenario(name string) (wire.Scenario, error)

	// NodeEvents and ClusterEvents are the streams of /v1/events and /v1/cluster/events.
	NodeEvents() Stream
	ClusterEvents() Stream
	// Buses are the event buses /metrics reports, by stream name.
	Buses() map[string]*eventbus.Bus

	// CommandServer is the server that runs a WebSocket command naming node id (nil: this
	// one).
	CommandServer(id string) (*Server, error)
	// PeerService serves the routes other nodes call (node.PeerPrefix); nil when nothing
	// calls this API that way.
	PeerService() http.Handler
	// Close stops the API's background work.
	Close()
}

// Change is one control action: Apply runs it on a node. Node names the one node it
// concerns; empty, it concerns every node. Body is the action's request as the control
// route took it, for passing on to a node that runs elsewhere.
type Change struct {
	Action string
	Node   string
	Target string // the fault event's target
	Body   any
	Apply  func(*node.Node) error
}

// Stream is an event stream: Open subscribes to it (done is called when the subscriber
// leaves), and Hello is the picture its first message gives.
type Stream struct {
	Open  func() (bus *eventbus.Bus, done func())
	Hello func(ctx context.Context) wire.HelloData
}

// Always is a stream's Open for a bus that runs whether or not anyone listens.
func Always(bus *eventbus.Bus) func() (*eventbus.Bus, func()) {
	return func() (*eventbus.Bus, func()) { return bus, func() {} }
}

// HelloLog is how many log entries per node a hello carries.
const HelloLog = 50

// RecentLogs are the nodes' latest log entries for a hello, by node id.
func RecentLogs(nodes ...*node.Node) map[string][]wire.LogEntry {
	logs := make(map[string][]wire.LogEntry, len(nodes))
	for _, n := range nodes {
		logs[n.ID()] = n.RecentLog(HelloLog)
	}
	return logs
}
