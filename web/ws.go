package web

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"nhooyr.io/websocket"

	"github.com/raftplay/raftplay/node/eventbus"
	"github.com/raftplay/raftplay/node/wire"
)

const (
	// wsReadLimit bounds one incoming message (a command); larger ones close the
	// connection with 1009.
	wsReadLimit = 64 << 10
	// wsQueue is how many events a subscriber may fall behind before it is cut off.
	wsQueue = 4096
	// wsBatch bounds how many events one batched message carries, and wsBatchWindow how long
	// the first of them waits for company: a browser draws at most every ~16 ms anyway.
	wsBatch       = 512
	wsBatchWindow = 20 * time.Millisecond
	// wsStreamShare and wsMaxBatchWindow stretch the window as batched streams multiply:
	// each message is a write to a socket, and with many streams those writes, and the
	// wake-ups around them, delay Raft's own goroutines. A stream's window is at least
	// wsStreamShare times the number of streams, so together they send about 1/wsStreamShare
	// messages a second: up to 50 streams nothing changes, at 100 each gets 25 a second
	// (a 40 ms window, which keeps the delivery lag under 50 ms).
	wsStreamShare    = 400 * time.Microsecond
	wsMaxBatchWindow = 100 * time.Millisecond
	// minWindow and maxWindow bound the window a client may ask for with ?window=.
	minWindow = time.Millisecond
	maxWindow = time.Second
	// helloRecent keeps the first message bounded (with HelloLog).
	helloRecent = 200
	// maxInflight bounds the commands one connection runs at once.
	maxInflight = 16
)

// streamFilter selects what a subscriber receives.
type streamFilter struct {
	types      map[string]bool
	nodes      map[string]bool
	heartbeats bool // every heartbeat rpc, not only summaries
	since      uint64
	// batch sends events as JSON arrays, at most one message per window (batchWindow), which
	// costs a frame (and a syscall) per window instead of one per event.
	batch bool
	// window is the batch window the client asked for (0: the default).
	window time.Duration
}

func parseFilter(q url.Values) (streamFilter, error) {
	f := streamFilter{}
	set := func(s string) map[string]bool {
		if s == "" {
			return nil
		}
		m := map[string]bool{}
		for _, v := range strings.Split(s, ",") {
			m[strings.TrimSpace(v)] = true
		}
		return m
	}
	f.types, f.nodes = set(q.Get("types")), set(q.Get("nodes"))
	switch q.Get("heartbeats") {
	case "", "summary":
	case "all":
		f.heartbeats = true
	default:
		return f, fmt.Errorf("%w: heartbeats must be all or summary", errBadRequest)
	}
	switch q.Get("batch") {
	case "", "false", "0":
	case "true", "1":
		f.batch = true
	default:
		return f, fmt.Errorf("%w: batch must be true or false", errBadRequest)
	}
	if s := q.Get("window"); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil || d < minWindow || d > maxWindow {
			return f, fmt.Errorf("%w: window must be a duration from %v to %v, like 5ms", errBadRequest, minWindow, maxWindow)
		}
		f.window, f.batch = d, true
	}
	if s := q.Get("since"); s != "" {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			return f, fmt.Errorf("%w: since must be a sequence number", errBadRequest)
		}
		f.since = v
	}
	return f, nil
}

func (f streamFilter) pass(ev wire.Event) bool {
	if f.types != nil && !f.types[ev.Type] {
		return false
	}
	if f.nodes != nil && ev.Node != "" && !f.nodes[ev.Node] {
		return false
	}
	if !f.heartbeats && ev.Heartbeat {
		return false
	}
	return true
}

// handleNodeEvents streams one node's own events (on the playground: the merged stream).
func (s *Server) handleNodeEvents(w http.ResponseWriter, r *http.Request) {
	s.serveStream(w, r, s.api.NodeEvents())
}

// handleClusterEvents streams the merged events of the whole cluster.
func (s *Server) handleClusterEvents(w http.ResponseWriter, r *http.Request) {
	s.serveStream(w, r, s.api.ClusterEvents())
}

// acceptOptions skip the library's own origin check: admit has checked the upgrade
// against the server's one rule for origins (httpguard.Origins). A client that offers the
// raftplay subprotocol (a browser sending its token in another) gets it selected.
var acceptOptions = &websocket.AcceptOptions{InsecureSkipVerify: true, Subprotocols: []string{wire.WebSocketProtocol}}

// serveStream upgrades to a WebSocket, opens the stream, sends hello (or the events after
// ?since=), then the filtered events as they happen, and runs the commands the client sends.
func (s *Server) serveStream(w http.ResponseWriter, r *http.Request, st Stream) {
	f, err := parseFilter(r.URL.Query())
	if err != nil {
		writeError(w, err)
		return
	}
	c, err := websocket.Accept(bigWriteBuffer{w}, r, acceptOptions)
	if err != nil {
		return // Accept has answered
	}
	defer c.CloseNow()
	c.SetReadLimit(wsReadLimit)
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()

	bus, done := st.Open()
	defer done()
	var buf []byte
	send := func(b []byte) error { return c.Write(ctx, websocket.MessageText, b) }
	write := func(ev wire.Event) error {
		if ev.Encoded != nil {
			return send(ev.Encoded)
		}
		buf = ev.AppendJSON(buf[:0])
		return send(buf)
	}
	sendHello := f.since == 0
	feed, drain, err := s.subscribe(bus, f, f.since, send, write)
	if errors.Is(err, eventbus.ErrTooOld) {
		feed, drain, err = s.subscribe(bus, f, 0, send, write)
		sendHello = true
	}
	if err != nil {
		c.Close(websocket.StatusGoingAway, "event stream closed")
		return
	}
	defer feed.Close()

	out := make(chan wire.Event, maxInflight)
	go s.readCommands(ctx, cancel, c, out)
	go closeOnSlowConsumer(ctx, c, feed)
	if sendHello {
		h := st.Hello(ctx)
		// The stream carries what comes after h.Seq, so recent events stop there.
		h.Seq = feed.After()
		h.Recent = filterEvents(bus.Recent(helloRecent), f, h.Seq)
		if err := write(wire.NewEvent("", wire.EventHello, time.Now(), h)); err != nil {
			return
		}
	}
	if f.batch {
		s.batchedStreams.Add(1)
		defer s.batchedStreams.Add(-1)
	}
	streamEvents(ctx, c, feed, out, write, drain)
	if errors.Is(feed.Err(), eventbus.ErrSlowConsumer) {
		s.metrics.slowStreamClosed()
	}
}

// subscribe attaches a stream to the bus after since. A batched stream joins the group of
// streams like it; the others read the bus themselves and send each event as it comes.
// drain sends what is waiting.
func (s *Server) subscribe(bus *eventbus.Bus, f streamFilter, since uint64, send func([]byte) error, write func(wire.Event) error) (eventFeed, func() error, error) {
	if f.batch {
		m, err := s.groups.join(bus, f, func() time.Duration { return s.batchWindow(f.window) }, since)
		if err != nil {
			return nil, nil, err
		}
		var msgs [][]byte
		return m, func() error {
			msgs = m.take(msgs[:0])
			for _, b := range msgs {
				if err := send(b); err != nil {
					return err
				}
			}
			return nil
		}, nil
	}
	sub, err := bus.Subscribe(wsQueue, since)
	if err != nil {
		return nil, nil, err
	}
	var evs []wire.Event
	return sub, func() error {
		evs = sub.Read(evs[:0], wsBatch)
		for _, ev := range evs {
			if f.pass(ev) {
				if err := write(ev); err != nil {
					return err
				}
			}
		}
		return nil
	}, nil
}

// closeOnSlowConsumer: a client that stops reading blocks a write; the queue then
// overflows, the feed ends, and closing the connection here unblocks the write.
func closeOnSlowConsumer(ctx context.Context, c *websocket.Conn, feed eventFeed) {
	select {
	case <-feed.Done():
		if errors.Is(feed.Err(), eventbus.ErrSlowConsumer) {
			c.Close(websocket.StatusTryAgainLater, "slow consumer: fell more than "+strconv.Itoa(wsQueue)+" events behind")
			c.CloseNow()
		}
	case <-ctx.Done():
	}
}

// eventFeed is where a stream's events come from: its own subscription to a bus, or its
// place in a group of batched streams.
type eventFeed interface {
	Ready() <-chan struct{} // events may be waiting
	Done() <-chan struct{}
	Err() error
	After() uint64 // the feed carries the events after this sequence number
	Close()
}

// batchWindow is how long a batched stream gathers events before it sends them: the window
// its client asked for (20 ms by default), stretched when many streams share the server.
func (s *Server) batchWindow(asked time.Duration) time.Duration {
	if asked == 0 {
		asked = wsBatchWindow
	}
	crowd := min(time.Duration(s.batchedStreams.Load())*wsStreamShare, wsMaxBatchWindow)
	return max(asked, crowd)
}

// streamEvents sends the feed's events (drain) and the answers to commands until the
// connection or the feed ends.
func streamEvents(ctx context.Context, c *websocket.Conn, feed eventFeed, out <-chan wire.Event,
	write func(wire.Event) error, drain func() error) {
	for {
		select {
		case <-ctx.Done():
			c.Close(websocket.StatusNormalClosure, "")
			return
		case ev := <-out:
			if write(ev) != nil {
				return
			}
		case <-feed.Ready():
			if drain() != nil {
				return
			}
		case <-feed.Done():
			if !errors.Is(feed.Err(), eventbus.ErrSlowConsumer) {
				c.Close(websocket.StatusGoingAway, "event stream closed")
			}
			return
		}
	}
}

// bigWriteBuffer gives the hijacked connection a write buffer that holds a whole batched
// message: through net/http's 4 KiB buffer a typical batch took two or three write
// syscalls, and with a hundred subscribers those syscalls were most of what the stream
// cost the cluster.
type bigWriteBuffer struct{ http.ResponseWriter }

const wsWriteBuffer = 64 << 10

func (w bigWriteBuffer) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, brw, err := http.NewResponseController(w.ResponseWriter).Hijack()
	if err != nil {
		return nil, nil, err
	}
	if err := brw.Writer.Flush(); err != nil {
		conn.Close()
		return nil, nil, fmt.Errorf("flush handshake: %w", err)
	}
	brw.Writer = bufio.NewWriterSize(conn, wsWriteBuffer)
	return conn, brw, nil
}

// filterEvents keeps the events that pass f, up to sequence number upTo.
func filterEvents(evs []wire.Event, f streamFilter, upTo uint64) []wire.Event {
	out := evs[:0]
	for _, ev := range evs {
		if ev.Seq <= upTo && f.pass(ev) {
			out = append(out, ev)
		}
	}
	return out
}

// readCommands reads commands until the connection ends; each runs concurrently (at most
// maxInflight) and its result goes to out.
func (s *Server) readCommands(ctx context.Context, cancel context.CancelFunc, c *websocket.Conn, out chan<- wire.Event) {
	defer cancel()
	sem := make(chan struct{}, maxInflight)
	for {
		_, data, err := c.Read(ctx)
		if err != nil {
			return // closed, or too big (the library has closed with 1009)
		}
		var cmd wire.Command
		if err := json.Unmarshal(data, &cmd); err != nil || cmd.Op == "" {
			msg := "a command is JSON with an id and an op"
			if err != nil {
				msg = "malformed command: " + err.Error()
			}
			send(ctx, out, wire.NewEvent("", wire.EventError, time.Now(), wire.ErrorDetail{Code: wire.CodeBadJSON, Message: msg}))
			continue
		}
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			return
		}
		go func() {
			defer func() { <-sem }()
			res := s.runCommand(ctx, cmd)
			send(ctx, out, wire.NewEvent("", wire.EventResult, time.Now(), res))
		}()
	}
}

func send(ctx context.Context, out chan<- wire.Event, ev wire.Event) {
	select {
	case out <- ev:
	case <-ctx.Done():
	}
}

// runCommand runs a command as the equivalent HTTP API request, so both front ends share
// every rule and error (those of admission were applied to the socket).
func (s *Server) runCommand(ctx context.Context, cmd wire.Command) wire.ResultData {
	res := wire.ResultData{ID: cmd.ID}
	method, path, body, err := commandRequest(cmd)
	if err != nil {
		_, d := classify(err)
		res.Status, res.Error = http.StatusBadRequest, &d
		return res
	}
	srv, err := s.api.CommandServer(cmd.Node)
	if err != nil {
		status, d := classify(err)
		res.Status, res.Error = status, &d
		return res
	}
	if srv == nil {
		srv = s
	}
	req, err := http.NewRequestWithContext(ctx, method, path, bytes.NewReader(body))
	if err != nil {
		status, d := classify(fmt.Errorf("%w: %v", errBadRequest, err))
		res.Status, res.Error = status, &d
		return res
	}
	if len(body) > 0 {
		req.Header.Set("Content-Type", "application/json")
	}
	rec := &answer{header: http.Header{}}
	srv.route(rec, req) // the socket carrying the command was admitted
	res.Status = rec.status()
	if res.Status/100 == 2 {
		res.Result = json.RawMessage(bytes.TrimSpace(rec.body.Bytes()))
		return res
	}
	var eb wire.ErrorBody
	if json.Unmarshal(rec.body.Bytes(), &eb) == nil {
		res.Error = &eb.Error
	}
	return res
}

// answer keeps what a handler answers a command, for its result event.
type answer struct {
	header http.Header
	code   int
	body   bytes.Buffer
}

func (a *answer) Header() http.Header { return a.header }

func (a *answer) WriteHeader(code int) {
	if a.code == 0 {
		a.code = code
	}
}

func (a *answer) Write(b []byte) (int, error) {
	a.WriteHeader(http.StatusOK)
	return a.body.Write(b)
}

// status is the answer's HTTP status (200 for a handler that wrote no header).
func (a *answer) status() int {
	if a.code == 0 {
		return http.StatusOK
	}
	return a.code
}

func commandRequest(cmd wire.Command) (method, path string, body []byte, err error) {
	enc := func(v any) []byte { b, _ := json.Marshal(v); return b }
	q := url.Values{}
	if cmd.Consistency != "" {
		q.Set("consistency", cmd.Consistency)
	}
	keyPath := "/v1/kv/" + url.PathEscape(cmd.Key)
	needKey := func() error {
		if cmd.Key == "" {
			return fmt.Errorf("%w: %s needs a key", errBadRequest, cmd.Op)
		}
		return nil
	}
	switch cmd.Op {
	case "kv.put":
		return "PUT", keyPath, enc(wire.KVWrite{Value: cmd.Value, Encoding: cmd.Encoding, Prev: cmd.Prev, PrevExists: cmd.PrevExists}), needKey()
	case "kv.get":
		if cmd.Encoding != "" {
			q.Set("encoding", cmd.Encoding)
		}
		return "GET", keyPath + "?" + q.Encode(), nil, needKey()
	case "kv.delete":
		return "DELETE", keyPath, nil, needKey()
	case "kv.list":
		q.Set("prefix", cmd.Prefix)
		return "GET", "/v1/kv?" + q.Encode(), nil, nil
	case "sql":
		return "POST", "/v1/sql", enc(wire.SQLRequest{SQL: cmd.SQL, Params: cmd.Params, Consistency: cmd.Consistency}), nil
	case "cluster":
		return "GET", "/v1/cluster", nil, nil
	case "status":
		return "GET", "/v1/status", nil, nil
	case "control.faults":
		return "GET", "/v1/control/faults", nil, nil
	}
	if name, ok := strings.CutPrefix(cmd.Op, "control."); ok && name != "" && !strings.Contains(name, "/") {
		b := []byte(cmd.Body)
		if len(b) == 0 {
			b = []byte("{}")
		}
		return "POST", "/v1/control/" + name, b, nil
	}
	return "", "", nil, fmt.Errorf("%w: unknown op %q", errBadRequest, cmd.Op)
}
