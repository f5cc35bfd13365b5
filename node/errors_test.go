package node

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/raftplay/raftplay/node/wire"
)

// TestForwardedErrorsMeanWhatLocalOnesDo: an error answered by another node (its status and
// detail, as the peer service and the API send them) is the same sentinel, with the same
// status, code and SQLSTATE, as the error was where it happened.
func TestForwardedErrorsMeanWhatLocalOnesDo(t *testing.T) {
	for _, k := range kinds {
		for _, sentinel := range k.errs {
			local := Explain(fmt.Errorf("%w: detail", sentinel))
			remote := &RemoteError{Status: local.Status, Detail: local.Detail}
			if k.Code == wire.CodeUnauthorized {
				continue // another node refusing this one's token is this node's problem (500)
			}
			got := Explain(remote)
			if !errors.Is(remote, sentinel) || got.Status != local.Status || got.Detail.Code != local.Detail.Code || got.SQLState != local.SQLState {
				t.Errorf("%v: local %+v, forwarded %+v (is %v)", sentinel, local, got, errors.Is(remote, sentinel))
			}
		}
	}
}

func TestExplainUsesTheTable(t *testing.T) {
	tests := []struct {
		err      error
		status   int
		code     string
		sqlstate string
	}{
		{ErrNotLeader, http.StatusServiceUnavailable, wire.CodeNotLeader, "40001"},
		{ErrIndeterminate, http.StatusServiceUnavailable, wire.CodeIndeterminate, "08007"},
		{ErrClosed, http.StatusServiceUnavailable, wire.CodeNodeDown, "57P03"},
		{fmt.Errorf("%w: applied 9 of 10", ErrCatchingUp), http.StatusServiceUnavailable, wire.CodeCatchingUp, "57P03"},
		{&http.MaxBytesError{Limit: 1}, http.StatusRequestEntityTooLarge, wire.CodeTooLarge, "54000"},
		{fmt.Errorf("restart: %w", ErrAlreadyUp), http.StatusConflict, wire.CodeConflict, "XX000"},
		{fmt.Errorf("wait: %w", context.DeadlineExceeded), http.StatusGatewayTimeout, wire.CodeTimeout, "57014"},
		{&CASError{Key: "k"}, http.StatusPreconditionFailed, wire.CodeCASMismatch, "XX000"},
		{errors.New("surprise"), http.StatusInternalServerError, wire.CodeInternal, "XX000"},
	}
	for _, tt := range tests {
		a := Explain(tt.err)
		if a.Status != tt.status || a.Detail.Code != tt.code || a.SQLState != tt.sqlstate {
			t.Errorf("%v: %d %s %s, want %d %s %s", tt.err, a.Status, a.Detail.Code, a.SQLState, tt.status, tt.code, tt.sqlstate)
		}
	}
}
