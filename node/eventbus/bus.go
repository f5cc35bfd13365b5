// Package eventbus fans events out to subscribers without ever blocking the publisher: each
// subscriber has a bounded queue, and one that falls behind is cut off (its subscription
// ends with ErrSlowConsumer) instead of slowing the publisher down. A ring of recent events
// lets a subscriber resume after a sequence number.
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
	ErrClosed       = errors.New("event bus closed")
)

// Bus is an ordered event stream: Publish stamps each event with the next sequence number.
type Bus struct {
	mu     sync.Mutex
	seq    uint64
	ring   []wire.Event // the last len(ring) events, oldest at head
	head   int
	full   bool
	subs   map[*Sub]struct{}
	closed bool

	dropped atomic.Uint64 // subscribers cut off for falling behind
}

// New returns a bus that keeps the last replay events for resuming subscribers.
func New(replay int) *Bus {
	if replay < 1 {
		replay = 1
	}
	return &Bus{ring: make([]wire.Event, replay), subs: map[*Sub]struct{}{}}
}

// Sub is one subscription.
type Sub struct {
	ch   chan wire.Event
	done chan struct{}
	once sync.Once
	err  error
	bus  *Bus
}

// C delivers the events, in order.
func (s *Sub) C() <-chan wire.Event { return s.ch }

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

// Publish stamps ev with the next sequence number, keeps it for replay and hands it to every
// subscriber that has room. It never blocks.
func (b *Bus) Publish(ev wire.Event) wire.Event {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return ev
	}
	b.seq++
	ev.Seq = b.seq
	ev.Encoded = ev.AppendJSON(make([]byte, 0, 96+len(ev.Data)))
	b.ring[b.head] = ev
	b.head = (b.head + 1) % len(b.ring)
	if b.head == 0 {
		b.full = true
	}
	for s := range b.subs {
		select {
		case s.ch <- ev:
		default:
			delete(b.subs, s)
			b.dropped.Add(1)
			s.end(fmt.Errorf("%w (queue of %d full at seq %d)", ErrSlowConsumer, cap(s.ch), ev.Seq))
		}
	}
	return ev
}

// Subscribe starts a subscription with a queue of buf events. With since > 0 the events
// after since that are still in the replay buffer come first (ErrTooOld if some are gone).
func (b *Bus) Subscribe(buf int, since uint64) (*Sub, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return nil, ErrClosed
	}
	var replay []wire.Event
	if since > b.seq {
		// A resume point from the future: the stream restarted (a new process) and the
		// client's picture belongs to the old one.
		return nil, fmt.Errorf("%w: asked for events after %d, the stream is at %d", ErrTooOld, since, b.seq)
	}
	if since > 0 && since < b.seq {
		replay = b.recentLocked(int(b.seq - since))
		if len(replay) == 0 || replay[0].Seq != since+1 {
			return nil, fmt.Errorf("%w: asked for events after %d, oldest kept is %d", ErrTooOld, since, b.oldestLocked())
		}
	}
	s := &Sub{ch: make(chan wire.Event, max(buf, len(replay)+buf/2)), done: make(chan struct{}), bus: b}
	for _, ev := range replay {
		s.ch <- ev
	}
	b.subs[s] = struct{}{}
	return s, nil
}

// Recent returns up to n of the latest events, oldest first.
func (b *Bus) Recent(n int) []wire.Event {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.recentLocked(n)
}

// Seq is the sequence number of the latest event.
func (b *Bus) Seq() uint64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.seq
}

func (b *Bus) recentLocked(n int) []wire.Event {
	size := b.head
	if b.full {
		size = len(b.ring)
	}
	n = min(n, size)
	out := make([]wire.Event, 0, n)
	for i := size - n; i < size; i++ {
		idx := i
		if b.full {
			idx = (b.head + i) % len(b.ring)
		}
		out = append(out, b.ring[idx])
	}
	return out
}

func (b *Bus) oldestLocked() uint64 {
	r := b.recentLocked(len(b.ring))
	if len(r) == 0 {
		return 0
	}
	return r[0].Seq
}

// Subscribers is the number of live subscriptions.
func (b *Bus) Subscribers() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.subs)
}

// Dropped is how many subscribers were cut off for falling behind.
func (b *Bus) Dropped() uint64 { return b.dropped.Load() }

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
