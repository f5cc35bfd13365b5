package sql

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/cockroachdb/apd/v3"

	"github.com/raftplay/raftplay/node/wire"
)

func wireColumns(cols []Col) []wire.SQLColumn {
	out := make([]wire.SQLColumn, len(cols))
	for i, c := range cols {
		out[i] = wire.SQLColumn{Name: c.Name, Type: string(c.Type)}
	}
	return out
}

func (x *executor) selectResult(q *Query) (wire.SQLResult, error) {
	cols, rows, err := x.query(q)
	if err != nil {
		return wire.SQLResult{}, err
	}
	if rows == nil {
		rows = [][]any{}
	}
	res := wire.SQLResult{Columns: wireColumns(cols), Rows: rows[:len(rows):len(rows)]}
	// Only numeric and float values change representation on the wire.
	for j, c := range cols {
		if c.Type != TNumeric && !c.Type.isFloat() {
			continue
		}
		for _, r := range rows {
			if j < len(r) {
				r[j] = wireValue(r[j], c.Type)
			}
		}
	}
	res.RowsAffected = int64(len(rows))
	res.Command = fmt.Sprintf("SELECT %d", len(rows))
	return res, nil
}

// source is a FROM item resolved at apply time.
type source struct {
	*Source
	t    *Table   // nil for a catalog view
	rows [][]any  // materialized rows (catalog views, joined tables without a lookup)
	cols []Column // column types for decoding
	// own is the part of WHERE on this table's columns alone that can drop its rows
	// as they are materialized (set by pushDown), at offset start of the joined row.
	own   *Expr
	start int
}

// query runs a SELECT and returns its columns and rows as Go values.
func (x *executor) query(q *Query) ([]Col, [][]any, error) {
	if err := x.withItems(q); err != nil {
		return nil, nil, err
	}
	switch {
	case q.Set != nil:
		return x.compound(q)
	case q.Values != nil:
		return x.values(q)
	}
	if len(q.Out) != len(q.Cols) {
		return nil, nil, errf(StateProtocol, "malformed query")
	}
	srcs, width, err := x.sources(q)
	if err != nil {
		return nil, nil, err
	}
	limit, offset, err := x.limits(q)
	if err != nil {
		return nil, nil, err
	}
	needSort := len(q.Sort) > 0 && !(len(srcs) > 0 && srcs[0].Scan != nil && srcs[0].Scan.Order)
	streaming := !q.Grouped && !q.Distinct && !needSort
	var (
		out  [][]any
		keys [][]any
		grp  *grouper
		seen int64
	)
	if q.Grouped {
		grp = newGrouper(q)
	}
	alloc := &rowAlloc{width: len(q.Out)}
	en := x.env(nil) // one env for all rows: nothing keeps it past a row
	var direct []int
	if len(q.Sort) == 0 {
		direct = plainColumns(q.Out, width)
	}
	plan := planJoin(srcs, q.Where, x.m.write)
	where := plan.rest
	emit := func(row []any) (bool, error) {
		if len(row) != width {
			return false, errf(StateProtocol, "joined row width")
		}
		en.row = row
		if where != nil {
			v, err := eval(where, en)
			if err != nil {
				return false, err
			}
			if b, _ := v.(bool); !b {
				return true, nil
			}
		}
		if grp != nil {
			return true, grp.add(en)
		}
		if streaming {
			if limit >= 0 && int64(len(out)) >= limit {
				return false, nil // LIMIT 0, or the limit reached
			}
			seen++
			if seen <= offset {
				return true, nil
			}
		}
		o, k, err := outputRow(q, en, alloc, direct, row)
		if err != nil {
			return false, err
		}
		if len(out) == cap(out) {
			// Double: append grows large slices by only a quarter, which for a big
			// result copies (and allocates) the row list several times over.
			out = slices.Grow(out, max(len(out), 8))
		}
		out = append(out, o)
		if len(q.Sort) > 0 {
			keys = append(keys, k)
		}
		if err := x.m.hold(rowBytes(o) + rowBytes(k)); err != nil {
			return false, err
		}
		return !streaming || limit < 0 || int64(len(out)) < limit, nil
	}
	if err := x.join(srcs, plan, width, emit); err != nil {
		return nil, nil, err
	}
	if grp != nil {
		if out, keys, err = x.groupRows(q, grp, alloc, out, keys); err != nil {
			return nil, nil, err
		}
	}
	if q.Distinct {
		out, keys = distinct(out, keys)
	}
	if needSort {
		if err := sortRows(q, out, keys); err != nil {
			return nil, nil, err
		}
	}
	if !streaming {
		out = window(out, offset, limit)
	}
	return q.Cols, out, nil
}

// outputRow is a joined row's output: its plain columns copied, or the projection and
// its sort keys.
func outputRow(q *Query, en *env, alloc *rowAlloc, direct []int, row []any) (o, k []any, err error) {
	if direct == nil {
		return project(q, en, alloc)
	}
	o = alloc.row()
	for i, c := range direct {
		o[i] = row[c]
	}
	return o, nil, nil
}

// sources opens the FROM items: tables with their columns, catalog views with their rows,
// each placed at its offset in the joined row of the given width.
func (x *executor) sources(q *Query) ([]*source, int, error) {
	srcs := make([]*source, len(q.From))
	width := 0
	for i, s := range q.From {
		if s == nil {
			return nil, 0, errf(StateProtocol, "malformed FROM")
		}
		src := &source{Source: s}
		if rows, ok, err := x.rowSource(s); ok || err != nil {
			if err != nil {
				return nil, 0, err
			}
			src.rows = rows
		} else if s.Virtual != "" {
			rows, err := x.virtualRows(s.Virtual)
			if err != nil {
				return nil, 0, err
			}
			src.rows = rows
			if len(virtualTables[s.Virtual]) != s.Width {
				return nil, 0, errf(StateProtocol, "catalog view %q width", s.Virtual)
			}
		} else {
			t, err := x.table(s.Table)
			if err != nil {
				return nil, 0, err
			}
			if len(t.Cols) != s.Width {
				return nil, 0, errf(StateProtocol, "table %q width", t.Name)
			}
			src.t, src.cols = t, t.Cols
		}
		src.start = width
		width += s.Width
		srcs[i] = src
	}
	return srcs, width, nil
}

// groupRows appends one output row per group that HAVING keeps.
func (x *executor) groupRows(q *Query, grp *grouper, alloc *rowAlloc, out, keys [][]any) ([][]any, [][]any, error) {
	for _, g := range grp.groups() {
		en := x.env(g.key)
		aggs, err := g.result()
		if err != nil {
			return nil, nil, err
		}
		en.aggs = aggs
		if q.Having != nil {
			v, err := eval(q.Having, en)
			if err != nil {
				return nil, nil, err
			}
			if b, _ := v.(bool); !b {
				continue
			}
		}
		o, k, err := project(q, en, alloc)
		if err != nil {
			return nil, nil, err
		}
		out = append(out, o)
		if len(q.Sort) > 0 {
			keys = append(keys, k)
		}
	}
	return out, keys, nil
}

// window applies OFFSET and LIMIT (negative: none) to rows already in order.
func window(out [][]any, offset, limit int64) [][]any {
	if offset > 0 {
		if offset >= int64(len(out)) {
			return nil
		}
		out = out[offset:]
	}
	if limit >= 0 && int64(len(out)) > limit {
		out = out[:limit]
	}
	return out
}

// limits evaluates LIMIT (-1: none) and OFFSET.
func (x *executor) limits(q *Query) (int64, int64, error) {
	get := func(e *Expr, what string, def int64) (int64, error) {
		if e == nil {
			return def, nil
		}
		v, err := eval(e, x.env(nil))
		if err != nil {
			return 0, err
		}
		if v == nil {
			return def, nil
		}
		n, ok := v.(int64)
		if !ok {
			return 0, errf(StateDatatypeMismatch, "argument of %s must be an integer", what)
		}
		if n < 0 {
			return 0, errf(limitState(what), "%s must not be negative", what)
		}
		return n, nil
	}
	limit, err := get(q.Limit, "LIMIT", -1)
	if err != nil {
		return 0, 0, err
	}
	offset, err := get(q.Offset, "OFFSET", 0)
	return limit, offset, err
}

// rowAlloc hands out output rows carved from shared chunks, so a large result costs a
// few allocations instead of one per row. Chunks grow from one row, so small results
// stay small; each row is capped at its width, so appending to one never reaches the next.
type rowAlloc struct {
	width int
	buf   []any
	rows  int // rows in the last chunk
}

const maxChunkRows = 256

func (a *rowAlloc) row() []any {
	if a.width == 0 {
		return []any{}
	}
	if len(a.buf) < a.width {
		a.rows = min(max(2*a.rows, 1), maxChunkRows)
		a.buf = make([]any, a.width*a.rows)
	}
	r := a.buf[:a.width:a.width]
	a.buf = a.buf[a.width:]
	return r
}

// plainColumns returns the input column of every output when each is a plain reference
// to a column of a row width wide (SELECT *, SELECT b, a), so rows can be copied without
// evaluating expressions; nil otherwise.
func plainColumns(out []*Expr, width int) []int {
	cols := make([]int, len(out))
	for i, e := range out {
		if e == nil || e.K != kCol || e.I < 0 || e.I >= width {
			return nil
		}
		cols[i] = e.I
	}
	return cols
}

// project computes the output values and the ORDER BY expression keys of one row.
func project(q *Query, en *env, alloc *rowAlloc) ([]any, []any, error) {
	o := alloc.row()
	for i, e := range q.Out {
		v, err := eval(e, en)
		if err != nil {
			return nil, nil, err
		}
		o[i] = v
	}
	var k []any
	for _, s := range q.Sort {
		if s == nil {
			return nil, nil, errf(StateProtocol, "malformed ORDER BY")
		}
		if s.E != nil {
			v, err := eval(s.E, en)
			if err != nil {
				return nil, nil, err
			}
			k = append(k, v)
		} else {
			if s.O < 1 || s.O > len(o) {
				return nil, nil, errf(StateProtocol, "ORDER BY position %d", s.O)
			}
			k = append(k, o[s.O-1])
		}
	}
	return o, k, nil
}

func sortRows(q *Query, out, keys [][]any) error {
	idx := make([]int, len(out))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool {
		return compareKeys(q, keys[idx[a]], keys[idx[b]]) < 0
	})
	sorted := make([][]any, len(out))
	for i, j := range idx {
		sorted[i] = out[j]
	}
	copy(out, sorted)
	return nil
}

// compareKeys orders two rows' sort keys by q's ORDER BY (directions, NULLS FIRST/LAST).
func compareKeys(q *Query, ka, kb []any) int {
	for i, s := range q.Sort {
		va, vb := ka[i], kb[i]
		var c int
		switch {
		case va == nil && vb == nil:
			c = 0
		case va == nil:
			c = 1
			if s.NullsFirst {
				c = -1
			}
		case vb == nil:
			c = -1
			if s.NullsFirst {
				c = 1
			}
		default:
			c = sortCompare(va, vb)
			if s.Desc {
				c = -c
			}
		}
		if c != 0 {
			return c
		}
	}
	return 0
}

// distinct drops repeated output rows, keeping the first.
func distinct(out, keys [][]any) ([][]any, [][]any) {
	seen := map[string]bool{}
	var o, k [][]any
	for i, r := range out {
		key := rowIdentity(r)
		if seen[key] {
			continue
		}
		seen[key] = true
		o = append(o, r)
		if keys != nil {
			k = append(k, keys[i])
		}
	}
	return o, k
}

// rowIdentity is a string equal for rows whose values are all equal (NULLs equal).
func rowIdentity(r []any) string {
	var b []byte
	for _, v := range r {
		switch x := v.(type) {
		case nil:
			b = append(b, 'n')
		case int64:
			b = append(b, 'i')
			b = encodeKeyPart(b, x)
		case float64:
			b = append(b, 'f')
			b = encodeKeyPart(b, x)
		case *apd.Decimal:
			b = append(b, 'd')
			b = encodeKeyPart(b, x) // scale-free: 1.5 and 1.50 are one group
		case bool:
			b = append(b, 'b')
			b = encodeKeyPart(b, x)
		case string:
			b = append(b, 's')
			b = append(b, fmt.Sprintf("%d:", len(x))...)
			b = append(b, x...)
		}
		b = append(b, '|')
	}
	return string(b)
}

// sourceRows feeds the rows of one FROM item: a scan (per outer row for join lookups) or
// the item's materialized rows.
func (x *executor) sourceRows(s *source, i int, outer []any, fn func([]any) (bool, error)) error {
	if s.t != nil && (i == 0 || s.Scan != nil) {
		// One row buffer for the whole scan: fn does not keep r (see joiner).
		r := make([]any, len(s.cols))
		dec := newRowDecoder(s.cols)
		return x.scan(s.t, s.Scan, x.env(outer), func(_, raw string) (bool, error) {
			if err := dec.decodeInto(r, raw); err != nil {
				return false, err
			}
			return fn(r)
		})
	}
	if err := x.materialize(s); err != nil {
		return err
	}
	for _, r := range s.rows {
		if err := x.m.examine(); err != nil {
			return err
		}
		more, err := fn(r)
		if err != nil || !more {
			return err
		}
	}
	return nil
}

// materialize reads the rows of a joined table once, for all outer rows.
func (x *executor) materialize(s *source) error {
	if s.t != nil && s.rows == nil {
		s.rows = [][]any{}
		keep := x.ownFilter(s)
		err := x.scan(s.t, nil, x.env(nil), func(_, raw string) (bool, error) {
			r, err := decodeRow(raw, s.cols)
			if err != nil {
				return false, err
			}
			if ok, err := keep(r); !ok || err != nil {
				return err == nil, err
			}
			s.rows = append(s.rows, r)
			return true, x.m.hold(rowBytes(r))
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// ownFilter tests a row of s against s.own, placed at its offset in a joined row.
func (x *executor) ownFilter(s *source) func([]any) (bool, error) {
	if s.own == nil {
		return func([]any) (bool, error) { return true, nil }
	}
	en := x.env(make([]any, s.start+s.Width))
	return func(r []any) (bool, error) {
		copy(en.row[s.start:], r)
		v, err := eval(s.own, en)
		b, _ := v.(bool)
		return b, err
	}
}

// explain describes the plan of a query, one line per row like PostgreSQL's EXPLAIN.
func (x *executor) explain(q *Query) (wire.SQLResult, error) {
	var lines []string
	add := func(depth int, s string) {
		prefix := ""
		if depth > 0 {
			prefix = strings.Repeat("  ", depth-1) + "  ->  "
		}
		lines = append(lines, prefix+s)
	}
	depth := 0
	switch {
	case q.Set != nil:
		add(0, "SetOp "+strings.ToUpper(q.Set.Op))
	case q.Values != nil:
		add(0, "Values Scan")
	}
	limit := q.Limit != nil || q.Offset != nil
	if limit {
		add(depth, "Limit")
		depth++
	}
	needSort := len(q.Sort) > 0 && !(len(q.From) > 0 && q.From[0].Scan != nil && q.From[0].Scan.Order)
	if needSort {
		add(depth, "Sort")
		depth++
	}
	if q.Distinct {
		add(depth, "Unique")
		depth++
	}
	if q.Grouped {
		if len(q.Group) > 0 {
			add(depth, "HashAggregate")
		} else {
			add(depth, "Aggregate")
		}
		depth++
	}
	if len(q.From) == 0 && q.Set == nil && q.Values == nil {
		add(depth, "Result")
	}
	for i := len(q.From) - 1; i >= 1; i-- {
		kind := "Nested Loop"
		if q.From[i].Join == "left" {
			kind = "Nested Loop Left Join"
		}
		add(depth, kind)
		depth++
	}
	for i, s := range q.From {
		d := depth
		if i > 0 {
			d = depth - i + 1
		}
		var line string
		if s.Virtual != "" {
			line = "Catalog Scan on " + s.Virtual
		} else if s.Table.Name == "" {
			line = rowSourceLabel(s)
		} else {
			t, err := x.table(s.Table)
			if err != nil {
				return wire.SQLResult{}, err
			}
			line = explainAccess(t, s.Scan, s.Alias, i > 0)
		}
		add(d, line)
		if i == 0 && q.Where != nil {
			lines = append(lines, strings.Repeat(" ", 2*d+2)+"Filter: (WHERE clause)")
		}
	}
	res := wire.SQLResult{Columns: []wire.SQLColumn{{Name: "QUERY PLAN", Type: string(TText)}}, Command: "EXPLAIN"}
	for _, l := range lines {
		res.Rows = append(res.Rows, []any{l})
	}
	return res, nil
}

// rowSourceLabel names a FROM item that is read into rows, for EXPLAIN.
func rowSourceLabel(s *Source) string {
	switch {
	case s.Sub != nil:
		return "Subquery Scan on " + s.Alias
	case s.CTE != 0:
		return "CTE Scan on " + s.Alias
	}
	return "Function Scan on generate_series " + s.Alias
}
