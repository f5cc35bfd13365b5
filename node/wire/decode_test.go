package wire

import (
	"strings"
	"testing"
)

func TestDecodeEvents(t *testing.T) {
	for _, c := range []struct {
		name, msg string
		seqs      []uint64 // nil: an error
	}{
		{"one event", `{"seq":7,"type":"apply","time":"2026-01-02T03:04:05Z"}`, []uint64{7}},
		{"a batch", `[{"seq":8,"type":"commit"},{"seq":9,"type":"apply"}]`, []uint64{8, 9}},
		{"a batch after blanks", " \n[{\"seq\":10}]", []uint64{10}},
		{"an empty batch", `[]`, []uint64{}},
		{"not JSON", `{"seq":`, nil},
		{"a broken batch", `[{"seq":1},`, nil},
		{"nothing", ``, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			evs, err := DecodeEvents([]byte(c.msg))
			if c.seqs == nil {
				if err == nil || !strings.HasPrefix(err.Error(), "unreadable event") {
					t.Fatalf("got %+v, %v; want an error", evs, err)
				}
				return
			}
			if err != nil || len(evs) != len(c.seqs) {
				t.Fatalf("got %+v, %v; want seqs %v", evs, err, c.seqs)
			}
			for i, ev := range evs {
				if ev.Seq != c.seqs[i] {
					t.Fatalf("event %d has seq %d, want %d", i, ev.Seq, c.seqs[i])
				}
			}
		})
	}
}
