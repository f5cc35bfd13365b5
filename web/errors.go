package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"

	"github.com/raftplay/raftplay/node"
	"github.com/raftplay/raftplay/node/wire"
)

// The request problems the handlers find themselves.
var (
	errBadJSON    = node.ErrBadJSON
	errTooLarge   = node.ErrTooLarge
	errNotJSON    = node.ErrUnsupportedMedia
	errBadRequest = node.ErrBadRequest
	errConflict   = node.ErrConflict
	errSlowBody   = node.ErrSlowBody
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

// writeError answers with err's HTTP status and JSON error body (node.Explain).
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
	a := node.Explain(err)
	return a.Status, a.Detail
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
