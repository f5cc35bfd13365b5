package eventbus

import (
	"errors"
	"testing"
	"time"

	"github.com/raftplay/raftplay/node/wire"
)

func ev(typ string) wire.Event { return wire.NewEvent("n1", typ, time.Unix(0, 0), nil) }

// readAll reads what is waiting, checking that a Ready token announced it.
func readAll(t *testing.T, s *Sub) []wire.Event {
	t.Helper()
	select {
	case <-s.Ready():
	default:
		t.Fatal("events waiting but no Ready token")
	}
	return s.Read(nil, 0)
}

func seqs(evs []wire.Event) []uint64 {
	out := make([]uint64, len(evs))
	for i, e := range evs {
		out[i] = e.Seq
	}
	return out
}

func wantSeqs(t *testing.T, evs []wire.Event, from, to uint64) {
	t.Helper()
	if len(evs) != int(to-from+1) {
		t.Fatalf("got seqs %v, want %d..%d", seqs(evs), from, to)
	}
	for i, e := range evs {
		if e.Seq != from+uint64(i) {
			t.Fatalf("got seqs %v, want %d..%d", seqs(evs), from, to)
		}
	}
}

func TestOrderedDeliveryAndReplay(t *testing.T) {
	b := New(8)
	s, err := b.Subscribe(8, 0)
	if err != nil {
		t.Fatal(err)
	}
	for range 5 {
		b.Publish(ev(wire.EventStatus))
	}
	wantSeqs(t, readAll(t, s), 1, 5)
	for range 7 {
		b.Publish(ev(wire.EventStatus))
	}
	// Read in pieces: a partial read leaves a token for the rest.
	wantSeqs(t, s.Read(nil, 3), 6, 8)
	wantSeqs(t, readAll(t, s), 9, 12)
	if got := s.Read(nil, 0); len(got) != 0 {
		t.Fatalf("read past the head: %v", seqs(got))
	}

	r, err := b.Subscribe(8, 7)
	if err != nil {
		t.Fatal(err)
	}
	wantSeqs(t, readAll(t, r), 8, 12)
	if _, err := b.Subscribe(8, 2); !errors.Is(err, ErrTooOld) {
		t.Fatalf("resume before the ring: %v", err)
	}
	if _, err := b.Subscribe(8, 99); !errors.Is(err, ErrTooOld) {
		t.Fatalf("resume after a restart (since beyond the stream): %v", err)
	}
	h, err := b.Subscribe(8, 12)
	if err != nil || len(h.Ready()) != 0 || len(h.Read(nil, 0)) != 0 {
		t.Fatalf("resume at the head: %v", err)
	}
	wantSeqs(t, b.Recent(3), 10, 12)
	wantSeqs(t, b.Recent(100), 5, 12)
}

func TestSlowSubscriberIsCutOffWithoutBlocking(t *testing.T) {
	b := New(128)
	slow, _ := b.Subscribe(4, 0)
	fast, _ := b.Subscribe(1000, 0) // limited to the ring
	for range 100 {
		b.Publish(ev(wire.EventApply)) // would deadlock if Publish blocked on slow
	}
	select {
	case <-slow.Done():
	default:
		t.Fatal("slow subscriber still attached")
	}
	if !errors.Is(slow.Err(), ErrSlowConsumer) {
		t.Fatalf("slow subscriber ended with %v", slow.Err())
	}
	wantSeqs(t, readAll(t, fast), 1, 100)
	if fast.Err() != nil {
		t.Fatalf("healthy subscriber: %v", fast.Err())
	}
	if b.Subscribers() != 1 || b.Dropped() != 1 {
		t.Fatalf("subscribers %d dropped %d", b.Subscribers(), b.Dropped())
	}
	// Cut off when a fifth event would be unread: it never got those five.
	if d := b.DroppedEvents(); d != 5 {
		t.Fatalf("dropped events %d, want 5", d)
	}
	for range 200 {
		b.Publish(ev(wire.EventApply))
	}
	if !errors.Is(fast.Err(), ErrSlowConsumer) {
		t.Fatalf("a subscriber a whole ring behind must be cut off, got %v", fast.Err())
	}
	if d := b.DroppedEvents(); d != 5+129 {
		t.Fatalf("dropped events %d, want %d (the ring's 128 and the one that overflowed it)", d, 5+129)
	}
	if got := fast.Read(nil, 0); len(got) != 0 {
		t.Fatalf("read overwritten events: %v", seqs(got))
	}
}

func TestCloseEndsSubscriptions(t *testing.T) {
	b := New(8)
	s, _ := b.Subscribe(8, 0)
	b.Close()
	<-s.Done()
	if !errors.Is(s.Err(), ErrClosed) {
		t.Fatalf("ended with %v", s.Err())
	}
	if _, err := b.Subscribe(8, 0); !errors.Is(err, ErrClosed) {
		t.Fatalf("subscribe after close: %v", err)
	}
}

// BenchmarkPublish100Subscribers publishes to 100 subscribers that read in 20 ms windows,
// as batched WebSocket streams do.
func BenchmarkPublish100Subscribers(b *testing.B) {
	bus := New(1 << 16)
	stop := make(chan struct{})
	defer close(stop)
	for range 100 {
		s, _ := bus.Subscribe(1<<16, 0)
		go func() {
			var buf []wire.Event
			for {
				select {
				case <-stop:
					return
				case <-s.Ready():
				}
				time.Sleep(20 * time.Millisecond)
				buf = s.Read(buf[:0], 0)
			}
		}()
	}
	e := ev(wire.EventApply)
	b.ReportAllocs()
	for b.Loop() {
		bus.Publish(e)
	}
}

func TestForgetRefusesResumesAcrossTheGap(t *testing.T) {
	b := New(8)
	live, err := b.Subscribe(8, 0)
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		b.Publish(ev(wire.EventStatus))
	}
	b.Forget()
	if got := b.Recent(10); len(got) != 0 {
		t.Fatalf("Recent after Forget = %v, want nothing from before the gap", seqs(got))
	}
	for _, since := range []uint64{1, 3} {
		if _, err := b.Subscribe(8, since); !errors.Is(err, ErrTooOld) {
			t.Errorf("resume after %d across the gap: err %v, want ErrTooOld", since, err)
		}
	}
	b.Publish(ev(wire.EventStatus))
	wantSeqs(t, b.Recent(10), 4, 4)
	s, err := b.Subscribe(8, 4)
	if err != nil {
		t.Fatalf("resume after the gap: %v", err)
	}
	b.Publish(ev(wire.EventStatus))
	wantSeqs(t, readAll(t, s), 5, 5)
	// A subscription that was live across the gap keeps everything it had not read.
	wantSeqs(t, readAll(t, live), 1, 5)
}

func TestRecent(t *testing.T) {
	tests := []struct {
		published, n int
		from, to     uint64
	}{
		{published: 3, n: 10, from: 1, to: 3}, // fewer than asked: all of them
		{published: 3, n: 2, from: 2, to: 3},
		{published: 20, n: 10, from: 13, to: 20}, // more than the ring keeps
		{published: 20, n: 5, from: 16, to: 20},
	}
	for _, tt := range tests {
		b := New(8)
		for range tt.published {
			b.Publish(ev(wire.EventStatus))
		}
		got := b.Recent(tt.n)
		if len(got) != int(tt.to-tt.from+1) || got[0].Seq != tt.from || got[len(got)-1].Seq != tt.to {
			t.Errorf("%d published, Recent(%d) = %v, want %d..%d", tt.published, tt.n, seqs(got), tt.from, tt.to)
		}
	}
	if got := New(8).Recent(5); len(got) != 0 {
		t.Errorf("Recent on an empty bus = %v", seqs(got))
	}
}

func TestAfterIsWhereTheSubscriptionStarts(t *testing.T) {
	b := New(16)
	for range 3 {
		b.Publish(ev(wire.EventStatus))
	}
	fresh, _ := b.Subscribe(16, 0)
	resumed, _ := b.Subscribe(16, 1)
	b.Publish(ev(wire.EventStatus)) // after both subscribed; b.Seq() is now past their start
	if fresh.After() != 3 || resumed.After() != 1 {
		t.Fatalf("After: fresh %d, resumed %d; want 3 and 1", fresh.After(), resumed.After())
	}
	wantSeqs(t, readAll(t, fresh), 4, 4)
	wantSeqs(t, readAll(t, resumed), 2, 4)
}
