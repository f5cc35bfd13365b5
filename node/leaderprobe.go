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

// leaderWatch is what a follower remembers between checks of its leader. It keeps the
// leader after raft forgets it: a candidate's vote request for a newer term clears it, and
// when that election fails (a candidate whose log is behind cannot win) the leader is still
// gone and the next survivor's turn must still come.
type leaderWatch struct {
	leader raft.ServerID
	addr   raft.ServerAddress
	quiet  time.Time // when this node first found the leader silent for Probe (zero: it is not)
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
			n.checkLeader(inst, &w, t)
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

// checkLeader probes a leader that has been silent for Probe, once this node's turn has
// come, and starts an election if the leader's raft is down.
func (n *Node) checkLeader(inst *instance, w *leaderWatch, t Timing) {
	r := inst.raft
	if r.State() != raft.Follower {
		*w = leaderWatch{} // this node campaigns or leads: raft is on it
		return
	}
	if addr, id := r.LeaderWithID(); id != "" && id != w.leader {
		*w = leaderWatch{leader: id, addr: addr}
	}
	if w.leader == "" || !silent(inst, w.leader, t.Probe) {
		w.quiet = time.Time{}
		return
	}
	if w.quiet.IsZero() {
		w.quiet = time.Now()
	}
	rank, ok := n.voterRank(inst, w.leader)
	if !ok || time.Since(w.quiet) < time.Duration(rank)*turn(t) || time.Since(w.probed) < t.Probe || voting(inst, t.Probe) {
		return
	}
	w.probed = time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), t.Probe)
	defer cancel()
	if !inst.trans.Refuses(ctx, w.leader, w.addr) || !silent(inst, w.leader, t.Probe) || voting(inst, t.Probe) {
		return
	}
	quiet := time.Since(r.LastContact())
	n.log.Info("leader's raft refuses connections; starting an election", "leader", w.leader, "quiet", quiet.Round(time.Millisecond))
	n.emit(wire.EventLeaderDown, wire.LeaderDownData{Leader: string(w.leader), Term: r.CurrentTerm(), QuietMS: quiet.Milliseconds()})
	if err := inst.trans.StartElection(ctx); err != nil {
		n.log.Warn("start election", "error", err)
	}
}

// turn is how long each follower waits after the one before it (by id) found the leader
// silent: two followers campaigning in the same instant would split the vote and wait
// out a whole election timeout. The followers' last heartbeats can lie a heartbeat gap
// apart, so a turn is that gap plus a Probe for the one before to get its vote requests
// out, which on a busy disk (each candidate writes its term and vote first) takes long.
func turn(t Timing) time.Duration { return t.Probe + t.longestHeartbeatGap() }

// voting reports whether this node was asked for a vote within probe: a candidate is
// collecting votes, and a second one would only split them.
func voting(inst *instance, probe time.Duration) bool {
	return time.Since(time.Unix(0, inst.voteSeen.Load())) < probe
}

// silent reports whether this node is a follower that knows no leader but leader and has
// not heard from it for probe.
func silent(inst *instance, leader raft.ServerID, probe time.Duration) bool {
	r := inst.raft
	_, id := r.LeaderWithID()
	return r.State() == raft.Follower && (id == leader || id == "") && time.Since(r.LastContact()) >= probe
}

// voterRank is this node's place among the voters other than leader, by id, and whether it
// votes at all (raft itself never starts an election on a node that does not).
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
