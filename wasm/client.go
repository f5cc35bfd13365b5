//go:build js && wasm

package main

import (
	"context"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"strconv"
	"sync"
	"time"

	"github.com/raftplay/raftplay/node/wire"
	"github.com/raftplay/raftplay/wasm/dom"
	"github.com/raftplay/raftplay/wasm/ui"
)

const (
	backoffMin  = 250 * time.Millisecond
	backoffMax  = 5 * time.Second
	dialTimeout = 10 * time.Second
)

// connStatus is a change of the connection, for the UI goroutine.
type connStatus struct {
	state string // ui.Conn*
	err   string
}

// client keeps one WebSocket to the cluster event stream open, reconnecting with backoff
// and resuming after the last event it delivered, so the model sees every event once.
type client struct {
	url string
	// statusURL is asked, with the token, when a connection fails: a browser does not say
	// why a WebSocket handshake failed, and a 401 there means the token is missing or wrong.
	statusURL string
	// base is the server's origin, for the history requests (hooks.go).
	base   string
	events chan<- wire.Event
	status chan<- connStatus
	// tokens brings a token the user entered (setToken).
	tokens chan string

	mu    sync.Mutex
	out   chan []byte // commands for the current connection; nil while disconnected
	token string
}

// errUnauthorized is a connection the server refused for its token.
var errUnauthorized = errors.New("unauthorized")

// setToken connects with token from now on, at once if the server is waiting for one.
func (c *client) setToken(token string) {
	c.mu.Lock()
	c.token = token
	c.mu.Unlock()
	select {
	case c.tokens <- token:
	default: // one is already waiting; the newest is in c.token
	}
}

func (c *client) currentToken() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.token
}

// awaitToken reports that the server wants a token and waits until the user gives one.
func (c *client) awaitToken(ctx context.Context) {
	why := "the token was refused"
	if c.currentToken() == "" {
		why = "no access token"
	}
	c.status <- connStatus{state: ui.ConnUnauthorized, err: why}
	select {
	case <-c.tokens:
	case <-ctx.Done():
	}
}

func (c *client) run(ctx context.Context) {
	var since uint64
	backoff := backoffMin
	first := true
	for ctx.Err() == nil {
		state := ui.ConnReconnecting
		if first {
			state = ui.ConnConnecting
		}
		c.status <- connStatus{state: state}
		got, err := c.connection(ctx, &since)
		first = false
		if ctx.Err() != nil {
			return
		}
		if errors.Is(err, errUnauthorized) {
			c.awaitToken(ctx)
			backoff = backoffMin
			continue
		}
		if got {
			backoff = backoffMin // it worked for a while: start over quickly
		}
		c.status <- connStatus{state: ui.ConnReconnecting, err: errText(err)}
		// Jitter keeps a room full of tabs from reconnecting in lockstep after a restart.
		wait := backoff/2 + rand.N(backoff/2+1)
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return
		}
		backoff = min(backoff*2, backoffMax)
	}
}

// connection runs one connection until it ends; got reports whether any event arrived.
func (c *client) connection(ctx context.Context, since *uint64) (got bool, err error) {
	conn, err := c.dial(ctx, *since)
	if err != nil {
		return false, err
	}
	defer conn.CloseNow()
	sctx, stop := context.WithCancel(ctx)
	defer stop()
	defer c.writeCommands(sctx, stop, conn)()
	c.status <- connStatus{state: ui.ConnLive}
	return c.deliver(sctx, conn, since)
}

// dial opens the event stream, resuming after since when it is not 0.
func (c *client) dial(ctx context.Context, since uint64) (*dom.Socket, error) {
	// batch=true: the server sends the events of each ~20 ms as one array (longer when
	// many streams are open), so a busy cluster costs one message per frame instead of one
	// per event.
	url := c.url + "?batch=true"
	if since > 0 {
		url += "&since=" + strconv.FormatUint(since, 10)
	}
	token := c.currentToken()
	var protocols []string
	if token != "" {
		// A browser cannot set an Authorization header on a WebSocket; the token travels
		// as a subprotocol the server does not select.
		protocols = []string{wire.WebSocketProtocol, wire.TokenProtocol(token)}
	}
	dctx, cancel := context.WithTimeout(ctx, dialTimeout)
	conn, err := dom.DialSocket(dctx, url, protocols)
	cancel()
	if err != nil {
		if status, serr := dom.Status(c.statusURL, token); serr == nil && status == 401 { // Unauthorized
			return nil, errUnauthorized
		}
		return nil, err
	}
	return conn, nil
}

// writeCommands sends what send queues on conn until ctx ends or a write fails (then it
// calls stop, ending the connection). The function it returns detaches the queue and
// waits for the writer.
func (c *client) writeCommands(ctx context.Context, stop context.CancelFunc, conn *dom.Socket) (detach func()) {
	out := make(chan []byte, 32)
	c.mu.Lock()
	c.out = out
	c.mu.Unlock()
	var wg sync.WaitGroup
	wg.Go(func() {
		defer stop()
		for {
			select {
			case <-ctx.Done():
				return
			case b := <-out:
				if conn.Write(ctx, b) != nil {
					return
				}
			}
		}
	})
	return func() {
		stop() // ends the writer, then wait for it
		wg.Wait()
		c.mu.Lock()
		c.out = nil
		c.mu.Unlock()
	}
}

// deliver reads events until the connection ends and passes them to the UI goroutine,
// keeping *since at the last one so that the next connection resumes after it.
func (c *client) deliver(ctx context.Context, conn *dom.Socket, since *uint64) (got bool, err error) {
	resumed := *since > 0
	for {
		data, err := conn.Read(ctx)
		if err != nil {
			return got, err
		}
		evs, err := wire.DecodeEvents(data)
		if err != nil {
			return got, err
		}
		for _, ev := range evs {
			got = true
			if resumed && ev.Type != wire.EventHello && ev.Seq != 0 {
				resumed = false
				if ev.Seq <= *since {
					// The numbers went back: a restarted server, whose stream cannot resume
					// ours. Start over with a fresh hello.
					*since = 0
					return got, errors.New("server restarted")
				}
			}
			if ev.Type == wire.EventHello {
				resumed = false
			}
			switch {
			case ev.Type == wire.EventHello:
				var h struct {
					Seq uint64 `json:"seq"`
				}
				json.Unmarshal(ev.Data, &h)
				*since = h.Seq
			case ev.Seq > *since:
				*since = ev.Seq
			}
			select {
			case c.events <- ev:
			case <-ctx.Done():
				return got, ctx.Err()
			}
		}
	}
}

// send queues a command on the current connection; false when there is none (or it is
// backed up), so the caller can answer the command itself at once.
func (c *client) send(cmd wire.Command) bool {
	b, err := json.Marshal(cmd)
	if err != nil {
		return false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.out == nil {
		return false
	}
	select {
	case c.out <- b:
		return true
	default:
		return false
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	var ce dom.CloseError
	if errors.As(err, &ce) && ce.Reason != "" {
		return ce.Reason
	}
	return err.Error()
}
