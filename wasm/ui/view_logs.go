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

func termHue(term uint64) string { return strconv.FormatUint((term*67+200)%360, 10) }

func (s *State) viewLogs() *V {
	lo, hi := s.logWindow()
	head := []*V{El("div", A{"class": "log-label"}, T("index"))}
	for i := lo; i <= hi; i++ {
		label := ""
		if i%5 == 0 || i == lo || i == hi {
			label = u(i)
		}
		head = append(head, El("div", A{"class": "log-ix"}, T(label)).Keyed(u(i)))
	}
	rows := []*V{El("div", A{"class": "log-row head", "aria-hidden": "true"}, head...).Keyed("head")}
	for _, id := range s.NodeIDs() {
		rows = append(rows, s.viewLogRow(s.Nodes[id], lo, hi).Keyed(id))
	}
	return El("div", nil,
		El("h2", nil, T("Logs"), El("span", A{"class": "muted small"}, T(" · colour = term, solid = committed, dot = applied"))),
		El("div", A{"class": "log-grid", "style": "--cols:" + strconv.Itoa(int(hi-lo+1))}, rows...),
	)
}

func (s *State) viewLogRow(n *Node, lo, hi uint64) *V {
	cells := []*V{El("div", A{"class": "log-label role-" + s.displayRole(n)}, T(n.ID))}
	j := 0
	for j < len(n.Log) && n.Log[j].Index < lo {
		j++
	}
	for i := lo; i <= hi; i++ {
		for j < len(n.Log) && n.Log[j].Index < i {
			j++
		}
		key := u(i)
		if j < len(n.Log) && n.Log[j].Index == i {
			e := n.Log[j]
			cls := "entry ty-" + e.Type
			if i <= n.Commit {
				cls += " committed"
			}
			if i <= n.Applied {
				cls += " applied"
			}
			if s.Selected == (EntryRef{n.ID, i}) {
				cls += " selected"
			}
			title := "#" + u(i) + " term " + u(e.Term) + " " + e.Type
			if e.Summary != "" {
				title += ": " + e.Summary
			}
			cells = append(cells, El("button", A{
				"type": "button", "class": cls, "style": "--h:" + termHue(e.Term),
				"data-testid": "log-entry", "data-node-id": n.ID, "data-index": key, "data-term": u(e.Term),
				"data-click": "entry:" + n.ID + ":" + key, "title": title, "aria-label": n.ID + " " + title,
			}, T(u(e.Term))).Keyed(key))
			continue
		}
		switch {
		case i <= n.SnapIndex:
			cells = append(cells, El("div", A{"class": "cell snap", "title": "#" + key + " in snapshot " + u(n.SnapIndex)}, T("▪")).Keyed(key))
		case i <= n.LastIndex:
			cells = append(cells, El("div", A{"class": "cell unknown", "title": "#" + key + " not shown"}).Keyed(key))
		default:
			cells = append(cells, El("div", A{"class": "cell none"}).Keyed(key))
		}
	}
	if n.Cut.Max > 0 && s.Now.Sub(n.CutAt) < cutShow {
		cells = append(cells, El("div", A{"class": "cut-badge", "data-testid": "log-cut", "title": "a new leader overwrote these entries"},
			T("✂ "+u(n.Cut.Min)+"–"+u(n.Cut.Max))).Keyed("cut"))
	}
	return El("div", A{"class": "log-row", "data-node-id": n.ID}, cells...)
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
