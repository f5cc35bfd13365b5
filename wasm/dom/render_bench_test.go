//go:build !(js && wasm)

package dom

import (
	"testing"
	"time"

	"github.com/raftplay/raftplay/node/wire"
	"github.com/raftplay/raftplay/wasm/ui"
)

// busyState is a 3-node cluster whose timeline and logs are full, as after a few minutes of
// writes.
func busyState(b *testing.B) (*ui.State, time.Time) {
	b.Helper()
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	st := func(id, role string) wire.NodeStatus {
		return wire.NodeStatus{ID: id, Role: role, Term: 2, CommitIndex: 40, AppliedIndex: 40, LastIndex: 40, Suffrage: "voter"}
	}
	var log []wire.LogEntry
	for i := uint64(1); i <= 40; i++ {
		log = append(log, wire.LogEntry{Index: i, Term: 2, Type: "command", Summary: "PUT k = v"})
	}
	h := wire.HelloData{Seq: 1, Cluster: wire.ClusterStatus{Leader: "n1", Term: 2, Nodes: []wire.NodeStatus{st("n1", "leader"), st("n2", "follower"), st("n3", "follower")}},
		Logs: map[string][]wire.LogEntry{"n1": log, "n2": log, "n3": log}, Faults: &wire.Faults{Speed: "realtime"}}
	s := ui.New()
	s.SetConn(ui.ConnLive, "")
	hello := wire.NewEvent("", wire.EventHello, t0, h)
	s.Apply(hello, t0)
	seq := uint64(1)
	for i := 0; i < 1000; i++ {
		seq++
		e := wire.NewEvent("n2", wire.EventCommit, t0, wire.CommitData{Index: 40})
		e.Seq = seq
		s.Apply(e, t0)
	}
	return s, t0
}

// BenchmarkIdleRender is one render of an idle page: a heartbeats summary arrived.
func BenchmarkIdleRender(b *testing.B) {
	s, t0 := busyState(b)
	f := NewFake()
	r := NewRenderer(f, f.Root)
	r.Render(s.View())
	seq := uint64(5000)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		seq++
		now := t0.Add(time.Duration(i) * 25 * time.Millisecond)
		e := wire.NewEvent("n1", wire.EventHeartbeats, now, wire.HeartbeatsData{From: "n1", To: "n2", Count: 3})
		e.Seq = seq
		s.Apply(e, now)
		s.Flights.Prune(now)
		f.ResetOps()
		r.Render(s.View())
	}
}
