package playground

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/raftplay/raftplay/node"
	"github.com/raftplay/raftplay/node/eventbus"
	"github.com/raftplay/raftplay/node/wire"
	"github.com/raftplay/raftplay/web"
)

// Playground is the API of a whole embedded cluster (a web.API): data requests go to a
// live node (the leader when there is one), control requests act on the embedded nodes
// themselves, and both event streams are the cluster's merged stream.
type Playground struct {
	c    *Cluster
	scen scenarios
}

var _ web.API = (*Playground)(nil)

// New is the API of c. Its hub keeps keyframes of the stream's picture for replays.
func New(c *Cluster) *Playground {
	p := &Playground{c: c}
	c.Hub().Record(p.stream().Hello)
	return p
}

// NewServer serves the API of c.
func NewServer(c *Cluster, opts web.Options) *web.Server { return web.New(New(c), opts) }

func (p *Playground) Entry() (*node.Node, error) { return p.c.Entry() }
func (p *Playground) Ready() error               { return p.c.Ready() }
func (p *Playground) Nodes() []*node.Node        { return p.c.Nodes() }
func (p *Playground) Faults() wire.Faults        { return node.SummarizeFaults(p.c.Nodes()) }

// PeerService is nil: nodes call their own servers, never the playground's.
func (p *Playground) PeerService() http.Handler { return nil }

// Cluster describes every embedded node.
func (p *Playground) Cluster(context.Context) (wire.ClusterStatus, error) { return p.c.Status(), nil }

func (p *Playground) Members() []string {
	var ids []string
	for _, n := range p.c.Nodes() {
		ids = append(ids, n.ID())
	}
	return ids
}

// node is the embedded node id.
func (p *Playground) node(id string) (*node.Node, error) {
	n, ok := p.c.Node(id)
	if !ok {
		return nil, errors.Join(node.ErrUnknownNode, errors.New("no node "+id))
	}
	return n, nil
}

// Control applies c to the node it names, or to every node.
func (p *Playground) Control(_ context.Context, c web.Change) (wire.Faults, error) {
	nodes := p.c.Nodes()
	if c.Node != "" {
		n, err := p.node(c.Node)
		if err != nil {
			return wire.Faults{}, err
		}
		nodes = []*node.Node{n}
	}
	for _, n := range nodes {
		if err := c.Apply(n); err != nil {
			return wire.Faults{}, err
		}
	}
	p.announce(c.Action, c.Target)
	return p.Faults(), nil
}

// announce puts a fault event on the merged stream.
func (p *Playground) announce(action, target string) {
	ev := wire.FaultData{Faults: p.Faults(), Action: action, Target: target}
	p.c.Hub().Bus().Publish(wire.NewEvent("", wire.EventFault, time.Now(), ev))
}

// Snapshot snapshots the node id, or the entry node.
func (p *Playground) Snapshot(ctx context.Context, id string) (wire.SnapshotData, error) {
	var n *node.Node
	var err error
	if id != "" {
		n, err = p.node(id)
	} else {
		n, err = p.c.Entry()
	}
	if err != nil {
		return wire.SnapshotData{}, err
	}
	return n.Snapshot(ctx)
}

// AddNode starts one more embedded node and waits until it has joined.
func (p *Playground) AddNode(ctx context.Context) (*node.Node, error) {
	n, err := p.c.AddNode(ctx)
	if err != nil {
		return nil, err
	}
	p.announce("add-node", n.ID())
	return n, nil
}

// RemoveNode takes id out of the cluster and deletes it.
func (p *Playground) RemoveNode(ctx context.Context, id string) error {
	if err := p.c.RemoveNode(ctx, id); err != nil {
		return err
	}
	p.announce("remove-node", id)
	return nil
}

// Scenarios lists what StartScenario runs.
func (p *Playground) Scenarios() []wire.Scenario {
	var out []wire.Scenario
	for _, s := range Scenarios() {
		out = append(out, s.Info())
	}
	return out
}

// NodeEvents and ClusterEvents are both the merged stream of every node.
func (p *Playground) NodeEvents() web.Stream    { return p.stream() }
func (p *Playground) ClusterEvents() web.Stream { return p.stream() }

func (p *Playground) stream() web.Stream {
	return web.Stream{Open: web.Always(p.c.Hub().Bus()), Hello: func(context.Context) wire.HelloData {
		f := p.Faults()
		return wire.HelloData{Cluster: p.c.Status(), Logs: web.RecentLogs(p.c.Nodes()...), Faults: &f, Scenarios: p.Scenarios()}
	}}
}

func (p *Playground) Buses() map[string]*eventbus.Bus {
	buses := map[string]*eventbus.Bus{"cluster": p.c.Hub().Bus()}
	for _, n := range p.c.Nodes() {
		buses["node:"+n.ID()] = n.Events()
	}
	return buses
}

// CommandServer is the API server of the embedded node id (nil: the playground's own).
func (p *Playground) CommandServer(id string) (*web.Server, error) {
	if id == "" {
		return nil, nil
	}
	m, ok := p.c.member(id)
	if !ok {
		return nil, fmt.Errorf("%w: %s", node.ErrUnknownNode, id)
	}
	return m.api, nil
}

// Close stops a running scenario.
func (p *Playground) Close() { p.stopScenario() }
