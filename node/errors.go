package node

import (
	"errors"
	"fmt"

	"github.com/raftplay/raftplay/node/wire"
)

// Errors callers test with errors.Is.
var (
	ErrNotLeader     = errors.New("not the leader")
	ErrNoLeader      = errors.New("no leader")
	ErrNodeDown      = errors.New("node is down")
	ErrKeyNotFound   = errors.New("key not found")
	ErrUnknownNode   = errors.New("unknown node")
	ErrBadRequest    = errors.New("bad request")
	ErrIndeterminate = errors.New("outcome unknown: leadership changed while the write was in flight")
	ErrClosed        = errors.New("node closed")
	ErrUnreachable   = errors.New("node unreachable")
)

// RemoteError is an error answer from another node's HTTP API (after forwarding).
type RemoteError struct {
	Status int
	Detail wire.ErrorDetail
}

func (e *RemoteError) Error() string {
	return fmt.Sprintf("%s: %s", e.Detail.Code, e.Detail.Message)
}

// Is maps the remote error codes onto this package's sentinels, so a forwarded failure is
// handled like a local one.
func (e *RemoteError) Is(target error) bool {
	switch target {
	case ErrNotLeader:
		return e.Detail.Code == wire.CodeNotLeader
	case ErrNoLeader:
		return e.Detail.Code == wire.CodeNoLeader
	case ErrKeyNotFound:
		return e.Detail.Code == wire.CodeNotFound
	case ErrUnknownNode:
		return e.Detail.Code == wire.CodeUnknownNode
	case ErrNodeDown:
		return e.Detail.Code == wire.CodeNodeDown
	case ErrIndeterminate:
		return e.Detail.Code == wire.CodeIndeterminate
	case ErrBadRequest:
		return e.Detail.Code == wire.CodeBadRequest
	}
	return false
}
