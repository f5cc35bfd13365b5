package sql

import (
	"errors"
	"fmt"
)

// Error is every SQL error the package returns. Find it through wrapping with errors.As.
type Error struct {
	SQLState string // five-character SQLSTATE code
	Message  string
	Position int // 1-based byte offset into the request text, or 0
}

func (e *Error) Error() string {
	if e.Position > 0 {
		return fmt.Sprintf("%s (SQLSTATE %s, position %d)", e.Message, e.SQLState, e.Position)
	}
	return fmt.Sprintf("%s (SQLSTATE %s)", e.Message, e.SQLState)
}

// Is makes errors.Is match two *Error values with the same SQLSTATE, so the sentinels
// below work as classes (errors.Is(err, ErrTooLarge) for any size-guard failure).
func (e *Error) Is(target error) bool {
	var t *Error
	if !errors.As(target, &t) {
		return false
	}
	return t.SQLState == e.SQLState && (t.Message == "" || t.Message == e.Message)
}

// SQLSTATE codes used by the package.
const (
	StateSyntax                   = "42601"
	StateUndefinedTable           = "42P01"
	StateUndefinedColumn          = "42703"
	StateAmbiguousColumn          = "42702"
	StateDatatypeMismatch         = "42804"
	StateUndefinedFunction        = "42883"
	StateInvalidText              = "22P02"
	StateDuplicateTable           = "42P07"
	StateDuplicateColumn          = "42701"
	StateDuplicateObject          = "42710"
	StateUndefinedObject          = "42704"
	StateUnsupported              = "0A000"
	StateLimitExceeded            = "54000"
	StateUniqueViolation          = "23505"
	StateNotNullViolation         = "23502"
	StateDivisionByZero           = "22012"
	StateInvalidPowerArgument     = "2201F"
	StateOutOfRange               = "22003"
	StateStringTooLong            = "22001"
	StateGrouping                 = "42803"
	StateInvalidColumnRef         = "42P10"
	StateUndefinedParameter       = "42P02"
	StateSerialization            = "40001"
	StateInvalidName              = "42602"
	StateInvalidParameter         = "22023"
	StateCharacterNotInRepertoire = "22021"
	StateInternal                 = "XX000"
	StateDataCorrupted            = "XX001"
	StateProtocol                 = "08P01"
	StateInvalidDatetime          = "22007"
	StateDatetimeOverflow         = "22008"
	StateQueryCanceled            = "57014"
	StateCannotCoerce             = "42846"
	StateInvalidLimit             = "2201W"
	StateInvalidOffset            = "2201X"
	StateCardinality              = "21000"
)

// limitState is the SQLSTATE of a negative LIMIT or OFFSET: each has its own.
func limitState(what string) string {
	if what == "OFFSET" {
		return StateInvalidOffset
	}
	return StateInvalidLimit
}

// Sentinels for errors.Is: each matches every *Error with its SQLSTATE.
var (
	ErrTooLarge         = &Error{SQLState: StateLimitExceeded}
	ErrSyntax           = &Error{SQLState: StateSyntax}
	ErrUndefinedTable   = &Error{SQLState: StateUndefinedTable}
	ErrUndefinedColumn  = &Error{SQLState: StateUndefinedColumn}
	ErrUniqueViolation  = &Error{SQLState: StateUniqueViolation}
	ErrNotNullViolation = &Error{SQLState: StateNotNullViolation}
	ErrUnsupported      = &Error{SQLState: StateUnsupported}
	ErrBadBatch         = &Error{SQLState: StateProtocol}
	ErrSchemaChanged    = &Error{SQLState: StateSerialization}
)

func errf(state, format string, args ...any) *Error {
	return &Error{SQLState: state, Message: fmt.Sprintf(format, args...)}
}

// errAt is errf with a 1-based position.
func errAt(pos int, state, format string, args ...any) *Error {
	e := errf(state, format, args...)
	e.Position = pos
	return e
}
