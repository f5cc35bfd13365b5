package netfault

import (
	"errors"
	"net"
	"time"
)

// hashicorp/raft backs off after every failed AppendEntries or InstallSnapshot to a peer,
// exponentially up to 10.24 s, and nothing resets the backoff when the peer comes back: a
// follower restarted or reconnected after a few seconds away could wait that long to be
// caught up. So an RPC to an unreachable peer — one whose link is blocked or that refuses
// connections — waits up to unreachableHold for it to become reachable, retrying every
// unreachableRetry, and goes through the moment it does. Failures then come at most once
// per unreachableHold, the backoff stays short, and a returning peer hears from the
// leader at once. It is also closer to a real partition, where packets vanish instead of
// being refused. Only failures where nothing reached the peer are retried (a blocked link
// on either side, a failed dial), so a retry can never deliver an RPC twice.
const (
	unreachableHold  = time.Second
	unreachableRetry = 20 * time.Millisecond
)

// unreachable reports whether err proves the RPC did not reach the peer's raft.
func unreachable(err error) bool {
	if errors.Is(err, ErrBlocked) {
		return true
	}
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

// untilReachable runs call, and while it fails with the peer unreachable, runs it again
// every unreachableRetry for up to unreachableHold. It gives up at once when the transport
// closes or Quiesce is called.
func (t *Transport) untilReachable(call func() error) error {
	err := call()
	if !unreachable(err) {
		return err
	}
	deadline := time.Now().Add(unreachableHold)
	retry := time.NewTimer(unreachableRetry)
	defer retry.Stop()
	for time.Now().Before(deadline) {
		select {
		case <-t.closeCh:
			return err
		case <-t.quiesceCh:
			return err
		case <-retry.C:
		}
		if err = call(); !unreachable(err) {
			return err
		}
		retry.Reset(unreachableRetry)
	}
	return err
}

// Quiesce makes RPCs stop waiting for unreachable peers: call it before raft.Shutdown,
// which waits for raft's replication goroutines (and so for any RPC they are in).
func (t *Transport) Quiesce() {
	t.quiesceOnce.Do(func() { close(t.quiesceCh) })
}
