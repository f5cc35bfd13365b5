package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"nhooyr.io/websocket"

	"github.com/raftplay/raftplay/node/wire"
	"github.com/raftplay/raftplay/web/clustertest"
	"github.com/raftplay/raftplay/web/playground"
)

type stream struct {
	t *testing.T
	c *websocket.Conn
}

func dial(t *testing.T, url string) *stream {
	t.Helper()
	return dialWith(t, url, nil)
}

// dialWith is dial with the client's options (headers, subprotocols).
func dialWith(t *testing.T, url string, opts *websocket.DialOptions) *stream {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, strings.Replace(url, "http://", "ws://", 1), opts)
	if err != nil {
		t.Fatalf("dial %s: %v", url, err)
	}
	c.SetReadLimit(16 << 20)
	t.Cleanup(func() { c.CloseNow() })
	return &stream{t: t, c: c}
}

func (s *stream) next(d time.Duration) (wire.Event, error) {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	_, data, err := s.c.Read(ctx)
	if err != nil {
		return wire.Event{}, err
	}
	var ev wire.Event
	if err := json.Unmarshal(data, &ev); err != nil {
		s.t.Fatalf("event %q: %v", data, err)
	}
	return ev, nil
}

// until reads events until match returns true (failing after d), returning what it read.
func (s *stream) until(d time.Duration, what string, match func(wire.Event) bool) []wire.Event {
	s.t.Helper()
	deadline := time.Now().Add(d)
	var seen []wire.Event
	for {
		ev, err := s.next(time.Until(deadline))
		if err != nil {
			s.t.Fatalf("waiting for %s: %v (after %d events)", what, err, len(seen))
		}
		seen = append(seen, ev)
		if match(ev) {
			return seen
		}
	}
}

func (s *stream) send(cmd any) {
	s.t.Helper()
	b, _ := json.Marshal(cmd)
	if err := s.c.Write(context.Background(), websocket.MessageText, b); err != nil {
		s.t.Fatal(err)
	}
}

func data[T any](t *testing.T, ev wire.Event) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(ev.Data, &v); err != nil {
		t.Fatalf("%s data %s: %v", ev.Type, ev.Data, err)
	}
	return v
}

func TestWriteShowsUpInOrderOnEveryNode(t *testing.T) {
	c := clustertest.Start(t, 3)
	s := dial(t, c.Play+"/v1/cluster/events")
	hello, err := s.next(5 * time.Second)
	if err != nil || hello.Type != wire.EventHello {
		t.Fatalf("first message %+v, %v", hello, err)
	}
	h := data[wire.HelloData](t, hello)
	if len(h.Cluster.Nodes) != 3 || h.Cluster.Leader == "" || len(h.Logs) != 3 {
		t.Fatalf("hello: %+v", h)
	}
	// The playground's hello lists its scenarios, so the browser app needs no copy.
	if len(h.Scenarios) != len(playground.Scenarios()) || h.Scenarios[0].Name == "" || h.Scenarios[0].Description == "" {
		t.Fatalf("hello scenarios: %+v", h.Scenarios)
	}
	leader := c.Leader().ID()
	res := clustertest.Put(t, clustertest.URL(c.Followers()[0]), "watched", "yes")

	// Per node: log_append of the index, then its commit, then its apply.
	const (
		appended = iota + 1
		committed
		applied
	)
	stage := map[string]int{}
	digests := map[string]string{}
	sentTo := map[string]bool{}
	var lastSeq uint64
	var trace []string
	defer func() {
		if t.Failed() {
			t.Logf("events:\n%s", strings.Join(trace, "\n"))
		}
	}()
	s.until(10*time.Second, "the write applied on all nodes", func(ev wire.Event) bool {
		trace = append(trace, fmt.Sprintf("%d %s %s %s", ev.Seq, ev.Node, ev.Type, ev.Data))
		if ev.Seq <= lastSeq {
			t.Fatalf("sequence went from %d to %d", lastSeq, ev.Seq)
		}
		lastSeq = ev.Seq
		switch ev.Type {
		case wire.EventLogAppend:
			d := data[wire.LogAppendData](t, ev)
			if d.First <= res.Index && res.Index <= d.Last && stage[ev.Node] == 0 {
				stage[ev.Node] = appended
			}
		case wire.EventRPC:
			d := data[wire.RPCData](t, ev)
			if d.RPC == wire.RPCAppendEntries && d.Entries > 0 && d.Success && d.From == leader && d.PrevIndex < res.Index && res.Index <= d.PrevIndex+uint64(d.Entries) {
				if stage[leader] < appended {
					t.Fatalf("append_entries to %s before the leader stored the entry", d.To)
				}
				sentTo[d.To] = true
			}
		case wire.EventCommit:
			if d := data[wire.CommitData](t, ev); d.Index >= res.Index && stage[ev.Node] == appended {
				stage[ev.Node] = committed
			}
		case wire.EventApply:
			d := data[wire.ApplyData](t, ev)
			if d.Index == res.Index {
				if stage[ev.Node] != committed {
					t.Fatalf("%s applied %d at stage %d (want after append and commit)", ev.Node, d.Index, stage[ev.Node])
				}
				if !strings.Contains(d.Summary, "watched") {
					t.Fatalf("apply summary %q", d.Summary)
				}
				stage[ev.Node] = applied
				digests[ev.Node] = d.Digest
			}
		}
		return len(digests) == 3
	})
	for _, f := range c.Followers() {
		if !sentTo[f.ID()] {
			t.Errorf("no append_entries with entries from %s to %s", leader, f.ID())
		}
	}
	if digests["n1"] != digests["n2"] || digests["n2"] != digests["n3"] {
		t.Fatalf("digests after the write differ: %v", digests)
	}
}

func TestKillingTheLeaderShowsAnElection(t *testing.T) {
	c := clustertest.Start(t, 3)
	old := c.Leader()
	oldTerm := old.Status().Term
	s := dial(t, c.Play+"/v1/cluster/events?heartbeats=all")
	s.until(5*time.Second, "hello", func(ev wire.Event) bool { return ev.Type == wire.EventHello })
	if err := old.Kill(); err != nil {
		t.Fatal(err)
	}
	var failedHB, preVote, vote, candidate bool
	s.until(15*time.Second, "a new leader", func(ev wire.Event) bool {
		switch ev.Type {
		case wire.EventRPC:
			d := data[wire.RPCData](t, ev)
			switch {
			case d.To == old.ID() && !d.Success && d.Error != "":
				failedHB = true
			case d.RPC == wire.RPCRequestPreVote:
				preVote = true
			case d.RPC == wire.RPCRequestVote && d.Term > oldTerm:
				vote = true
			}
		case wire.EventState:
			if d := data[wire.StateData](t, ev); d.Role == wire.RoleCandidate && d.Term >= oldTerm {
				candidate = true
			}
		case wire.EventLeader:
			d := data[wire.LeaderData](t, ev)
			return d.Leader != "" && d.Leader != old.ID() && d.Term > oldTerm && ev.Node == d.Leader
		}
		return false
	})
	if !failedHB || !preVote || !vote || !candidate {
		t.Fatalf("election events: failed rpc to old leader %v, pre-vote %v, vote %v, candidate %v", failedHB, preVote, vote, candidate)
	}
}

func TestStalledSubscriberIsCutOffOthersUnaffected(t *testing.T) {
	c := clustertest.Start(t, 3)
	healthy := dial(t, c.Play+"/v1/cluster/events?heartbeats=all")
	healthy.until(5*time.Second, "hello", func(ev wire.Event) bool { return ev.Type == wire.EventHello })
	applied := make(chan uint64, 1<<16)
	healthyErr := make(chan error, 1)
	go func() {
		// A healthy client keeps reading.
		for {
			ev, err := healthy.next(time.Minute)
			if err != nil {
				healthyErr <- err
				return
			}
			if ev.Type == wire.EventApply {
				var d wire.ApplyData
				json.Unmarshal(ev.Data, &d)
				select {
				case applied <- d.Index:
				default:
				}
			}
		}
	}()
	// A raw TCP client that upgrades and then never reads a byte.
	conn, err := net.Dial("tcp", strings.TrimPrefix(c.Play, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "GET /v1/cluster/events?heartbeats=all HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n", strings.TrimPrefix(c.Play, "http://"))
	bus := c.Hub().Bus()
	c.Eventually(5*time.Second, "two subscribers", func() bool { return bus.Subscribers() == 2 })
	stop := make(chan struct{})
	defer close(stop)
	for w := range 4 {
		go func() {
			// Writes keep flowing while the stalled client's queue fills; their errors do
			// not matter here, only that the stream is busy.
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				req, _ := http.NewRequest("PUT", fmt.Sprintf("%s/v1/kv/s%d-%d", c.Play, w, i%50), strings.NewReader("v"))
				if resp, err := http.DefaultClient.Do(req); err == nil {
					resp.Body.Close()
				}
			}
		}()
	}
	c.Eventually(60*time.Second, "the stalled subscriber to be cut off", func() bool { return bus.Subscribers() == 1 })
	c.Eventually(10*time.Second, "the cut-off stream counted in /metrics", func() bool {
		body := string(clustertest.Do(t, "GET", c.Play+"/metrics", nil).Body)
		return strings.Contains(body, "\nraftplay_event_streams_dropped_total 1\n")
	})
	// The healthy one keeps receiving.
	res := clustertest.Put(t, c.Play, "after-stall", "ok")
	timeout := time.After(10 * time.Second)
	for {
		select {
		case idx := <-applied:
			if idx == res.Index {
				return
			}
		case err := <-healthyErr:
			t.Fatalf("the healthy subscriber was disconnected too: %v", err)
		case <-timeout:
			t.Fatal("the healthy subscriber did not see the write after the stall")
		}
	}
}

func TestCommandsOverTheSocket(t *testing.T) {
	c := clustertest.Start(t, 3)
	s := dial(t, c.Play+"/v1/cluster/events?types=result,error")
	s.until(5*time.Second, "hello", func(ev wire.Event) bool { return ev.Type == wire.EventHello })
	s.send(wire.Command{ID: "p1", Op: "kv.put", Key: "sock", Value: "et"})
	s.send(json.RawMessage(`{"id": "x",`))
	var gotErr bool
	s.until(10*time.Second, "result p1", func(ev wire.Event) bool {
		if ev.Type == wire.EventError {
			gotErr = true
		}
		return ev.Type == wire.EventResult && data[wire.ResultData](t, ev).ID == "p1"
	})
	if !gotErr {
		t.Fatal("a malformed command got no error message")
	}
	s.send(wire.Command{ID: "g1", Op: "kv.get", Key: "sock", Node: c.Followers()[0].ID(), Consistency: "linearizable"})
	evs := s.until(10*time.Second, "result g1", func(ev wire.Event) bool {
		return ev.Type == wire.EventResult && data[wire.ResultData](t, ev).ID == "g1"
	})
	r := data[wire.ResultData](t, evs[len(evs)-1])
	var kv wire.KVPair
	json.Unmarshal(r.Result, &kv)
	if r.Status != 200 || kv.Value != "et" {
		t.Fatalf("get over the socket: %+v", r)
	}
	s.send(wire.Command{ID: "g2", Op: "kv.get", Key: "missing"})
	evs = s.until(10*time.Second, "result g2", func(ev wire.Event) bool {
		return ev.Type == wire.EventResult && data[wire.ResultData](t, ev).ID == "g2"
	})
	if r := data[wire.ResultData](t, evs[len(evs)-1]); r.Status != 404 || r.Error == nil || r.Error.Code != wire.CodeNotFound {
		t.Fatalf("missing key over the socket: %+v", r)
	}
}

func TestForeignOriginRefusedAndOversizedMessageCloses(t *testing.T) {
	c := clustertest.Start(t, 1)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	ws := strings.Replace(c.Play, "http://", "ws://", 1) + "/v1/events"
	_, resp, err := websocket.Dial(ctx, ws, &websocket.DialOptions{HTTPHeader: http.Header{"Origin": {"https://evil.example"}}})
	if err == nil || resp == nil || resp.StatusCode != http.StatusForbidden {
		t.Fatalf("cross-origin upgrade: err %v, resp %v", err, resp)
	}
	s := dial(t, c.Play+"/v1/events")
	s.until(5*time.Second, "hello", func(ev wire.Event) bool { return ev.Type == wire.EventHello })
	s.c.Write(ctx, websocket.MessageText, []byte(`{"id":"big","op":"kv.put","key":"k","value":"`+strings.Repeat("v", 100<<10)+`"}`))
	for {
		_, err := s.next(5 * time.Second)
		if err != nil {
			if websocket.CloseStatus(err) != websocket.StatusMessageTooBig {
				t.Fatalf("oversized message: %v, want close 1009", err)
			}
			break
		}
	}
}

func TestBatchedStreamCarriesEveryEventInArrays(t *testing.T) {
	c := clustertest.Start(t, 3)
	s := dial(t, c.Play+"/v1/cluster/events?batch=true&types=hello,apply")
	if ev, err := s.next(5 * time.Second); err != nil || ev.Type != wire.EventHello {
		t.Fatalf("first message %+v %v (hello comes alone)", ev, err)
	}
	var last uint64
	for i := range 20 {
		last = clustertest.Put(t, c.Play, fmt.Sprintf("b%d", i), "v").Index
	}
	applied := map[string]uint64{}
	var prevSeq uint64
	deadline := time.Now().Add(10 * time.Second)
	for len(applied) < 3 || applied["n1"] < last || applied["n2"] < last || applied["n3"] < last {
		ctx, cancel := context.WithDeadline(context.Background(), deadline)
		_, msg, err := s.c.Read(ctx)
		cancel()
		if err != nil {
			t.Fatalf("reading batches: %v (applied %v of %d)", err, applied, last)
		}
		var evs []wire.Event
		if err := json.Unmarshal(msg, &evs); err != nil {
			t.Fatalf("a batched message is not an array of events: %q", msg)
		}
		for _, ev := range evs {
			if ev.Seq <= prevSeq || ev.Type != wire.EventApply {
				t.Fatalf("event %d (%s) after %d", ev.Seq, ev.Type, prevSeq)
			}
			prevSeq = ev.Seq
			applied[ev.Node] = max(applied[ev.Node], data[wire.ApplyData](t, ev).Index)
		}
	}
}

// metric reads one unlabelled gauge from the playground's /metrics.
// metric reads one sample from the /metrics of the server at base.
func metric(t *testing.T, base, name string) float64 {
	t.Helper()
	body := string(clustertest.MustOK(t, "GET", base+"/metrics", nil).Body)
	for _, line := range strings.Split(body, "\n") {
		if v, ok := strings.CutPrefix(line, name+" "); ok {
			var f float64
			fmt.Sscan(v, &f)
			return f
		}
	}
	t.Fatalf("/metrics lacks %s", name)
	return 0
}

// TestBatchWindowStretchesWithStreams: with 100 batched streams each one sends at most one
// message per 40 ms, so together they send 2,500 messages a second instead of 5,000
// (benchmarks.md has what that saves), and the window shrinks back when they leave.
func TestBatchWindowStretchesWithStreams(t *testing.T) {
	c := clustertest.Start(t, 3)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var conns []*websocket.Conn
	arrivals := make(chan time.Time, 1024)
	for i := range 100 {
		s := dial(t, c.Play+"/v1/cluster/events?batch=true&types=apply")
		conns = append(conns, s.c)
		go func() { // every stream reads, or it would fall behind and be cut off
			for {
				if _, _, err := s.c.Read(ctx); err != nil {
					return
				}
				if i == 0 {
					arrivals <- time.Now()
				}
			}
		}()
	}
	c.Eventually(10*time.Second, "100 batched streams in /metrics", func() bool {
		return metric(t, c.Play, "raftplay_event_batched_streams") == 100
	})
	if w := metric(t, c.Play, "raftplay_event_batch_window_seconds"); w != 0.04 {
		t.Fatalf("window with 100 streams = %vs, want 0.04", w)
	}

	// Writes without pause put events in every window; count one stream's messages.
	for len(arrivals) > 0 {
		<-arrivals
	}
	for i := 0; len(arrivals) < 12; i++ {
		clustertest.Put(t, c.Play, fmt.Sprintf("w%d", i%50), "v")
	}
	first := <-arrivals
	var last time.Time
	n := 0
	for len(arrivals) > 0 {
		last = <-arrivals
		n++
	}
	// Sends are at least a window apart; a late read can only make the span look shorter,
	// hence the slack of a few messages.
	if limit := int(last.Sub(first)/(40*time.Millisecond)) + 3; n > limit {
		t.Fatalf("%d messages in %v after the first: more than one per 40 ms", n, last.Sub(first))
	}

	for _, ws := range conns {
		ws.Close(websocket.StatusNormalClosure, "")
	}
	c.Eventually(10*time.Second, "the streams to leave /metrics", func() bool {
		return metric(t, c.Play, "raftplay_event_batched_streams") == 0
	})
	if w := metric(t, c.Play, "raftplay_event_batch_window_seconds"); w != 0.02 {
		t.Fatalf("window with no streams = %vs, want 0.02", w)
	}
}
