package node

import (
	"fmt"
)

// Ready reports whether the node can serve: its raft runs, it knows a leader, and it has
// applied everything in its log when it first learned of one and everything committed since
// (so a restarted node is not ready while it is still replaying).
func (n *Node) Ready() error {
	inst, err := n.instance()
	if err != nil {
		return err
	}
	if _, lid := inst.raft.LeaderWithID(); lid == "" {
		return ErrNoLeader
	}
	// A restarted node learns the commit index from the leader a moment after it learns
	// the leader, so its own log counts too: everything in it when the leader was first
	// known must be applied (or, if a new leader truncates part of it, what remains).
	target := inst.readyTarget.Load()
	if target == 0 {
		target = max(inst.raft.CommitIndex(), inst.raft.LastIndex(), 1)
		if !inst.readyTarget.CompareAndSwap(0, target) {
			target = inst.readyTarget.Load()
		}
	}
	target = max(min(target, inst.raft.LastIndex()), inst.raft.CommitIndex())
	applied := inst.fsm.AppliedIndex()
	if applied >= target || (inst.raft.AppliedIndex() >= target && n.noFSMEntries(inst, applied+1, target)) {
		return nil
	}
	return fmt.Errorf("%w: applied %d of %d", ErrCatchingUp, applied, target)
}
