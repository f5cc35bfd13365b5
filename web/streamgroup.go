package web

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/raftplay/raftplay/node/eventbus"
	"github.com/raftplay/raftplay/node/wire"
)

// streamGroups shares the work of batched streams: the streams of one bus with the same
// filter and window form a group, which reads, filters and encodes each window's events
// once and hands the message to every member. Before, each of 100 streams read and
// filtered every event of the cluster itself, and the bus woke 100 readers per event; that
// was most of what a crowd of subscribers cost (benchmarks.md).
type streamGroups struct {
	mu     sync.Mutex
	groups map[groupKey]*streamGroup
}

type groupKey struct {
	bus    *eventbus.Bus
	filter string // the filter in canonical form
}

func filterKey(f streamFilter) string {
	set := func(m map[string]bool) string {
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		return strings.Join(keys, ",")
	}
	return fmt.Sprintf("types=%s nodes=%s heartbeats=%v window=%v", set(f.types), set(f.nodes), f.heartbeats, f.window)
}

// join adds a member that receives the events after since (0: after the latest). It fails
// with eventbus.ErrTooOld when it cannot resume there.
func (gs *streamGroups) join(bus *eventbus.Bus, f streamFilter, window func() time.Duration, since uint64) (*groupMember, error) {
	if err := bus.Resumable(since); err != nil {
		return nil, err
	}
	gs.mu.Lock()
	defer gs.mu.Unlock()
	key := groupKey{bus, filterKey(f)}
	g := gs.groups[key]
	if g == nil {
		// The group may fall as far behind as the ring keeps: its sends never block, so
		// only a stalled process could make it, and then its members are told.
		sub, err := bus.Subscribe(1<<30, 0)
		if err != nil {
			return nil, err
		}
		g = &streamGroup{gs: gs, key: key, filter: f, window: window, sub: sub,
			next: sub.After() + 1, members: map[*groupMember]struct{}{}}
		if gs.groups == nil {
			gs.groups = map[groupKey]*streamGroup{}
		}
		gs.groups[key] = g
		go g.run()
	}
	m, err := g.join(since)
	if err != nil && g.empty() {
		gs.drop(g)
	}
	return m, err
}

func (g *streamGroup) empty() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.members) == 0
}

// drop ends a group that has no members; the caller holds gs.mu.
func (gs *streamGroups) drop(g *streamGroup) {
	if gs.groups[g.key] == g {
		delete(gs.groups, g.key)
	}
	g.sub.Close()
}

// streamGroup is the batched streams of one bus with one filter and window.
type streamGroup struct {
	gs     *streamGroups
	key    groupKey
	filter streamFilter
	window func() time.Duration
	sub    *eventbus.Sub

	mu      sync.Mutex
	next    uint64 // sequence number of the next event the group reads
	members map[*groupMember]struct{}
}

// batch is one message of a group: the events it read (by sequence number, before
// filtering), those that passed the filter, and their JSON array. All are shared by the
// members and never modified.
type batch struct {
	first, last uint64
	events      []wire.Event
	data        []byte
}

func (g *streamGroup) join(start uint64) (*groupMember, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	m := &groupMember{group: g, wake: make(chan struct{}, 1), done: make(chan struct{})}
	if start == 0 {
		start = g.key.bus.Seq()
	}
	m.start = start
	if start+1 < g.next {
		// A resume from before what the group has read: the member replays the gap from
		// the bus's history itself, a few messages at a time as its connection takes them
		// (take), before what the group sends it.
		m.replayed, m.replayEnd = start, g.next
		m.poke()
	}
	g.members[m] = struct{}{}
	return m, nil
}

// run sends the group's windows until its subscription ends.
func (g *streamGroup) run() {
	defer func() {
		g.gs.mu.Lock()
		if g.gs.groups[g.key] == g {
			delete(g.gs.groups, g.key)
		}
		g.gs.mu.Unlock()
		g.endAll(g.sub.Err())
	}()
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	var evs []wire.Event
	for {
		select {
		case <-g.sub.Ready():
		case <-g.sub.Done():
			return
		}
		// Let the window fill before reading: the bus pokes a waiting subscriber once, so
		// the events that arrive meanwhile cost nothing here.
		timer.Reset(g.window())
		select {
		case <-timer.C:
		case <-g.sub.Done():
			return
		}
		// Read the whole window and cut what passes the filter into messages of at most
		// wsBatch events: cutting before filtering would send a filtered stream several
		// small messages a window whenever more than wsBatch events of any kind came.
		evs = g.sub.Read(evs[:0], 0)
		if len(evs) == 0 {
			continue
		}
		var batches []batch
		b := batch{first: evs[0].Seq}
		for _, ev := range evs {
			if !g.filter.pass(ev) {
				continue
			}
			if len(b.events) == wsBatch {
				b.data = encodeBatch(nil, b.events)
				batches = append(batches, b)
				b = batch{first: b.last + 1}
			}
			b.events = append(b.events, ev)
			b.last = ev.Seq
		}
		b.last = evs[len(evs)-1].Seq
		if len(b.events) > 0 {
			b.data = encodeBatch(nil, b.events)
			batches = append(batches, b)
		}
		g.mu.Lock()
		g.next = b.last + 1
		for m := range g.members {
			for _, b := range batches {
				if !m.push(b) {
					delete(g.members, m)
					break
				}
			}
		}
		g.mu.Unlock()
	}
}

func (g *streamGroup) endAll(err error) {
	if err == nil {
		err = eventbus.ErrClosed
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	for m := range g.members {
		m.end(err)
		delete(g.members, m)
	}
}

func (g *streamGroup) leave(m *groupMember) {
	g.gs.mu.Lock()
	defer g.gs.mu.Unlock()
	g.mu.Lock()
	delete(g.members, m)
	empty := len(g.members) == 0
	g.mu.Unlock()
	if empty {
		g.gs.drop(g)
	}
}

// encodeBatch appends the events' JSON array to dst.
func encodeBatch(dst []byte, evs []wire.Event) []byte {
	dst = append(dst, '[')
	for i, ev := range evs {
		if i > 0 {
			dst = append(dst, ',')
		}
		if ev.Encoded != nil {
			dst = append(dst, ev.Encoded...)
		} else {
			dst = ev.AppendJSON(dst)
		}
	}
	return append(dst, ']')
}

// groupMember is one stream of a group: the batches waiting for its connection.
type groupMember struct {
	group *streamGroup
	start uint64 // the member wants the events after this one
	wake  chan struct{}
	done  chan struct{}
	// replayed and replayEnd are the gap a resuming member replays from the history before
	// its batches: it has sent (or skipped) every event up to replayed, and the group's
	// batches start at replayEnd. Only take touches them.
	replayed, replayEnd uint64

	mu      sync.Mutex
	pending []batch
	queued  int // events in pending
	err     error
	ended   bool
}

// errMemberSlow ends a member whose connection does not take its batches fast enough.
var errMemberSlow = fmt.Errorf("%w (more than %d events waiting)", eventbus.ErrSlowConsumer, wsQueue)

// push queues b; false when the member has ended (now, because it fell too far behind).
func (m *groupMember) push(b batch) bool {
	if b.last <= m.start {
		return true // it had these another way
	}
	m.mu.Lock()
	if m.ended {
		m.mu.Unlock()
		return false
	}
	m.pending = append(m.pending, b)
	m.queued += len(b.events)
	slow := m.queued > wsQueue
	m.mu.Unlock()
	if slow {
		m.end(errMemberSlow)
		return false
	}
	m.poke()
	return true
}

func (m *groupMember) poke() {
	select {
	case m.wake <- struct{}{}:
	default:
	}
}

// replayMessages is how many messages of a replay one take returns: enough to go fast,
// few enough that a long replay never holds much memory.
const replayMessages = 8

// take returns the waiting messages, in order: the replay first, if the member has one.
func (m *groupMember) take(dst [][]byte) [][]byte {
	if m.replayed+1 < m.replayEnd {
		return m.replay(dst)
	}
	m.mu.Lock()
	pending := m.pending
	m.pending, m.queued = nil, 0
	m.mu.Unlock()
	for _, b := range pending {
		if b.first > m.start {
			if b.data != nil {
				dst = append(dst, b.data)
			}
			continue
		}
		// The batch straddles where this member started: only the events after it.
		var evs []wire.Event
		for _, ev := range b.events {
			if ev.Seq > m.start {
				evs = append(evs, ev)
			}
		}
		if len(evs) > 0 {
			dst = append(dst, encodeBatch(nil, evs))
		}
	}
	return dst
}

// replay returns the next messages of the member's gap, read from the history; a member
// whose gap is evicted before it is sent has fallen too far behind and ends.
func (m *groupMember) replay(dst [][]byte) [][]byte {
	bus := m.group.key.bus
	for range replayMessages {
		p := bus.Range(m.replayed, m.replayEnd, wsBatch, m.group.filter.pass)
		if p.Oldest > m.replayed+1 {
			m.end(errMemberSlow)
			return dst
		}
		if len(p.Events) > 0 {
			dst = append(dst, encodeBatch(nil, p.Events))
		}
		m.replayed = p.Last
		if m.replayed+1 >= m.replayEnd {
			m.replayed = m.replayEnd - 1
			break
		}
	}
	m.poke() // the rest of the replay, or the batches that waited for it
	return dst
}

func (m *groupMember) Ready() <-chan struct{} { return m.wake }
func (m *groupMember) After() uint64          { return m.start }
func (m *groupMember) Done() <-chan struct{}  { return m.done }

// Err is why the member ended: eventbus.ErrSlowConsumer, or the bus closing.
func (m *groupMember) Err() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.err
}

func (m *groupMember) end(err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.ended {
		return
	}
	m.ended, m.err = true, err
	close(m.done)
}

// Close leaves the group.
func (m *groupMember) Close() {
	m.end(nil)
	m.group.leave(m)
}
