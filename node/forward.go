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

	"github.com/raftplay/raftplay/node/wire"
)

// ForwardedHeader marks a request one node forwarded to another; its value is the sender.
const ForwardedHeader = "Raftplay-Forwarded-By"

// forwardToLeader sends an API request to the leader's HTTP API and decodes its answer.
func (n *Node) forwardToLeader(ctx context.Context, method, path string, q url.Values, body, out any) error {
	_, addr, err := n.leaderHTTP()
	if err != nil {
		return err
	}
	return n.request(ctx, true, addr, method, path, q, body, out)
}

// Call makes a request of this node's own to another node's HTTP API.
func (n *Node) Call(ctx context.Context, addr, method, path string, body, out any) error {
	return n.request(ctx, false, addr, method, path, nil, body, out)
}

// Forward makes a request to another node's HTTP API marked as forwarded, so the receiver
// acts on it itself and does not pass it on.
func (n *Node) Forward(ctx context.Context, addr, method, path string, body, out any) error {
	return n.request(ctx, true, addr, method, path, nil, body, out)
}

// call makes one request of this node's own to another node's HTTP API (addr is host:port
// or a URL); the receiver may forward it on.
func (n *Node) call(ctx context.Context, addr, method, path string, q url.Values, body, out any) error {
	return n.request(ctx, false, addr, method, path, q, body, out)
}

func (n *Node) request(ctx context.Context, forwarded bool, addr, method, path string, q url.Values, body, out any) error {
	u := n.PeerURL(addr) + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
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
		req.Header.Set(ForwardedHeader, n.cfg.ID)
	}
	if n.cfg.AuthToken != "" {
		req.Header.Set("Authorization", "Bearer "+n.cfg.AuthToken)
	}
	resp, err := n.client.Do(req)
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
	// Numbers stay exact: a float64 holds integers only up to 2^53, and SQL answers carry
	// bigints (see exactNumbers).
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(out); err != nil {
		return fmt.Errorf("decode answer of %s: %w", addr, err)
	}
	return nil
}
