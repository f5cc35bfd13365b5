package web

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/raftplay/raftplay/node/wire"
)

// handleSQL runs POST /v1/sql. Numbers in params keep their JSON text until the engine
// binds them, so integers stay integers.
func (s *Server) handleSQL(w http.ResponseWriter, r *http.Request) {
	var req wire.SQLRequest
	dec := json.NewDecoder(r.Body)
	dec.UseNumber()
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		var mbe *http.MaxBytesError
		if !errors.As(err, &mbe) {
			err = errors.Join(errBadJSON, err)
		}
		writeError(w, err)
		return
	}
	n, err := s.entry()
	if err != nil {
		writeError(w, err)
		return
	}
	resp, err := n.SQL(r.Context(), req)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, resp)
}
