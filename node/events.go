package node

import (
	"sync"
	"time"

	"github.com/hashicorp/raft"

	"github.com/raftplay/raftplay/node/eventbus"
	"github.com/raftplay/raftplay/node/store"
	"github.com/raftplay/raftplay/node/wire"
)

// Events is the node's own event stream.
func (n *Node) Events() *eventbus.Bus { return n.bus }

func (n *Node) emit(typ string, data any) {
	n.bus.Publish(wire.NewEvent(n.cfg.ID, typ, time.Now(), data))
}

// observe turns raft observations of one life of the node into events.
func (n *Node) observe(inst *instance) {
	defer inst.wg.Done()
	prev := wire.RoleFollower
	for {
		select {
		case <-inst.done:
			return
		case o := <-inst.obsCh:
			switch d := o.Data.(type) {
			case raft.RaftState:
				if d != raft.Leader {
					inst.lease.revoke(false)
				}
				role := roleOf(d)
				n.emit(wire.EventState, wire.StateData{Role: role, Prev: prev, Term: inst.raft.CurrentTerm()})
				n.log.Debug("role changed", "role", role, "term", inst.raft.CurrentTerm())
				prev = role
			case raft.LeaderObservation:
				if d.LeaderID != "" {
					n.leaderChanges.Add(1)
				}
				n.emit(wire.EventLeader, wire.LeaderData{Leader: string(d.LeaderID), Term: inst.raft.CurrentTerm()})
			case raft.PeerObservation:
				change := "added"
				if d.Removed {
					change = "removed"
				}
				n.emit(wire.EventMembership, wire.MembershipData{Servers: n.servers(inst), Change: change, Node: string(d.Peer.ID)})
			case raft.RequestVoteRequest:
				inst.voteSeen.Store(time.Now().UnixNano())
				n.emit(wire.EventVote, wire.VoteData{Candidate: string(d.ID), Term: d.Term})
			case raft.RequestPreVoteRequest:
				inst.voteSeen.Store(time.Now().UnixNano())
				n.emit(wire.EventVote, wire.VoteData{Candidate: string(d.ID), Term: d.Term, PreVote: true})
			case raft.FailedHeartbeatObservation:
				n.emit(wire.EventPeer, wire.PeerData{Peer: string(d.PeerID), State: "failed", LastContact: d.LastContact.UTC().Format(time.RFC3339Nano)})
			case raft.ResumedHeartbeatObservation:
				n.emit(wire.EventPeer, wire.PeerData{Peer: string(d.PeerID), State: "resumed"})
			}
		}
	}
}

func (n *Node) servers(inst *instance) []wire.Server {
	cf := inst.raft.GetConfiguration()
	if cf.Error() != nil {
		return nil
	}
	var out []wire.Server
	for _, s := range cf.Configuration().Servers {
		out = append(out, wire.Server{ID: string(s.ID), RaftAddr: string(s.Address), Suffrage: suffrageOf(s.Suffrage)})
	}
	return out
}

// fsmHooks are the store callbacks that report applies and restores; inst.raft is read
// when they fire, after open has set it.
func (n *Node) fsmHooks(inst *instance) store.Options {
	return store.Options{
		SQL:    sqlExtension{eng: n.sql},
		Logger: n.log,
		OnApply: func(a store.Applied) {
			n.noteCommit(inst)
			d := wire.ApplyData{Index: a.Index, Term: a.Term, Digest: a.Digest, Summary: a.Summary}
			if a.Err != nil {
				d.Error = a.Err.Error()
			}
			n.emit(wire.EventApply, d)
		},
		OnRestore: func(index, term uint64, _ string) {
			n.emit(wire.EventSnapshot, wire.SnapshotData{Action: "restored", Index: index, Term: term})
			n.afterRestore(inst)
		},
		OnSnapshot: func(index, term uint64, size int) {
			n.emit(wire.EventSnapshot, wire.SnapshotData{Action: "taken", Index: index, Term: term, Size: int64(size)})
		},
	}
}

// noteCommit emits a commit event when the node's commit index has moved since the last one.
func (n *Node) noteCommit(inst *instance) {
	if inst.raft == nil {
		return
	}
	c := inst.raft.CommitIndex()
	for {
		last := inst.lastCommit.Load()
		if c <= last {
			return
		}
		if inst.lastCommit.CompareAndSwap(last, c) {
			n.emit(wire.EventCommit, wire.CommitData{Index: c})
			return
		}
	}
}

// heartbeats summarises heartbeat RPCs per link; subscribers that want every one of them
// see the raw rpc events too.
type heartbeats struct {
	mu    sync.Mutex
	links map[[2]string]*wire.HeartbeatsData
}

func (h *heartbeats) add(d wire.RPCData) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.links == nil {
		h.links = map[[2]string]*wire.HeartbeatsData{}
	}
	k := [2]string{d.From, d.To}
	s := h.links[k]
	if s == nil {
		s = &wire.HeartbeatsData{From: d.From, To: d.To}
		h.links[k] = s
	}
	s.Count++
	s.Term = d.Term
	s.LastLatencyUS = d.LatencyUS
	if !d.Success {
		s.Failed++
	}
}

func (h *heartbeats) drain() []wire.HeartbeatsData {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []wire.HeartbeatsData
	for k, s := range h.links {
		out = append(out, *s)
		delete(h.links, k)
	}
	return out
}

// onRPC is the transport observer: every RPC this node sent.
func (n *Node) onRPC(d wire.RPCData) {
	if d.Heartbeat {
		n.hb.add(d)
	}
	ev := wire.NewEvent(n.cfg.ID, wire.EventRPC, time.Now(), d)
	ev.Heartbeat = d.Heartbeat
	n.bus.Publish(ev)
}

// statusLoop emits the node's status periodically, heartbeat summaries, and commit moves
// that no apply reported (no-ops, configuration entries).
func (n *Node) statusLoop() {
	defer n.wg.Done()
	fast := time.NewTicker(50 * time.Millisecond)
	defer fast.Stop()
	lastStatus := time.Time{}
	for {
		select {
		case <-n.stop:
			return
		case now := <-fast.C:
			if inst := n.inst.Load(); inst != nil {
				n.noteCommit(inst)
			}
			if now.Sub(lastStatus) < time.Second {
				continue
			}
			lastStatus = now
			for _, s := range n.hb.drain() {
				n.emit(wire.EventHeartbeats, s)
			}
			n.emit(wire.EventStatus, n.Status())
		}
	}
}
