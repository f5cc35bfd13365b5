package ui

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/raftplay/raftplay/node/wire"
)

// luminance is WCAG's relative luminance of "#rrggbb".
func luminance(t *testing.T, hex string) float64 {
	t.Helper()
	var l float64
	for i, w := range []float64{0.2126, 0.7152, 0.0722} {
		v, err := strconv.ParseUint(hex[1+2*i:3+2*i], 16, 8)
		if err != nil {
			t.Fatalf("colour %q: %v", hex, err)
		}
		c := float64(v) / 255
		if c <= 0.03928 {
			c /= 12.92
		} else {
			c = math.Pow((c+0.055)/1.055, 2.4)
		}
		l += w * c
	}
	return l
}

func TestTermColoursKeepTheirTextReadable(t *testing.T) {
	for i, c := range termColours {
		a, b := luminance(t, c.fill), luminance(t, c.ink)
		ratio := (max(a, b) + 0.05) / (min(a, b) + 0.05)
		if ratio < 4.5 {
			t.Errorf("term colour %d: %s on %s is %.2f:1, below 4.5:1", i, c.ink, c.fill, ratio)
		}
	}
	if termStyle(3) == termStyle(4) {
		t.Error("consecutive terms share a colour")
	}
}

func TestLinkCutsAreDrawnOneWayOrBoth(t *testing.T) {
	for _, tc := range []struct {
		name   string
		faults wire.Faults
		want   string // data-cut of the link n1–n2
	}{
		{"none", wire.Faults{}, "-"},
		{"n1 to n2 blocked", wire.Faults{Links: []wire.Link{{From: "n1", To: "n2", Block: true}}}, "a-b"},
		{"n2 to n1 blocked", wire.Faults{Links: []wire.Link{{From: "n2", To: "n1", Block: true}}}, "b-a"},
		{"both blocked", wire.Faults{Links: []wire.Link{{From: "n1", To: "n2", Block: true}, {From: "n2", To: "n1", Drop: 1}}}, "both"},
		{"lossy is not cut", wire.Faults{Links: []wire.Link{{From: "n1", To: "n2", Drop: 0.5}}}, "-"},
		{"isolated", wire.Faults{Isolated: []string{"n2"}}, "both"},
		{"partitioned", wire.Faults{Partition: [][]string{{"n1"}, {"n2", "n3"}}}, "both"},
		{"same side", wire.Faults{Partition: [][]string{{"n1", "n2"}, {"n3"}}}, "-"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := started(t)
			s.Faults = tc.faults
			link := one(t, s.View(), A{"data-testid": "link", "data-a": "n1", "data-b": "n2"})
			if link.Attrs["data-cut"] != tc.want || !strings.Contains(link.Attrs["aria-label"], "link n1–n2") {
				t.Fatalf("drawn as %v", link.Attrs)
			}
			if drawn := len(link.Find(A{"class": "cut-line"})) > 0; drawn != (tc.want != "-") {
				t.Fatalf("a cut drawn: %v", drawn)
			}
		})
	}
}

func TestPickedLinkSendsItsFaults(t *testing.T) {
	for _, tc := range []struct {
		action string
		want   []wire.Link
	}{
		{"block", []wire.Link{{From: "n1", To: "n2", Block: true}}},
		{"block-back", []wire.Link{{From: "n2", To: "n1", Block: true}}},
		{"both", []wire.Link{{From: "n1", To: "n2", Block: true}, {From: "n2", To: "n1", Block: true}}},
		{"restore", []wire.Link{{From: "n1", To: "n2"}, {From: "n2", To: "n1"}}},
	} {
		t.Run(tc.action, func(t *testing.T) {
			s := started(t)
			s.Handle(Msg{Kind: "click", Action: "pick:link:n1:n2"}, t0)
			btn := one(t, s.View(), A{"data-testid": "link-action", "data-action": tc.action})
			cmds := s.Handle(Msg{Kind: "click", Action: btn.Attrs["data-click"]}, t0)
			if len(cmds) != len(tc.want) {
				t.Fatalf("%d commands, want %d", len(cmds), len(tc.want))
			}
			for i, c := range cmds {
				var l wire.Link
				if err := json.Unmarshal(c.Body, &l); err != nil || c.Op != "control.link" || l != tc.want[i] {
					t.Fatalf("command %d: %s %s, want %+v", i, c.Op, c.Body, tc.want[i])
				}
			}
		})
	}
}

func TestPickingANodeShowsItsActions(t *testing.T) {
	s := started(t)
	if got := s.View().Find(A{"data-testid": "picked-action"}); len(got) != 0 {
		t.Fatalf("%d actions before a pick", len(got))
	}
	s.Handle(Msg{Kind: "click", Action: "pick:node:n2"}, t0)
	v := s.View()
	if got := v.Find(A{"data-testid": "picked-action", "data-node-id": "n2"}); len(got) != len(nodeActions) {
		t.Fatalf("%d actions of n2, want %d", len(got), len(nodeActions))
	}
	if n := one(t, v, A{"data-testid": "node", "data-node-id": "n2"}); n.Attrs["aria-expanded"] != "true" || n.Attrs["tabindex"] != "0" {
		t.Fatalf("picked node drawn as %v", n.Attrs)
	}
	kill := one(t, v, A{"data-testid": "picked-action", "data-action": "kill"})
	if cmds := s.Handle(Msg{Kind: "click", Action: kill.Attrs["data-click"]}, t0); len(cmds) != 1 || cmds[0].Op != "control.kill" {
		t.Fatalf("kill gave %+v", cmds)
	}
	s.Handle(Msg{Kind: "click", Action: "pick:node:n2"}, t0)
	if s.Picked != "" {
		t.Fatalf("picking again left %q picked", s.Picked)
	}
}

func TestTheLiveRegionSaysTheLeaderAndTheFaults(t *testing.T) {
	s := started(t)
	if got := one(t, s.View(), A{"data-testid": "announce"}).TextContent(); got != "Leader n1, term 2." {
		t.Fatalf("announced %q", got)
	}
	s.Faults = wire.Faults{Down: []string{"n3"}, Partition: [][]string{{"n1"}, {"n2", "n3"}}}
	got := one(t, s.View(), A{"data-testid": "announce"}).TextContent()
	if !strings.Contains(got, "n3 down") || !strings.Contains(got, "partition {n1} | {n2 n3}") {
		t.Fatalf("announced %q", got)
	}
}

// An unchanged part of the page is the same view as last time, so the renderer skips it;
// a changed one is built again.
func TestUnchangedPartsAreReused(t *testing.T) {
	s := started(t)
	card := func() *V { return one(t, s.View(), A{"data-testid": "node-card", "data-node-id": "n2"}) }
	a := card()
	if b := card(); a != b {
		t.Fatal("an unchanged card was built again")
	}
	s.Apply(ev(101, "n2", wire.EventCommit, wire.CommitData{Index: 4}), t0)
	if c := card(); c == a || !strings.Contains(c.TextContent(), "4") {
		t.Fatal("a changed card was not built again")
	}
}

// Long numbers are squeezed into the node rather than run past its edge.
func TestLongNumbersFitTheNode(t *testing.T) {
	for _, tc := range []struct {
		commit  uint64
		squeeze bool
	}{{7, false}, {123, false}, {999, false}, {1234, true}, {123456, true}} {
		s := started(t)
		s.Nodes["n2"].Commit = tc.commit
		var line *V
		for _, tx := range one(t, s.View(), A{"data-testid": "node", "data-node-id": "n2"}).Find(A{"class": "nums"}) {
			if strings.HasPrefix(tx.TextContent(), "commit ") {
				line = tx
			}
		}
		if line == nil {
			t.Fatal("no commit line")
		}
		if _, ok := line.Attrs["textLength"]; ok != tc.squeeze {
			t.Errorf("commit %d: squeezed %v, want %v", tc.commit, ok, tc.squeeze)
		}
	}
}
