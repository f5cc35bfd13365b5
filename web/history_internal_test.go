package web

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/raftplay/raftplay/node/eventbus"
	"github.com/raftplay/raftplay/node/wire"
)

// A batched stream resuming far back replays the gap from the history in messages of at
// most wsBatch events, a few per take, before the group's own batches: in order, filtered,
// and without queueing the whole gap at once. A gap evicted before it is sent ends the
// member as a slow consumer.
func TestGroupMemberReplaysLongGapFromHistory(t *testing.T) {
	tests := []gapCase{
		{name: "every event", lim: eventbus.Limits{Events: 50_000}, since: 100, wantFrom: 101},
		{name: "filtered", lim: eventbus.Limits{Events: 50_000}, types: "apply", since: 100, wantFrom: 101},
		{name: "gap evicted first", lim: eventbus.Limits{Events: 30_000}, since: 100, evict: 10_000, slow: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { replayGap(t, tt) })
	}
}

// gapCase is a member resuming after since once its group has read 25,000 events.
type gapCase struct {
	name     string
	lim      eventbus.Limits
	types    string
	since    uint64
	evict    int // events published after joining, before the first take
	wantFrom uint64
	slow     bool
}

// replayGap has the member of tt resume and checks what its takes return.
func replayGap(t *testing.T, tt gapCase) {
	var gs streamGroups
	bus := eventbus.NewLimited(tt.lim)
	defer bus.Close()
	q := map[string][]string{"batch": {"true"}}
	if tt.types != "" {
		q["types"] = []string{tt.types}
	}
	f, _ := parseFilter(q)
	window := func() time.Duration { return time.Millisecond }
	live, err := gs.join(bus, f, window, 0) // the group reads from here on
	if err != nil {
		t.Fatal(err)
	}
	for range 25 { // read as it comes, or the live member would be cut off
		for i := range 1000 {
			typ := wire.EventStatus
			if i%2 == 0 {
				typ = wire.EventApply
			}
			bus.Publish(wire.NewEvent("n1", typ, time.Now(), nil))
		}
		if last := bus.Seq(); tt.types == "" {
			received(t, live, last)
		} else {
			received(t, live, last-1) // the last one is a status
		}
	}
	m, err := gs.join(bus, f, window, tt.since)
	if err != nil {
		t.Fatal(err)
	}
	publish(bus, wire.EventApply, tt.evict+10)
	last := bus.Seq()
	var got []uint64
	takes := 0
	for len(got) == 0 || got[len(got)-1] < last {
		select {
		case <-m.Ready():
		case <-m.Done():
			if tt.slow && errors.Is(m.Err(), eventbus.ErrSlowConsumer) {
				return
			}
			t.Fatalf("member ended: %v after %d events", m.Err(), len(got))
		case <-time.After(10 * time.Second):
			t.Fatalf("stalled after %d events", len(got))
		}
		takes++
		msgs := m.take(nil)
		if len(msgs) > replayMessages {
			t.Fatalf("one take returned %d messages, want at most %d", len(msgs), replayMessages)
		}
		for _, msg := range msgs {
			var evs []wire.Event
			if err := json.Unmarshal(msg, &evs); err != nil || len(evs) > wsBatch {
				t.Fatalf("message of %d events (%v), want at most %d", len(evs), err, wsBatch)
			}
			for _, ev := range evs {
				if tt.types != "" && ev.Type != tt.types {
					t.Fatalf("replay carries %s, filtered to %s", ev.Type, tt.types)
				}
				got = append(got, ev.Seq)
			}
		}
	}
	if tt.slow {
		t.Fatal("a member whose gap was evicted replayed anyway")
	}
	step := uint64(1)
	if tt.types != "" {
		step = 2
	}
	for i, seq := range got {
		if want := tt.wantFrom + uint64(i)*step; seq != want && seq <= 25_000 {
			t.Fatalf("replay has %d at %d, want %d", seq, i, want)
		}
	}
	if takes < 3 {
		t.Fatalf("the gap of %d events came in %d takes: not paced", last-tt.since, takes)
	}
}
