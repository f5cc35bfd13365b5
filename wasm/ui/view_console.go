package ui

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/raftplay/raftplay/node/wire"
)

// viewTarget is the node and read consistency the SQL and KV forms send with.
func (s *State) viewTarget() *V {
	c := &s.Console
	nodes := []*V{option("", "any node (leader)", c.Target)}
	for _, id := range s.NodeIDs() {
		nodes = append(nodes, option(id, id, c.Target).Keyed(id))
	}
	return El("div", A{"class": "target"},
		El("h2", nil, T("Console")),
		El("div", A{"class": "row"},
			El("label", A{"class": "inline"}, T("Send to "),
				El("select", A{"data-testid": "sql-node", "data-field": "sql-node"}, nodes...)),
			El("label", A{"class": "inline"}, T("Reads "),
				El("select", A{"data-testid": "sql-consistency", "data-field": "sql-consistency"},
					option("", "default", c.Consistency),
					option(wire.ConsistencyLocal, "local (may be stale)", c.Consistency),
					option(wire.ConsistencyLeader, "leader", c.Consistency),
					option(wire.ConsistencyLinearizable, "linearizable", c.Consistency))),
		),
	)
}

func option(value, label, current string) *V {
	a := A{"value": value}
	if value == current {
		a["selected"] = ""
	}
	return El("option", a, T(label))
}

func (s *State) viewSQL() *V {
	c := &s.Console
	v := c.SQLValue
	area := El("textarea", A{
		"id": "sql", "data-testid": "sql-input", "data-field": "sql", "data-key": "sql",
		"rows": "4", "spellcheck": "false", "autocomplete": "off",
		"placeholder": "CREATE TABLE t (id INT PRIMARY KEY, name TEXT);  Ctrl+Enter runs, ↑/↓ recall",
		"aria-label":  "SQL statement",
	})
	area.Value = &v
	run := A{"type": "button", "class": "primary", "data-testid": "sql-run", "data-click": "sql-run"}
	if c.SQLBusy {
		run["aria-busy"] = "true"
	}
	var hist []*V
	for i := len(c.History) - 1; i >= 0 && len(c.History)-i <= 8; i-- {
		hist = append(hist, El("li", nil, El("button", A{"type": "button", "class": "link-button", "data-click": "sql-history:" + strconv.Itoa(i), "title": c.History[i]}, T(c.History[i]))).Keyed(strconv.Itoa(i)))
	}
	var history *V
	if len(hist) > 0 {
		history = El("details", A{"class": "history"}, El("summary", nil, T("History ("+strconv.Itoa(len(c.History))+")")), El("ol", A{"data-testid": "sql-history"}, hist...))
	}
	return El("div", A{"class": "sql"},
		El("label", A{"for": "sql", "class": "sub"}, T("SQL")),
		area,
		El("div", A{"class": "row"}, El("button", run, T("Run")), El("span", A{"class": "muted small"}, T("Ctrl+Enter"))),
		history,
		s.viewMemo().answers.get(c.SQL, func() *V { return viewSQLAnswer(c.SQL) }),
	)
}

func viewSQLAnswer(a *SQLAnswer) *V {
	if a == nil {
		return nil
	}
	if a.Err != nil {
		e := a.Err
		head := "ERROR"
		if e.SQLState != "" {
			head += " " + e.SQLState
		}
		kids := []*V{El("strong", nil, T(head+": ")), T(e.Message)}
		var meta []string
		if e.Code != "" {
			meta = append(meta, e.Code)
		}
		if e.Position > 0 {
			meta = append(meta, "at position "+strconv.Itoa(e.Position))
		}
		if e.Leader != "" {
			meta = append(meta, "leader "+e.Leader)
		}
		if len(meta) > 0 {
			kids = append(kids, El("div", A{"class": "muted small"}, T(join(meta, " · "))))
		}
		return El("div", A{"class": "error", "data-testid": "sql-error", "data-sqlstate": e.SQLState, "data-code": e.Code, "role": "alert"}, kids...)
	}
	r := a.Resp
	where := "answered by " + orDash(r.Node)
	if r.Index > 0 {
		where += " · index " + u(r.Index)
	}
	if r.Term > 0 {
		where += " · term " + u(r.Term)
	}
	kids := []*V{El("div", A{"class": "muted small", "data-testid": "sql-meta", "data-node": r.Node, "data-index": u(r.Index)}, T(where))}
	for i, res := range r.Results {
		kids = append(kids, viewSQLResult(res).Keyed(strconv.Itoa(i)))
	}
	return El("div", A{"class": "sql-result", "data-testid": "sql-result", "data-node": r.Node, "data-index": u(r.Index)}, kids...)
}

func viewSQLResult(res wire.SQLResult) *V {
	tag := res.Command // PostgreSQL's command tag, e.g. "INSERT 0 2" or "SELECT 3"
	if !strings.ContainsAny(tag, "0123456789") && res.RowsAffected > 0 {
		tag += " · " + strconv.FormatInt(res.RowsAffected, 10) + " row(s)"
	}
	var table *V
	if len(res.Columns) > 0 {
		ths := make([]*V, len(res.Columns))
		for i, c := range res.Columns {
			ths[i] = El("th", A{"scope": "col", "data-type": c.Type}, T(c.Name), El("span", A{"class": "coltype"}, T(c.Type)))
		}
		rows := make([]*V, len(res.Rows))
		for i, row := range res.Rows {
			tds := make([]*V, len(row))
			for j, cell := range row {
				txt, cls := cellText(cell)
				tds[j] = El("td", A{"class": cls}, T(txt))
			}
			rows[i] = El("tr", nil, tds...)
		}
		table = El("div", A{"class": "table-wrap"}, El("table", nil, El("thead", nil, El("tr", nil, ths...)), El("tbody", nil, rows...)))
	}
	return El("div", A{"class": "result-set"}, El("div", A{"class": "tag-line"}, T(tag)), table)
}

func cellText(v any) (string, string) {
	switch x := v.(type) {
	case nil:
		return "NULL", "null"
	case string:
		return x, ""
	case bool:
		return strconv.FormatBool(x), "num"
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), "num"
	}
	b, _ := json.Marshal(v)
	return string(b), ""
}

func (s *State) viewKV() *V {
	c := &s.Console
	var result *V
	switch a := c.KV; {
	case a == nil:
		result = El("div", A{"class": "kv-result muted", "data-testid": "kv-result"}, T(""))
	case a.Err != nil:
		result = El("div", A{"class": "kv-result error", "data-testid": "kv-result", "data-ok": "false", "data-code": a.Err.Code, "role": "alert"}, T(a.Op+" "+a.Key+": "+errorText(a.Err, 0)))
	default:
		result = El("div", A{"class": "kv-result ok", "data-testid": "kv-result", "data-ok": "true"}, T(a.Text))
	}
	btn := func(op, label string) *V {
		return El("button", A{"type": "button", "data-testid": "kv-" + op, "data-click": "kv-" + op}, T(label))
	}
	return El("div", A{"class": "kv"},
		El("div", A{"class": "sub"}, T("Key / value")),
		El("div", A{"class": "row wrap"},
			El("input", A{"type": "text", "data-testid": "kv-key", "data-field": "kv-key", "placeholder": "key", "aria-label": "Key", "autocomplete": "off"}),
			El("input", A{"type": "text", "data-testid": "kv-value", "data-field": "kv-value", "placeholder": "value", "aria-label": "Value", "autocomplete": "off"}),
			btn("put", "Put"), btn("get", "Get"), btn("delete", "Delete"),
		),
		El("div", A{"class": "row wrap"},
			El("input", A{"type": "text", "data-testid": "kv-prev", "data-field": "kv-prev", "placeholder": "expected current value (empty: key must not exist)", "aria-label": "Expected current value", "autocomplete": "off"}),
			El("button", A{"type": "button", "data-testid": "kv-cas", "data-click": "kv-cas", "title": "put the value only if the key holds the expected value"}, T("CAS")),
		),
		result,
	)
}

func join(parts []string, sep string) string {
	out := ""
	for i, p := range parts {
		if i > 0 {
			out += sep
		}
		out += p
	}
	return out
}
