package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/raftplay/raftplay/node"
	"github.com/raftplay/raftplay/node/eventbus"
	"github.com/raftplay/raftplay/node/wire"
)

// NodeAPI is the API of one node. A request about another node is passed on to that node
// (its control actions), and a change of the whole cluster's network is shared with every
// peer, each of which applies its own part of it.
type NodeAPI struct {
	n        *node.Node
	feedOnce sync.Once
	feed     *peerFeed // the merged cluster stream, created on first use
}

var _ API = (*NodeAPI)(nil)

// NewNodeAPI serves n.
func NewNodeAPI(n *node.Node) *NodeAPI { return &NodeAPI{n: n} }

// NewNodeServer serves the API of one node; the address it publishes is one of its own.
func NewNodeServer(n *node.Node, opts Options) *Server {
	if n != nil {
		opts.Addrs = append(slices.Clip(opts.Addrs), n.HTTPAddr())
	}
	return New(NewNodeAPI(n), opts)
}

func (a *NodeAPI) Entry() (*node.Node, error) { return a.n, nil }
func (a *NodeAPI) Ready() error               { return a.n.Ready() }
func (a *NodeAPI) Nodes() []*node.Node        { return []*node.Node{a.n} }
func (a *NodeAPI) Faults() wire.Faults        { return node.SummarizeFaults(a.Nodes()) }
func (a *NodeAPI) PeerService() http.Handler  { return a.n.PeerService() }

// Cluster describes every member, asking each peer.
func (a *NodeAPI) Cluster(ctx context.Context) (wire.ClusterStatus, error) { return a.n.Cluster(ctx) }

// Members are the members of the configuration this node knows (only itself, while down).
func (a *NodeAPI) Members() []string {
	ms, err := a.n.Members()
	if err != nil {
		return []string{a.n.ID()}
	}
	ids := make([]string, len(ms))
	for i, m := range ms {
		ids[i] = m.ID
	}
	return ids
}

// Control applies c here when it concerns this node, and passes it on to the node it
// concerns otherwise. A change of every node is applied here and then shared with every
// peer, unless it was itself shared by a peer.
func (a *NodeAPI) Control(ctx context.Context, c Change) (wire.Faults, error) {
	if c.Node != "" && c.Node != a.n.ID() {
		addr, err := a.peerAddr(c.Node)
		if err != nil {
			return wire.Faults{}, err
		}
		return a.n.Peers().PassOn(ctx, addr, c.Action, c.Body)
	}
	if err := c.Apply(a.n); err != nil {
		return wire.Faults{}, err
	}
	if c.Node == "" {
		if err := a.share(ctx, c); err != nil {
			return wire.Faults{}, err
		}
	}
	a.announce(c.Action, c.Target)
	return a.Faults(), nil
}

// share passes a cluster-wide change on to every peer, marked as forwarded so that they
// do not share it again.
func (a *NodeAPI) share(ctx context.Context, c Change) error {
	if node.Forwarded(ctx) {
		return nil
	}
	ms, err := a.n.Members()
	if err != nil {
		return err
	}
	var errs []error
	for _, m := range ms {
		if m.ID == a.n.ID() || m.HTTPAddr == "" {
			continue
		}
		if err := a.n.Peers().Share(ctx, m.HTTPAddr, c.Action, c.Body); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", m.ID, err))
		}
	}
	return errors.Join(errs...)
}

// peerAddr is the HTTP address of the member id.
func (a *NodeAPI) peerAddr(id string) (string, error) {
	ms, _ := a.n.Members()
	for _, m := range ms {
		if m.ID == id && m.HTTPAddr != "" {
			return m.HTTPAddr, nil
		}
	}
	return "", fmt.Errorf("%w: %s", node.ErrUnknownNode, id)
}

// announce puts a fault event on this node's stream.
func (a *NodeAPI) announce(action, target string) {
	a.n.EmitFault(wire.FaultData{Faults: a.Faults(), Action: action, Target: target})
}

// Snapshot snapshots this node, or has the peer id snapshot itself.
func (a *NodeAPI) Snapshot(ctx context.Context, id string) (wire.SnapshotData, error) {
	if id == "" || id == a.n.ID() {
		return a.n.Snapshot(ctx)
	}
	addr, err := a.peerAddr(id)
	if err != nil {
		return wire.SnapshotData{}, err
	}
	return a.n.Peers().Snapshot(ctx, addr)
}

// AddNode fails: a node process cannot start another.
func (a *NodeAPI) AddNode(context.Context) (*node.Node, error) {
	return nil, fmt.Errorf("%w: a node process cannot start another; start `raftplay node --join` and it joins by address", errBadRequest)
}

// RemoveNode takes id out of the configuration (through the leader).
func (a *NodeAPI) RemoveNode(ctx context.Context, id string) error {
	if err := a.n.Remove(ctx, id); err != nil {
		return err
	}
	a.announce("remove-node", id)
	return nil
}

// Scenarios are none: they run on a playground's embedded cluster.
func (a *NodeAPI) Scenarios() []wire.Scenario { return []wire.Scenario{} }

func (a *NodeAPI) StartScenario(string) (wire.Scenario, error) {
	return wire.Scenario{}, fmt.Errorf("%w: scenarios run on the playground's embedded cluster", errBadRequest)
}

// NodeEvents are this node's own events.
func (a *NodeAPI) NodeEvents() Stream {
	return Stream{Open: Always(a.n.Events()), Hello: func(context.Context) wire.HelloData {
		return wire.HelloData{Cluster: node.Summarize([]wire.NodeStatus{a.n.Status()}), Logs: RecentLogs(a.n)}
	}}
}

// ClusterEvents merge this node's events with its peers' while anyone listens.
func (a *NodeAPI) ClusterEvents() Stream {
	return Stream{Open: a.peers().open, Hello: a.clusterHello}
}

func (a *NodeAPI) clusterHello(ctx context.Context) wire.HelloData {
	cs, _ := a.n.Cluster(ctx)
	return wire.HelloData{Cluster: cs, Logs: RecentLogs(a.n)}
}

func (a *NodeAPI) Buses() map[string]*eventbus.Bus {
	return map[string]*eventbus.Bus{"node:" + a.n.ID(): a.n.Events()}
}

// CommandServer is this server whichever node a command names.
func (a *NodeAPI) CommandServer(string) (*Server, error) { return nil, nil }

// Close stops following the peers.
func (a *NodeAPI) Close() { a.peers().close() }

// peers is the node's cluster feed, created on first use.
func (a *NodeAPI) peers() *peerFeed {
	a.feedOnce.Do(func() { a.feed = &peerFeed{n: a.n, hub: NewHub(), picture: a.clusterHello} })
	return a.feed
}

// leaderAfterTransfer waits briefly for the new leader to be known, for a useful answer.
func leaderAfterTransfer(ctx context.Context, n *node.Node) string {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	for {
		if l := n.Leader(); l != "" || ctx.Err() != nil {
			return l
		}
		select {
		case <-ctx.Done():
		case <-time.After(10 * time.Millisecond):
		}
	}
}
