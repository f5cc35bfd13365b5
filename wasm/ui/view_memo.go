package ui

import "time"

// viewMemo keeps the parts of the last view that may be drawn again unchanged, so the next
// view reuses the same *V and the renderer skips it without looking inside. Each entry is
// keyed by every input of its part, so a hit is never stale, and what one view did not use
// is forgotten after the next: the memo holds at most two views' worth.
type viewMemo struct {
	events memo[eventKey]
	cells  memo[cellKey]
	data   memo[dataKey]
	// timers are the election timers' arcs, one per run of a timer.
	timers memo[timerKey]
	cards  memo[cardKey]
	// flights are the messages in flight: each is drawn once.
	flights memo[flightKey]
	// answers are the SQL console's answers: one never changes once it has arrived.
	answers memo[*SQLAnswer]
	// list is the live event list as last drawn, and when (view_timeline.go).
	list struct {
		v   *V
		key listKey
		at  time.Time
	}
}

// turn ends a view.
func (m *viewMemo) turn() {
	m.events.turn()
	m.cells.turn()
	m.data.turn()
	m.timers.turn()
	m.cards.turn()
	m.flights.turn()
	m.answers.turn()
}

type memo[K comparable] struct{ cur, prev map[K]*V }

// get returns the part for k, building it only when neither this view nor the last one
// has. A part is never changed once built.
func (m *memo[K]) get(k K, build func() *V) *V {
	if v, ok := m.cur[k]; ok {
		return v
	}
	v, ok := m.prev[k]
	if !ok {
		v = build()
	}
	if m.cur == nil {
		m.cur = map[K]*V{}
	}
	m.cur[k] = v
	return v
}

func (m *memo[K]) turn() {
	m.prev, m.cur = m.cur, m.prev
	clear(m.cur)
}

// eventKey is everything a timeline row shows.
type eventKey struct {
	seq             uint64
	at              time.Time
	node, typ, text string
	selected        bool
}

// cellKey is everything one log cell shows.
type cellKey struct {
	node               string
	index, term, snap  uint64
	typ, summary, kind string
	committed, applied bool
	selected           bool
}

// cardKey is everything a node's card shows.
type cardKey struct {
	id, role, suffrage, digest, err          string
	isolated, diverged                       bool
	group                                    int
	term, commit, applied, last, snap, snapT uint64
}

// dataKey is everything one node's column of the data view shows.
type dataKey struct {
	id, role, digest, refID string
	applied                 uint64
	diverged                bool
	d, ref                  *NodeData
	at, refAt               time.Time
	err                     string
	index, keysIndex        uint64
}

// memo returns the state's view memo.
func (s *State) viewMemo() *viewMemo {
	if s.memo == nil {
		s.memo = &viewMemo{}
	}
	return s.memo
}
