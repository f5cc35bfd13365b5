package ui

import (
	"strconv"
	"testing"

	"github.com/raftplay/raftplay/node/wire"
)

func commits(s *State, from, to uint64) {
	for i := from; i <= to; i++ {
		s.Apply(ev(i, "n1", wire.EventCommit, wire.CommitData{Index: i}), t0)
	}
}

func TestTimelinePauseScrubResume(t *testing.T) {
	s := started(t)
	commits(s, 101, 110)
	s.Handle(Msg{Kind: "click", Action: "tl-pause"}, t0)
	commits(s, 111, 115)
	v := s.View()
	rows := v.Find(A{"data-testid": "event"})
	if rows[0].Attrs["data-seq"] != "110" {
		t.Fatalf("paused timeline shows %s first, want 110", rows[0].Attrs["data-seq"])
	}
	resume := one(t, v, A{"data-testid": "timeline-resume"})
	if resume.TextContent() != "▶ Resume live (5 new)" {
		t.Fatalf("resume button %q", resume.TextContent())
	}
	// Visible: hello's seq 99, then 101..115 (16 events). Position 3 is seq 103.
	s.Handle(Msg{Kind: "input", Action: "tl-scrub", Value: "3"}, t0)
	v = s.View()
	if sel := v.Find(A{"data-testid": "event"})[0]; sel.Attrs["data-seq"] != "103" || sel.Attrs["class"] != "ev t-commit selected" {
		t.Fatalf("after scrub first row %v", sel.Attrs)
	}
	if d := one(t, v, A{"data-testid": "event-detail"}); d.Attrs["data-seq"] != "103" {
		t.Fatalf("detail of %s", d.Attrs["data-seq"])
	}
	s.Handle(Msg{Kind: "click", Action: "tl-resume"}, t0)
	if first := s.View().Find(A{"data-testid": "event"})[0]; first.Attrs["data-seq"] != "115" {
		t.Fatalf("live timeline starts at %s", first.Attrs["data-seq"])
	}
}

func TestTimelineHidesNoiseUnlessAsked(t *testing.T) {
	s := started(t)
	s.Apply(ev(101, "n1", wire.EventHeartbeats, wire.HeartbeatsData{From: "n1", To: "n2", Count: 3}), t0)
	s.Apply(ev(102, "n1", wire.EventStatus, status("n1", "leader", 2, 3)), t0)
	if got := len(s.View().Find(A{"data-testid": "event"})); got != 1 {
		t.Fatalf("%d rows with noise hidden", got)
	}
	s.Handle(Msg{Kind: "change", Action: "tl-noise", Value: "true"}, t0)
	if got := len(s.View().Find(A{"data-testid": "event"})); got != 3 {
		t.Fatalf("%d rows with noise shown", got)
	}
}

func TestTimelineIsBounded(t *testing.T) {
	s := started(t)
	commits(s, 101, 100+3*maxTimeline)
	if s.Timeline.Len() > maxTimeline+maxTimeline/4 {
		t.Fatalf("timeline holds %d events", s.Timeline.Len())
	}
	rows := s.View().Find(A{"data-testid": "event"})
	if len(rows) != timelineWindow || rows[0].Attrs["data-seq"] != strconv.Itoa(100+3*maxTimeline) {
		t.Fatalf("%d rows, first %s", len(rows), rows[0].Attrs["data-seq"])
	}
}

func TestHelloFromRestartedServerStartsHistoryOver(t *testing.T) {
	s := started(t)
	commits(s, 101, 105)
	h := wire.HelloData{Seq: 3, Cluster: wire.ClusterStatus{Nodes: []wire.NodeStatus{status("n1", "leader", 1, 1)}}}
	s.Apply(ev(0, "", wire.EventHello, h), t0)
	s.Apply(ev(4, "n1", wire.EventCommit, wire.CommitData{Index: 2}), t0)
	rows := s.View().Find(A{"data-testid": "event"})
	if len(rows) != 1 || rows[0].Attrs["data-seq"] != "4" || s.Nodes["n1"].Commit != 2 {
		t.Fatalf("after restart: %d rows, commit %d", len(rows), s.Nodes["n1"].Commit)
	}
}
