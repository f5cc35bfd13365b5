package node

import (
	"context"
	"math/rand/v2"
	"time"

	"github.com/hashicorp/raft"

	"github.com/raftplay/raftplay/node/wire"
)

// The heartbeat timeout has to outlast the scheduling stalls of a busy machine, which makes
// it too long to wait out when a leader has really gone. So a follower that has not heard
// from its leader for Timing.Probe asks the kernel whether anything still listens on the
// leader's raft port. A stalled leader's port still accepts (the kernel answers for it), a
// crashed or killed one refuses, and only then does the follower start an election, at
// once. Silence that is not proof (a lost network, a cut link) waits out raft's own timeout.

// leaderWatch is what a follower remembers between checks of its leader.
type leaderWatch struct {
	leader raft.ServerID
	term   uint64    // the term this node was in when it first saw leader
	probed time.Time // the last probe, so a silent but live leader is probed once per Probe
}

// watchLeader checks the leader for one life of the node until it ends.
func (n *Node) watchLeader(inst *instance) {
	defer inst.wg.Done()
	var w leaderWatch
	for {
		t := n.timingInForce()
		select {
		case <-inst.done:
			return
		case <-time.After(probeTick(t.Probe)):
		}
		if t.Probe > 0 {
			n.checkLeader(inst, &w, t.Probe)
		}
	}
}

// probeTick is how often a follower looks at its last contact: often enough that the check
// adds little to Probe, and jittered so that two followers rarely act in the same instant
// (two candidates at once split the vote and wait out an election timeout).
func probeTick(probe time.Duration) time.Duration {
	if probe <= 0 {
		return time.Second // the check is off; look again in case the timing changes
	}
	return probe/16 + rand.N(probe/8)
}

// checkLeader probes a leader that has been silent for probe and starts an election if its
// raft is down.
func (n *Node) checkLeader(inst *instance, w *leaderWatch, probe time.Duration) {
	r := inst.raft
	addr, id := r.LeaderWithID()
	if r.State() != raft.Follower || id == "" {
		w.leader = ""
		return
	}
	if id != w.leader {
		w.leader, w.term = id, r.CurrentTerm()
	}
	quiet := time.Since(r.LastContact())
	if quiet < probe || time.Since(w.probed) < probe {
		return
	}
	rank, ok := n.voterRank(inst, id)
	if !ok || quiet < time.Duration(1+rank)*probe {
		return
	}
	w.probed = time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), probe)
	defer cancel()
	if !inst.trans.Refuses(ctx, id, addr) || !stillSilent(r, id, w.term, probe) {
		return
	}
	n.log.Info("leader's raft refuses connections; starting an election", "leader", id, "quiet", quiet.Round(time.Millisecond))
	n.emit(wire.EventLeaderDown, wire.LeaderDownData{Leader: string(id), Term: w.term, QuietMS: quiet.Milliseconds()})
	if err := inst.trans.StartElection(ctx); err != nil {
		n.log.Warn("start election", "error", err)
	}
}

// stillSilent reports whether, after the probe, this node still follows leader in the term
// it saw it in without having heard from it. A newer term means a candidate already asked
// for this node's vote: that election is under way, and starting another would only
// disrupt it.
func stillSilent(r *raft.Raft, leader raft.ServerID, term uint64, probe time.Duration) bool {
	_, id := r.LeaderWithID()
	return r.State() == raft.Follower && id == leader && r.CurrentTerm() == term &&
		time.Since(r.LastContact()) >= probe
}

// voterRank is this node's place among the voters other than leader, by id, and whether it
// votes at all (raft itself never starts an election on a node that does not). Followers
// wait Probe times one more than their rank: when a leader dies just after a write, all
// of them heard from it last at the same moment, and if two campaigned at once they would
// split the vote and wait out a whole election timeout. A rank's extra Probe is longer
// than a heartbeat gap, so the first follower campaigns before the second would even if it
// heard from the leader a gap earlier, and the second only steps in when the first cannot.
func (n *Node) voterRank(inst *instance, leader raft.ServerID) (int, bool) {
	f := inst.raft.GetConfiguration()
	if f.Error() != nil {
		return 0, false
	}
	rank, voter := 0, false
	for _, s := range f.Configuration().Servers {
		switch {
		case s.Suffrage != raft.Voter || s.ID == leader:
		case string(s.ID) == n.cfg.ID:
			voter = true
		case string(s.ID) < n.cfg.ID:
			rank++
		}
	}
	return rank, voter
}
