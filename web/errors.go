package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strings"

	"github.com/raftplay/raftplay/node"
	"github.com/raftplay/raftplay/node/sql"
	"github.com/raftplay/raftplay/node/store"
	"github.com/raftplay/raftplay/node/wire"
	"github.com/raftplay/raftplay/web/httpguard"
)

// errBadJSON, errTooLarge and errNotJSON are request problems found by the handlers
// themselves.
var (
	errBadJSON    = errors.New("malformed JSON")
	errTooLarge   = errors.New("request body too large")
	errNotJSON    = errors.New("unsupported media type")
	errBadRequest = node.ErrBadRequest
)

// requireJSON refuses a body that is not declared as application/json (415). A page of
// another origin may send a text/plain, form or multipart body without asking the server
// first, but not a JSON one. An empty body declares nothing and passes.
func requireJSON(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); r.ContentLength != 0 && ct != "application/json" {
			writeError(w, fmt.Errorf("%w: the body of %s %s must be sent as Content-Type: application/json", errNotJSON, r.Method, r.URL.Path))
			return
		}
		h(w, r)
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	_ = enc.Encode(v) // the client may be gone; nothing to do about it
}

// writeError maps an error onto its HTTP status and JSON error body.
func writeError(w http.ResponseWriter, err error) {
	status, d := classify(err)
	switch status {
	case http.StatusServiceUnavailable:
		w.Header().Set("Retry-After", "1")
	case http.StatusUnauthorized:
		w.Header().Set("WWW-Authenticate", `Bearer realm="raftplay"`)
	}
	writeJSON(w, status, wire.ErrorBody{Error: d})
}

func classify(err error) (int, wire.ErrorDetail) {
	msg := err.Error()
	var re *node.RemoteError
	var cas *node.CASError
	var mbe *http.MaxBytesError
	var se *sql.Error
	switch {
	case errors.As(err, &se):
		status := http.StatusBadRequest
		switch {
		case errors.Is(err, sql.ErrTooLarge):
			status = http.StatusRequestEntityTooLarge
		case se.SQLState == "40001":
			status = http.StatusConflict
		case errors.Is(err, sql.ErrCanceled):
			status = http.StatusGatewayTimeout
		case strings.HasPrefix(se.SQLState, "23"):
			status = http.StatusConflict
		}
		return status, wire.ErrorDetail{Code: wire.CodeSQL, Message: se.Message, SQLState: se.SQLState, Position: se.Position}
	case errors.As(err, &re) && re.Detail.Code == wire.CodeUnauthorized:
		// Another node refused this one's token: the client's own was fine, so passing the
		// 401 on would send it looking for the wrong mistake.
		return http.StatusInternalServerError, wire.ErrorDetail{Code: wire.CodeInternal,
			Message: "another node refused this node's token (every node of a cluster needs the same auth token): " + re.Detail.Message}
	case errors.As(err, &re):
		return re.Status, re.Detail
	case errors.As(err, &cas):
		return http.StatusPreconditionFailed, wire.ErrorDetail{Code: wire.CodeCASMismatch, Message: msg, Current: cas.Current}
	case errors.Is(err, httpguard.ErrUnauthorized):
		return http.StatusUnauthorized, wire.ErrorDetail{Code: wire.CodeUnauthorized, Message: msg}
	case errors.Is(err, httpguard.ErrCrossOrigin):
		return http.StatusForbidden, wire.ErrorDetail{Code: wire.CodeForbiddenOrigin, Message: msg}
	case errors.Is(err, httpguard.ErrUnknownHost):
		return http.StatusMisdirectedRequest, wire.ErrorDetail{Code: wire.CodeUnknownHost, Message: msg}
	case errors.Is(err, errNotJSON):
		return http.StatusUnsupportedMediaType, wire.ErrorDetail{Code: wire.CodeUnsupported, Message: msg}
	case errors.Is(err, errSlowBody):
		return http.StatusRequestTimeout, wire.ErrorDetail{Code: wire.CodeTimeout, Message: msg}
	case errors.As(err, &mbe), errors.Is(err, errTooLarge):
		return http.StatusRequestEntityTooLarge, wire.ErrorDetail{Code: wire.CodeTooLarge, Message: msg}
	case errors.Is(err, errBadJSON):
		return http.StatusBadRequest, wire.ErrorDetail{Code: wire.CodeBadJSON, Message: msg}
	case errors.Is(err, node.ErrKeyNotFound):
		return http.StatusNotFound, wire.ErrorDetail{Code: wire.CodeNotFound, Message: msg}
	case errors.Is(err, node.ErrUnknownNode):
		return http.StatusNotFound, wire.ErrorDetail{Code: wire.CodeUnknownNode, Message: msg}
	case errors.Is(err, node.ErrBadRequest), errors.Is(err, store.ErrBadCommand):
		return http.StatusBadRequest, wire.ErrorDetail{Code: wire.CodeBadRequest, Message: msg}
	case errors.Is(err, node.ErrNotLeader):
		return http.StatusServiceUnavailable, wire.ErrorDetail{Code: wire.CodeNotLeader, Message: msg}
	case errors.Is(err, node.ErrNoLeader):
		return http.StatusServiceUnavailable, wire.ErrorDetail{Code: wire.CodeNoLeader, Message: msg}
	case errors.Is(err, node.ErrNodeDown), errors.Is(err, node.ErrClosed):
		return http.StatusServiceUnavailable, wire.ErrorDetail{Code: wire.CodeNodeDown, Message: msg}
	case errors.Is(err, node.ErrUnreachable):
		return http.StatusServiceUnavailable, wire.ErrorDetail{Code: wire.CodeUnavailable, Message: msg}
	case errors.Is(err, node.ErrIndeterminate):
		return http.StatusServiceUnavailable, wire.ErrorDetail{Code: wire.CodeIndeterminate, Message: msg}
	case errors.Is(err, node.ErrAlreadyUp), errors.Is(err, errConflict):
		return http.StatusConflict, wire.ErrorDetail{Code: wire.CodeConflict, Message: msg}
	case errors.Is(err, context.DeadlineExceeded):
		return http.StatusGatewayTimeout, wire.ErrorDetail{Code: wire.CodeTimeout, Message: msg}
	}
	return http.StatusInternalServerError, wire.ErrorDetail{Code: wire.CodeInternal, Message: msg}
}

// decodeJSON reads a JSON body (already size-limited by the server) into v.
func decodeJSON(r *http.Request, v any) error {
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return err
		}
		return errors.Join(errBadJSON, err)
	}
	if dec.More() {
		return errors.Join(errBadJSON, errors.New("trailing data after JSON value"))
	}
	return nil
}
