// Package eventbus fans events out to subscribers without ever blocking the publisher.
//
// Events live once, in a store shared by every subscriber; a subscriber is only a cursor
// into it and a wake-up signal. Publishing appends to the store and pokes the subscribers
// that are waiting, so its cost does not grow with how far behind they are, and a
// subscriber that reads in windows (a batched WebSocket) is woken once per window instead
// of once per event. A subscriber that falls more than its limit behind is cut off (its
// subscription ends with ErrSlowConsumer) instead of slowing the publisher down. The same
// store lets a subscriber resume after a sequence number, and a reader page through what
// it keeps (Range) and the pictures kept beside it (Keyframe), without holding up Publish.
package eventbus

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/raftplay/raftplay/node/wire"
)

// Errors a subscription can end with.
var (
	ErrSlowConsumer = errors.New("slow consumer: fell behind the event stream")
	ErrTooOld       = errors.New("resume point is older than the replay buffer")
	ErrNoKeyframe   = errors.New("no keyframe kept at or before that point")
	ErrClosed       = errors.New("event bus closed")
)

// Bus is an ordered event stream: Publish stamps each event with the next sequence number.
type Bus struct {
	mu     sync.Mutex
	seq    uint64
	store  *store
	subs   map[*Sub]struct{}
	closed bool
	// forgotten is the last sequence number before a gap (see Forget): nothing up to it is
	// replayed, and nobody resumes from it.
	forgotten uint64

	dropped       atomic.Uint64 // subscribers cut off for falling behind
	droppedEvents atomic.Uint64 // events those subscribers had not read when cut off
}

// New returns a bus that keeps the last size events: for resuming subscribers, and as the
// most any subscriber may fall behind.
func New(size int) *Bus { return NewLimited(Limits{Events: size}) }

// NewLimited returns a bus that keeps what lim allows (History for one read back by pages).
func NewLimited(lim Limits) *Bus {
	return &Bus{store: newStore(lim), subs: map[*Sub]struct{}{}}
}

// Sub is one subscription: a cursor into the bus's store.
type Sub struct {
	bus   *Bus
	after uint64        // the subscription started after this sequence number
	limit uint64        // unread events allowed before the subscriber is cut off
	next  atomic.Uint64 // sequence number of the next event to read
	wake  chan struct{} // holds a token when events may be waiting
	done  chan struct{}
	once  sync.Once
	err   error
}

// Ready receives a value when events may be waiting; Read then returns them. A token can be
// stale (Read returns nothing), never missing.
func (s *Sub) Ready() <-chan struct{} { return s.wake }

// Read appends to dst the waiting events, at most max of them (all if max <= 0), in order,
// and moves the cursor past them. The lock is held only to take views of them.
func (s *Sub) Read(dst []wire.Event, max int) []wire.Event {
	b := s.bus
	b.mu.Lock()
	next := s.next.Load()
	if next > b.seq || next < b.keptLocked() {
		b.mu.Unlock()
		return dst // nothing new, or evicted (the subscriber was cut off)
	}
	n := b.seq - next + 1
	if max > 0 && n > uint64(max) {
		n = uint64(max)
		s.poke() // the rest are still waiting
	}
	var local [4]view // a window rarely spans more chunks: no allocation
	views := b.store.views(local[:0], next, next+n-1)
	s.next.Store(next + n)
	b.mu.Unlock()
	return appendViews(dst, views)
}

// After is the sequence number the subscription started after: it delivers every event
// numbered above it.
func (s *Sub) After() uint64 { return s.after }

// Done is closed when the subscription ends; Err says why.
func (s *Sub) Done() <-chan struct{} { return s.done }

// Err is why the subscription ended (nil while it runs or after Close).
func (s *Sub) Err() error {
	select {
	case <-s.done:
		return s.err
	default:
		return nil
	}
}

// Close ends the subscription.
func (s *Sub) Close() {
	s.bus.mu.Lock()
	delete(s.bus.subs, s)
	s.bus.mu.Unlock()
	s.end(nil)
}

func (s *Sub) end(err error) {
	s.once.Do(func() {
		s.err = err
		close(s.done)
	})
}

func (s *Sub) poke() {
	select {
	case s.wake <- struct{}{}:
	default: // a token is already waiting
	}
}

// Publish stamps ev with the next sequence number, keeps it in the store and wakes the
// subscribers. It never blocks. An event relayed from another bus keeps that bus's
// encoding (Encoded), renumbered.
func (b *Bus) Publish(ev wire.Event) wire.Event {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return ev
	}
	b.seq++
	ev = b.store.add(ev, b.seq) // an event from another bus keeps its encoding, renumbered
	kept := b.keptLocked()
	for s := range b.subs {
		// Cut off a subscriber too far behind, or whose next event was evicted (by age or
		// bytes) before it read it.
		if next := s.next.Load(); b.seq+1-next > s.limit || next < kept {
			unread := b.seq + 1 - next
			delete(b.subs, s)
			b.dropped.Add(1)
			b.droppedEvents.Add(unread)
			s.end(fmt.Errorf("%w (%d events unread at seq %d)", ErrSlowConsumer, unread, ev.Seq))
			continue
		}
		s.poke()
	}
	return ev
}

// Subscribe starts a subscription that may fall up to limit events behind (at most the
// bus's Limits.Events). With since > 0 it starts after since, replaying what the store
// still holds (ErrTooOld if some of it is gone); otherwise with the next event published.
func (b *Bus) Subscribe(limit int, since uint64) (*Sub, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return nil, ErrClosed
	}
	if err := b.resumableLocked(since); err != nil {
		return nil, err
	}
	size := uint64(b.store.lim.Events)
	s := &Sub{bus: b, limit: min(uint64(max(limit, 1)), size), wake: make(chan struct{}, 1), done: make(chan struct{})}
	next := b.seq + 1
	if since > 0 {
		next = since + 1
		// Replay may be longer than the limit; allow it, plus half the limit for new events.
		s.limit = min(max(s.limit, b.seq-since+s.limit/2), size)
	}
	s.after = next - 1
	s.next.Store(next)
	if next <= b.seq {
		s.poke()
	}
	b.subs[s] = struct{}{}
	return s, nil
}

// Resumable reports whether a subscriber can resume after since (ErrTooOld if not);
// since 0 always can.
func (b *Bus) Resumable(since uint64) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.resumableLocked(since)
}

func (b *Bus) resumableLocked(since uint64) error {
	switch {
	case since == 0:
		return nil
	case since > b.seq:
		// A resume point from the future: the stream restarted (a new process) and the
		// client's picture belongs to the old one.
		return fmt.Errorf("%w: asked for events after %d, the stream is at %d", ErrTooOld, since, b.seq)
	case b.forgotten > 0 && since <= b.forgotten:
		return fmt.Errorf("%w: asked for events after %d, the stream has a gap after %d", ErrTooOld, since, b.forgotten)
	case since+1 < b.oldestLocked():
		return fmt.Errorf("%w: asked for events after %d, oldest kept is %d", ErrTooOld, since, b.oldestLocked())
	}
	return nil
}

// Recent returns up to n of the latest events, oldest first.
func (b *Bus) Recent(n int) []wire.Event {
	b.mu.Lock()
	defer b.mu.Unlock() // views are cheap; Recent serves a hello, not a hot path
	oldest := b.oldestLocked()
	if n <= 0 || oldest > b.seq {
		return nil
	}
	from := oldest
	if want := uint64(n); b.seq >= want {
		from = max(from, b.seq-want+1)
	}
	return appendViews(nil, b.store.views(nil, from, b.seq))
}

// Page is what Range read back.
type Page struct {
	// Oldest and Newest are the oldest and newest sequence numbers the bus keeps and reads
	// back (Oldest is Newest+1 when it keeps none).
	Oldest, Newest uint64
	Events         []wire.Event
	// Last is the last sequence number Range examined: a next page starts after it.
	Last uint64
}

// Range reads back the kept events with after < seq < before (before 0: no bound) that
// keep accepts (nil: every one), at most max of them (all if max <= 0), in order. It holds
// the bus's lock only to take views of the store: the copying and filtering, however long
// the range, never hold up Publish.
func (b *Bus) Range(after, before uint64, max int, keep func(wire.Event) bool) Page {
	b.mu.Lock()
	p := Page{Oldest: b.oldestLocked(), Newest: b.seq, Last: after}
	from, to := p.Oldest, p.Newest
	if after >= from {
		from = after + 1
	}
	if before > 0 && before <= to {
		to = before - 1
	}
	views := b.store.views(nil, from, to)
	b.mu.Unlock()
	if from <= to {
		p.Last = to
	}
	for _, v := range views {
		for i := v.from; i < v.to; i++ {
			ev := v.event(i)
			if keep != nil && !keep(ev) {
				continue
			}
			p.Events = append(p.Events, ev)
			if max > 0 && len(p.Events) == max {
				p.Last = ev.Seq
				return p
			}
		}
	}
	return p
}

// PutKeyframe keeps a picture of the stream when it was at seq, as long as the events after
// it are kept and the bus's keyframe limits allow. One older than the newest kept is ignored.
func (b *Bus) PutKeyframe(k Keyframe) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.store.putFrame(k)
}

// Keyframe is the newest picture at or before at from which every later event can be read
// back (ErrNoKeyframe when there is none).
func (b *Bus) Keyframe(at uint64) (Keyframe, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	k, ok := b.store.frame(at, b.oldestLocked())
	if !ok {
		return Keyframe{}, fmt.Errorf("%w (asked for %d, events kept from %d)", ErrNoKeyframe, at, b.oldestLocked())
	}
	return k, nil
}

// Seq is the sequence number of the latest event.
func (b *Bus) Seq() uint64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.seq
}

// Forget marks a gap in the stream: its publisher stopped for a while and events went
// unrecorded. What the store holds is no longer replayed or read back (Recent, Range,
// resumes and keyframes start after the gap), and a subscriber resuming from before it gets
// ErrTooOld, so that it starts over instead of silently missing what happened in between.
func (b *Bus) Forget() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.forgotten = b.seq
	b.store.dropFrames()
}

// oldestLocked is the sequence number of the oldest event that is replayed (seq+1 when none).
func (b *Bus) oldestLocked() uint64 { return max(b.keptLocked(), b.forgotten+1) }

// keptLocked is the sequence number of the oldest event the store holds: a subscriber that
// was live across a gap still reads what it had not read before it.
func (b *Bus) keptLocked() uint64 { return b.store.oldest }

// Subscribers is the number of live subscriptions.
func (b *Bus) Subscribers() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.subs)
}

// Dropped is how many subscribers were cut off for falling behind.
func (b *Bus) Dropped() uint64 { return b.dropped.Load() }

// DroppedEvents is how many events the subscribers that were cut off had not read: events
// published but never delivered to someone who subscribed to them.
func (b *Bus) DroppedEvents() uint64 { return b.droppedEvents.Load() }

// Close ends every subscription.
func (b *Bus) Close() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return
	}
	b.closed = true
	for s := range b.subs {
		s.end(ErrClosed)
	}
	b.subs = nil
}
