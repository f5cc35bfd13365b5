package node

import (
	"cmp"
	"slices"
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
				sd := wire.StateData{Role: role, Prev: prev, Term: inst.raft.CurrentTerm()}
				if role == wire.RoleCandidate {
					sd.ElectionTimeoutMS = inst.raft.ReloadableConfig().ElectionTimeout.Milliseconds()
				}
				n.emit(wire.EventState, sd)
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

// heartbeats keeps, per link, what default streams see of its idle traffic: heartbeats
// and idle appends are folded into one summary every summaryEvery (their rpc events are
// still published, marked, for the streams that want every one), and the link's last
// successful append, to tell an idle one. Raft sends an empty append to each follower every
// commit timeout while nothing happens, which was most of what an idle cluster streamed.
type heartbeats struct {
	mu    sync.Mutex
	links map[[2]string]*link
}

// link is one sender-to-receiver pair.
type link struct {
	sum    wire.HeartbeatsData // folded since the last summary
	folded bool                // sum has something to report
	// The last successful append, valid while known: a failure on the link forgets it, so
	// that the first success after one (contact regained) is never folded.
	known                         bool
	term, prevIndex, prevTerm, lc uint64
}

// fold records d on its link and reports whether default streams summarise it instead of
// showing it: a heartbeat, or an append that changes nothing (marked Idle).
func (h *heartbeats) fold(d *wire.RPCData, at time.Time) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.links == nil {
		h.links = map[[2]string]*link{}
	}
	k := [2]string{d.From, d.To}
	l := h.links[k]
	if l == nil {
		l = &link{sum: wire.HeartbeatsData{From: d.From, To: d.To}}
		h.links[k] = l
	}
	if d.Success {
		l.sum.LastAt = at
	}
	switch {
	case d.Heartbeat:
		l.sum.Count++
		if !d.Success {
			l.sum.Failed++
		}
	case d.RPC != wire.RPCAppendEntries:
		return false
	case !d.Success:
		l.known = false
		return false
	default:
		idle := d.Entries == 0 && l.known && l.term == d.Term && l.prevIndex == d.PrevIndex &&
			l.prevTerm == d.PrevTerm && l.lc == d.LeaderCommit
		l.known, l.term, l.prevIndex, l.prevTerm, l.lc = true, d.Term, d.PrevIndex, d.PrevTerm, d.LeaderCommit
		if !idle {
			return false
		}
		d.Idle = true
		l.sum.Appends++
	}
	l.folded = true
	l.sum.Term = d.Term
	l.sum.LastLatencyUS = d.LatencyUS
	return true
}

// drain returns the summaries of the links that folded something since the last drain.
func (h *heartbeats) drain() []wire.HeartbeatsData {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []wire.HeartbeatsData
	for _, l := range h.links {
		if !l.folded {
			continue
		}
		out = append(out, l.sum)
		l.folded = false
		l.sum.Count, l.sum.Failed, l.sum.Appends = 0, 0, 0
	}
	slices.SortFunc(out, func(a, b wire.HeartbeatsData) int {
		return cmp.Or(cmp.Compare(a.From, b.From), cmp.Compare(a.To, b.To))
	})
	return out
}

// onRPC is the transport observer: every RPC this node sent. The event is stamped when the
// outcome is known; d.Sent says when it left.
func (n *Node) onRPC(d wire.RPCData) {
	now := time.Now()
	folded := n.hb.fold(&d, now)
	ev := wire.NewEvent(n.cfg.ID, wire.EventRPC, now, d)
	ev.Heartbeat = folded
	n.bus.Publish(ev)
}

// summaryEvery is how often each link's idle traffic is summarised: often enough that a
// page can draw a link as alive, rarely enough that an idle cluster streams little.
const summaryEvery = 250 * time.Millisecond

// statusLoop emits the node's status periodically, heartbeat summaries, and commit moves
// that no apply reported (no-ops, configuration entries).
func (n *Node) statusLoop() {
	defer n.wg.Done()
	fast := time.NewTicker(50 * time.Millisecond)
	defer fast.Stop()
	var lastStatus, lastSummary time.Time
	for {
		select {
		case <-n.stop:
			return
		case now := <-fast.C:
			if inst := n.inst.Load(); inst != nil {
				n.noteCommit(inst)
			}
			// A tick may come a little early; half a tick of slack keeps the period whole.
			if now.Sub(lastSummary) >= summaryEvery-25*time.Millisecond {
				lastSummary = now
				for _, s := range n.hb.drain() {
					n.emit(wire.EventHeartbeats, s)
				}
			}
			if now.Sub(lastStatus) >= time.Second-25*time.Millisecond {
				lastStatus = now
				n.emit(wire.EventStatus, n.Status())
			}
		}
	}
}
