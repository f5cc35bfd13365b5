package eventbus

import (
	"errors"
	"testing"
	"time"

	"github.com/raftplay/raftplay/node/wire"
)

func ev(typ string) wire.Event { return wire.NewEvent("n1", typ, time.Unix(0, 0), nil) }

func TestOrderedDeliveryAndReplay(t *testing.T) {
	b := New(8)
	s, err := b.Subscribe(16, 0)
	if err != nil {
		t.Fatal(err)
	}
	for range 12 {
		b.Publish(ev(wire.EventStatus))
	}
	for want := uint64(1); want <= 12; want++ {
		if got := (<-s.C()).Seq; got != want {
			t.Fatalf("seq %d, want %d", got, want)
		}
	}
	r, err := b.Subscribe(16, 7)
	if err != nil {
		t.Fatal(err)
	}
	for want := uint64(8); want <= 12; want++ {
		if got := (<-r.C()).Seq; got != want {
			t.Fatalf("replay seq %d, want %d", got, want)
		}
	}
	if _, err := b.Subscribe(16, 2); !errors.Is(err, ErrTooOld) {
		t.Fatalf("resume before the ring: %v", err)
	}
	if _, err := b.Subscribe(16, 99); !errors.Is(err, ErrTooOld) {
		t.Fatalf("resume after a restart (since beyond the stream): %v", err)
	}
	if s, err := b.Subscribe(16, 12); err != nil || len(s.C()) != 0 {
		t.Fatalf("resume at the head: %v", err)
	}
	if got := b.Recent(3); len(got) != 3 || got[0].Seq != 10 || got[2].Seq != 12 {
		t.Fatalf("recent: %+v", got)
	}
}

func TestSlowSubscriberIsCutOffWithoutBlocking(t *testing.T) {
	b := New(4)
	slow, _ := b.Subscribe(4, 0)
	fast, _ := b.Subscribe(1000, 0)
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
	if len(fast.C()) != 100 || fast.Err() != nil {
		t.Fatalf("healthy subscriber got %d events, err %v", len(fast.C()), fast.Err())
	}
	if b.Subscribers() != 1 || b.Dropped() != 1 {
		t.Fatalf("subscribers %d dropped %d", b.Subscribers(), b.Dropped())
	}
}

func BenchmarkPublish100Subscribers(b *testing.B) {
	bus := New(1024)
	for range 100 {
		s, _ := bus.Subscribe(1<<20, 0)
		go func() {
			for range s.C() {
			}
		}()
	}
	e := ev(wire.EventApply)
	b.ReportAllocs()
	for b.Loop() {
		bus.Publish(e)
	}
}
