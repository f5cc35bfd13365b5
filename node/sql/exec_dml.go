package sql

import (
	"fmt"

	"github.com/raftplay/raftplay/node/wire"
)

// rowWriter applies row changes to one table and enforces its constraints.
type rowWriter struct {
	x *executor
	t *Table
}

// check enforces NOT NULL on a complete row.
func (w *rowWriter) checkNotNull(row []any) error {
	for i, c := range w.t.Cols {
		if c.NotNull && row[i] == nil {
			return errf(StateNotNullViolation, "null value in column %q of relation %q violates not-null constraint", c.Name, w.t.Name)
		}
	}
	return nil
}

// conflict reports the unique constraint a row would violate, other than with the row
// stored at self (the row being updated). Empty when there is none.
func (w *rowWriter) conflict(row []any, key, self string) (string, string, error) {
	if key != self {
		if _, ok, err := w.x.tx.Get(key); err != nil {
			return "", "", err
		} else if ok {
			if len(w.t.PK) == 0 {
				return "", "", errf(StateInternal, "rowid %s of %q already used", key, w.t.Name)
			}
			return w.t.Name + "_pkey", keyText(w.t, w.t.PK, pick(row, w.t.PK)), nil
		}
	}
	for _, ix := range w.t.Indexes {
		if !ix.Unique {
			continue
		}
		vals := pick(row, ix.Cols)
		hasNull := false
		for _, v := range vals {
			hasNull = hasNull || v == nil
		}
		if hasNull {
			continue // NULLs never conflict
		}
		found := false
		var ferr error
		err := w.x.tx.Bunt().AscendGreaterOrEqual(buntIndexName(ix.Name), indexPivot(ix.Cols, vals, false), func(k, raw string) bool {
			got, err := indexValues(raw, w.t, ix)
			if err != nil {
				ferr = err
				return false
			}
			if got == nil || !equalValues(got, vals) {
				return false
			}
			if k == self {
				return true
			}
			found = true
			return false
		})
		if err := firstErr(ferr, err); err != nil {
			return "", "", fmt.Errorf("check unique index %q: %w", ix.Name, err)
		}
		if found {
			return ix.Name, keyText(w.t, ix.Cols, vals), nil
		}
	}
	return "", "", nil
}

func pick(row []any, pos []int) []any {
	out := make([]any, len(pos))
	for i, p := range pos {
		if p >= 0 && p < len(row) {
			out[i] = row[p]
		}
	}
	return out
}

func uniqueErr(name, detail string) error {
	return errf(StateUniqueViolation, "duplicate key value violates unique constraint %q: Key %s already exists", name, detail)
}

func (x *executor) insert(ins *Insert) (wire.SQLResult, error) {
	res := wire.SQLResult{}
	t, err := x.table(ins.Table)
	if err != nil {
		return res, err
	}
	for _, p := range ins.Cols {
		if p < 0 || p >= len(t.Cols) {
			return res, errf(StateProtocol, "insert into column %d of %q", p, t.Name)
		}
	}
	src, err := x.insertSource(ins)
	if err != nil {
		return res, err
	}
	w := &rowWriter{x: x, t: t}
	for _, r := range src {
		row, err := x.insertRow(t, ins, r)
		if err != nil {
			return res, err
		}
		if err := w.checkNotNull(row); err != nil {
			return res, err
		}
		var rowid int64
		if len(t.PK) == 0 {
			t.RowID++
			rowid = t.RowID
			x.dirty[t.Name] = true
		}
		key := t.rowKey(row, rowid)
		name, detail, err := w.conflict(row, key, "")
		if err != nil {
			return res, err
		}
		if name != "" {
			if ins.DoNothing {
				continue
			}
			return res, uniqueErr(name, detail)
		}
		if err := x.putRow(key, row); err != nil {
			return res, err
		}
		res.RowsAffected++
		if err := x.returning(&res, ins.Returning, ins.ReturnCols, row); err != nil {
			return res, err
		}
	}
	res.Command = fmt.Sprintf("INSERT 0 %d", res.RowsAffected)
	return res, nil
}

// srcRow is one row an INSERT supplies: its values in the order of Insert.Cols, their
// types, and which were given (a DEFAULT in VALUES is not).
type srcRow struct {
	vals  []any
	types []Type
	set   []bool
}

// insertSource computes every row an INSERT supplies before any is written, so that
// INSERT ... SELECT from the same table sees the table as it was.
func (x *executor) insertSource(ins *Insert) ([]srcRow, error) {
	var src []srcRow
	if ins.Select != nil {
		cols, rows, err := x.query(ins.Select)
		if err != nil {
			return nil, err
		}
		if len(cols) > len(ins.Cols) {
			return nil, errf(StateProtocol, "INSERT ... SELECT column count")
		}
		types := make([]Type, len(cols))
		for i, c := range cols {
			types[i] = c.Type
		}
		for _, r := range rows {
			set := make([]bool, len(r))
			for i := range set {
				set[i] = true
			}
			src = append(src, srcRow{vals: r, types: types, set: set})
		}
		return src, nil
	}
	for _, vr := range ins.Values {
		if len(vr) > len(ins.Cols) {
			return nil, errf(StateProtocol, "INSERT row has more values than columns")
		}
		r := srcRow{vals: make([]any, len(vr)), types: make([]Type, len(vr)), set: make([]bool, len(vr))}
		for i, e := range vr {
			if e == nil {
				continue // DEFAULT
			}
			v, err := eval(e, x.env(nil))
			if err != nil {
				return nil, err
			}
			r.vals[i], r.types[i], r.set[i] = v, orUnknownText(e.T), true
		}
		src = append(src, r)
	}
	return src, nil
}

// insertRow makes a supplied row a table row: given values assigned to their columns'
// types, the rest their defaults (or serial values).
func (x *executor) insertRow(t *Table, ins *Insert, r srcRow) ([]any, error) {
	row := make([]any, len(t.Cols))
	given := make([]bool, len(t.Cols))
	for i, v := range r.vals {
		if !r.set[i] {
			continue
		}
		col := &t.Cols[ins.Cols[i]]
		cv, err := assignValue(v, r.types[i], col)
		if err != nil {
			return nil, fmt.Errorf("column %q: %w", col.Name, err)
		}
		row[ins.Cols[i]] = cv
		given[ins.Cols[i]] = true
	}
	for i := range t.Cols {
		if given[i] {
			continue
		}
		v, err := x.defaultValue(t, &t.Cols[i])
		if err != nil {
			return nil, err
		}
		row[i] = v
	}
	return row, nil
}

// returning adds one RETURNING row computed over a table row.
func (x *executor) returning(res *wire.SQLResult, exprs []*Expr, cols []Col, row []any) error {
	if len(exprs) == 0 {
		return nil
	}
	if res.Columns == nil {
		res.Columns = wireColumns(cols)
	}
	out := make([]any, len(exprs))
	for i, e := range exprs {
		v, err := eval(e, x.env(row))
		if err != nil {
			return err
		}
		t := TText
		if i < len(cols) {
			t = cols[i].Type
		}
		out[i] = wireValue(v, t)
	}
	res.Rows = append(res.Rows, out)
	return nil
}

// matching collects the key and decoded row of every row of t the filter accepts.
func (x *executor) matching(t *Table, acc *Access, where *Expr) ([]string, [][]any, error) {
	var keys []string
	var rows [][]any
	err := x.scan(t, acc, x.env(nil), func(k, raw string) (bool, error) {
		row, err := decodeRow(raw, t.Cols)
		if err != nil {
			return false, err
		}
		if where != nil {
			v, err := eval(where, x.env(row))
			if err != nil {
				return false, err
			}
			if b, _ := v.(bool); !b {
				return true, nil
			}
		}
		keys = append(keys, k)
		rows = append(rows, row)
		return true, x.m.hold(rowBytes(row) + int64(len(k)))
	})
	return keys, rows, err
}

func (x *executor) update(up *Update) (wire.SQLResult, error) {
	res := wire.SQLResult{}
	t, err := x.table(up.Table)
	if err != nil {
		return res, err
	}
	if len(up.SetCols) != len(up.SetExprs) {
		return res, errf(StateProtocol, "malformed UPDATE")
	}
	for _, p := range up.SetCols {
		if p < 0 || p >= len(t.Cols) {
			return res, errf(StateProtocol, "update of column %d of %q", p, t.Name)
		}
	}
	keys, rows, err := x.matching(t, up.Scan, up.Where)
	if err != nil {
		return res, err
	}
	w := &rowWriter{x: x, t: t}
	for i, old := range rows {
		row := append([]any(nil), old...)
		for j, p := range up.SetCols {
			v, err := eval(up.SetExprs[j], x.env(old))
			if err != nil {
				return res, err
			}
			cv, err := assignValue(v, orUnknownText(up.SetExprs[j].T), &t.Cols[p])
			if err != nil {
				return res, fmt.Errorf("column %q: %w", t.Cols[p].Name, err)
			}
			row[p] = cv
		}
		if err := w.checkNotNull(row); err != nil {
			return res, err
		}
		key := keys[i]
		if len(t.PK) > 0 {
			key = t.rowKey(row, 0)
		}
		name, detail, err := w.conflict(row, key, keys[i])
		if err != nil {
			return res, err
		}
		if name != "" {
			return res, uniqueErr(name, detail)
		}
		if key != keys[i] {
			if err := x.deleteRow(keys[i]); err != nil {
				return res, err
			}
		}
		if err := x.putRow(key, row); err != nil {
			return res, err
		}
		res.RowsAffected++
		if err := x.returning(&res, up.Returning, up.ReturnCols, row); err != nil {
			return res, err
		}
	}
	res.Command = fmt.Sprintf("UPDATE %d", res.RowsAffected)
	return res, nil
}

func (x *executor) delete(del *Delete) (wire.SQLResult, error) {
	res := wire.SQLResult{}
	t, err := x.table(del.Table)
	if err != nil {
		return res, err
	}
	keys, rows, err := x.matching(t, del.Scan, del.Where)
	if err != nil {
		return res, err
	}
	for i, k := range keys {
		if err := x.deleteRow(k); err != nil {
			return res, err
		}
		res.RowsAffected++
		if err := x.returning(&res, del.Returning, del.ReturnCols, rows[i]); err != nil {
			return res, err
		}
	}
	res.Command = fmt.Sprintf("DELETE %d", res.RowsAffected)
	return res, nil
}
