package netfault

import "github.com/hashicorp/raft"

// Consumer implements raft.Transport. RPCs from peers this node must not hear from are
// answered with an error before they reach raft.
func (t *Transport) Consumer() <-chan raft.RPC { return t.rpcCh }

// SetHeartbeatHandler implements raft.Transport. NetworkTransport hands heartbeats straight
// to this handler, bypassing Consumer, so the rules are applied here too; otherwise a
// follower cut off from its leader would keep hearing heartbeats and never time out.
func (t *Transport) SetHeartbeatHandler(cb func(rpc raft.RPC)) {
	if cb == nil {
		t.inner.SetHeartbeatHandler(nil)
		return
	}
	t.inner.SetHeartbeatHandler(func(rpc raft.RPC) {
		if err := t.admit(rpc.Command); err != nil {
			rpc.Respond(nil, err)
			return
		}
		cb(rpc)
	})
}

// screenIncoming moves RPCs from the inner transport to raft, refusing those the rules
// block. The inner channel is unbuffered and so is ours, so raft's back-pressure on the
// connection handlers is kept (one RPC at most waits here).
func (t *Transport) screenIncoming() {
	defer t.wg.Done()
	in := t.inner.Consumer()
	for {
		select {
		case rpc := <-in:
			if err := t.admit(rpc.Command); err != nil {
				rpc.Respond(nil, err)
				continue
			}
			select {
			case t.rpcCh <- rpc:
			case <-t.closeCh:
				rpc.Respond(nil, ErrClosed)
				return
			}
		case <-t.closeCh:
			return
		}
	}
}
