package netfault

import (
	"context"
	"errors"
	"fmt"
	"net"
	"syscall"

	"github.com/hashicorp/raft"
)

// Refuses reports whether nothing listens at the raft address of peer id: a TCP connect
// to it is refused. That is proof that the peer's raft transport is closed (its raft shut
// down, or its process died), which a silent peer is not: a stalled process, a lost
// network or a peer whose link this node's faults block all leave the question open, and
// Refuses then reports false. A connection that does open is closed at once; the peer's
// transport sees it end before any request and drops it quietly.
func (t *Transport) Refuses(ctx context.Context, id raft.ServerID, addr raft.ServerAddress) bool {
	if t.rules.Load().sendBlocked(string(id)) {
		return false // through a cut link this node cannot learn anything about the peer
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", string(addr))
	if err == nil {
		conn.Close()
		return false
	}
	return errors.Is(err, syscall.ECONNREFUSED)
}

// StartElection makes this node's raft start an election now, skipping pre-vote, by
// handing it the TimeoutNow request a leader sends to transfer its leadership. Its vote
// requests then carry the transfer flag, so the other followers vote even though they
// still know the old leader. That rule (no vote while a leader is known) only keeps a
// live leader from being disrupted, so call this only once the leader is known to be
// down (Refuses). raft answers once it has become a candidate.
func (t *Transport) StartElection(ctx context.Context) error {
	resp := make(chan raft.RPCResponse, 1)
	req := &raft.TimeoutNowRequest{RPCHeader: raft.RPCHeader{ProtocolVersion: raft.ProtocolVersionMax, ID: []byte(t.self)}}
	select {
	case t.rpcCh <- raft.RPC{Command: req, RespChan: resp}:
	case <-t.closeCh:
		return ErrClosed
	case <-ctx.Done():
		return fmt.Errorf("start election: %w", ctx.Err())
	}
	select {
	case r := <-resp:
		if r.Error != nil {
			return fmt.Errorf("start election: %w", r.Error)
		}
		return nil
	case <-t.closeCh:
		return ErrClosed
	case <-ctx.Done():
		return fmt.Errorf("start election: %w", ctx.Err())
	}
}
