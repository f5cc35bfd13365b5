package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"sync"

	"github.com/raftplay/raftplay/node"
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
	n, err := s.api.Entry()
	if err != nil {
		writeError(w, err)
		return
	}
	resp, err := n.SQL(r.Context(), req)
	if err != nil {
		writeError(w, err)
		return
	}
	writeSQLResponse(w, resp)
}

// sqlBufs holds response buffers between requests; a whole-table SELECT answers with
// hundreds of kilobytes.
var sqlBufs = sync.Pool{New: func() any { return new([]byte) }}

// maxPooledSQLBuf keeps one huge answer from pinning its buffer for good.
const maxPooledSQLBuf = 4 << 20

// writeSQLResponse writes the same bytes as writeJSON, without encoding/json's reflection
// over every row value. The answer goes out in one write: writing pieces while encoding
// costs more in syscalls and wakeups than the overlap saves.
func writeSQLResponse(w http.ResponseWriter, resp wire.SQLResponse) {
	bp := sqlBufs.Get().(*[]byte)
	b, ok := node.AppendSQLJSON((*bp)[:0], resp)
	if ok {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(b) // the client may be gone; nothing to do about it
	} else {
		writeJSON(w, http.StatusOK, resp)
	}
	if cap(b) <= maxPooledSQLBuf {
		*bp = b[:0]
		sqlBufs.Put(bp)
	}
}
