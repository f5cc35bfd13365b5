package torture

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/raftplay/raftplay/node/wire"
)

// outcome is what a client may conclude from an answer.
type outcome int

const (
	applied outcome = iota // acknowledged
	failed                 // certainly not applied (or a definite answer such as a failed CAS)
	unknown                // may or may not have been applied
)

// answer is one HTTP exchange.
type answer struct {
	status int
	body   []byte
	err    error // transport error
	sent   bool  // false when the connection was never made (nothing reached the server)
}

func (a answer) detail() wire.ErrorDetail {
	var eb wire.ErrorBody
	_ = json.Unmarshal(a.body, &eb)
	return eb.Error
}

// outcome classifies a write's answer. Only answers that prove the write never entered the
// log count as failed: everything else may have been applied.
func (a answer) outcome() outcome {
	if a.err != nil {
		if !a.sent {
			return failed
		}
		return unknown
	}
	switch {
	case a.status == http.StatusOK:
		return applied
	case a.status >= 400 && a.status < 500:
		return failed // refused before the log: bad request, failed CAS, SQL error
	case a.status == http.StatusServiceUnavailable:
		switch a.detail().Code {
		// node_down is answered only when the node's raft is not running, before anything
		// is proposed, so like the others it proves the write was never in the log.
		case wire.CodeNotLeader, wire.CodeNoLeader, wire.CodeUnavailable, wire.CodeNodeDown:
			return failed
		}
	}
	return unknown // indeterminate, timeout, internal, shutting down
}

func (a answer) String() string {
	if a.err != nil {
		return a.err.Error()
	}
	return fmt.Sprintf("%d %s", a.status, bytes.TrimSpace(a.body))
}

// client is the HTTP client every worker shares. It owns its transport so that closing
// idle connections at the end leaves no goroutine behind.
type client struct {
	tr   *http.Transport
	http *http.Client
}

func newClient(timeout time.Duration) *client {
	tr := &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 2 * time.Second}).DialContext,
		MaxIdleConnsPerHost: 32,
		IdleConnTimeout:     30 * time.Second,
	}
	return &client{tr: tr, http: &http.Client{Transport: tr, Timeout: timeout}}
}

func (c *client) close() { c.tr.CloseIdleConnections() }

// do sends one request; body is nil, a string (sent as is) or a value sent as JSON.
func (c *client) do(ctx context.Context, method, url string, body any) answer {
	var rd io.Reader
	ct := ""
	switch b := body.(type) {
	case nil:
	case string:
		rd = bytes.NewReader([]byte(b))
	default:
		j, err := json.Marshal(b)
		if err != nil {
			return answer{err: err}
		}
		rd, ct = bytes.NewReader(j), "application/json"
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return answer{err: err}
	}
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		var op *net.OpError
		// A failed dial sent nothing; any later failure may have delivered the request.
		return answer{err: err, sent: !(errors.As(err, &op) && op.Op == "dial")}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return answer{err: err, sent: true}
	}
	return answer{status: resp.StatusCode, body: b, sent: true}
}
