package ui

import (
	"strconv"

	"github.com/raftplay/raftplay/node/wire"
)

// viewData shows each node's own copy of the data: its tables (first rows), keys and
// state digest. What differs from the leader's copy is marked, strongly when both were
// read at the same applied index (a real divergence), lightly when one is behind.
func (s *State) viewData() *V {
	toggle := "Hide"
	if !s.DataOpen {
		toggle = "Show"
	}
	head := El("div", A{"class": "data-head"},
		El("h2", nil, T("Data on each node")),
		El("span", A{"class": "muted small"}, T("read locally from each node · first "+strconv.Itoa(dataRows)+" rows per table, "+strconv.Itoa(dataKeys)+" keys · marked: differs from the leader's copy")),
		El("button", A{"type": "button", "class": "small", "data-testid": "data-toggle", "data-click": "data-toggle", "aria-expanded": boolText(s.DataOpen)}, T(toggle)),
	)
	if !s.DataOpen {
		return El("div", A{"data-testid": "data-view", "data-open": "false"}, head)
	}
	refID, ref := s.DataRef()
	m := &s.viewMemo().data
	var cols []*V
	for _, id := range s.NodeIDs() {
		n := s.Nodes[id]
		k := dataKey{id: id, role: s.displayRole(n), digest: n.Digest, refID: refID, applied: n.Applied, diverged: n.Diverged,
			d: s.Data[id], ref: ref}
		if k.d != nil {
			k.at, k.err, k.index, k.keysIndex = k.d.At, k.d.Err, k.d.Index, k.d.KeysIndex
		}
		if ref != nil {
			k.refAt = ref.At
		}
		cols = append(cols, m.get(k, func() *V { return s.viewNodeData(n, refID, ref).Keyed(id) }))
	}
	return El("div", A{"data-testid": "data-view", "data-open": "true"}, head, El("div", A{"class": "data-grid"}, cols...))
}

func (s *State) viewNodeData(n *Node, refID string, ref *NodeData) *V {
	d := s.Data[n.ID]
	if d == nil {
		d = &NodeData{}
	}
	role := s.displayRole(n)
	if n.ID == refID {
		ref = nil // the reference is not compared with itself
	}
	sameIndex := ref != nil && d.Index == ref.Index && d.KeysIndex == ref.KeysIndex
	state := "loading"
	switch {
	case role == wire.RoleDown && d.Loaded:
		state = "stale"
	case role == wire.RoleDown:
		state = "down"
	case d.Err != "":
		state = "error"
	case d.Loaded:
		state = "ok"
	}
	digestCls := "digest"
	if n.Diverged {
		digestCls += " bad"
	}
	meta := []*V{
		El("span", A{"class": "tag role-" + role}, T(role)),
		El("span", A{"class": "muted small"}, T("applied "+u(n.Applied))),
		El("span", A{"class": digestCls, "title": "state digest after applying index " + u(n.Applied) + ": " + orDash(n.Digest)}, T(orDash(short(n.Digest)))),
	}
	if n.Diverged {
		meta = append(meta, El("span", A{"class": "tag bad"}, T("diverged")))
	}
	var notes []*V
	if d.Err != "" {
		notes = append(notes, El("p", A{"class": "muted small data-err"}, T(d.Err)))
	}
	if state == "stale" {
		notes = append(notes, El("p", A{"class": "muted small"}, T("down: the last copy read, at index "+u(d.Index))))
	}
	if ref != nil && !sameIndex {
		notes = append(notes, El("p", A{"class": "muted small"}, T("read at index "+u(d.Index)+", the leader's at "+u(ref.Index)+": differences may be lag")))
	}
	var tables []*V
	for _, t := range d.Tables {
		tables = append(tables, viewDataTable(t, ref, sameIndex).Keyed("t:"+t.Name))
	}
	if d.Loaded && len(d.Tables) == 0 {
		tables = append(tables, El("p", A{"class": "muted small"}, T("No tables.")).Keyed("none"))
	}
	keys := s.viewDataKeys(d, ref, sameIndex)
	return El("article", A{
		"class": "node-data role-" + role, "data-testid": "node-data", "data-node-id": n.ID,
		"data-state": state, "data-index": u(d.Index), "data-digest": n.Digest, "data-diverged": boolText(n.Diverged),
	},
		El("header", nil, El("h3", nil, T(n.ID)), El("div", A{"class": "data-meta"}, meta...)),
		El("div", nil, notes...),
		El("div", A{"class": "data-tables"}, tables...),
		keys,
	)
}

func diffClass(differs, sameIndex bool) string {
	switch {
	case !differs:
		return ""
	case sameIndex:
		return "differs"
	}
	return "differs lag"
}

func viewDataTable(t DataTable, ref *NodeData, sameIndex bool) *V {
	ths := make([]*V, len(t.Columns))
	for i, c := range t.Columns {
		ths[i] = El("th", A{"scope": "col", "title": c.Type}, T(c.Name))
	}
	rows := make([]*V, 0, len(t.Rows))
	anyDiff := false
	for _, row := range t.Rows {
		differs := RowDiffers(ref, t, row)
		anyDiff = anyDiff || differs
		tds := make([]*V, len(row))
		for j, cell := range row {
			txt, cls := cellText(cell)
			tds[j] = El("td", A{"class": cls}, T(txt))
		}
		a := A{"data-differs": boolText(differs)}
		if c := diffClass(differs, sameIndex); c != "" {
			a["class"] = c
		}
		rows = append(rows, El("tr", a, tds...))
	}
	count := plural(int(t.Count), "row", "rows")
	if !t.Complete() {
		count += ", first " + strconv.Itoa(len(t.Rows)) + " shown"
	}
	var table *V
	if len(t.Columns) > 0 {
		table = El("div", A{"class": "table-wrap small-table"}, El("table", nil, El("thead", nil, El("tr", nil, ths...)), El("tbody", nil, rows...)))
	}
	return El("div", A{"class": "data-table", "data-testid": "data-table", "data-table": t.Name, "data-rows": strconv.FormatInt(t.Count, 10), "data-differs": boolText(anyDiff)},
		El("div", A{"class": "tag-line"}, El("strong", nil, T(t.Name)), T(" · "+count)),
		table,
	)
}

func (s *State) viewDataKeys(d *NodeData, ref *NodeData, sameIndex bool) *V {
	if !d.Loaded && len(d.Keys) == 0 {
		return nil
	}
	rows := make([]*V, 0, len(d.Keys))
	for _, kv := range d.Keys {
		differs := KeyDiffers(ref, kv)
		a := A{"data-testid": "data-key", "data-key": kv.Key, "data-differs": boolText(differs)}
		if c := diffClass(differs, sameIndex); c != "" {
			a["class"] = c
		}
		val := kv.Value
		if kv.Encoding != "" {
			val += " (" + kv.Encoding + ")"
		}
		rows = append(rows, El("tr", a, El("th", A{"scope": "row"}, T(kv.Key)), El("td", nil, T(val))).Keyed(kv.Key))
	}
	for _, k := range MissingKeys(ref, d) {
		rows = append(rows, El("tr", A{"class": diffClass(true, sameIndex) + " missing", "data-missing-key": k},
			El("th", A{"scope": "row"}, T(k)), El("td", A{"class": "null"}, T("(missing)"))).Keyed("missing:"+k))
	}
	label := plural(len(d.Keys), "key", "keys")
	if d.KeysMore {
		label = "first " + label
	}
	if len(rows) == 0 {
		return El("div", A{"class": "data-keys"}, El("div", A{"class": "tag-line"}, El("strong", nil, T("keys")), T(" · none")))
	}
	return El("div", A{"class": "data-keys"},
		El("div", A{"class": "tag-line"}, El("strong", nil, T("keys")), T(" · "+label)),
		El("div", A{"class": "table-wrap small-table"}, El("table", nil, El("tbody", nil, rows...))))
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}
