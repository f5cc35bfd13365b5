package eventbus

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/raftplay/raftplay/node/wire"
)

// sized is an event whose encoding is about n bytes, stamped at t.
func sized(typ string, n int, t time.Time) wire.Event {
	return wire.NewEvent("n1", typ, t, map[string]string{"pad": strings.Repeat("x", max(n-90, 0))})
}

func TestHistoryEvictsByCountAgeAndBytes(t *testing.T) {
	t0 := time.Unix(1_700_000_000, 0)
	tests := []struct {
		name      string
		lim       Limits
		publish   int
		every     time.Duration // between events' times
		wantFirst uint64        // oldest kept after publishing
		maxBytes  int64         // memory held may not exceed it (0: unchecked)
	}{
		{name: "count", lim: Limits{Events: 100}, publish: 250, wantFirst: 151},
		{name: "count, fewer published", lim: Limits{Events: 100}, publish: 60, wantFirst: 1},
		{name: "age", lim: Limits{Events: 1000, Age: 10 * time.Second}, publish: 300, every: 100 * time.Millisecond, wantFirst: 200},
		{name: "bytes", lim: Limits{Events: 1 << 20, Bytes: 64 << 10}, publish: 2000, maxBytes: 64 << 10},
		{name: "bytes before count", lim: Limits{Events: 1500, Bytes: 64 << 10}, publish: 2000, maxBytes: 64 << 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := NewLimited(tt.lim)
			for i := range tt.publish {
				b.Publish(sized(wire.EventStatus, 300, t0.Add(time.Duration(i)*tt.every)))
			}
			p := b.Range(0, 0, 0, nil)
			if p.Newest != uint64(tt.publish) || len(p.Events) == 0 || p.Events[len(p.Events)-1].Seq != p.Newest {
				t.Fatalf("newest %d, last read %v; want %d", p.Newest, seqs(p.Events[len(p.Events)-1:]), tt.publish)
			}
			wantSeqs(t, p.Events, p.Oldest, p.Newest)
			if tt.wantFirst > 0 && p.Oldest != tt.wantFirst {
				t.Fatalf("oldest kept %d, want %d", p.Oldest, tt.wantFirst)
			}
			if tt.maxBytes > 0 {
				held := b.store.bytes
				if held > tt.maxBytes {
					t.Fatalf("holds %d bytes, limit %d", held, tt.maxBytes)
				}
				// Whole chunks go, each at most a sixteenth of the limit: the rest is kept.
				if kept := int64(len(p.Events)) * size(p.Events[0]); kept < tt.maxBytes*14/16 {
					t.Fatalf("keeps only %d bytes (%d events) of %d allowed", kept, len(p.Events), tt.maxBytes)
				}
			}
			if tt.lim.Age > 0 {
				if age := p.Events[len(p.Events)-1].Time.Sub(p.Events[0].Time); age > tt.lim.Age {
					t.Fatalf("keeps %v of events, limit %v", age, tt.lim.Age)
				}
			}
		})
	}
}

func TestRangePagesFiltersAndBounds(t *testing.T) {
	b := NewLimited(Limits{Events: 100})
	for i := range 150 {
		typ := wire.EventStatus
		if i%3 == 0 {
			typ = wire.EventApply
		}
		b.Publish(wire.NewEvent("n1", typ, time.Now(), nil))
	}
	applies := func(ev wire.Event) bool { return ev.Type == wire.EventApply }
	tests := []struct {
		name          string
		after, before uint64
		max           int
		keep          func(wire.Event) bool
		first, last   uint64 // of the events read
		n             int
		next          uint64 // Page.Last
	}{
		{name: "all kept", first: 51, last: 150, n: 100, next: 150},
		{name: "after", after: 120, first: 121, last: 150, n: 30, next: 150},
		{name: "after before", after: 60, before: 70, first: 61, last: 69, n: 9, next: 69},
		{name: "limit", after: 60, max: 5, first: 61, last: 65, n: 5, next: 65},
		{name: "evicted after: from the oldest", after: 10, max: 3, first: 51, last: 53, n: 3, next: 53},
		{name: "filtered with a limit", after: 60, max: 4, keep: applies, first: 61, last: 70, n: 4, next: 70},
		{name: "filtered to the end", after: 140, keep: applies, first: 142, last: 148, n: 3, next: 150},
		{name: "past the newest", after: 150, n: 0, next: 150},
		{name: "empty window", after: 80, before: 81, n: 0, next: 80},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := b.Range(tt.after, tt.before, tt.max, tt.keep)
			if p.Oldest != 51 || p.Newest != 150 {
				t.Fatalf("oldest %d newest %d, want 51 and 150", p.Oldest, p.Newest)
			}
			if len(p.Events) != tt.n || p.Last != tt.next {
				t.Fatalf("read %v (last %d), want %d events ending at %d", seqs(p.Events), p.Last, tt.n, tt.next)
			}
			if tt.n > 0 && (p.Events[0].Seq != tt.first || p.Events[tt.n-1].Seq != tt.last) {
				t.Fatalf("read %v, want %d..%d", seqs(p.Events), tt.first, tt.last)
			}
			for i := 1; i < len(p.Events); i++ {
				if p.Events[i].Seq <= p.Events[i-1].Seq {
					t.Fatalf("out of order: %v", seqs(p.Events))
				}
			}
		})
	}
	empty := NewLimited(History).Range(0, 0, 0, nil)
	if empty.Oldest != empty.Newest+1 || len(empty.Events) != 0 {
		t.Fatalf("empty bus: %+v", empty)
	}
}

func TestHistoryKeepsDataOnce(t *testing.T) {
	b := NewLimited(History)
	b.Publish(sized(wire.EventApply, 400, time.Now()))
	ev := b.Range(0, 0, 0, nil).Events[0]
	if string(ev.Data) != string(ev.Encoded[len(ev.Encoded)-1-len(ev.Data):len(ev.Encoded)-1]) {
		t.Fatal("data is not the tail of the encoding")
	}
	if &ev.Data[0] != &ev.Encoded[len(ev.Encoded)-1-len(ev.Data)] {
		t.Fatal("data is kept apart from the encoding")
	}
	if got := append(ev.Data, '!'); &got[0] == &ev.Data[0] {
		t.Fatal("appending to data would write into the encoding")
	}
}

func TestKeyframes(t *testing.T) {
	frame := func(seq uint64) Keyframe {
		return Keyframe{Seq: seq, Time: time.Now(), Data: []byte(fmt.Sprintf(`{"seq":%d}`, seq))}
	}
	publish := func(b *Bus, n int) {
		for range n {
			b.Publish(wire.NewEvent("n1", wire.EventStatus, time.Now(), nil))
		}
	}
	tests := []struct {
		name   string
		lim    Limits
		run    func(b *Bus)
		at     uint64
		want   uint64 // the keyframe's seq; 0 with wantErr
		wantEr bool
	}{
		{name: "newest at or before", lim: Limits{Events: 100, Keyframes: 10}, at: 25, want: 20, run: func(b *Bus) {
			b.PutKeyframe(frame(0))
			publish(b, 10)
			b.PutKeyframe(frame(10))
			publish(b, 10)
			b.PutKeyframe(frame(20))
			publish(b, 10)
			b.PutKeyframe(frame(30))
		}},
		{name: "the very first, before any event", lim: Limits{Events: 100, Keyframes: 10}, at: 5, want: 0, run: func(b *Bus) {
			b.PutKeyframe(frame(0))
			publish(b, 10)
		}},
		{name: "an older one is ignored", lim: Limits{Events: 100, Keyframes: 10}, at: 10, want: 10, run: func(b *Bus) {
			publish(b, 10)
			b.PutKeyframe(frame(10))
			b.PutKeyframe(frame(5))
		}},
		{name: "events after it evicted", lim: Limits{Events: 10, Keyframes: 10}, at: 12, wantEr: true, run: func(b *Bus) {
			publish(b, 5)
			b.PutKeyframe(frame(5))
			publish(b, 20) // keeps 16..25: event 6 is gone
		}},
		{name: "the one from which all is kept", lim: Limits{Events: 10, Keyframes: 10}, at: 30, want: 15, run: func(b *Bus) {
			publish(b, 5)
			b.PutKeyframe(frame(5))
			publish(b, 10)
			b.PutKeyframe(frame(15))
			publish(b, 10) // keeps 16..25
		}},
		{name: "count limit", lim: Limits{Events: 100, Keyframes: 2}, at: 12, wantEr: true, run: func(b *Bus) {
			for i := range 4 {
				publish(b, 10)
				b.PutKeyframe(frame(uint64(10 * (i + 1))))
			}
		}},
		{name: "bytes limit", lim: Limits{Events: 100, Keyframes: 10, KeyframeBytes: 20}, at: 35, want: 30, run: func(b *Bus) {
			for i := range 4 {
				publish(b, 10)
				b.PutKeyframe(frame(uint64(10 * (i + 1)))) // 9 bytes each
			}
		}},
		{name: "none kept without a keyframe limit", lim: Limits{Events: 100}, at: 50, wantEr: true, run: func(b *Bus) {
			publish(b, 10)
			b.PutKeyframe(frame(10))
		}},
		{name: "forget drops them", lim: Limits{Events: 100, Keyframes: 10}, at: 15, wantEr: true, run: func(b *Bus) {
			publish(b, 10)
			b.PutKeyframe(frame(10))
			b.Forget()
			publish(b, 10)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := NewLimited(tt.lim)
			tt.run(b)
			k, err := b.Keyframe(tt.at)
			if tt.wantEr {
				if !errors.Is(err, ErrNoKeyframe) {
					t.Fatalf("keyframe at %d: %+v, %v; want ErrNoKeyframe", tt.at, k, err)
				}
				return
			}
			if err != nil || k.Seq != tt.want || string(k.Data) != fmt.Sprintf(`{"seq":%d}`, tt.want) {
				t.Fatalf("keyframe at %d: %d %s, %v; want %d", tt.at, k.Seq, k.Data, err, tt.want)
			}
		})
	}
}

// A subscriber whose next event is evicted by bytes (before it falls its limit behind) is
// cut off rather than left waiting on an event it can never read.
func TestSubscriberCutOffWhenItsNextEventIsEvicted(t *testing.T) {
	b := NewLimited(Limits{Events: 1 << 20, Bytes: 32 << 10})
	s, err := b.Subscribe(1<<20, 0)
	if err != nil {
		t.Fatal(err)
	}
	for range 500 {
		b.Publish(sized(wire.EventApply, 300, time.Now()))
	}
	if !errors.Is(s.Err(), ErrSlowConsumer) {
		t.Fatalf("subscriber behind evicted events: %v", s.Err())
	}
}

func TestResumeFromHistory(t *testing.T) {
	b := NewLimited(Limits{Events: 5000})
	for range 3000 {
		b.Publish(wire.NewEvent("n1", wire.EventStatus, time.Now(), nil))
	}
	s, err := b.Subscribe(64, 100) // far more behind than its limit: the replay is allowed
	if err != nil {
		t.Fatal(err)
	}
	var got []wire.Event
	for len(got) < 2900 {
		<-s.Ready()
		got = s.Read(got, 512)
	}
	wantSeqs(t, got, 101, 3000)
}

// Readers page through the history while a publisher runs: every page is in order, without
// gaps, and publishing never waits for them (run with -race to check the lock-free reads).
func TestRangeWhilePublishing(t *testing.T) {
	b := NewLimited(Limits{Events: 3000})
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
				b.Publish(sized(wire.EventRPC, 200, time.Now()))
			}
		}
	}()
	for range 200 {
		p := b.Range(0, 0, 0, nil)
		for i := 1; i < len(p.Events); i++ {
			if p.Events[i].Seq != p.Events[i-1].Seq+1 || len(p.Events[i].Encoded) == 0 {
				t.Fatalf("page broken at %d: %d after %d", i, p.Events[i].Seq, p.Events[i-1].Seq)
			}
		}
	}
	close(stop)
	wg.Wait()
}

// BenchmarkPublishHistory is BenchmarkPublish100Subscribers for a bus of the node's size
// (what the hub used before it kept a history) and for one with the History limits, at
// steady state (evicting), with an event of a typical size. Run it with -count to
// alternate the two.
func BenchmarkPublishHistory(b *testing.B) {
	for _, bc := range []struct {
		name string
		lim  Limits
	}{
		{"ring=8192", Limits{Events: 8192}},
		{"history", History},
	} {
		b.Run(bc.name, func(b *testing.B) {
			bus := NewLimited(bc.lim)
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
			e := sized(wire.EventRPC, 300, time.Now())
			// Fill the history first, so that every measured Publish also evicts.
			for range bc.lim.Events {
				bus.Publish(e)
			}
			b.ReportAllocs()
			for b.Loop() {
				e.Time = time.Now()
				bus.Publish(e)
			}
		})
	}
}
