package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/raftplay/raftplay/node/eventbus"
	"github.com/raftplay/raftplay/node/wire"
	"github.com/raftplay/raftplay/web"
	"github.com/raftplay/raftplay/web/clustertest"
)

// recording reads a stream in the background, keeping every event and counting the bytes
// of every message after the hello.
type recording struct {
	mu    sync.Mutex
	hello *wire.HelloData
	evs   []wire.Event
	msgs  [][]byte // every message after the hello, as received
	err   error
	done  chan struct{}
}

func record(t *testing.T, url string) *recording {
	t.Helper()
	s := dial(t, url)
	r := &recording{done: make(chan struct{})}
	go func() {
		defer close(r.done)
		for {
			_, msg, err := s.c.Read(context.Background())
			if err != nil {
				r.mu.Lock()
				r.err = err
				r.mu.Unlock()
				return
			}
			evs, err := wire.DecodeEvents(msg)
			r.mu.Lock()
			switch {
			case err != nil:
				r.err = err
			case r.hello == nil && len(evs) == 1 && evs[0].Type == wire.EventHello:
				var h wire.HelloData
				r.err = json.Unmarshal(evs[0].Data, &h)
				r.hello = &h
			default:
				r.evs = append(r.evs, evs...)
				r.msgs = append(r.msgs, msg)
			}
			r.mu.Unlock()
		}
	}()
	t.Cleanup(func() { s.c.CloseNow(); <-r.done })
	return r
}

// events is what the recording holds so far (failing the test on a broken stream).
func (r *recording) events(t *testing.T) []wire.Event {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err != nil {
		t.Fatalf("stream: %v", r.err)
	}
	return append([]wire.Event(nil), r.evs...)
}

func (r *recording) lastSeq(t *testing.T) uint64 {
	evs := r.events(t)
	if len(evs) == 0 {
		return 0
	}
	return evs[len(evs)-1].Seq
}

// waitMembers waits until n knows every member's HTTP address (a node's cluster stream
// follows the peers it can reach).
func waitMembers(c *clustertest.Cluster, i int) {
	c.Eventually(10*time.Second, "every peer's address", func() bool {
		ms, err := c.Nodes()[i].Members()
		for _, m := range ms {
			if m.HTTPAddr == "" {
				return false
			}
		}
		return err == nil && len(ms) == 3
	})
}

type link struct{ from, to string }

// TestIdleAppendsFoldIntoLinkSummaries reads the same stream twice, with heartbeats=all (the
// truth) and by default (what the page reads), through an idle spell and a write: what the
// default stream lacks is exactly the heartbeats and the empty appends that changed nothing,
// which come as per-link summaries four times a second instead; appends that carry entries
// or a commit index, and every other event, are all there.
func TestIdleAppendsFoldIntoLinkSummaries(t *testing.T) {
	c := clustertest.Start(t, 3)
	waitMembers(c, 0)
	for _, where := range []struct{ name, base string }{
		{"playground", c.Play},
		{"a node's cluster stream", clustertest.URL(c.Nodes()[0])},
	} {
		t.Run(where.name, func(t *testing.T) {
			all := record(t, where.base+"/v1/cluster/events?batch=true&heartbeats=all")
			def := record(t, where.base+"/v1/cluster/events?batch=true")
			c.Eventually(10*time.Second, "both streams running", func() bool {
				return len(all.events(t)) > 0 && len(def.events(t)) > 0
			})
			idleFrom := all.lastSeq(t)
			// Three seconds of nothing but the cluster's own idle traffic: 12 summary periods.
			idleUntil := time.Now().Add(3 * time.Second)
			c.Eventually(10*time.Second, "three idle seconds", func() bool { return time.Now().After(idleUntil) })
			idleTo := all.lastSeq(t)
			leader := c.Leader().ID()
			res := clustertest.Put(t, c.Play, "folded", "not")
			var lo, hi uint64
			c.Eventually(10*time.Second, "the write's commit sent to every follower", func() bool {
				lo, hi = overlap(all.events(t), def.events(t))
				return commitSent(all.events(t), leader, res.Index) == 2 && hi > lastCommitSent(all.events(t), leader, res.Index)
			})
			checkFolding(t, all.events(t), def.events(t), lo, hi)
			checkIdleSpell(t, all.events(t), def.events(t), idleFrom, idleTo, leader)
			checkWriteShown(t, def.events(t), leader, res.Index)
		})
	}
}

// overlap is the range of sequence numbers both recordings cover.
func overlap(a, b []wire.Event) (lo, hi uint64) {
	if len(a) == 0 || len(b) == 0 {
		return 1, 0
	}
	return max(a[0].Seq, b[0].Seq), min(a[len(a)-1].Seq, b[len(b)-1].Seq)
}

func rpcOf(ev wire.Event) (wire.RPCData, bool) {
	var d wire.RPCData
	if ev.Type != wire.EventRPC || json.Unmarshal(ev.Data, &d) != nil {
		return d, false
	}
	return d, true
}

// commitSent counts the followers the leader has sent a leader_commit of at least index.
func commitSent(evs []wire.Event, leader string, index uint64) int {
	to := map[string]bool{}
	for _, ev := range evs {
		if d, ok := rpcOf(ev); ok && d.From == leader && d.RPC == wire.RPCAppendEntries && d.Success && d.LeaderCommit >= index {
			to[d.To] = true
		}
	}
	return len(to)
}

func lastCommitSent(evs []wire.Event, leader string, index uint64) uint64 {
	var seq uint64
	for _, ev := range evs {
		if d, ok := rpcOf(ev); ok && d.From == leader && d.RPC == wire.RPCAppendEntries && d.LeaderCommit >= index && seq == 0 {
			seq = ev.Seq
		}
	}
	return seq
}

// checkFolding compares the two recordings over lo..hi, event by event.
func checkFolding(t *testing.T, all, def []wire.Event, lo, hi uint64) {
	t.Helper()
	shown := map[uint64]bool{}
	for _, ev := range def {
		shown[ev.Seq] = true
		if d, ok := rpcOf(ev); ok && (d.Heartbeat || d.Idle) {
			t.Fatalf("default stream carries a folded rpc: %s", ev.Data)
		}
	}
	prev := map[link]wire.RPCData{} // the last successful append on each link
	idle := 0
	for _, ev := range all {
		if ev.Seq < lo || ev.Seq > hi {
			continue
		}
		d, isRPC := rpcOf(ev)
		folded := isRPC && (d.Heartbeat || d.Idle)
		if folded == shown[ev.Seq] {
			t.Fatalf("seq %d %s %s: folded %v, on the default stream %v", ev.Seq, ev.Type, ev.Data, folded, shown[ev.Seq])
		}
		if !isRPC || d.RPC != wire.RPCAppendEntries || d.Heartbeat {
			continue
		}
		k := link{d.From, d.To}
		if d.Idle {
			idle++
			p, known := prev[k]
			if d.Entries != 0 || !d.Success || (known && (p.Term != d.Term || p.LeaderCommit != d.LeaderCommit)) {
				t.Fatalf("folded an append that changed something: %s after %+v", ev.Data, p)
			}
		}
		if d.Success {
			prev[k] = d
		}
	}
	if idle == 0 {
		t.Fatalf("no idle appends among %d events: nothing was folded", hi-lo+1)
	}
}

// checkIdleSpell: while the cluster was idle the default stream carried no empty
// successful append at all, and a summary of each of the leader's links about every 250 ms.
func checkIdleSpell(t *testing.T, all, def []wire.Event, from, to uint64, leader string) {
	t.Helper()
	for _, ev := range all {
		if ev.Seq > from && ev.Seq <= to && (ev.Type == wire.EventLogAppend || ev.Type == wire.EventCommit) {
			t.Fatalf("the cluster was not idle: %s %s", ev.Type, ev.Data)
		}
	}
	summaries := map[string]int{}
	for _, ev := range def {
		if ev.Seq <= from || ev.Seq > to {
			continue
		}
		if d, ok := rpcOf(ev); ok && d.RPC == wire.RPCAppendEntries && d.Entries == 0 && d.Success {
			t.Errorf("an idle empty append reached the default stream: %s", ev.Data)
		}
		if ev.Type == wire.EventHeartbeats {
			var h wire.HeartbeatsData
			json.Unmarshal(ev.Data, &h)
			if h.From == leader {
				summaries[h.To]++
				if h.Appends == 0 || h.LastAt.IsZero() || h.LastAt.After(ev.Time) {
					t.Errorf("summary without idle appends or last contact: %s", ev.Data)
				}
			}
		}
	}
	// 12 periods in the spell; a loaded machine may stretch a few.
	if len(summaries) != 2 || summaries[followerOf(summaries, 0)] < 8 || summaries[followerOf(summaries, 1)] < 8 {
		t.Fatalf("summaries of the leader's links in 3 idle seconds: %v, want about 12 each", summaries)
	}
}

func followerOf(m map[string]int, i int) string {
	var ids []string
	for id := range m {
		ids = append(ids, id)
	}
	if i >= len(ids) {
		return ""
	}
	if len(ids) == 2 && ids[0] > ids[1] {
		ids[0], ids[1] = ids[1], ids[0]
	}
	return ids[i]
}

// checkWriteShown: the append carrying the entry and the first to carry its commit index
// reached the default stream for every follower.
func checkWriteShown(t *testing.T, def []wire.Event, leader string, index uint64) {
	t.Helper()
	entry, commit := map[string]bool{}, map[string]bool{}
	for _, ev := range def {
		d, ok := rpcOf(ev)
		if !ok || d.From != leader || d.RPC != wire.RPCAppendEntries || !d.Success {
			continue
		}
		if d.Entries > 0 && d.PrevIndex < index && index <= d.PrevIndex+uint64(d.Entries) {
			entry[d.To] = true
		}
		if d.LeaderCommit >= index {
			commit[d.To] = true
		}
	}
	if len(entry) != 2 || len(commit) != 2 {
		t.Fatalf("on the default stream, entry %d went to %v and its commit to %v; want both followers", index, entry, commit)
	}
}

// TestIdleStreamStaysUnderBudget: an idle 3-node cluster sends the page (its own query,
// batch=true) at most 5 KB a second. The bound is on bytes over a fixed number of summary
// periods (20 of 250 ms: a link summary comes once each), not on a clock, so a loaded
// machine cannot fail it by being slow; the rate is logged.
func TestIdleStreamStaysUnderBudget(t *testing.T) {
	const periods, budget = 20, 5000 // bytes a second
	c := clustertest.Start(t, 3)
	waitMembers(c, 0)
	for _, where := range []struct{ name, base string }{
		{"playground", c.Play},
		{"a node's cluster stream", clustertest.URL(c.Nodes()[0])},
	} {
		t.Run(where.name, func(t *testing.T) {
			r := record(t, where.base+"/v1/cluster/events?batch=true")
			leader := c.Leader().ID()
			// Start counting at a summary of one of the leader's links, stop at its 20th after.
			var start time.Time
			var from, to, n int
			c.Eventually(30*time.Second, fmt.Sprintf("%d summary periods", periods), func() bool {
				r.mu.Lock()
				defer r.mu.Unlock()
				n, from, to = 0, -1, -1
				var target string
				for i, msg := range r.msgs {
					evs, _ := wire.DecodeEvents(msg)
					for _, ev := range evs {
						if ev.Type != wire.EventHeartbeats {
							continue
						}
						var h wire.HeartbeatsData
						json.Unmarshal(ev.Data, &h)
						if h.From != leader || (target != "" && h.To != target) {
							continue
						}
						if target == "" {
							target, from, start = h.To, i+1, ev.Time
						} else if n++; n == periods {
							to = i
							return true
						}
					}
				}
				return false
			})
			r.mu.Lock()
			bytes, counts := 0, map[string]int{}
			var end time.Time
			for _, msg := range r.msgs[from : to+1] {
				bytes += len(msg)
				evs, _ := wire.DecodeEvents(msg)
				for _, ev := range evs {
					counts[ev.Type]++
					end = ev.Time
				}
			}
			r.mu.Unlock()
			secs := float64(periods) * 0.25
			t.Logf("%d bytes in %d messages over %d summary periods (%v by the events' clocks): %.0f B/s; events %v",
				bytes, to-from+1, periods, end.Sub(start).Round(time.Millisecond), float64(bytes)/end.Sub(start).Seconds(), counts)
			if limit := int(budget * secs); bytes > limit {
				t.Fatalf("%d bytes over %d summary periods (%.0f B/s at 250 ms each), budget %d", bytes, periods, float64(bytes)/secs, limit)
			}
		})
	}
}

// history fetches one page of the cluster stream's history.
func history(t *testing.T, base, query string) (wire.History, []json.RawMessage) {
	t.Helper()
	r := clustertest.MustOK(t, "GET", base+"/v1/cluster/events/history?"+query, nil)
	var h wire.History
	var raw struct {
		Events []json.RawMessage `json:"events"`
	}
	r.JSON(t, &h)
	r.JSON(t, &raw)
	return h, raw.Events
}

func TestHistoryPaging(t *testing.T) {
	c := clustertest.Start(t, 3)
	for i := range 10 {
		clustertest.Put(t, c.Play, fmt.Sprintf("h%d", i), "v")
	}
	c.WaitConverged()
	truth, _ := history(t, c.Play, "heartbeats=all&limit=20000")
	if truth.Oldest != 1 || len(truth.Events) == 0 || truth.Newest < truth.Events[len(truth.Events)-1].Seq {
		t.Fatalf("whole history: oldest %d newest %d, %d events", truth.Oldest, truth.Newest, len(truth.Events))
	}
	for i, ev := range truth.Events {
		if ev.Seq != uint64(i+1) {
			t.Fatalf("whole history has %d at %d: not every event in order", ev.Seq, i)
		}
	}
	n := truth.Events[len(truth.Events)-1].Seq
	mid := n / 2
	folded := func(ev wire.Event) bool { d, ok := rpcOf(ev); return ok && (d.Heartbeat || d.Idle) }
	tests := []struct {
		name  string
		query string
		keep  func(ev wire.Event) bool
		limit int // of what keep selects from after..before; 0: all
	}{
		{"default: summaries, no heartbeats or idle appends", "", func(ev wire.Event) bool { return !folded(ev) }, 0},
		{"after", fmt.Sprintf("after=%d", mid), func(ev wire.Event) bool { return ev.Seq > mid && !folded(ev) }, 0},
		{"after and before", fmt.Sprintf("after=%d&before=%d&heartbeats=all", mid/2, mid), func(ev wire.Event) bool { return ev.Seq > mid/2 && ev.Seq < mid }, 0},
		{"limit", fmt.Sprintf("after=%d&limit=7&heartbeats=all", mid), func(ev wire.Event) bool { return ev.Seq > mid }, 7},
		{"types", "types=apply,commit", func(ev wire.Event) bool { return ev.Type == wire.EventApply || ev.Type == wire.EventCommit }, 0},
		{"nodes", "nodes=n2&heartbeats=all", func(ev wire.Event) bool { return ev.Node == "" || ev.Node == "n2" }, 0},
		{"types with a limit", "types=apply&limit=5", func(ev wire.Event) bool { return ev.Type == wire.EventApply }, 5},
		{"nothing after the newest", fmt.Sprintf("after=%d", n+1000), func(wire.Event) bool { return false }, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := tt.query
			if !strings.Contains(q, "before=") {
				q += fmt.Sprintf("&before=%d", n+1) // what the truth saw; the history grows meanwhile
			}
			got, raw := history(t, c.Play, q)
			var want []uint64
			for _, ev := range truth.Events {
				if tt.keep(ev) && (tt.limit == 0 || len(want) < tt.limit) {
					want = append(want, ev.Seq)
				}
			}
			if fmt.Sprint(seqsOf(got.Events)) != fmt.Sprint(want) {
				t.Fatalf("%s: got %v, want %v", q, seqsOf(got.Events), want)
			}
			if got.Oldest != 1 || got.Newest < n {
				t.Fatalf("oldest %d newest %d, want 1 and at least %d", got.Oldest, got.Newest, n)
			}
			for i, ev := range got.Events {
				if ev.Type == "" || ev.Time.IsZero() || len(raw[i]) == 0 {
					t.Fatalf("event %d is not a whole envelope: %s", ev.Seq, raw[i])
				}
			}
		})
	}
	for _, bad := range []string{"limit=0", "limit=20001", "after=-1", "before=x", "heartbeats=some"} {
		r := clustertest.Do(t, "GET", c.Play+"/v1/cluster/events/history?"+bad, nil)
		check(t, r, http.StatusBadRequest, wire.CodeBadRequest)
	}
}

func seqsOf(evs []wire.Event) []uint64 {
	out := []uint64{}
	for _, ev := range evs {
		out = append(out, ev.Seq)
	}
	return out
}

// TestHistoryRetentionBounds runs clusters whose hub keeps little, by count and by bytes,
// and checks what the history endpoint then holds.
func TestHistoryRetentionBounds(t *testing.T) {
	tests := []struct {
		name string
		lim  eventbus.Limits
	}{
		{"by count", eventbus.Limits{Events: 300}},
		{"by bytes", eventbus.Limits{Events: 1 << 20, Bytes: 64 << 10}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			restore := web.SetHistoryLimits(tt.lim)
			c := clustertest.Start(t, 3)
			restore()
			for i := range 40 {
				clustertest.Put(t, c.Play, fmt.Sprintf("r%d", i), strings.Repeat("v", 200))
			}
			h, raw := history(t, c.Play, "heartbeats=all&limit=20000")
			kept := h.Newest - h.Oldest + 1
			if h.Oldest <= 1 || len(h.Events) == 0 || h.Events[0].Seq != h.Oldest {
				t.Fatalf("nothing evicted, or not served from the oldest: oldest %d newest %d, first %v", h.Oldest, h.Newest, seqsOf(h.Events[:1]))
			}
			var bytes int64
			for _, r := range raw {
				bytes += int64(len(r)) + eventbus.RecordBytes
			}
			t.Logf("keeps %d events (%d..%d), %d bytes with their records", kept, h.Oldest, h.Newest, bytes)
			if kept > uint64(tt.lim.Events) {
				t.Fatalf("keeps %d events, limit %d", kept, tt.lim.Events)
			}
			if tt.lim.Bytes > 0 && (bytes > tt.lim.Bytes || bytes < tt.lim.Bytes/2) {
				t.Fatalf("keeps %d bytes, limit %d (and at least half of it)", bytes, tt.lim.Bytes)
			}
			if tt.lim.Bytes == 0 && kept != uint64(tt.lim.Events) {
				t.Fatalf("keeps %d events, want exactly the %d allowed", kept, tt.lim.Events)
			}
			// Too old to replay from: a resume there starts over with a hello.
			s := dial(t, c.Play+"/v1/cluster/events?since=1")
			if ev, err := s.next(5 * time.Second); err != nil || ev.Type != wire.EventHello {
				t.Fatalf("resume from an evicted seq: %v %v, want hello", ev.Type, err)
			}
		})
	}
}

func keyframe(t *testing.T, base string, at uint64) (wire.Keyframe, clustertest.Response) {
	t.Helper()
	q := ""
	if at > 0 {
		q = "?at=" + strconv.FormatUint(at, 10)
	}
	r := clustertest.Do(t, "GET", base+"/v1/cluster/events/keyframe"+q, nil)
	var k wire.Keyframe
	if r.Status == http.StatusOK {
		r.JSON(t, &k)
	}
	return k, r
}

// TestKeyframeReplayReproducesLaterPicture: a keyframe is the hello-shaped picture from
// before the seq asked for, and the history after it, applied the way a page replays,
// gives the picture of a later keyframe: leader, terms, roles and commit indexes, across
// writes and a change of leader.
func TestKeyframeReplayReproducesLaterPicture(t *testing.T) {
	c := clustertest.Start(t, 3)
	if _, r := keyframe(t, c.Play, 0); r.Status != http.StatusOK {
		t.Fatalf("no keyframe at start: %d %s", r.Status, r.Body)
	}
	var k1 wire.Keyframe
	c.Eventually(10*time.Second, "a keyframe of a ready cluster", func() bool {
		k1, _ = keyframe(t, c.Play, 0)
		return k1.Hello.Cluster.Leader != ""
	})
	old := c.Leader().ID()
	for i := range 10 {
		clustertest.Put(t, c.Play, fmt.Sprintf("k%d", i), "v")
	}
	clustertest.MustOK(t, "POST", c.Play+"/v1/control/transfer-leadership", map[string]string{})
	c.WaitReady()
	for i := range 5 {
		clustertest.Put(t, c.Play, fmt.Sprintf("after%d", i), "v")
	}
	c.WaitConverged()
	settled := time.Now().Add(time.Second) // every commit event of the writes is out by then
	var k2 wire.Keyframe
	c.Eventually(15*time.Second, "a keyframe after the writes settled", func() bool {
		k2, _ = keyframe(t, c.Play, 0)
		return k2.Time.After(settled)
	})
	if k2.Hello.Cluster.Leader == old {
		t.Fatalf("leadership stayed with %s", old)
	}
	tests := []struct {
		name    string
		at      uint64
		wantSeq uint64 // 0: any at or before at
		status  int
	}{
		{"exactly at a keyframe", k1.Seq, k1.Seq, http.StatusOK},
		{"between keyframes: the one before", k2.Seq - 1, 0, http.StatusOK},
		{"at the later one", k2.Seq, k2.Seq, http.StatusOK},
		{"before the first", 1, 0, http.StatusNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, r := keyframe(t, c.Play, tt.at)
			if r.Status != tt.status {
				t.Fatalf("keyframe at %d: %d %s", tt.at, r.Status, r.Body)
			}
			if tt.status != http.StatusOK {
				check(t, r, tt.status, wire.CodeNotFound)
				return
			}
			if k.Seq > tt.at || (tt.wantSeq > 0 && k.Seq != tt.wantSeq) || k.Hello.Seq != k.Seq {
				t.Fatalf("keyframe at %d has seq %d (hello %d), want %d", tt.at, k.Seq, k.Hello.Seq, tt.wantSeq)
			}
			h := k.Hello
			if len(h.Cluster.Nodes) != 3 || len(h.Logs) != 3 || h.Recent == nil || len(h.Recent) != 0 || len(h.Scenarios) == 0 || h.Faults == nil {
				t.Fatalf("keyframe is not hello-shaped: %s", r.Body)
			}
		})
	}
	hist, _ := history(t, c.Play, fmt.Sprintf("after=%d&before=%d&limit=20000&types=state,leader,commit", k1.Seq, k2.Seq+1))
	got := replay(k1.Hello.Cluster, hist.Events)
	want := picture(k2.Hello.Cluster)
	if got != want {
		t.Fatalf("replaying %d events from keyframe %d:\n got %s\nwant %s (keyframe %d)", len(hist.Events), k1.Seq, got, want, k2.Seq)
	}
}

type nodePicture struct {
	role   string
	term   uint64
	commit uint64
}

// replay applies events to a cluster's picture as a page does: roles from state events,
// terms and commit indexes only ever rising.
func replay(cs wire.ClusterStatus, evs []wire.Event) string {
	nodes := map[string]*nodePicture{}
	for _, n := range cs.Nodes {
		nodes[n.ID] = &nodePicture{n.Role, n.Term, n.CommitIndex}
	}
	for _, ev := range evs {
		n := nodes[ev.Node]
		if n == nil {
			continue
		}
		switch ev.Type {
		case wire.EventState:
			var d wire.StateData
			json.Unmarshal(ev.Data, &d)
			n.role, n.term = d.Role, max(n.term, d.Term)
		case wire.EventLeader:
			var d wire.LeaderData
			json.Unmarshal(ev.Data, &d)
			n.term = max(n.term, d.Term)
		case wire.EventCommit:
			var d wire.CommitData
			json.Unmarshal(ev.Data, &d)
			n.commit = max(n.commit, d.Index)
		}
	}
	var out []wire.NodeStatus
	for id, n := range nodes {
		out = append(out, wire.NodeStatus{ID: id, Role: n.role, Term: n.term, CommitIndex: n.commit})
	}
	return picture(wire.ClusterStatus{Nodes: out})
}

// picture is what the replay must reproduce, in a comparable form.
func picture(cs wire.ClusterStatus) string {
	var b strings.Builder
	var leader string
	var term uint64
	byID := map[string]wire.NodeStatus{}
	for _, n := range cs.Nodes {
		byID[n.ID] = n
		if n.Role == wire.RoleLeader && n.Term >= term {
			leader = n.ID
		}
		term = max(term, n.Term)
	}
	fmt.Fprintf(&b, "leader %s term %d;", leader, term)
	for _, id := range []string{"n1", "n2", "n3"} {
		n := byID[id]
		fmt.Fprintf(&b, " %s %s term %d commit %d;", id, n.Role, n.Term, n.CommitIndex)
	}
	return b.String()
}

// TestResumeReplaysFromHistory: a client that was away while more events happened than the
// old 8192-event buffer held resumes with every one of them, in order, and no hello, on a
// batched stream (replayed a few messages at a time) and an unbatched one.
func TestResumeReplaysFromHistory(t *testing.T) {
	c := clustertest.Start(t, 3)
	s := dial(t, c.Play+"/v1/cluster/events?heartbeats=all")
	hello, err := s.next(5 * time.Second)
	if err != nil || hello.Type != wire.EventHello {
		t.Fatalf("first message %v %v", hello.Type, err)
	}
	since := data[wire.HelloData](t, hello).Seq
	s.c.CloseNow()
	bus := c.Hub().Bus()
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; bus.Seq() < since+10_000; i++ {
				clustertest.Put(t, c.Play, fmt.Sprintf("resume%d-%d", w, i%20), "v")
			}
		}()
	}
	wg.Wait()
	until := bus.Seq()
	for _, q := range []string{"batch=true", "batch=false"} {
		t.Run(q, func(t *testing.T) {
			r := dial(t, c.Play+"/v1/cluster/events?heartbeats=all&"+q+"&since="+strconv.FormatUint(since, 10))
			next := since + 1
			deadline := time.Now().Add(30 * time.Second)
			for next <= until {
				ctx, cancel := context.WithDeadline(context.Background(), deadline)
				_, msg, err := r.c.Read(ctx)
				cancel()
				if err != nil {
					t.Fatalf("resumed stream at %d of %d: %v", next, until, err)
				}
				evs, err := wire.DecodeEvents(msg)
				if err != nil {
					t.Fatal(err)
				}
				for _, ev := range evs {
					if ev.Seq != next {
						t.Fatalf("resumed stream sent %d (%s), want %d", ev.Seq, ev.Type, next)
					}
					next++
				}
			}
		})
	}
}

// TestTimersAndSendTimes: status carries each node's timer (last contact, timeout), a
// node becoming candidate says which timeout it waits out, and every rpc was sent before
// its outcome was known.
func TestTimersAndSendTimes(t *testing.T) {
	c := clustertest.Start(t, 3)
	timeout := clustertest.Tolerant().Heartbeat.Milliseconds()
	rpcs := record(t, c.Play+"/v1/cluster/events?batch=true&heartbeats=all&types=rpc,state")
	c.Eventually(10*time.Second, "the recording's first rpcs", func() bool { return len(rpcs.events(t)) > 0 })
	leader := c.Leader()
	for _, n := range c.Nodes() {
		t.Run("status of "+n.ID(), func(t *testing.T) {
			var st wire.NodeStatus
			clustertest.MustOK(t, "GET", clustertest.URL(n)+"/v1/status", nil).JSON(t, &st)
			if st.ElectionTimeoutMS != timeout {
				t.Fatalf("election_timeout_ms %d, want %d", st.ElectionTimeoutMS, timeout)
			}
			if n == leader {
				if st.LastContactMS != 0 {
					t.Fatalf("the leader reports last_contact_ms %d", st.LastContactMS)
				}
				return
			}
			// A follower hears from its leader every few tens of milliseconds.
			if st.LastContactMS <= 0 || st.LastContactMS >= timeout {
				t.Fatalf("follower's last_contact_ms %d, want within (0, %d)", st.LastContactMS, timeout)
			}
		})
	}
	if err := leader.Kill(); err != nil {
		t.Fatal(err)
	}
	c.Eventually(20*time.Second, "a candidate's state event", func() bool {
		for _, ev := range rpcs.events(t) {
			var d wire.StateData
			if ev.Type == wire.EventState && json.Unmarshal(ev.Data, &d) == nil && d.Role == wire.RoleCandidate {
				if d.ElectionTimeoutMS != timeout {
					t.Fatalf("candidate's election_timeout_ms %d, want %d: %s", d.ElectionTimeoutMS, timeout, ev.Data)
				}
				return true
			}
		}
		return false
	})
	c.WaitReady()
	var kinds map[string]int
	c.Eventually(10*time.Second, "votes and the new leader's appends on the stream", func() bool {
		kinds = map[string]int{}
		for _, ev := range rpcs.events(t) {
			d, ok := rpcOf(ev)
			if !ok {
				continue
			}
			kinds[d.RPC]++
			if d.Sent.IsZero() || d.Sent.After(ev.Time) || ev.Time.Sub(d.Sent) < time.Duration(d.LatencyUS)*time.Microsecond {
				t.Fatalf("rpc sent %v, outcome at %v, latency %d µs: %s", d.Sent, ev.Time, d.LatencyUS, ev.Data)
			}
		}
		return kinds[wire.RPCAppendEntries] > 0 && kinds[wire.RPCRequestVote] > 0 && kinds[wire.RPCRequestPreVote] > 0
	})
}
