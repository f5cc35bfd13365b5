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
	return call(addr)
}
