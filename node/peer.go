package node

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"

	"nhooyr.io/websocket"

	"github.com/raftplay/raftplay/node/store"
	"github.com/raftplay/raftplay/node/wire"
)

// ForwardedHeader marks a request one node sent another on a client's behalf; its value is
// the sender. The receiver acts on it itself and never passes it on, so a request cannot
// bounce between nodes during an election.
const ForwardedHeader = "Raftplay-Forwarded-By"

// The internal routes: what nodes ask each other, under a prefix of their own beside the
// public API (which the OpenAPI document describes, and these are not part of). The peer
// client below is their one caller and PeerService their one server.
const (
	PeerPrefix    = "/internal/v1/"
	routeSQL      = PeerPrefix + "sql"
	routePut      = PeerPrefix + "kv/put"
	routeDelete   = PeerPrefix + "kv/delete"
	routeGet      = PeerPrefix + "kv/get"
	routeList     = PeerPrefix + "kv/list"
	routeJoin     = PeerPrefix + "join"
	routeRemove   = PeerPrefix + "remove"
	routeTransfer = PeerPrefix + "transfer"
	routeSnapshot = PeerPrefix + "snapshot"
	routeStatus   = PeerPrefix + "status"
)

// The bodies of the internal routes that are not API shapes. Values travel as bytes
// (base64 in JSON), so any value survives.
type (
	peerKey struct {
		Key string `json:"key"`
	}
	peerPut struct {
		Key        string  `json:"key"`
		Value      []byte  `json:"value"`
		Prev       *string `json:"prev,omitempty"`
		PrevExists *bool   `json:"prev_exists,omitempty"`
	}
	peerGet struct {
		Key         string `json:"key"`
		Consistency string `json:"consistency"`
	}
	peerValue struct {
		Value []byte `json:"value"`
		Index uint64 `json:"index"`
	}
	peerListRequest struct {
		Prefix      string `json:"prefix"`
		Limit       int    `json:"limit"`
		Consistency string `json:"consistency"`
	}
	peerItem struct {
		Key   string `json:"key"`
		Value []byte `json:"value"`
	}
	peerList struct {
		Items []peerItem `json:"items"`
		More  bool       `json:"more,omitempty"`
		Index uint64     `json:"index"`
	}
	peerID struct {
		ID string `json:"id"`
	}
)

// PeerClient is how a node calls another: one typed method per question, each on its own
// internal route, except the few that pass a client's request on to a peer's public API
// (control actions, event streams). Answers are decoded with json.Decoder.UseNumber, so a
// number keeps every digit it was sent with; errors come back as *RemoteError, or as
// ErrUnreachable (nothing was sent) and ErrIndeterminate (the outcome is unknown).
type PeerClient struct {
	self   string
	token  string
	tls    bool
	http   *http.Client // bounded requests
	stream *http.Client // event streams, which have no overall timeout
}

// Peers is the node's client for calling other nodes.
func (n *Node) Peers() *PeerClient { return n.peers }

// URL is the base URL of the HTTP API at addr (host:port, or a URL whose scheme is
// replaced): https when the cluster has TLS, since a cluster is all TLS or not.
func (c *PeerClient) URL(addr string) string {
	if _, rest, ok := strings.Cut(addr, "://"); ok {
		addr = rest
	}
	scheme := "http://"
	if c.tls {
		scheme = "https://"
	}
	return scheme + strings.TrimRight(addr, "/")
}

// SQL has the leader at addr run req.
func (c *PeerClient) SQL(ctx context.Context, addr string, req wire.SQLRequest) (wire.SQLResponse, error) {
	var out wire.SQLResponse
	err := c.do(ctx, true, addr, "POST", routeSQL, req, &out)
	exactNumbers(&out)
	return out, err
}

// Put has the leader at addr write key.
func (c *PeerClient) Put(ctx context.Context, addr, key string, value []byte, cond Cond) (wire.KVWriteResult, error) {
	var out wire.KVWriteResult
	err := c.do(ctx, true, addr, "POST", routePut, peerPut{Key: key, Value: value, Prev: cond.Prev, PrevExists: cond.PrevExists}, &out)
	var re *RemoteError
	if errors.As(err, &re) && re.Detail.Code == wire.CodeCASMismatch {
		return out, &CASError{Key: key, Current: re.Detail.Current}
	}
	return out, err
}

// Delete has the leader at addr delete key.
func (c *PeerClient) Delete(ctx context.Context, addr, key string) (wire.KVWriteResult, error) {
	var out wire.KVWriteResult
	err := c.do(ctx, true, addr, "POST", routeDelete, peerKey{Key: key}, &out)
	return out, err
}

// Get has the leader at addr read key at consistency.
func (c *PeerClient) Get(ctx context.Context, addr, key, consistency string) ([]byte, uint64, error) {
	var out peerValue
	err := c.do(ctx, true, addr, "POST", routeGet, peerGet{Key: key, Consistency: consistency}, &out)
	return out.Value, out.Index, err
}

// List has the leader at addr list up to limit keys with prefix at consistency.
func (c *PeerClient) List(ctx context.Context, addr, prefix string, limit int, consistency string) (items []store.KV, more bool, index uint64, err error) {
	var out peerList
	err = c.do(ctx, true, addr, "POST", routeList, peerListRequest{Prefix: prefix, Limit: limit, Consistency: consistency}, &out)
	for _, it := range out.Items {
		items = append(items, store.KV{Key: it.Key, Value: string(it.Value)})
	}
	return items, out.More, out.Index, err
}

// Join has the leader at addr add a member.
func (c *PeerClient) Join(ctx context.Context, addr string, req wire.JoinRequest) error {
	return c.do(ctx, true, addr, "POST", routeJoin, req, nil)
}

// JoinVia asks any member at addr to add one: it passes the request on to its leader.
func (c *PeerClient) JoinVia(ctx context.Context, addr string, req wire.JoinRequest) error {
	return c.do(ctx, false, addr, "POST", routeJoin, req, nil)
}

// Remove has the leader at addr take member id out of the configuration.
func (c *PeerClient) Remove(ctx context.Context, addr, id string) error {
	return c.do(ctx, true, addr, "POST", routeRemove, peerID{ID: id}, nil)
}

// Transfer has the leader at addr hand leadership to id (raft's choice when empty).
func (c *PeerClient) Transfer(ctx context.Context, addr, id string) error {
	return c.do(ctx, true, addr, "POST", routeTransfer, peerID{ID: id}, nil)
}

// Snapshot has the node at addr snapshot its state.
func (c *PeerClient) Snapshot(ctx context.Context, addr string) (wire.SnapshotData, error) {
	var out wire.SnapshotData
	err := c.do(ctx, true, addr, "POST", routeSnapshot, struct{}{}, &out)
	return out, err
}

// Status asks the node at addr how it is (with the limits it allows a request).
func (c *PeerClient) Status(ctx context.Context, addr string) (wire.NodeStatus, error) {
	var out wire.NodeStatus
	err := c.do(ctx, false, addr, "GET", routeStatus, nil, &out)
	return out, err
}

// PassOn sends a control request (POST /v1/control/{action}) to the node at addr that must
// carry it out, and returns the faults it answers with.
func (c *PeerClient) PassOn(ctx context.Context, addr, action string, body any) (wire.Faults, error) {
	var out wire.Faults
	err := c.do(ctx, false, addr, "POST", "/v1/control/"+url.PathEscape(action), body, &out)
	return out, err
}

// Share sends the node at addr its share of a cluster-wide control action, marked as
// forwarded so that it applies the action and tells nobody else.
func (c *PeerClient) Share(ctx context.Context, addr, action string, body any) error {
	return c.do(ctx, true, addr, "POST", "/v1/control/"+url.PathEscape(action), body, nil)
}

// Events opens the event stream of the node at addr (GET /v1/events with query).
func (c *PeerClient) Events(ctx context.Context, addr string, query url.Values) (*websocket.Conn, error) {
	hdr := http.Header{ForwardedHeader: {c.self}}
	if c.token != "" {
		hdr.Set("Authorization", "Bearer "+c.token)
	}
	conn, _, err := websocket.Dial(ctx, c.URL(addr)+"/v1/events?"+query.Encode(),
		&websocket.DialOptions{HTTPClient: c.stream, HTTPHeader: hdr})
	return conn, err
}

// do makes one request; forwarded marks it as final at the receiver.
func (c *PeerClient) do(ctx context.Context, forwarded bool, addr, method, path string, body, out any) error {
	u := c.URL(addr) + path
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return fmt.Errorf("encode request: %w", err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return fmt.Errorf("build request: %w", err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if forwarded {
		req.Header.Set(ForwardedHeader, c.self)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		var op *net.OpError
		if errors.As(err, &op) && op.Op == "dial" {
			// Nothing was sent: the target is down, which for a leader means an election
			// is coming. Safe to retry.
			return fmt.Errorf("%w: %s: %v", ErrUnreachable, addr, err)
		}
		return fmt.Errorf("%w: %s %s: %v", ErrIndeterminate, method, u, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return fmt.Errorf("%w: read answer of %s: %v", ErrIndeterminate, addr, err)
	}
	if resp.StatusCode/100 != 2 {
		var eb wire.ErrorBody
		if json.Unmarshal(raw, &eb) != nil || eb.Error.Code == "" {
			eb.Error = wire.ErrorDetail{Code: wire.CodeInternal, Message: fmt.Sprintf("%s answered %s", addr, resp.Status)}
		}
		return &RemoteError{Status: resp.StatusCode, Detail: eb.Error}
	}
	if out == nil {
		return nil
	}
	return decodeExact(bytes.NewReader(raw), out)
}

// decodeExact decodes one JSON value keeping numbers as json.Number: a float64 holds
// integers only up to 2^53, and SQL answers and parameters carry bigints and numerics.
func decodeExact(r io.Reader, v any) error {
	dec := json.NewDecoder(r)
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("decode: %w", err)
	}
	return nil
}
