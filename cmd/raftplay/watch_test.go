package main

import (
	"strings"
	"testing"
	"time"

	"github.com/raftplay/raftplay/node/wire"
)

// TestWatchWordsEveryEvent: each type watch knows is printed in words with the fields that
// matter, not as raw JSON.
func TestWatchWordsEveryEvent(t *testing.T) {
	at := time.Date(2026, 12, 1, 15, 4, 5, 123e6, time.Local)
	for _, tc := range []struct {
		typ  string
		data any
		want []string
	}{
		{wire.EventHeartbeats, wire.HeartbeatsData{From: "n1", To: "n2", Term: 3, Count: 2, Appends: 9, LastLatencyUS: 120, LastAt: at},
			[]string{"2 heartbeats and 9 idle appends n1→n2 term 3", "last 120µs", "last contact 15:04:05.123"}},
		{wire.EventHeartbeats, wire.HeartbeatsData{From: "n1", To: "n3", Term: 3, Count: 1, Failed: 1},
			[]string{"1 heartbeats and 0 idle appends n1→n3", "1 failed"}},
		{wire.EventLeader, wire.LeaderData{Leader: "n2", Term: 4}, []string{"leader is n2 in term 4"}},
	} {
		line := describe(wire.NewEvent("n1", tc.typ, at, tc.data), false)
		for _, w := range tc.want {
			if !strings.Contains(line, w) || strings.Contains(line, "{") {
				t.Errorf("%s: %q lacks %q (or is JSON)", tc.typ, line, w)
			}
		}
		if tc.typ == wire.EventHeartbeats && tc.data.(wire.HeartbeatsData).LastAt.IsZero() && strings.Contains(line, "last contact") {
			t.Errorf("%q shows a last contact the summary does not have", line)
		}
	}
}
