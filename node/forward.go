package node

import "context"

// forward runs call against the leader's HTTP address: a follower's way of having the
// leader do what only the leader can. call is a PeerClient method, whose internal route
// reaches the leader's node directly.
func (n *Node) forward(ctx context.Context, call func(addr string) error) error {
	_, addr, err := n.leaderHTTP()
	if err != nil {
		return err
	}
	n.forwarded.Add(1)
	return call(addr)
}

// LeaderChanges counts the leaders this node has seen elected since it was made (a new
// leader in a term, or the same one again after a gap without one).
func (n *Node) LeaderChanges() uint64 { return n.leaderChanges.Load() }

// Forwarded counts the requests this node has sent on to a leader.
func (n *Node) Forwarded() uint64 { return n.forwarded.Load() }
