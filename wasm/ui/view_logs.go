package ui

import (
	"strconv"
	"time"
)

const (
	logCols = 32               // log columns drawn (the newest indexes)
	cutShow = 15 * time.Second // how long a truncation stays marked
)

// logWindow is the range of indexes drawn: the newest logCols across all nodes, so one
// index is one column on every row and a lagging or divergent node stands out.
func (s *State) logWindow() (lo, hi uint64) {
	for _, n := range s.Nodes {
		hi = max(hi, n.LastIndex)
		if len(n.Log) > 0 {
			hi = max(hi, n.Log[len(n.Log)-1].Index)
		}
	}
	if hi == 0 {
		return 1, 0
	}
	if hi > logCols {
		lo = hi - logCols + 1
	} else {
		lo = 1
	}
	return lo, hi
}

// termColours are the fills of committed entries, one per term in turn, each dark or
// light enough for its text (ink on the light ones, white on the dark ones) to keep a
// contrast of at least 4.5:1.
var termColours = []struct{ fill, ink string }{
	{"#1d4ed8", "#ffffff"}, // blue
	{"#fcd34d", "#1c2230"}, // yellow
	{"#047857", "#ffffff"}, // green
	{"#f9a8d4", "#1c2230"}, // pink
	{"#6d28d9", "#ffffff"}, // violet
	{"#67e8f9", "#1c2230"}, // cyan
	{"#b91c1c", "#ffffff"}, // red
	{"#bef264", "#1c2230"}, // lime
}

// termStyle is the CSS variables of an entry of term: --h its colour, --on the colour of
// text on it.
func termStyle(term uint64) string {
	c := termColours[term%uint64(len(termColours))]
	return "--h:" + c.fill + ";--on:" + c.ink
}

// viewLogs is one row per node and one column per index. The node names are a column of
// their own beside the scrolling cells, so no cell is ever under them. Each row is one tab
// stop (a listbox): the arrow keys move through its entries, Enter opens one.
func (s *State) viewLogs(m *viewMemo) *V {
	lo, hi := s.logWindow()
	labels := []*V{El("div", A{"class": "log-label head", "aria-hidden": "true"}, T("index")).Keyed("head")}
	rows := []*V{m.cells.get(cellKey{kind: "head", index: lo, snap: hi}, func() *V { return viewLogHead(lo, hi) })}
	for _, id := range s.NodeIDs() {
		n := s.Nodes[id]
		labels = append(labels, El("div", A{"class": "log-label role-" + s.displayRole(n), "id": "log-label-" + id}, T(id)).Keyed(id))
		rows = append(rows, s.viewLogRow(m, n, lo, hi).Keyed(id))
	}
	return El("div", nil,
		El("h2", nil, T("Logs"), El("span", A{"class": "muted small"}, T(" · colour = term, solid = committed, dot = applied"))),
		El("div", A{"class": "log-grid"},
			El("div", A{"class": "log-labels"}, labels...),
			El("div", A{"class": "log-scroll", "style": "--cols:" + strconv.Itoa(int(hi-lo+1))}, rows...),
		),
	)
}

// viewLogHead is the row of index numbers over the logs.
func viewLogHead(lo, hi uint64) *V {
	head := make([]*V, 0, hi-lo+1)
	for i := lo; i <= hi; i++ {
		label := ""
		if i%5 == 0 || i == lo || i == hi {
			label = u(i)
		}
		head = append(head, El("div", A{"class": "log-ix"}, T(label)).Keyed(u(i)))
	}
	return El("div", A{"class": "log-row head", "aria-hidden": "true"}, head...).Keyed("head")
}

func (s *State) viewLogRow(m *viewMemo, n *Node, lo, hi uint64) *V {
	cells := make([]*V, 0, hi-lo+2)
	j := 0
	for j < len(n.Log) && n.Log[j].Index < lo {
		j++
	}
	for i := lo; i <= hi; i++ {
		for j < len(n.Log) && n.Log[j].Index < i {
			j++
		}
		k := cellKey{node: n.ID, index: i}
		switch {
		case j < len(n.Log) && n.Log[j].Index == i:
			e := n.Log[j]
			k.kind, k.term, k.typ, k.summary = "entry", e.Term, e.Type, e.Summary
			k.committed, k.applied, k.selected = i <= n.Commit, i <= n.Applied, s.Selected == EntryRef{n.ID, i}
		case i <= n.SnapIndex:
			k.kind, k.snap = "snap", n.SnapIndex
		case i <= n.LastIndex:
			k.kind = "unknown"
		default:
			k.kind = "none"
		}
		cells = append(cells, m.cells.get(k, func() *V { return viewLogCell(k) }))
	}
	if n.Cut.Max > 0 && s.Now.Sub(n.CutAt) < cutShow {
		cells = append(cells, El("div", A{"class": "cut-badge", "data-testid": "log-cut", "title": "a new leader overwrote these entries",
			"role": "option", "aria-disabled": "true", "aria-selected": "false"},
			T("✂ "+u(n.Cut.Min)+"–"+u(n.Cut.Max))).Keyed("cut"))
	}
	return El("div", A{"class": "log-row", "data-node-id": n.ID, "role": "listbox", "aria-orientation": "horizontal",
		"tabindex": "0", "aria-labelledby": "log-label-" + n.ID, "data-listbox": ""}, cells...)
}

// viewLogCell is one index of one node's log; what it shows is all in its key.
func viewLogCell(k cellKey) *V {
	key := u(k.index)
	// Every cell is an option of the row's listbox, the ones without an entry disabled.
	blank := func(cls, words string, kids ...*V) *V {
		return El("div", A{"class": "cell " + cls, "role": "option", "aria-disabled": "true", "aria-selected": "false",
			"id": "log-" + k.node + "-" + key, "title": words, "aria-label": words}, kids...).Keyed(key)
	}
	switch k.kind {
	case "snap":
		return blank("snap", "#"+key+" in snapshot "+u(k.snap), T("▪"))
	case "unknown":
		return blank("unknown", "#"+key+" not shown")
	case "none":
		return blank("none", "#"+key+" empty")
	}
	cls := "entry ty-" + k.typ
	state := "not committed"
	if k.committed {
		cls += " committed"
		state = "committed"
	}
	if k.applied {
		cls += " applied"
		state = "applied"
	}
	if k.selected {
		cls += " selected"
	}
	title := "#" + key + " term " + u(k.term) + " " + k.typ
	if k.summary != "" {
		title += ": " + k.summary
	}
	return El("div", A{
		"class": cls, "style": termStyle(k.term), "role": "option", "id": "log-" + k.node + "-" + key,
		"aria-selected": boolText(k.selected),
		"data-testid":   "log-entry", "data-node-id": k.node, "data-index": key, "data-term": u(k.term),
		"data-click": "entry:" + k.node + ":" + key, "title": title, "aria-label": title + ", " + state,
	}, T(u(k.term))).Keyed(key)
}

// viewEntryDetail shows the selected entry and how every node holds that index.
func (s *State) viewEntryDetail() *V {
	ref := s.Selected
	n := s.Nodes[ref.Node]
	if ref.Node == "" || n == nil {
		return nil
	}
	e, ok := n.Entry(ref.Index)
	if !ok {
		return nil
	}
	var rows []*V
	for _, id := range s.NodeIDs() {
		o := s.Nodes[id]
		state := "—"
		if oe, ok := o.Entry(ref.Index); ok {
			state = "term " + u(oe.Term)
			switch {
			case ref.Index <= o.Applied:
				state += ", applied"
			case ref.Index <= o.Commit:
				state += ", committed"
			default:
				state += ", not committed"
			}
		} else if ref.Index <= o.SnapIndex {
			state = "in snapshot"
		}
		rows = append(rows, El("tr", nil, El("th", A{"scope": "row"}, T(id)), El("td", nil, T(state))))
	}
	summary := e.Summary
	if summary == "" {
		summary = "(" + e.Type + " entry)"
	}
	return El("div", A{"class": "entry-detail", "data-testid": "entry-detail", "data-node-id": ref.Node, "data-index": u(ref.Index)},
		El("div", A{"class": "entry-head"},
			El("strong", nil, T("#"+u(e.Index)+" · term "+u(e.Term)+" · "+e.Type)),
			El("button", A{"type": "button", "class": "ghost", "data-click": "entry-close", "aria-label": "Close"}, T("×"))),
		El("pre", A{"class": "summary"}, T(summary)),
		El("table", A{"class": "mini"}, El("tbody", nil, rows...)),
	)
}
