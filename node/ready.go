package node

import (
	"errors"
	"fmt"
)

// Ready reports whether the node can serve: its raft runs, it knows a leader, and it has
// applied everything that was committed when it first learned of one (so a restarted node
// is not ready while it is still replaying).
func (n *Node) Ready() error {
	inst, err := n.instance()
	if err != nil {
		return err
	}
	if _, lid := inst.raft.LeaderWithID(); lid == "" {
		return ErrNoLeader
	}
	target := inst.readyTarget.Load()
	if target == 0 {
		target = max(inst.raft.CommitIndex(), 1)
		if !inst.readyTarget.CompareAndSwap(0, target) {
			target = inst.readyTarget.Load()
		}
	}
	applied := inst.fsm.AppliedIndex()
	if applied >= target || (inst.raft.AppliedIndex() >= target && n.noFSMEntries(inst, applied+1, target)) {
		return nil
	}
	return fmt.Errorf("%w: applied %d of %d", errCatchingUp, applied, target)
}

var errCatchingUp = errors.New("catching up")
