package uitest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"nhooyr.io/websocket"

	"github.com/raftplay/raftplay/node/wire"
	"github.com/raftplay/raftplay/web/clustertest"
)

// drawn is one record of window.raftplayDrawn (docs/ui-testing.md).
type drawn struct {
	T    float64 `json:"t"`
	At   float64 `json:"at"`
	Kind string  `json:"kind"`
	Node string  `json:"node"`
	From string  `json:"from"`
	To   string  `json:"to"`
	RPC  string  `json:"rpc"`
	Role string  `json:"role"`
	Term uint64  `json:"term"`
	Seq  uint64  `json:"seq"`
	Mode string  `json:"mode"`
}

// recorder keeps every event of the playground's merged stream, heartbeats included: the
// real order the page's drawing is compared with.
type recorder struct {
	mu  sync.Mutex
	evs map[uint64]wire.Event
}

func record(t *testing.T, ctx context.Context, base string) *recorder {
	t.Helper()
	url := "ws" + strings.TrimPrefix(base, "http") + "/v1/cluster/events?heartbeats=all&batch=true"
	conn, _, err := websocket.Dial(ctx, url, &websocket.DialOptions{HTTPHeader: http.Header{"Origin": {base}}})
	if err != nil {
		t.Fatalf("open the event stream: %v", err)
	}
	conn.SetReadLimit(64 << 20)
	r := &recorder{evs: map[uint64]wire.Event{}}
	go func() {
		defer conn.CloseNow()
		for {
			_, b, err := conn.Read(ctx)
			if err != nil {
				return
			}
			evs, err := wire.DecodeEvents(b)
			if err != nil {
				return
			}
			r.mu.Lock()
			for _, ev := range evs {
				if ev.Seq != 0 && ev.Type != wire.EventHello {
					r.evs[ev.Seq] = ev
				}
			}
			r.mu.Unlock()
		}
	}()
	return r
}

// moment is when the record's drawing really happened: an rpc's send (its "sent" field,
// else its outcome less its latency) or its outcome, or the event's time.
func (r *recorder) moment(d drawn) (float64, bool) {
	r.mu.Lock()
	ev, ok := r.evs[d.Seq]
	r.mu.Unlock()
	if !ok {
		return 0, false
	}
	at := ev.Time
	if ev.Type == wire.EventRPC && d.Kind == "rpc-send" {
		var x struct {
			Sent      time.Time `json:"sent"`
			LatencyUS int64     `json:"latency_us"`
		}
		json.Unmarshal(ev.Data, &x)
		at = ev.Time.Add(-time.Duration(x.LatencyUS) * time.Microsecond)
		if !x.Sent.IsZero() {
			at = x.Sent
		}
	}
	return float64(at.UnixMicro()) / 1000, true
}

func readDrawn(t *testing.T, ctx context.Context) []drawn {
	t.Helper()
	var out []drawn
	if err := json.Unmarshal([]byte(eval[string](t, ctx, `JSON.stringify(window.raftplayDrawn || [])`)), &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// open starts a cluster and the page on it, and waits for a leader drawn.
func open(t *testing.T, n int, opts ...clustertest.Option) (*clustertest.Cluster, context.Context) {
	c := clustertest.Start(t, n, opts...)
	ctx := browser(t)
	do(t, ctx, "load", chromedp.Navigate(c.Play+"/"))
	poll(t, ctx, "the first hello rendered", `document.querySelector('#app[data-ready="true"]') !== null`)
	poll(t, ctx, "one leader", fmt.Sprintf(`document.querySelectorAll('[data-testid="node"]').length === %d &&
		document.querySelectorAll('[data-testid="node"][data-role="leader"]').length === 1`, n))
	return c, ctx
}

func TestDrawnElectionFollowsTheRealOrder(t *testing.T) {
	c, ctx := open(t, 3)
	real := record(t, ctx, c.Play) // open before the kill: it sees every event of the election
	if d := eval[string](t, ctx, `document.querySelector('#app').dataset.delayMs`); d == "" || d == "0" {
		t.Fatalf("#app[data-delay-ms] = %q", d)
	}
	old := eval[string](t, ctx, `document.querySelector('[data-testid="node"][data-role="leader"]').dataset.nodeId`)
	clustertest.MustOK(t, "POST", c.Play+"/v1/control/kill", map[string]string{"node": old})
	poll(t, ctx, "a new leader drawn", fmt.Sprintf(`(() => { const l = document.querySelector('[data-testid="leader"]').dataset.leader; return l !== "" && l !== %q })()`, old))
	leader := eval[string](t, ctx, `document.querySelector('[data-testid="leader"]').dataset.leader`)
	// The first append of the new leader is drawn, and a while after it.
	poll(t, ctx, "the new leader's first append drawn", fmt.Sprintf(`(window.raftplayDrawn || []).some(d => d.mode === "live" && d.kind === "rpc-send" && d.from === %q && d.rpc === "append_entries")`, leader))
	time.Sleep(time.Second)
	all := readDrawn(t, ctx)

	var live []drawn
	for _, d := range all {
		if d.Mode == "live" {
			live = append(live, d)
		}
	}
	death := -1
	for i, d := range live {
		if d.Kind == "down" && d.Node == old {
			death = i
			break
		}
	}
	if death < 0 {
		t.Fatalf("the death of %s was never drawn: %+v", old, live)
	}
	for _, d := range live[death+1:] {
		if d.Node == old || d.From == old {
			t.Errorf("%s drew after its death: %+v", old, d)
		}
	}
	// The election's steps, in the order drawn.
	steps := []struct {
		name string
		is   func(drawn) bool
	}{
		{"a candidate", func(d drawn) bool { return d.Kind == "state" && d.Role == "candidate" && d.Node == leader }},
		{"its vote request sent", func(d drawn) bool {
			return d.Kind == "rpc-send" && d.From == leader && (d.RPC == wire.RPCRequestVote || d.RPC == wire.RPCRequestPreVote)
		}},
		{"a vote answered", func(d drawn) bool { return d.Kind == "rpc-reply" && d.From == leader && d.RPC == wire.RPCRequestVote }},
		{"the new leader", func(d drawn) bool { return d.Kind == "state" && d.Role == "leader" && d.Node == leader }},
		{"its first append", func(d drawn) bool { return d.Kind == "rpc-send" && d.From == leader && d.RPC == wire.RPCAppendEntries }},
	}
	at := death
	for _, st := range steps {
		i := at + 1
		for i < len(live) && !st.is(live[i]) {
			i++
		}
		if i == len(live) {
			t.Fatalf("%s not drawn after the step before it (drawn: %s)", st.name, describe(live[death:]))
		}
		at = i
	}
	// Everything drawn from the death to the first append is in the real order of what
	// it shows: the page's moment for each is the real one, and they never go back.
	window := live[death : at+1]
	prev := 0.0
	for _, d := range window {
		want, ok := real.moment(d)
		if !ok {
			continue // an event from before the recorder opened
		}
		if diff := d.At - want; diff > 1 || diff < -1 {
			t.Errorf("%s %s drawn for %.3f, really at %.3f", d.Kind, d.RPC, d.At, want)
		}
		if want < prev-0.001 {
			t.Errorf("drawn out of order: %s (seq %d) really at %.3f after one at %.3f", d.Kind, d.Seq, want, prev)
		}
		prev = max(prev, want)
	}
	t.Logf("election drawn: %s", describe(window))
}

func describe(ds []drawn) string {
	var b strings.Builder
	for _, d := range ds {
		fmt.Fprintf(&b, "\n  %.1f %s %s%s%s %s %s", d.At, d.Kind, d.Node, d.From, arrow(d.To), d.RPC, d.Role)
	}
	return b.String()
}

func arrow(to string) string {
	if to == "" {
		return ""
	}
	return "→" + to
}

func TestPauseHoldsTheWholePicture(t *testing.T) {
	c, ctx := open(t, 3)
	do(t, ctx, "pause", chromedp.Click(`[data-testid="timeline-pause"]`))
	poll(t, ctx, "the picture held", `document.querySelector('[data-testid="picture"][data-mode="paused"]') !== null`)
	commits := func() string {
		return eval[string](t, ctx, `[...document.querySelectorAll('[data-testid="node"]')].map(n => n.dataset.nodeId + ":" + n.dataset.commit).sort().join(" ")`)
	}
	held, heldAt := commits(), eval[string](t, ctx, `document.querySelector('[data-testid="picture"]').dataset.at`)
	var last wire.KVWriteResult
	for i := range 5 {
		last = clustertest.Put(t, c.Play, fmt.Sprintf("k%d", i), "v")
	}
	c.Eventually(10*time.Second, "the writes committed everywhere", func() bool {
		for _, n := range c.Nodes() {
			if n.Status().CommitIndex < last.Index {
				return false
			}
		}
		return true
	})
	time.Sleep(time.Second) // longer than the page's delay: live, it would have drawn them
	if now := commits(); now != held {
		t.Fatalf("the held picture moved while paused: %s, then %s", held, now)
	}
	if text := eval[string](t, ctx, `document.querySelector('[data-testid="picture"]').innerText`); !strings.Contains(text, "keeps running") {
		t.Fatalf("the page does not say the cluster runs on: %q", text)
	}
	do(t, ctx, "step forward", chromedp.Click(`[data-testid="step-forward"]`))
	poll(t, ctx, "one moment later", fmt.Sprintf(`Number(document.querySelector('[data-testid="picture"]').dataset.at) > %s`, heldAt))
	do(t, ctx, "back to live", chromedp.Click(`[data-testid="back-to-live"]`))
	poll(t, ctx, "the live commit", fmt.Sprintf(`document.querySelector('[data-testid="picture"][data-mode="live"]') !== null &&
		[...document.querySelectorAll('[data-testid="node"]')].every(n => Number(n.dataset.commit) >= %d)`, last.Index))
}

func TestScrubToThePastFromTheServersHistory(t *testing.T) {
	c, ctx := open(t, 3)
	if r := c.Do("GET", c.Play+"/v1/cluster/events/history?limit=1", nil); r.Status == http.StatusNotFound {
		t.Skip("this server keeps no history (GET /v1/cluster/events/history)")
	}
	first := clustertest.Put(t, c.Play, "early", "1")
	time.Sleep(500 * time.Millisecond)
	var h struct {
		Events []wire.Event `json:"events"`
	}
	clustertest.MustOK(t, "GET", c.Play+"/v1/cluster/events/history?after=0&types=commit&limit=20000", nil).JSON(t, &h)
	var target uint64
	for _, ev := range h.Events {
		var d wire.CommitData
		json.Unmarshal(ev.Data, &d)
		if d.Index == first.Index {
			target = ev.Seq
		}
	}
	if target == 0 {
		t.Fatalf("no commit of index %d in the history", first.Index)
	}
	// Far more events than the page keeps itself.
	for i := range 300 {
		clustertest.Put(t, c.Play, fmt.Sprintf("later%d", i), "x")
	}
	do(t, ctx, "pause", chromedp.Click(`[data-testid="timeline-pause"]`))
	poll(t, ctx, "the history scrubber", `document.querySelector('[data-testid="history-scrub"]') !== null`)
	do(t, ctx, "scrub", chromedp.SetValue(`[data-testid="history-scrub"]`, fmt.Sprint(target)),
		chromedp.Evaluate[chromedp.Void](`document.querySelector('[data-testid="history-scrub"]').dispatchEvent(new Event("change", {bubbles: true}))`))
	poll(t, ctx, "the picture at that commit", fmt.Sprintf(`document.querySelector('[data-testid="picture"]').dataset.seq === "%d" &&
		[...document.querySelectorAll('[data-testid="node"]')].some(n => Number(n.dataset.commit) === %d)`, target, first.Index))
}

func TestRemovedNodeLeavesThePicture(t *testing.T) {
	_, ctx := open(t, 3)
	victim := eval[string](t, ctx, `document.querySelector('[data-testid="node"][data-role="follower"]').dataset.nodeId`)
	do(t, ctx, "remove", chromedp.Click(fmt.Sprintf(`[data-testid="node-action"][data-action="remove"][data-node-id=%q]`, victim)))
	poll(t, ctx, "two nodes drawn", `document.querySelectorAll('[data-testid="node"]').length === 2`)
	// Its last status reports come after: they must not bring it back.
	time.Sleep(3 * time.Second)
	if ids := eval[[]string](t, ctx, `[...document.querySelectorAll('[data-testid="node"]')].map(n => n.dataset.nodeId)`); len(ids) != 2 || sort.SearchStrings(ids, victim) < len(ids) && ids[sort.SearchStrings(ids, victim)] == victim {
		t.Fatalf("after removing %s the page draws %v", victim, ids)
	}
}
