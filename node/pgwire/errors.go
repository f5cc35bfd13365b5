package pgwire

import (
	"errors"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/raftplay/raftplay/node"
	"github.com/raftplay/raftplay/node/sql"
)

// SQLSTATE codes the server itself uses besides the engine's.
const (
	stateTooManyConnections  = "53300"
	stateAuthFailed          = "28P01"
	stateAuthSpecification   = "28000" // invalid_authorization_specification
	stateInFailedTxn         = "25P02"
	stateActiveTxn           = "25001"
	stateNoActiveTxn         = "25P01"
	stateNoSavepoint         = "3B001"
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

// toPGError reports any error the backend or the server returns as node.Explain says:
// one table (node/errors.go) gives every front end its answer. Leadership trouble is
// 40001 (serialization_failure) because retrying the transaction is exactly what the
// client should do; an unknown outcome is 08007 (transaction_resolution_unknown), as the
// write may or may not have been applied.
func toPGError(err error) *pgError {
	var pe *pgError
	if errors.As(err, &pe) {
		return pe
	}
	a := node.Explain(err)
	return &pgError{Code: a.SQLState, Message: a.Message, Hint: a.Hint, Position: a.Detail.Position}
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
