package web

import (
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"unicode/utf8"

	"github.com/raftplay/raftplay/node"
	"github.com/raftplay/raftplay/node/wire"
)

func consistencyOf(r *http.Request) string {
	if c := r.URL.Query().Get("consistency"); c != "" {
		return c
	}
	return wire.ConsistencyLeader
}

// encodeValue returns v as text, or as base64 when asked for or when it is not UTF-8.
func encodeValue(v []byte, wantB64 bool) (string, string) {
	if wantB64 || !utf8.Valid(v) {
		return base64.StdEncoding.EncodeToString(v), "base64"
	}
	return string(v), ""
}

func (s *Server) handleKVGet(w http.ResponseWriter, r *http.Request) {
	key := r.PathValue("key")
	n, err := s.api.Entry()
	if err != nil {
		writeError(w, err)
		return
	}
	v, idx, err := n.Get(r.Context(), key, consistencyOf(r))
	if err != nil {
		writeError(w, err)
		return
	}
	val, enc := encodeValue(v, r.URL.Query().Get("encoding") == "base64")
	writeJSON(w, http.StatusOK, wire.KVPair{Key: key, Value: val, Encoding: enc, Index: idx})
}

func (s *Server) handleKVList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit := 100
	if l := q.Get("limit"); l != "" {
		v, err := strconv.Atoi(l)
		if err != nil || v < 1 || v > 10000 {
			writeError(w, fmt.Errorf("%w: limit must be 1..10000", errBadRequest))
			return
		}
		limit = v
	}
	n, err := s.api.Entry()
	if err != nil {
		writeError(w, err)
		return
	}
	items, more, idx, err := n.List(r.Context(), q.Get("prefix"), limit, consistencyOf(r))
	if err != nil {
		writeError(w, err)
		return
	}
	out := wire.KVList{Items: make([]wire.KVPair, 0, len(items)), Index: idx, More: more}
	b64 := q.Get("encoding") == "base64"
	for _, it := range items {
		val, enc := encodeValue([]byte(it.Value), b64)
		out.Items = append(out.Items, wire.KVPair{Key: it.Key, Value: val, Encoding: enc, Index: idx})
	}
	writeJSON(w, http.StatusOK, out)
}

// handleKVPut stores the request body as the value. With Content-Type application/json the
// body is a wire.KVWrite instead (value, encoding, prev, prev_exists). Query parameters:
// encoding=base64 (the body is base64), cas=<old value>, prev_exists=true|false.
func (s *Server) handleKVPut(w http.ResponseWriter, r *http.Request) {
	key := r.PathValue("key")
	value, cond, err := readPut(r)
	if err != nil {
		writeError(w, err)
		return
	}
	n, err := s.api.Entry()
	if err != nil {
		writeError(w, err)
		return
	}
	res, err := n.Put(r.Context(), key, value, cond)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

func readPut(r *http.Request) ([]byte, node.Cond, error) {
	var cond node.Cond
	q := r.URL.Query()
	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct == "application/json" {
		var kw wire.KVWrite
		if err := decodeJSON(r, &kw); err != nil {
			return nil, cond, err
		}
		v := []byte(kw.Value)
		if kw.Encoding == "base64" {
			var err error
			if v, err = base64.StdEncoding.DecodeString(kw.Value); err != nil {
				return nil, cond, fmt.Errorf("%w: value is not base64: %v", errBadRequest, err)
			}
		} else if kw.Encoding != "" {
			return nil, cond, fmt.Errorf("%w: encoding must be base64 or empty", errBadRequest)
		}
		return v, node.Cond{Prev: kw.Prev, PrevExists: kw.PrevExists}, nil
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, cond, err
		}
		return nil, cond, fmt.Errorf("%w: read body: %w", errBadRequest, err)
	}
	if q.Get("encoding") == "base64" {
		if body, err = base64.StdEncoding.DecodeString(string(body)); err != nil {
			return nil, cond, fmt.Errorf("%w: body is not base64: %v", errBadRequest, err)
		}
	}
	if q.Has("cas") {
		prev := q.Get("cas")
		cond.Prev = &prev
	}
	if pe := q.Get("prev_exists"); pe != "" {
		b, err := strconv.ParseBool(pe)
		if err != nil {
			return nil, cond, fmt.Errorf("%w: prev_exists must be true or false", errBadRequest)
		}
		cond.PrevExists = &b
	}
	return body, cond, nil
}

func (s *Server) handleKVDelete(w http.ResponseWriter, r *http.Request) {
	n, err := s.api.Entry()
	if err != nil {
		writeError(w, err)
		return
	}
	res, err := n.Delete(r.Context(), r.PathValue("key"))
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}
