package node

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/raftplay/raftplay/node/eventbus"
	"github.com/raftplay/raftplay/node/sql"
	"github.com/raftplay/raftplay/node/store"
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
	ErrConflict      = errors.New("conflict")
)

// The front ends' own refusals of a request, before it reaches a node. They are here so
// that one table (kinds) says what every error a client can get means.
var (
	ErrUnauthorized     = errors.New("unauthorized")
	ErrCrossOrigin      = errors.New("cross-origin request")
	ErrUnknownHost      = errors.New("unknown host")
	ErrUnsupportedMedia = errors.New("unsupported media type")
	ErrSlowBody         = errors.New("request body too slow")
	ErrTooLarge         = errors.New("request body too large")
	ErrBadJSON          = errors.New("malformed JSON")
)

// Kind is what an error means to a client: the HTTP status and API code the JSON API
// answers with, and the SQLSTATE and hint the Postgres front end does.
type Kind struct {
	Status   int
	Code     string
	SQLState string
	Hint     string
}

// Hints of the Postgres front end, which tell a client what to do next.
const (
	hintElecting = "The cluster is electing a leader; retry the transaction."
	hintDown     = "This node is down; connect to another node or restart it."
	hintUnknown  = "The write may or may not have been applied; check before retrying."
)

// kind is one row of the table: the errors it matches (errs by errors.Is; match for
// errors of other packages, which a remote answer never stands for), and what they mean.
// pgMessage, when set, is what Postgres itself says for it.
type kind struct {
	errs      []error
	match     func(error) bool
	pgMessage string
	Kind
}

// kinds is the one table of errors: the first row that matches an error says what it
// means. *sql.Error, *RemoteError and *CASError, which carry more than a kind, come first
// (see Explain). A remote answer is matched by its code, to the first row with that code.
var kinds = []kind{
	{errs: []error{ErrUnauthorized}, Kind: Kind{http.StatusUnauthorized, wire.CodeUnauthorized, sql.StateInternal, ""}},
	{errs: []error{ErrCrossOrigin}, Kind: Kind{http.StatusForbidden, wire.CodeForbiddenOrigin, sql.StateInternal, ""}},
	{errs: []error{ErrUnknownHost}, Kind: Kind{http.StatusMisdirectedRequest, wire.CodeUnknownHost, sql.StateInternal, ""}},
	{errs: []error{ErrUnsupportedMedia}, Kind: Kind{http.StatusUnsupportedMediaType, wire.CodeUnsupported, sql.StateInternal, ""}},
	{errs: []error{ErrSlowBody}, Kind: Kind{http.StatusRequestTimeout, wire.CodeTimeout, sql.StateQueryCanceled, ""}},
	{errs: []error{ErrTooLarge}, match: isMaxBytes, Kind: Kind{http.StatusRequestEntityTooLarge, wire.CodeTooLarge, sql.StateLimitExceeded, ""}},
	{errs: []error{ErrBadJSON}, Kind: Kind{http.StatusBadRequest, wire.CodeBadJSON, sql.StateInvalidParameter, ""}},
	{errs: []error{ErrKeyNotFound, eventbus.ErrNoKeyframe}, Kind: Kind{http.StatusNotFound, wire.CodeNotFound, sql.StateInternal, ""}},
	{errs: []error{ErrUnknownNode}, Kind: Kind{http.StatusNotFound, wire.CodeUnknownNode, sql.StateInternal, ""}},
	{errs: []error{ErrBadRequest}, match: isBadCommand, Kind: Kind{http.StatusBadRequest, wire.CodeBadRequest, sql.StateInvalidParameter, ""}},
	{errs: []error{ErrNotLeader}, Kind: Kind{http.StatusServiceUnavailable, wire.CodeNotLeader, sql.StateSerialization, hintElecting}},
	{errs: []error{ErrNoLeader}, Kind: Kind{http.StatusServiceUnavailable, wire.CodeNoLeader, sql.StateSerialization, hintElecting}},
	{errs: []error{ErrNodeDown, ErrClosed}, Kind: Kind{http.StatusServiceUnavailable, wire.CodeNodeDown, stateCannotConnectNow, hintDown}},
	{errs: []error{ErrUnreachable}, Kind: Kind{http.StatusServiceUnavailable, wire.CodeUnavailable, sql.StateSerialization, hintElecting}},
	{errs: []error{ErrIndeterminate}, Kind: Kind{http.StatusServiceUnavailable, wire.CodeIndeterminate, stateUnknownOutcome, hintUnknown}},
	{errs: []error{ErrAlreadyUp, ErrConflict}, Kind: Kind{http.StatusConflict, wire.CodeConflict, sql.StateInternal, ""}},
	{match: is(context.DeadlineExceeded), pgMessage: "canceling statement due to statement timeout",
		Kind: Kind{http.StatusGatewayTimeout, wire.CodeTimeout, sql.StateQueryCanceled, ""}},
	{match: is(context.Canceled), pgMessage: "canceling statement due to user request",
		Kind: Kind{http.StatusInternalServerError, wire.CodeInternal, sql.StateQueryCanceled, ""}},
}

// internal is what an error no row matches means.
var internal = kind{Kind: Kind{http.StatusInternalServerError, wire.CodeInternal, sql.StateInternal, ""}}

// SQLSTATEs of errors that are not the engine's.
const (
	stateCannotConnectNow = "57P03"
	stateUnknownOutcome   = "08007" // transaction_resolution_unknown
)

func is(target error) func(error) bool { return func(err error) bool { return errors.Is(err, target) } }

func isMaxBytes(err error) bool {
	var mbe *http.MaxBytesError
	return errors.As(err, &mbe)
}

func isBadCommand(err error) bool { return errors.Is(err, store.ErrBadCommand) }

func (k kind) matches(err error) bool {
	for _, e := range k.errs {
		if errors.Is(err, e) {
			return true
		}
	}
	return k.match != nil && k.match(err)
}

func kindOf(err error) kind {
	for _, k := range kinds {
		if k.matches(err) {
			return k
		}
	}
	return internal
}

// kindOfCode is the first row with an API code.
func kindOfCode(code string) kind {
	for _, k := range kinds {
		if k.Code == code {
			return k
		}
	}
	return internal
}

// Answer is how every front end reports an error: the JSON API with Status and Detail, the
// Postgres front end with SQLState, Message, Detail.Position and Hint.
type Answer struct {
	Status   int
	Detail   wire.ErrorDetail
	SQLState string
	Message  string
	Hint     string
}

// Explain says what err means to a client (see kinds).
func Explain(err error) Answer {
	var se *sql.Error
	var re *RemoteError
	var cas *CASError
	switch {
	case errors.As(err, &se):
		d := wire.ErrorDetail{Code: wire.CodeSQL, Message: se.Message, SQLState: se.SQLState, Position: se.Position}
		return Answer{Status: sqlStatus(err, se), Detail: d, SQLState: se.SQLState, Message: se.Message}
	case errors.As(err, &re):
		return remoteAnswer(re)
	case errors.As(err, &cas):
		d := wire.ErrorDetail{Code: wire.CodeCASMismatch, Message: err.Error(), Current: cas.Current}
		return Answer{Status: http.StatusPreconditionFailed, Detail: d, SQLState: sql.StateInternal, Message: d.Message}
	}
	k := kindOf(err)
	a := Answer{Status: k.Status, Detail: wire.ErrorDetail{Code: k.Code, Message: err.Error()}, SQLState: k.SQLState, Message: err.Error(), Hint: k.Hint}
	if k.pgMessage != "" {
		a.Message = k.pgMessage
	}
	return a
}

// sqlStatus is the HTTP status of an engine error: its SQLSTATE's class decides.
func sqlStatus(err error, se *sql.Error) int {
	switch {
	case errors.Is(err, sql.ErrTooLarge):
		return http.StatusRequestEntityTooLarge
	case se.SQLState == sql.StateSerialization:
		return http.StatusConflict
	case errors.Is(err, sql.ErrCanceled):
		return http.StatusGatewayTimeout
	case strings.HasPrefix(se.SQLState, "23"):
		return http.StatusConflict
	}
	return http.StatusBadRequest
}

// remoteAnswer passes another node's answer on as it came, with the SQLSTATE of its code.
func remoteAnswer(re *RemoteError) Answer {
	if re.Detail.Code == wire.CodeUnauthorized {
		// Another node refused this one's token: the client's own was fine, so passing the
		// 401 on would send it looking for the wrong mistake.
		d := wire.ErrorDetail{Code: wire.CodeInternal,
			Message: "another node refused this node's token (every node of a cluster needs the same auth token): " + re.Detail.Message}
		return Answer{Status: http.StatusInternalServerError, Detail: d, SQLState: sql.StateInternal, Message: d.Message}
	}
	k := kindOfCode(re.Detail.Code)
	state := re.Detail.SQLState
	if state == "" {
		state = k.SQLState
	}
	return Answer{Status: re.Status, Detail: re.Detail, SQLState: state, Message: re.Detail.Message, Hint: k.Hint}
}

// RemoteError is an error answer from another node.
type RemoteError struct {
	Status int
	Detail wire.ErrorDetail
}

func (e *RemoteError) Error() string {
	return fmt.Sprintf("%s: %s", e.Detail.Code, e.Detail.Message)
}

// Is matches the error of this package that the remote answer's code stands for (its row
// in kinds), so a forwarded failure is handled like a local one.
func (e *RemoteError) Is(target error) bool {
	for _, err := range kindOfCode(e.Detail.Code).errs {
		if err == target {
			return true
		}
	}
	return false
}
