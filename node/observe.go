package node

import (
	"github.com/hashicorp/raft"
)

// observe consumes raft observations for one life of the node.
func (n *Node) observe(inst *instance) {
	defer inst.wg.Done()
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
				n.log.Info("role changed", "role", roleOf(d), "term", inst.raft.CurrentTerm())
			case raft.LeaderObservation:
				n.log.Info("leader changed", "leader", d.LeaderID, "term", inst.raft.CurrentTerm())
			}
		}
	}
}
