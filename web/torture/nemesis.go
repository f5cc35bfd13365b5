package torture

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"time"

	"github.com/raftplay/raftplay/node"
	"github.com/raftplay/raftplay/node/wire"
	"github.com/raftplay/raftplay/web/clustertest"
)

// Fault kinds, as they appear in Report.FaultKinds.
const (
	faultKillLeader     = "kill-leader"
	faultKillRandom     = "kill-random"
	faultIsolateLeader  = "isolate-leader"
	faultLeaderMinority = "partition-leader-minority"
	faultHalves         = "partition-halves"
	faultOneWay         = "one-way-loss"
	faultDelay          = "delay"
	faultRestartAll     = "restart-all"
	faultTransfer       = "transfer-leadership"
	faultRemoveAdd      = "remove-add"
)

var faultKinds = []string{faultKillLeader, faultKillRandom, faultIsolateLeader, faultLeaderMinority,
	faultHalves, faultOneWay, faultDelay, faultRestartAll, faultTransfer, faultRemoveAdd}

// nemesis injects faults through the playground's control API, one at a time: it heals the
// previous one (and restarts whatever is down) before drawing the next.
type nemesis struct {
	c     *clustertest.Cluster
	cl    *client
	rng   *rand.Rand
	tl    *timeline
	nodes int // the cluster size to keep
	// forget is told about removed nodes, whose ids a later add may reuse.
	forget func(id string)

	kinds map[string]int
}

func (n *nemesis) control(ctx context.Context, action string, body any) error {
	a := n.cl.do(ctx, "POST", n.c.Play+"/v1/control/"+action, body)
	if a.err != nil || a.status != http.StatusOK {
		n.tl.add("  %s %v: %v", action, body, a)
		return fmt.Errorf("%s: %v", action, a)
	}
	return nil
}

// run draws a fault every FaultEvery until ctx ends, then heals.
func (n *nemesis) run(ctx context.Context, every [2]time.Duration) {
	for ctx.Err() == nil {
		kind := faultKinds[n.rng.IntN(len(faultKinds))]
		n.kinds[kind]++
		n.inject(ctx, kind)
		d := every[0] + time.Duration(n.rng.Int64N(int64(every[1]-every[0])+1))
		select {
		case <-ctx.Done():
		case <-time.After(d):
		}
		n.heal(context.Background())
	}
}

func (n *nemesis) up() []*node.Node {
	var out []*node.Node
	for _, nd := range n.c.Nodes() {
		if nd.Up() {
			out = append(out, nd)
		}
	}
	return out
}

// leader is the current leader, or a random running node when there is none.
func (n *nemesis) leader() string {
	if l, ok := n.c.Cluster.Leader(); ok {
		return l.ID()
	}
	return n.randomNode()
}

func (n *nemesis) randomNode() string {
	ns := n.c.Nodes()
	return ns[n.rng.IntN(len(ns))].ID()
}

func (n *nemesis) ids() []string {
	var ids []string
	for _, nd := range n.c.Nodes() {
		ids = append(ids, nd.ID())
	}
	return ids
}

func (n *nemesis) inject(ctx context.Context, kind string) {
	switch kind {
	case faultKillLeader, faultKillRandom:
		id := n.randomNode()
		if kind == faultKillLeader {
			id = n.leader()
		}
		n.tl.add("%s %s", kind, id)
		n.control(ctx, "kill", map[string]string{"node": id})
	case faultIsolateLeader:
		id := n.leader()
		n.tl.add("%s %s", kind, id)
		n.control(ctx, "isolate", map[string]string{"node": id})
	case faultLeaderMinority:
		l := n.leader()
		others := n.shuffled(l)
		size := len(n.ids()) / 2 // the leader plus others: still short of a majority
		minority := append([]string{l}, others[:size-1]...)
		n.tl.add("%s %v | %v", kind, minority, others[size-1:])
		n.control(ctx, "partition", map[string][][]string{"groups": {minority}})
	case faultHalves:
		ids := n.shuffled("")
		half := ids[:len(ids)/2]
		n.tl.add("%s %v | %v", kind, half, ids[len(ids)/2:])
		n.control(ctx, "partition", map[string][][]string{"groups": {half}})
	case faultOneWay:
		from, to := n.leader(), n.randomNode()
		if n.rng.IntN(2) == 0 || from == to {
			ids := n.shuffled("")
			from, to = ids[0], ids[1]
		}
		n.tl.add("%s %s -> %s blocked", kind, from, to)
		n.control(ctx, "link", wire.Link{From: from, To: to, Block: true})
	case faultDelay:
		ids := n.shuffled("")
		for i := 0; i < 1+n.rng.IntN(len(ids)); i++ {
			from, to := ids[i], ids[(i+1)%len(ids)]
			ms := int64(50 + n.rng.IntN(400))
			n.tl.add("%s %s -> %s %dms", kind, from, to, ms)
			n.control(ctx, "link", wire.Link{From: from, To: to, DelayMS: ms})
		}
	case faultRestartAll:
		n.tl.add("%s", kind)
		for _, id := range n.ids() {
			n.control(ctx, "kill", map[string]string{"node": id})
		}
		for _, id := range n.ids() {
			n.control(ctx, "restart", map[string]string{"node": id})
		}
	case faultTransfer:
		n.tl.add("%s from %s", kind, n.leader())
		n.control(ctx, "transfer-leadership", struct{}{})
	case faultRemoveAdd:
		n.removeAdd(ctx)
	}
}

// removeAdd takes a voter out of the configuration and adds a fresh one (a new id).
func (n *nemesis) removeAdd(ctx context.Context) {
	if err := n.waitReady(ctx, 10*time.Second); err != nil {
		n.tl.add("%s skipped: %v", faultRemoveAdd, err)
		return
	}
	id := n.randomNode()
	n.tl.add("%s remove %s", faultRemoveAdd, id)
	if err := n.control(ctx, "remove-node", map[string]string{"node": id}); err != nil {
		return
	}
	n.forget(id)
	n.addMissing(ctx)
}

// addMissing adds nodes until the cluster has its size again.
func (n *nemesis) addMissing(ctx context.Context) {
	for len(n.c.Nodes()) < n.nodes && ctx.Err() == nil {
		a := n.cl.do(ctx, "POST", n.c.Play+"/v1/control/add-node", struct{}{})
		if a.err != nil || a.status != http.StatusOK {
			n.tl.add("  add-node: %v", a)
			return
		}
		var st wire.NodeStatus
		_ = json.Unmarshal(a.body, &st)
		n.tl.add("  added %s", st.ID)
	}
}

// heal clears every network fault, restarts every node that is down and restores the
// cluster's size.
func (n *nemesis) heal(ctx context.Context) {
	n.control(ctx, "heal", struct{}{})
	for _, nd := range n.c.Nodes() {
		if !nd.Up() {
			n.control(ctx, "restart", map[string]string{"node": nd.ID()})
		}
	}
	if len(n.c.Nodes()) < n.nodes {
		if err := n.waitReady(ctx, 10*time.Second); err == nil {
			n.addMissing(ctx)
		}
	}
	n.tl.add("heal")
}

func (n *nemesis) waitReady(ctx context.Context, d time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	return n.c.Cluster.WaitReady(ctx)
}

// shuffled is the node ids in random order, with first (if named) in front.
func (n *nemesis) shuffled(first string) []string {
	var ids []string
	for _, id := range n.ids() {
		if id != first {
			ids = append(ids, id)
		}
	}
	n.rng.Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
	return ids
}
