package netfault

import (
	"errors"
	"io"
	"syscall"
)

// NetworkTransport keeps up to MaxPool idle connections per peer and hands them out
// without checking them. A follower only uses its pool when it campaigns, so after a peer
// restarted, the pool still holds connections the peer's old life closed, and the first
// vote over one fails at once with EOF: in the failover bench the first survivor to
// campaign after a restarted node's return lost its election that way and waited a whole
// election timeout. A broken connection is dropped from the pool, so trying again takes the
// next one or dials a fresh one.
const staleRetries = 3 // MaxPool of the node's transport: every pooled connection may be stale

// closedByPeer reports whether err is a connection that broke under the call because the
// peer had closed it (or closed it meanwhile), as opposed to an answer or a timeout.
func closedByPeer(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}

// votingCall runs call, and again on a connection its peer had closed, up to staleRetries
// more times. Only for votes and pre-votes: asking again is harmless, because a voter that
// already granted the candidate this term grants it again, and a pre-vote changes nothing.
func votingCall(call func() error) error {
	err := call()
	for i := 0; i < staleRetries && err != nil && closedByPeer(err); i++ {
		err = call()
	}
	return err
}
