package ui

import (
	"encoding/json"
	"time"

	"github.com/raftplay/raftplay/node/wire"
)

// timelineWindow is how many rows the timeline draws around its cursor.
const timelineWindow = 120

// Item is one event in the timeline.
type Item struct {
	Seq   uint64
	Time  time.Time
	Node  string
	Type  string
	Text  string
	Noise bool // heartbeats and periodic status: hidden unless asked for
	Data  json.RawMessage
}

// Timeline is the bounded event history. While paused it keeps recording, but the view
// stays where the user left it; Cursor (a seq, 0 for the newest) is the selected event.
type Timeline struct {
	items     []Item
	cap       int
	Paused    bool
	PausedAt  uint64
	Cursor    uint64
	ShowNoise bool
}

// add records an event and returns the oldest ones it let go to stay bounded.
func (t *Timeline) add(ev wire.Event) (dropped []Item) {
	if ev.Seq == 0 || (len(t.items) > 0 && ev.Seq <= t.items[len(t.items)-1].Seq) {
		return nil // local answers and events already recorded (a hello's recent list on reconnect)
	}
	text, noise := summarize(ev)
	t.items = append(t.items, Item{Seq: ev.Seq, Time: ev.Time, Node: ev.Node, Type: ev.Type, Text: text, Noise: noise, Data: ev.Data})
	if c := max(t.cap, 1); len(t.items) > c+c/4 {
		// Trim in batches so appending stays amortised O(1).
		dropped = t.items[:len(t.items)-c]
		t.items = append(t.items[:0:0], t.items[len(t.items)-c:]...)
	}
	return dropped
}

func (it Item) event() wire.Event {
	return wire.Event{Seq: it.Seq, Node: it.Node, Time: it.Time, Type: it.Type, Data: it.Data}
}

// rebase forgets the history when a hello's seq is behind it: the server restarted and
// numbers events from scratch, so old and new seqs would collide.
func (t *Timeline) rebase(seq uint64) {
	if n := len(t.items); n > 0 && t.items[n-1].Seq > seq {
		t.items = nil
		t.Resume()
	}
}

// Len is the number of events recorded.
func (t *Timeline) Len() int { return len(t.items) }

// visible is the events the filter lets through, up to the pause point.
func (t *Timeline) visible() []Item {
	out := make([]Item, 0, len(t.items))
	for _, it := range t.items {
		if t.Paused && it.Seq > t.PausedAt {
			break
		}
		if it.Noise && !t.ShowNoise {
			continue
		}
		out = append(out, it)
	}
	return out
}

// Pending is how many events arrived since the pause (what resuming will show).
func (t *Timeline) Pending() int {
	if !t.Paused {
		return 0
	}
	n := 0
	for i := len(t.items) - 1; i >= 0 && t.items[i].Seq > t.PausedAt; i-- {
		if !t.items[i].Noise || t.ShowNoise {
			n++
		}
	}
	return n
}

// Pause freezes the view at the newest event.
func (t *Timeline) Pause() {
	if t.Paused {
		return
	}
	t.Paused = true
	t.PausedAt = 0
	if len(t.items) > 0 {
		t.PausedAt = t.items[len(t.items)-1].Seq
	}
}

// Resume goes back to following the stream.
func (t *Timeline) Resume() {
	t.Paused, t.Cursor, t.PausedAt = false, 0, 0
}

// Scrub pauses and selects the visible event at position pos (0 = oldest).
func (t *Timeline) Scrub(pos int) {
	t.Pause()
	vis := t.visible()
	if len(vis) == 0 {
		return
	}
	pos = min(max(pos, 0), len(vis)-1)
	t.Cursor = vis[pos].Seq
}

// Select pauses and selects the event with seq.
func (t *Timeline) Select(seq uint64) {
	t.Pause()
	t.Cursor = seq
}

// window returns the rows to draw, the position of the cursor in the visible list, and the
// number of visible events.
func (t *Timeline) window() (rows []Item, pos, total int) {
	vis := t.visible()
	total = len(vis)
	if total == 0 {
		return nil, 0, 0
	}
	pos = total - 1
	if t.Cursor != 0 {
		for i := range vis {
			if vis[i].Seq >= t.Cursor {
				pos = i
				break
			}
		}
	}
	end := pos + 1
	start := max(0, end-timelineWindow)
	return vis[start:end], pos, total
}

// find returns the recorded event with seq.
func (t *Timeline) find(seq uint64) (Item, bool) {
	for _, it := range t.items {
		if it.Seq == seq {
			return it, true
		}
	}
	return Item{}, false
}

// selected returns the event under the cursor, if one is selected.
func (t *Timeline) selected() (Item, bool) {
	if t.Cursor == 0 {
		return Item{}, false
	}
	for _, it := range t.items {
		if it.Seq == t.Cursor {
			return it, true
		}
	}
	return Item{}, false
}
