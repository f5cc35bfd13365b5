package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/raftplay/raftplay/node/eventbus"
	"github.com/raftplay/raftplay/node/wire"
)

func publish(b *eventbus.Bus, typ string, n int) {
	for range n {
		b.Publish(wire.NewEvent("n1", typ, time.Unix(0, 0), nil))
	}
}

// received waits until m has delivered events up to seq last, and returns their sequence
// numbers in the order the messages carried them.
func received(t *testing.T, m *groupMember, last uint64) []uint64 {
	t.Helper()
	seqs, err := receive(m, last)
	if err != nil {
		t.Fatal(err)
	}
	return seqs
}

// receive reads m's messages until it has seq last, for at most 10 s.
func receive(m *groupMember, last uint64) ([]uint64, error) {
	var seqs []uint64
	deadline := time.After(10 * time.Second)
	for len(seqs) == 0 || seqs[len(seqs)-1] < last {
		select {
		case <-m.Ready():
		case <-m.Done():
			return seqs, fmt.Errorf("member ended: %v (after %v)", m.Err(), seqs)
		case <-deadline:
			return seqs, fmt.Errorf("timed out waiting for seq %d (have %v)", last, seqs)
		}
		for _, msg := range m.take(nil) {
			var evs []wire.Event
			if err := json.Unmarshal(msg, &evs); err != nil {
				return seqs, fmt.Errorf("message %s: %v", msg, err)
			}
			for _, ev := range evs {
				seqs = append(seqs, ev.Seq)
			}
		}
	}
	return seqs, nil
}

func wantRange(t *testing.T, who string, got []uint64, from, to uint64) {
	t.Helper()
	ok := len(got) == int(to-from+1)
	for i := 0; ok && i < len(got); i++ {
		ok = got[i] == from+uint64(i)
	}
	if !ok {
		t.Fatalf("%s got %v, want %d..%d", who, got, from, to)
	}
}

func TestStreamGroupsShareByFilter(t *testing.T) {
	var gs streamGroups
	bus := eventbus.New(64)
	now := func() time.Duration { return time.Millisecond }
	applies, _ := parseFilter(map[string][]string{"types": {"apply"}, "batch": {"true"}})
	same, _ := parseFilter(map[string][]string{"types": {"apply"}, "window": {"20ms"}})
	all, _ := parseFilter(map[string][]string{"batch": {"true"}})
	a, err := gs.join(bus, applies, now, 0)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := gs.join(bus, applies, now, 0)
	c, _ := gs.join(bus, all, now, 0)
	d, _ := gs.join(bus, same, now, 0) // a 20 ms window asked for is not the default
	if a.group != b.group || a.group == c.group || a.group == d.group || len(gs.groups) != 3 {
		t.Fatalf("groups: a=%p b=%p c=%p d=%p, %d in all; want a and b alone together", a.group, b.group, c.group, d.group, len(gs.groups))
	}
	publish(bus, wire.EventStatus, 2)
	publish(bus, wire.EventApply, 1)
	wantRange(t, "a", received(t, a, 3), 3, 3)
	wantRange(t, "b", received(t, b, 3), 3, 3)
	wantRange(t, "c", received(t, c, 3), 1, 3)
	for _, m := range []*groupMember{a, b, c, d} {
		m.Close()
	}
	if len(gs.groups) != 0 {
		t.Fatalf("%d groups left after every member did", len(gs.groups))
	}
}

// A member joining while the group holds a window that began before it gets only what came
// after its start; one resuming from before what the group has read gets the gap from the
// ring first. Either way: every event once, in order.
func TestStreamGroupJoinsWithoutGapsOrRepeats(t *testing.T) {
	var gs streamGroups
	bus := eventbus.New(256)
	gate := make(chan struct{})
	window := func() time.Duration { <-gate; return 0 }
	all, _ := parseFilter(map[string][]string{"batch": {"true"}})

	defer bus.Close() // ends the group
	first, err := gs.join(bus, all, window, 0)
	if err != nil {
		t.Fatal(err)
	}
	publish(bus, wire.EventStatus, 5) // 1..5: the group is now waiting on its window
	late, err := gs.join(bus, all, window, 0)
	if err != nil {
		t.Fatal(err)
	}
	publish(bus, wire.EventStatus, 3) // 6..8
	gate <- struct{}{}                // one batch: 1..8
	wantRange(t, "first", received(t, first, 8), 1, 8)
	wantRange(t, "late", received(t, late, 8), 6, 8)

	resumed, err := gs.join(bus, all, window, 3)
	if err != nil {
		t.Fatal(err)
	}
	publish(bus, wire.EventStatus, 2) // 9..10
	gate <- struct{}{}
	wantRange(t, "resumed", received(t, resumed, 10), 4, 10)
	wantRange(t, "first", received(t, first, 10), 9, 10)

	if _, err := gs.join(bus, all, window, 99); !errors.Is(err, eventbus.ErrTooOld) {
		t.Fatalf("resume from the future: %v, want ErrTooOld", err)
	}
	close(gate)
}

func TestStreamGroupCutsOffOnlyTheSlowMember(t *testing.T) {
	var gs streamGroups
	bus := eventbus.New(8192)
	defer bus.Close()
	all, _ := parseFilter(map[string][]string{"batch": {"true"}})
	now := func() time.Duration { return 0 }
	slow, _ := gs.join(bus, all, now, 0)
	healthy, _ := gs.join(bus, all, now, 0)
	// The healthy member reads after every few hundred events, so it never falls behind
	// however slowly the machine schedules it; the slow one never reads.
	var got []uint64
	const total = wsQueue + 500
	for sent := uint64(0); sent < total; {
		for range min(250, total-sent) {
			publish(bus, wire.EventStatus, 1)
			sent++
		}
		got = append(got, received(t, healthy, sent)...)
	}
	select {
	case <-slow.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("a member that never reads was not cut off")
	}
	if !errors.Is(slow.Err(), eventbus.ErrSlowConsumer) {
		t.Fatalf("slow member ended with %v, want ErrSlowConsumer", slow.Err())
	}
	wantRange(t, "healthy", got, 1, wsQueue+500)
}

// A window's events are filtered before they are cut into messages of at most wsBatch: a
// stream of applies gets one message however much else happened in the window.
func TestStreamGroupCutsMessagesAfterFiltering(t *testing.T) {
	var gs streamGroups
	bus := eventbus.New(4096)
	defer bus.Close()
	gate := make(chan struct{})
	window := func() time.Duration { <-gate; return 0 }
	applies, _ := parseFilter(map[string][]string{"types": {"apply"}, "batch": {"true"}})
	all, _ := parseFilter(map[string][]string{"batch": {"true"}})
	a, _ := gs.join(bus, applies, window, 0)
	e, _ := gs.join(bus, all, window, 0)
	for range 10 {
		publish(bus, wire.EventStatus, 60)
		publish(bus, wire.EventApply, 1)
	}
	gate <- struct{}{}
	gate <- struct{}{}
	close(gate)
	wantMessages := func(who string, m *groupMember, sizes ...int) {
		t.Helper()
		total, n := 0, 0
		for _, size := range sizes {
			total += size
		}
		var got []int
		for n < total {
			select {
			case <-m.Ready():
			case <-time.After(10 * time.Second):
				t.Fatalf("%s: messages of %v events so far, want %v", who, got, sizes)
			}
			for _, msg := range m.take(nil) {
				var evs []wire.Event
				if err := json.Unmarshal(msg, &evs); err != nil {
					t.Fatal(err)
				}
				got = append(got, len(evs))
				n += len(evs)
			}
		}
		if !slices.Equal(got, sizes) {
			t.Fatalf("%s: messages of %v events, want %v", who, got, sizes)
		}
	}
	wantMessages("applies", a, 10)
	wantMessages("everything", e, wsBatch, 610-wsBatch)
	a.Close()
	e.Close()
}
