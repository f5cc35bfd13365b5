package netfault

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/raft"

	"github.com/raftplay/raftplay/node/wire"
)

// counter is a state machine that counts applied commands.
type counter struct{ n atomic.Uint64 }

func (c *counter) Apply(*raft.Log) any { return c.n.Add(1) }

func (c *counter) Snapshot() (raft.FSMSnapshot, error) { return countSnap(c.n.Load()), nil }

func (c *counter) Restore(rc io.ReadCloser) error {
	defer rc.Close()
	var n uint64
	if _, err := fmt.Fscan(rc, &n); err != nil {
		return fmt.Errorf("restore counter: %w", err)
	}
	c.n.Store(n)
	return nil
}

type countSnap uint64

func (s countSnap) Persist(sink raft.SnapshotSink) error {
	if _, err := fmt.Fprint(sink, uint64(s)); err != nil {
		_ = sink.Cancel()
		return err
	}
	return sink.Close()
}

func (countSnap) Release() {}

type node struct {
	id   raft.ServerID
	tr   *Transport
	raft *raft.Raft
	fsm  *counter
	rec  *recorder
}

type cluster struct {
	t     *testing.T
	nodes []*node
}

// newCluster starts n raft servers on wrapped TCP transports and bootstraps them.
func newCluster(t *testing.T, n int) *cluster {
	t.Helper()
	c := &cluster{t: t}
	var servers []raft.Server
	for i := 0; i < n; i++ {
		nd := &node{id: raft.ServerID(fmt.Sprintf("n%d", i+1)), fsm: &counter{}, rec: &recorder{}}
		nd.tr = New(newInner(t), nd.id, nd.rec.observe)
		c.nodes = append(c.nodes, nd)
		servers = append(servers, raft.Server{ID: nd.id, Address: nd.tr.LocalAddr()})
	}
	t.Cleanup(func() {
		for _, nd := range c.nodes {
			if nd.raft == nil { // NewRaft failed or was not reached
				_ = nd.tr.Close()
				continue
			}
			// Shutdown closes the wrapped transport (raft.WithClose).
			if err := nd.raft.Shutdown().Error(); err != nil {
				t.Errorf("shutdown %s: %v", nd.id, err)
			}
		}
	})
	for i, nd := range c.nodes {
		conf := raft.DefaultConfig()
		conf.LocalID = nd.id
		conf.HeartbeatTimeout = 250 * time.Millisecond
		conf.ElectionTimeout = 250 * time.Millisecond
		conf.LeaderLeaseTimeout = 100 * time.Millisecond
		conf.CommitTimeout = 20 * time.Millisecond
		conf.Logger = hclog.NewNullLogger()
		store := raft.NewInmemStore()
		r, err := raft.NewRaft(conf, nd.fsm, store, store, raft.NewInmemSnapshotStore(), nd.tr)
		if err != nil {
			t.Fatalf("new raft %s: %v", nd.id, err)
		}
		nd.raft = r
		if i == 0 {
			if err := r.BootstrapCluster(raft.Configuration{Servers: servers}).Error(); err != nil {
				t.Fatalf("bootstrap: %v", err)
			}
		}
	}
	// Only the bootstrapped node starts with the configuration; a node that has not yet
	// received it never starts an election, so wait until every node has it.
	eventually(t, 15*time.Second, "every node to know the configuration and the leader", func() bool {
		for _, nd := range c.nodes {
			f := nd.raft.GetConfiguration()
			_, leader := nd.raft.LeaderWithID()
			if f.Error() != nil || len(f.Configuration().Servers) != n || leader == "" {
				return false
			}
		}
		return true
	})
	return c
}

// leader waits for exactly one live node outside skip to be leader and returns it.
func (c *cluster) leader(skip ...*node) *node {
	c.t.Helper()
	var found *node
	eventually(c.t, 15*time.Second, "a leader", func() bool {
		found = nil
	nodes:
		for _, nd := range c.nodes {
			for _, s := range skip {
				if nd == s {
					continue nodes
				}
			}
			if nd.raft.State() == raft.Leader {
				if found != nil {
					return false
				}
				found = nd
			}
		}
		return found != nil
	})
	return found
}

func (c *cluster) followers(l *node) []*node {
	var out []*node
	for _, nd := range c.nodes {
		if nd != l {
			out = append(out, nd)
		}
	}
	return out
}

// apply commits n commands through the current leader. A spurious election on a loaded
// machine is tolerated only where the command surely did not enter the log.
func (c *cluster) apply(n int, skip ...*node) {
	c.t.Helper()
	for i := 0; i < n; i++ {
		for {
			l := c.leader(skip...)
			err := l.raft.Apply([]byte("inc"), 5*time.Second).Error()
			if err == nil {
				break
			}
			if !errors.Is(err, raft.ErrNotLeader) {
				c.t.Fatalf("apply on %s: %v (%s)", l.id, err, c.describe())
			}
		}
	}
}

// describe is the cluster's state for failure messages.
func (c *cluster) describe() string {
	var b strings.Builder
	for _, nd := range c.nodes {
		_, leader := nd.raft.LeaderWithID()
		fmt.Fprintf(&b, "%s: %v term %d leader %q applied %d; ", nd.id, nd.raft.State(), nd.raft.CurrentTerm(), leader, nd.fsm.n.Load())
	}
	return b.String()
}

// waitApplied waits until every given node has applied want commands.
func (c *cluster) waitApplied(want uint64, nodes ...*node) {
	c.t.Helper()
	eventually(c.t, 10*time.Second, fmt.Sprintf("%d applied everywhere", want), func() bool {
		for _, nd := range nodes {
			if nd.fsm.n.Load() != want {
				return false
			}
		}
		return true
	})
}

func isRPC(name string) func(wire.RPCData) bool {
	return func(e wire.RPCData) bool { return e.RPC == name }
}

func TestClusterPipelinesAndPreVotes(t *testing.T) {
	c := newCluster(t, 3)
	anyNode := func(ok func(wire.RPCData) bool) bool {
		for _, nd := range c.nodes {
			if nd.rec.any(0, ok) {
				return true
			}
		}
		return false
	}

	// Raft switches a follower to pipelined replication once it has caught up; keep
	// writing until a pipelined AppendEntries carrying entries has been acknowledged.
	applied := uint64(0)
	eventually(t, 15*time.Second, "pipelined AppendEntries with entries", func() bool {
		c.apply(1)
		applied++
		return anyNode(func(e wire.RPCData) bool { return e.Pipelined && e.Entries > 0 && e.Success })
	})
	c.waitApplied(applied, c.nodes...)
	if !anyNode(func(e wire.RPCData) bool { return e.RPC == wire.RPCAppendEntries && e.Entries > 0 && !e.Pipelined }) {
		t.Error("no plain (unpipelined) AppendEntries with entries observed")
	}
	eventually(t, 5*time.Second, "a successful heartbeat", func() bool {
		return anyNode(func(e wire.RPCData) bool { return e.Heartbeat && e.Success && e.Entries == 0 })
	})

	// Kill the leader: the survivors must run a pre-vote before the real vote.
	l := c.leader()
	marks := map[*node]int{}
	for _, f := range c.followers(l) {
		marks[f] = f.rec.len()
	}
	if err := l.raft.Shutdown().Error(); err != nil {
		t.Fatalf("shutdown leader: %v", err)
	}
	nl := c.leader(l)
	ev := nl.rec.since(marks[nl])
	pre, vote := -1, -1
	for i, e := range ev {
		if pre < 0 && e.RPC == wire.RPCRequestPreVote {
			pre = i
		}
		if vote < 0 && e.RPC == wire.RPCRequestVote {
			vote = i
		}
	}
	if pre < 0 || vote < 0 || pre > vote {
		t.Fatalf("new leader %s: first pre-vote at %d, first vote at %d; want pre-vote first (events %+v)", nl.id, pre, vote, ev)
	}
	if !nl.rec.any(marks[nl], func(e wire.RPCData) bool {
		return e.RPC == wire.RPCRequestPreVote && e.Granted != nil && *e.Granted
	}) {
		t.Error("no granted pre-vote observed")
	}
	// The dead leader shows up as failed RPCs, not as a hang.
	if !nl.rec.any(marks[nl], func(e wire.RPCData) bool { return e.To == string(l.id) && e.Error != "" }) {
		t.Error("no failed RPC to the dead leader observed")
	}
	c.apply(3, l)
	c.waitApplied(applied+3, c.followers(l)...)
}

func TestIsolatedLeaderIsReplacedAndRejoins(t *testing.T) {
	c := newCluster(t, 3)
	c.apply(5)
	c.waitApplied(5, c.nodes...)

	old := c.leader()
	old.tr.Isolate(true)
	c.leader(old) // the others elect a new leader

	// The old leader cannot commit: it has lost its quorum.
	if err := old.raft.Apply([]byte("lost"), 500*time.Millisecond).Error(); err == nil {
		t.Fatal("isolated old leader committed a write")
	}
	c.apply(5, old)
	c.waitApplied(10, c.followers(old)...)
	if got := old.fsm.n.Load(); got != 5 {
		t.Fatalf("isolated node applied %d, want 5", got)
	}
	// Its AppendEntries wait out the hold for the link, then report as blocked.
	eventually(t, 3*unreachableHold, "blocked RPCs on the isolated node", func() bool {
		return old.rec.any(0, func(e wire.RPCData) bool { return e.Dropped && strings.Contains(e.Error, ErrBlocked.Error()) })
	})

	old.tr.Isolate(false)
	c.waitApplied(10, c.nodes...)
	eventually(t, 10*time.Second, "old leader back as a follower", func() bool {
		_, leader := old.raft.LeaderWithID()
		return old.raft.State() == raft.Follower && leader != "" && leader != old.id
	})
	c.apply(1)
	c.waitApplied(11, c.nodes...)
}

func TestHeartbeatFastPathRespectsIncomingBlock(t *testing.T) {
	c := newCluster(t, 3)
	l := c.leader()
	f := c.followers(l)[0]

	states := make(chan raft.Observation, 64)
	obs := raft.NewObserver(states, false, func(o *raft.Observation) bool {
		_, ok := o.Data.(raft.RaftState)
		return ok
	})
	f.raft.RegisterObserver(obs)
	defer f.raft.DeregisterObserver(obs)

	// Only the follower knows the rules, and they cover every peer (whoever leads by now):
	// the leader keeps sending, and the follower's transport must refuse heartbeats too,
	// which NetworkTransport hands to raft past Consumer.
	marks := map[*node]int{}
	var links []Link
	for _, o := range c.followers(f) {
		marks[o] = o.rec.len()
		links = append(links, Link{From: string(o.id), To: string(f.id), Block: true})
	}
	f.tr.SetLinks(links)

	deadline := time.After(10 * time.Second)
	for candidate := false; !candidate; {
		select {
		case o := <-states:
			candidate = o.Data.(raft.RaftState) == raft.Candidate
		case <-deadline:
			t.Fatalf("follower cut off from the leader never became a candidate (%s)", c.describe())
		}
	}
	// A refused heartbeat is reported once its sender stops waiting for the link.
	eventually(t, 3*unreachableHold, "a heartbeat refused by the follower", func() bool {
		for o, mark := range marks {
			if o.rec.any(mark, func(e wire.RPCData) bool {
				return e.Heartbeat && e.To == string(f.id) && !e.Dropped && strings.Contains(e.Error, ErrBlocked.Error())
			}) {
				return true
			}
		}
		return false
	})

	f.tr.SetLinks(nil)
	eventually(t, 10*time.Second, "follower back", func() bool {
		_, leader := f.raft.LeaderWithID()
		return f.raft.State() == raft.Follower && leader != ""
	})
	c.apply(2)
	c.waitApplied(2, c.nodes...)
}

func TestOneWayLossInCluster(t *testing.T) {
	c := newCluster(t, 3)
	l := c.leader()
	f := c.followers(l)[0]

	// The leader cannot reach f, but f still reaches the leader.
	mark, fmark := l.rec.len(), f.rec.len()
	l.tr.SetLinks([]Link{{From: string(l.id), To: string(f.id), Drop: 1}})
	eventually(t, 10*time.Second, "f's RPCs to the leader answered", func() bool {
		return f.rec.any(fmark, func(e wire.RPCData) bool { return e.To == string(l.id) && e.Error == "" })
	})
	eventually(t, 3*unreachableHold, "dropped RPCs from the leader to f", func() bool {
		return l.rec.any(mark, func(e wire.RPCData) bool { return e.To == string(f.id) && e.Dropped })
	})
	// The other follower keeps the quorum: writes still commit.
	c.apply(3)
	other := c.followers(l)[1]
	c.waitApplied(3, other)
	if got := f.fsm.n.Load(); got != 0 {
		t.Errorf("unreachable follower applied %d commands", got)
	}
	l.tr.SetLinks(nil)
	c.waitApplied(3, c.nodes...)
}

func TestDelayInCluster(t *testing.T) {
	c := newCluster(t, 3)
	l := c.leader()
	f := c.followers(l)[0]
	c.apply(2)
	c.waitApplied(2, c.nodes...)

	const delay = 40 * time.Millisecond
	mark := l.rec.len()
	l.tr.SetLinks([]Link{{From: string(l.id), To: string(f.id), Delay: delay}})
	c.apply(5)
	c.waitApplied(7, c.nodes...)

	var delayed, pipelined int
	for _, e := range l.rec.since(mark) {
		if e.To != string(f.id) || e.DelayMS == 0 {
			continue
		}
		delayed++
		if e.Pipelined && e.Entries > 0 {
			pipelined++
		}
		if e.DelayMS != delay.Milliseconds() || e.LatencyUS < delay.Microseconds() {
			t.Errorf("delayed event %+v: want delay %v and latency at least that", e, delay)
		}
	}
	if delayed == 0 || pipelined == 0 {
		t.Errorf("%d delayed events, %d of them pipelined with entries; want some of each", delayed, pipelined)
	}
}
