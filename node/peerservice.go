package node

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"

	"github.com/raftplay/raftplay/node/sql"
	"github.com/raftplay/raftplay/node/wire"
)

// PeerService serves the internal routes (PeerPrefix) that other nodes' PeerClient calls:
// each runs the node's own method, so a forwarded write goes from node to node without
// passing through the public API. The caller mounts it behind its admission checks (the
// token, the Host header) and its body limit; every route but status takes a JSON body.
func (n *Node) PeerService() http.Handler {
	mux := http.NewServeMux()
	handle := func(method, route string, h func(context.Context, *http.Request) (any, error)) {
		mux.HandleFunc(method+" "+route, func(w http.ResponseWriter, r *http.Request) {
			ctx := r.Context()
			if r.Header.Get(ForwardedHeader) != "" {
				ctx = NoForward(ctx)
			}
			v, err := h(ctx, r)
			if err != nil {
				a := Explain(err)
				writePeerJSON(w, a.Status, wire.ErrorBody{Error: a.Detail})
				return
			}
			if resp, ok := v.(wire.SQLResponse); ok {
				writePeerSQL(w, resp)
				return
			}
			writePeerJSON(w, http.StatusOK, v)
		})
	}
	handle("POST", routeSQL, n.serveSQL)
	handle("POST", routePut, n.servePut)
	handle("POST", routeDelete, n.serveDelete)
	handle("POST", routeGet, n.serveGet)
	handle("POST", routeList, n.serveList)
	handle("POST", routeJoin, n.serveJoin)
	handle("POST", routeRemove, n.serveRemove)
	handle("POST", routeTransfer, n.serveTransfer)
	handle("POST", routeSnapshot, func(ctx context.Context, _ *http.Request) (any, error) { return n.Snapshot(ctx) })
	handle("GET", routeStatus, func(context.Context, *http.Request) (any, error) {
		st := n.Status()
		limits := n.Limits()
		st.Limits = &limits
		return st, nil
	})
	return mux
}

// readPeer decodes a request body, numbers as json.Number (SQL parameters stay exact).
func readPeer(r *http.Request, v any) error {
	if err := decodeExact(r.Body, v); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return err
		}
		return errors.Join(ErrBadJSON, err)
	}
	return nil
}

func (n *Node) serveSQL(ctx context.Context, r *http.Request) (any, error) {
	var req wire.SQLRequest
	if err := readPeer(r, &req); err != nil {
		return nil, err
	}
	return n.SQL(ctx, req)
}

func (n *Node) servePut(ctx context.Context, r *http.Request) (any, error) {
	var req peerPut
	if err := readPeer(r, &req); err != nil {
		return nil, err
	}
	return n.Put(ctx, req.Key, req.Value, Cond{Prev: req.Prev, PrevExists: req.PrevExists})
}

func (n *Node) serveDelete(ctx context.Context, r *http.Request) (any, error) {
	var req peerKey
	if err := readPeer(r, &req); err != nil {
		return nil, err
	}
	return n.Delete(ctx, req.Key)
}

func (n *Node) serveGet(ctx context.Context, r *http.Request) (any, error) {
	var req peerGet
	if err := readPeer(r, &req); err != nil {
		return nil, err
	}
	v, idx, err := n.Get(ctx, req.Key, req.Consistency)
	return peerValue{Value: v, Index: idx}, err
}

func (n *Node) serveList(ctx context.Context, r *http.Request) (any, error) {
	var req peerListRequest
	if err := readPeer(r, &req); err != nil {
		return nil, err
	}
	items, more, idx, err := n.List(ctx, req.Prefix, req.Limit, req.Consistency)
	out := peerList{Items: make([]peerItem, len(items)), More: more, Index: idx}
	for i, it := range items {
		out.Items[i] = peerItem{Key: it.Key, Value: []byte(it.Value)}
	}
	return out, err
}

func (n *Node) serveJoin(ctx context.Context, r *http.Request) (any, error) {
	var req wire.JoinRequest
	if err := readPeer(r, &req); err != nil {
		return nil, err
	}
	return struct{}{}, n.Join(ctx, req)
}

func (n *Node) serveRemove(ctx context.Context, r *http.Request) (any, error) {
	var req peerID
	if err := readPeer(r, &req); err != nil {
		return nil, err
	}
	return struct{}{}, n.Remove(ctx, req.ID)
}

func (n *Node) serveTransfer(ctx context.Context, r *http.Request) (any, error) {
	var req peerID
	if err := readPeer(r, &req); err != nil {
		return nil, err
	}
	return struct{}{}, n.TransferLeadership(ctx, req.ID)
}

func writePeerJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v) // the caller may be gone; nothing to do about it
}

// writePeerSQL writes a SQL answer without encoding/json's reflection over every value,
// as the public API does (AppendSQLJSON).
func writePeerSQL(w http.ResponseWriter, resp wire.SQLResponse) {
	b, ok := AppendSQLJSON(nil, resp)
	if !ok {
		writePeerJSON(w, http.StatusOK, resp)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b)
}

// AppendSQLJSON appends resp's JSON encoding to dst, the same bytes encoding/json writes,
// and reports whether it could (false: encode it with encoding/json).
func AppendSQLJSON(dst []byte, resp wire.SQLResponse) ([]byte, bool) {
	return sql.AppendResponseJSON(dst, resp)
}
