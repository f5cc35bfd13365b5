package ui

import (
	"bytes"
	"encoding/json"
	"strconv"
	"time"
)

// viewTimeline is the event timeline. Between the user's own changes to it (selecting,
// pausing, the filter) it is redrawn at most every listEvery; the app's clock tick renders
// again after that, so the newest events show within listEvery plus one tick.
func (s *State) viewTimeline() *V {
	t := &s.Timeline
	m := s.viewMemo()
	lk := listKey{cursor: t.Cursor, pausedAt: t.PausedAt, paused: t.Paused, noise: t.ShowNoise}
	if l := &m.list; l.v != nil && l.key == lk && s.Now.After(l.at) && s.Now.Sub(l.at) < listEvery {
		return l.v
	}
	v := s.buildTimeline()
	m.list.v, m.list.key, m.list.at = v, lk, s.Now
	return v
}

func (s *State) buildTimeline() *V {
	t := &s.Timeline
	rows, pos, total := t.window()
	// Newest first, so live events appear at the top without scrolling.
	list := s.viewEventList(rows)
	var toggle *V
	if t.Paused {
		label := "Resume live"
		if n := t.Pending(); n > 0 {
			label += " (" + strconv.Itoa(n) + " new)"
		}
		toggle = El("button", A{"type": "button", "class": "primary", "data-testid": "timeline-resume", "data-click": "tl-resume"}, T("▶ "+label))
	} else {
		toggle = El("button", A{"type": "button", "data-testid": "timeline-pause", "data-click": "tl-pause"}, T("❚❚ Pause"))
	}
	scrub := El("input", A{"type": "range", "min": "0", "max": strconv.Itoa(max(total-1, 0)), "step": "1",
		"data-testid": "timeline-scrub", "data-input": "tl-scrub", "aria-label": "Scrub through events"})
	scrub.Value = &Value{Text: strconv.Itoa(pos)}
	noise := A{"type": "checkbox", "data-testid": "timeline-noise", "data-change": "tl-noise"}
	if t.ShowNoise {
		noise["checked"] = ""
	}
	state := "live"
	if t.Paused {
		state = "paused"
	}
	return El("div", A{"data-testid": "timeline", "data-state": state},
		El("div", A{"class": "tl-head"},
			El("h2", nil, T("Events")),
			toggle,
			scrub,
			El("label", A{"class": "inline small"}, El("input", noise), T(" heartbeats & status")),
		),
		El("div", A{"class": "tl-body"},
			list,
			s.viewEventDetail(),
		),
	)
}

// listEvery is how often the timeline is redrawn while events stream in: at a hundred
// writes a second a thousand events arrive each second, far more than anyone can read, and
// drawing each would take the page's whole frame budget.
const listEvery = 400 * time.Millisecond

// listKey is what the timeline shows besides its events: the user's own choices.
type listKey struct {
	cursor, pausedAt uint64
	paused, noise    bool
}

// viewEventList is the events, newest first: one listbox (one tab stop; the arrow keys move
// through the events, Enter selects one).
func (s *State) viewEventList(rows []Item) *V {
	t := &s.Timeline
	m := s.viewMemo()
	items := make([]*V, 0, len(rows))
	for i := len(rows) - 1; i >= 0; i-- {
		it := rows[i]
		k := eventKey{seq: it.Seq, at: it.Time, node: it.Node, typ: it.Type, text: it.Text, selected: it.Seq == t.Cursor}
		items = append(items, m.events.get(k, func() *V { return viewEventRow(k) }))
	}
	if len(items) == 0 {
		hint := "No events yet."
		if !t.ShowNoise {
			hint = "No events yet (heartbeats and status reports are hidden)."
		}
		items = append(items, El("li", A{"class": "ev-empty muted", "role": "option", "aria-disabled": "true", "aria-selected": "false", "id": "ev-none"}, T(hint)).Keyed("empty"))
	}
	return El("ol", A{"class": "events", "role": "listbox", "tabindex": "0", "aria-label": "Events, newest first", "data-listbox": ""}, items...)
}

// viewEventRow is one row of the timeline; what it shows is all in its key.
func viewEventRow(k eventKey) *V {
	seq := u(k.seq)
	cls := "ev t-" + k.typ
	if k.selected {
		cls += " selected"
	}
	return El("li", A{"class": cls, "data-testid": "event", "data-seq": seq, "data-type": k.typ, "data-node-id": k.node,
		"role": "option", "id": "ev-" + seq, "aria-selected": boolText(k.selected), "data-click": "tl-select:" + seq},
		El("span", A{"class": "ev-time"}, T(clock(k.at))),
		El("span", A{"class": "ev-node"}, T(orDash(k.node))),
		El("span", A{"class": "ev-type"}, T(k.typ)),
		El("span", A{"class": "ev-text"}, T(k.text)),
	).Keyed(seq)
}

func (s *State) viewEventDetail() *V {
	it, ok := s.Timeline.selected()
	if !ok {
		return nil
	}
	var pretty bytes.Buffer
	if json.Indent(&pretty, it.Data, "", "  ") != nil {
		pretty.Reset()
		pretty.Write(it.Data)
	}
	return El("div", A{"class": "ev-detail", "data-testid": "event-detail", "data-seq": u(it.Seq)},
		El("div", A{"class": "muted small"}, T("#"+u(it.Seq)+" · "+clock(it.Time)+" · "+orDash(it.Node)+" · "+it.Type)),
		El("pre", nil, T(pretty.String())),
	)
}
