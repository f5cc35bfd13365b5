package node

import (
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/raftplay/raftplay/node/netfault"
	"github.com/raftplay/raftplay/node/wire"
)

// Speed presets.
const (
	SpeedRealtime = "realtime"
	SpeedSlow     = "slow"
)

// slowFactor and slowRPCDelay make an election slow enough to watch: with the realtime
// profile a 3 s heartbeat timeout and heartbeats every 300-600 ms, each visibly in flight.
const (
	slowFactor   = 2
	slowRPCDelay = 100 * time.Millisecond
)

// faultState is the node's network faults and speed. It outlives kills so a restarted node
// comes back with the same faults on its new transport.
type faultState struct {
	mu        sync.Mutex
	isolated  bool
	partition [][]string
	links     map[[2]string]wire.Link
	speed     string
	timing    Timing
	rpcDelay  time.Duration
}

// netLinks is this node's share of the faults as transport rules.
func (f *faultState) netLinks(self string) []netfault.Link {
	var out []netfault.Link
	group := func(id string) int {
		for i, g := range f.partition {
			for _, m := range g {
				if m == id {
					return i
				}
			}
		}
		return -1 // not named: together with the other unnamed nodes
	}
	if len(f.partition) > 0 {
		mine := group(self)
		for _, g := range f.partition {
			for _, m := range g {
				if m != self && group(m) != mine {
					out = append(out, netfault.Link{From: self, To: m, Block: true}, netfault.Link{From: m, To: self, Block: true})
				}
			}
		}
	}
	for _, l := range f.links {
		out = append(out, netfault.Link{From: l.From, To: l.To, Block: l.Block, Drop: l.Drop, Delay: time.Duration(l.DelayMS) * time.Millisecond})
	}
	return out
}

func (n *Node) applyFaults() {
	f := &n.faults
	f.mu.Lock()
	links, isolated, delay := f.netLinks(n.cfg.ID), f.isolated, f.rpcDelay
	f.mu.Unlock()
	if inst := n.inst.Load(); inst != nil {
		inst.trans.SetLinks(links)
		inst.trans.Isolate(isolated)
		inst.trans.SetBaseDelay(delay)
	}
}

// Isolate cuts (or restores) every raft connection of this node, in both directions.
func (n *Node) Isolate(on bool) {
	n.faults.mu.Lock()
	n.faults.isolated = on
	n.faults.mu.Unlock()
	n.applyFaults()
}

// SetPartition splits the cluster into groups that cannot reach each other; nil heals it.
// Nodes named in no group are cut off from every named group (they form one more group).
func (n *Node) SetPartition(groups [][]string) error {
	seen := map[string]bool{}
	for _, g := range groups {
		for _, id := range g {
			if seen[id] {
				return fmt.Errorf("%w: %s is in more than one group", ErrBadRequest, id)
			}
			seen[id] = true
		}
	}
	n.faults.mu.Lock()
	n.faults.partition = groups
	n.faults.mu.Unlock()
	n.applyFaults()
	return nil
}

// SetLink sets the fault on the directed link From -> To (a zero fault removes it).
func (n *Node) SetLink(l wire.Link) error {
	if l.From == "" || l.To == "" || l.From == l.To {
		return fmt.Errorf("%w: a link needs two different nodes", ErrBadRequest)
	}
	if l.Drop < 0 || l.Drop > 1 || l.DelayMS < 0 || l.DelayMS > 60_000 {
		return fmt.Errorf("%w: drop must be 0..1 and delay_ms 0..60000", ErrBadRequest)
	}
	n.faults.mu.Lock()
	if n.faults.links == nil {
		n.faults.links = map[[2]string]wire.Link{}
	}
	k := [2]string{l.From, l.To}
	if !l.Block && l.Drop == 0 && l.DelayMS == 0 {
		delete(n.faults.links, k)
	} else {
		n.faults.links[k] = l
	}
	n.faults.mu.Unlock()
	n.applyFaults()
	return nil
}

// Heal removes every network fault (isolation, partition, links); speed stays.
func (n *Node) Heal() {
	n.faults.mu.Lock()
	n.faults.isolated, n.faults.partition, n.faults.links = false, nil, nil
	n.faults.mu.Unlock()
	n.applyFaults()
}

// NodeFaults is this node's view of the active faults.
type NodeFaults struct {
	Isolated  bool
	Partition [][]string
	Links     []wire.Link
	Speed     string
	Timing    wire.Timing
}

// Faults reports the faults this node applies.
func (n *Node) Faults() NodeFaults {
	f := &n.faults
	f.mu.Lock()
	defer f.mu.Unlock()
	out := NodeFaults{Isolated: f.isolated, Partition: f.partition, Speed: f.speed}
	if out.Speed == "" {
		out.Speed = SpeedRealtime
	}
	for _, l := range f.links {
		out.Links = append(out.Links, l)
	}
	sort.Slice(out.Links, func(i, j int) bool {
		a, b := out.Links[i], out.Links[j]
		return a.From < b.From || (a.From == b.From && a.To < b.To)
	})
	t := f.timingLocked(n.cfg.Timing)
	out.Timing = wire.Timing{HeartbeatMS: t.Heartbeat.Milliseconds(), ElectionMS: t.Election.Milliseconds(),
		LeaderLeaseMS: t.LeaderLease.Milliseconds(), RPCDelayMS: f.rpcDelay.Milliseconds(), ProbeMS: t.Probe.Milliseconds()}
	return out
}

// SummarizeFaults describes the faults of nodes together, as GET /v1/control/faults
// answers: who is down or isolated, the partition, every faulty link once, and the speed.
func SummarizeFaults(nodes []*Node) wire.Faults {
	f := wire.Faults{Down: []string{}, Isolated: []string{}, Links: []wire.Link{}, Speed: SpeedRealtime}
	seen := map[[2]string]bool{}
	for _, n := range nodes {
		nf := n.Faults()
		if !n.Up() {
			f.Down = append(f.Down, n.ID())
		}
		if nf.Isolated {
			f.Isolated = append(f.Isolated, n.ID())
		}
		if len(nf.Partition) > 0 {
			f.Partition = nf.Partition
		}
		for _, l := range nf.Links {
			if k := [2]string{l.From, l.To}; !seen[k] {
				seen[k] = true
				f.Links = append(f.Links, l)
			}
		}
		f.Speed = nf.Speed
		t := nf.Timing
		f.Timing = &t
	}
	sort.Strings(f.Down)
	sort.Strings(f.Isolated)
	return f
}

// SetSpeed changes the raft timeouts live (raft.ReloadConfig) and adds a delay to every RPC
// this node sends: "realtime" is the configured profile, "slow" is slowFactor times slower
// with a visible delay on each message. A custom timing (preset "") uses t and rpcDelay.
func (n *Node) SetSpeed(preset string, t Timing, rpcDelay time.Duration) error {
	switch preset {
	case SpeedRealtime:
		t, rpcDelay = n.cfg.Timing, 0
	case SpeedSlow:
		t, rpcDelay = n.cfg.Timing.Scaled(slowFactor), slowRPCDelay
	case "":
		preset = "custom"
		if t.Heartbeat < 10*time.Millisecond || t.Election < 10*time.Millisecond || rpcDelay < 0 || rpcDelay*2 > t.Heartbeat {
			return fmt.Errorf("%w: heartbeat and election need at least 10 ms, and the rpc delay less than half the heartbeat", ErrBadRequest)
		}
		// raft cannot change its leader lease while running, and refuses a heartbeat
		// timeout below it or an election timeout below the heartbeat timeout.
		if lease := n.cfg.Timing.LeaderLease; t.Heartbeat < lease || t.Election < t.Heartbeat {
			return fmt.Errorf("%w: heartbeat needs at least the leader lease (%v), and election at least the heartbeat", ErrBadRequest, lease)
		}
	default:
		return fmt.Errorf("%w: speed preset must be realtime or slow", ErrBadRequest)
	}
	n.faults.mu.Lock()
	n.faults.speed, n.faults.timing, n.faults.rpcDelay = preset, t, rpcDelay
	n.faults.mu.Unlock()
	if err := n.reloadTiming(); err != nil {
		return err
	}
	n.applyFaults()
	return nil
}

// timingLocked is the timing in force: the speed's, or else the configured one.
func (f *faultState) timingLocked(configured Timing) Timing {
	if f.timing == (Timing{}) {
		return configured
	}
	return f.timing
}

// timingInForce is the timing the node runs with now.
func (n *Node) timingInForce() Timing {
	n.faults.mu.Lock()
	defer n.faults.mu.Unlock()
	return n.faults.timingLocked(n.cfg.Timing)
}

func (n *Node) reloadTiming() error {
	inst := n.inst.Load()
	if inst == nil {
		return nil // applied when the node restarts
	}
	n.faults.mu.Lock()
	t := n.faults.timing
	n.faults.mu.Unlock()
	if t == (Timing{}) {
		return nil
	}
	rc := inst.raft.ReloadableConfig()
	rc.HeartbeatTimeout, rc.ElectionTimeout = t.Heartbeat, t.Election
	if err := inst.raft.ReloadConfig(rc); err != nil {
		return fmt.Errorf("reload raft timing: %w", err)
	}
	return nil
}

// RaftTiming is the heartbeat and election timeout raft itself runs with now (zero while
// the node is down): what a speed change must reach, not what the fault state says.
func (n *Node) RaftTiming() (heartbeat, election time.Duration) {
	inst := n.inst.Load()
	if inst == nil || inst.raft == nil {
		return 0, 0
	}
	rc := inst.raft.ReloadableConfig()
	return rc.HeartbeatTimeout, rc.ElectionTimeout
}

// EmitFault publishes a fault event on the node's stream.
func (n *Node) EmitFault(data any) { n.emit(wire.EventFault, data) }
