package pgwire

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/raftplay/raftplay/node"
	"github.com/raftplay/raftplay/node/sql"
	"github.com/raftplay/raftplay/node/wire"
)

// SQLSTATE codes the server itself uses besides the engine's.
const (
	stateTooManyConnections  = "53300"
	stateAuthFailed          = "28P01"
	stateAuthSpecification   = "28000" // invalid_authorization_specification
	stateInFailedTxn         = "25P02"
	stateActiveTxn           = "25001"
	stateNoActiveTxn         = "25P01"
	stateQueryCanceled       = "57014"
	stateCannotConnectNow    = "57P03"
	stateUnknownOutcome      = "08007"
	stateUndefinedPstmt      = "26000"
	stateDuplicatePstmt      = "42P05"
	stateUndefinedCursor     = "34000"
	stateFeatureNotSupported = "0A000"
)

// pgError is an error with everything an ErrorResponse carries.
type pgError struct {
	Severity string // ERROR unless set
	Code     string
	Message  string
	Detail   string
	Hint     string
	Position int
}

func (e *pgError) Error() string { return e.Message + " (SQLSTATE " + e.Code + ")" }

func pgErr(code, msg string) *pgError { return &pgError{Code: code, Message: msg} }

// toPGError classifies any error the backend or the server returns. Leadership trouble is
// reported as 40001 (serialization_failure) because retrying the transaction is exactly
// what the client should do; an unknown outcome is 08007
// (transaction_resolution_unknown), as the write may or may not have been applied.
func toPGError(err error) *pgError {
	var pe *pgError
	if errors.As(err, &pe) {
		return pe
	}
	var se *sql.Error
	if errors.As(err, &se) {
		return &pgError{Code: se.SQLState, Message: se.Message, Position: se.Position}
	}
	var re *node.RemoteError
	if errors.As(err, &re) && re.Detail.SQLState != "" {
		return &pgError{Code: re.Detail.SQLState, Message: re.Detail.Message, Position: re.Detail.Position}
	}
	switch {
	case errors.Is(err, context.Canceled):
		return pgErr(stateQueryCanceled, "canceling statement due to user request")
	case errors.Is(err, context.DeadlineExceeded):
		return pgErr(stateQueryCanceled, "canceling statement due to statement timeout")
	case errors.Is(err, node.ErrIndeterminate):
		return &pgError{Code: stateUnknownOutcome, Message: err.Error(), Hint: "The write may or may not have been applied; check before retrying."}
	case errors.Is(err, node.ErrNotLeader), errors.Is(err, node.ErrNoLeader), errors.Is(err, node.ErrUnreachable):
		return &pgError{Code: sql.StateSerialization, Message: err.Error(), Hint: "The cluster is electing a leader; retry the transaction."}
	case errors.Is(err, node.ErrNodeDown), errors.Is(err, node.ErrClosed):
		return &pgError{Code: stateCannotConnectNow, Message: err.Error(), Hint: "This node is down; connect to another node or restart it."}
	}
	if re != nil {
		code := sql.StateInternal
		switch re.Detail.Code {
		case wire.CodeTooLarge:
			code = sql.StateLimitExceeded
		case wire.CodeTimeout:
			code = stateQueryCanceled
		case wire.CodeStaleRead, wire.CodeUnavailable:
			code = sql.StateSerialization
		case wire.CodeBadRequest, wire.CodeBadJSON:
			code = sql.StateInvalidParameter
		}
		return pgErr(code, re.Detail.Message)
	}
	return pgErr(sql.StateInternal, err.Error())
}

// shiftPosition moves an error position from a piece of the query string to the whole.
func shiftPosition(e *pgError, offset int) *pgError {
	if e.Position > 0 && offset > 0 {
		c := *e
		c.Position += offset
		return &c
	}
	return e
}

func (e *pgError) response() *pgproto3.ErrorResponse {
	sev := e.Severity
	if sev == "" {
		sev = "ERROR"
	}
	return &pgproto3.ErrorResponse{
		Severity:            sev,
		SeverityUnlocalized: sev,
		Code:                e.Code,
		Message:             e.Message,
		Detail:              e.Detail,
		Hint:                e.Hint,
		Position:            int32(e.Position),
	}
}

var errClosedConn = pgErr(sql.StateInternal, "connection closed while sending rows")
