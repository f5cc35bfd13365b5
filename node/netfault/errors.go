package netfault

import (
	"errors"
	"strings"
)

var (
	// ErrBlocked is returned for an RPC on a blocked link (a Block rule, a Drop of 1, or an
	// isolated node), on the sending side and, carried back over the wire, when the
	// receiving side refuses the RPC.
	ErrBlocked = errors.New("netfault: link blocked")

	// ErrDropped is returned for an RPC lost to a random Drop rule.
	ErrDropped = errors.New("netfault: rpc dropped")

	// ErrClosed is returned when the transport or pipeline closed while an RPC waited out
	// an injected delay.
	ErrClosed = errors.New("netfault: transport closed")
)

// remoteBlocked is the peer's refusal as it arrives over the wire: NetworkTransport carries
// only the error text, so it is matched back to ErrBlocked to keep errors.Is working on the
// sending side.
type remoteBlocked struct{ msg string }

func (e *remoteBlocked) Error() string { return e.msg }
func (e *remoteBlocked) Unwrap() error { return ErrBlocked }

// fromRemote restores the ErrBlocked identity of a refusal sent by the peer's wrapper.
func fromRemote(err error) error {
	if err == nil || errors.Is(err, ErrBlocked) {
		return err
	}
	if msg := err.Error(); strings.Contains(msg, ErrBlocked.Error()) {
		return &remoteBlocked{msg: msg}
	}
	return err
}
