package sql

// Access path kinds.
const (
	accSeq   = "seq"   // every row, in primary key (or rowid) order
	accPK    = "pk"    // a key lookup or key range on the first primary key column
	accIndex = "index" // a BuntDB index on its first column
)

// sortCol is an ORDER BY key that is a plain column of the scanned table.
type sortCol struct {
	col  int
	desc bool
	ok   bool // default NULLS placement for the direction
}

// cond is a usable condition on one table column.
type cond struct {
	col   int
	eq    []*Expr
	lo    *Expr
	hi    *Expr
	loInc bool
	hiInc bool
}

// planScan chooses how to find a table's rows for a filter. The filter is always applied
// again to every row the scan returns, so a scan only has to return a superset: bounds
// may be loose. start is the position of the table's first column in the joined row;
// a "constant" may use columns before it (the outer rows of a join lookup).
func planScan(t *Table, start int, filter *Expr, order []sortCol) *Access {
	conds := map[int]*cond{}
	for _, cj := range conjuncts(filter) {
		collectCond(t, start, cj, conds)
	}
	type cand struct {
		rank int
		acc  *Access
	}
	best := cand{rank: 100, acc: &Access{Kind: accSeq}}
	consider := func(kind, index string, cols []int, unique bool) {
		cd := conds[cols[0]]
		if cd == nil {
			return
		}
		rank := 40
		acc := &Access{Kind: kind, Index: index, Col: cols[0]}
		switch {
		case len(cd.eq) > 0:
			acc.Eq = cd.eq
			rank = 20
			if kind == accPK {
				rank = 10
			} else if unique {
				rank = 15
			}
		case cd.lo != nil || cd.hi != nil:
			acc.Lo, acc.Hi, acc.LoInc, acc.HiInc = cd.lo, cd.hi, cd.loInc, cd.hiInc
			rank = 40
			if kind == accPK {
				rank = 30
			}
		default:
			return
		}
		if orderMatches(order, cols) {
			acc.Order = true
			acc.Desc = order[0].desc
			rank--
		}
		if rank < best.rank {
			best = cand{rank, acc}
		}
	}
	if len(t.PK) > 0 && plannable(t.Cols[t.PK[0]].Type) {
		consider(accPK, "", t.PK, len(t.PK) == 1)
	}
	for _, ix := range t.Indexes {
		if plannable(t.Cols[ix.Cols[0]].Type) {
			consider(accIndex, ix.Name, ix.Cols, ix.Unique && len(ix.Cols) == 1)
		}
	}
	if best.acc.Kind == accSeq && len(order) > 0 {
		// No usable condition: an ordered scan still saves the sort (and lets LIMIT stop early).
		switch {
		case len(t.PK) > 0 && orderMatches(order, t.PK):
			best.acc = &Access{Kind: accPK, Col: t.PK[0], Order: true, Desc: order[0].desc}
		default:
			for _, ix := range t.Indexes {
				if orderMatches(order, ix.Cols) {
					best.acc = &Access{Kind: accIndex, Index: ix.Name, Col: ix.Cols[0], Order: true, Desc: order[0].desc}
					break
				}
			}
		}
	}
	return best.acc
}

// plannable: char(n) values are stored padded, so key and index ranges on them are left
// to a full scan.
func plannable(t Type) bool { return t != TChar }

// orderMatches reports whether ordering by cols (ascending, NULLs last) satisfies the
// ORDER BY keys, all in one direction with the default NULLS placement.
func orderMatches(order []sortCol, cols []int) bool {
	if len(order) == 0 || len(order) > len(cols) {
		return false
	}
	for i, o := range order {
		if !o.ok || o.col != cols[i] || o.desc != order[0].desc {
			return false
		}
	}
	return true
}

func conjuncts(e *Expr) []*Expr {
	if e == nil {
		return nil
	}
	if e.K == kAnd {
		var out []*Expr
		for _, a := range e.A {
			out = append(out, conjuncts(a)...)
		}
		return out
	}
	return []*Expr{e}
}

// isConstFor reports whether e can be evaluated before the table's rows are read: it
// uses no column at or after start, no aggregate, no random().
func isConstFor(e *Expr, start int) bool {
	if e == nil {
		return false
	}
	switch e.K {
	case kCol:
		return e.I < start
	case kAgg, kRandom, kParam:
		return false
	case kSub:
		if e.C {
			return false // it reads the row being looked for
		}
	}
	for _, a := range e.A {
		if !isConstFor(a, start) {
			return false
		}
	}
	return true
}

// tableCol returns the table column an expression is, if it is a bare column of the table.
func tableCol(t *Table, start int, e *Expr) (int, bool) {
	if e == nil || e.K != kCol || e.I < start || e.I >= start+len(t.Cols) {
		return 0, false
	}
	return e.I - start, true
}

// keyCompatible: a constant of type ct can bound a key of column type t.
func keyCompatible(t, ct Type) bool {
	switch {
	case t.isInt():
		return ct.isInt()
	case t.isFloat():
		return ct.isNumber()
	case t == TNumeric:
		return ct.isInt() || ct == TNumeric // a float compares as a float, not as a key
	case t.isString():
		return ct.isString()
	case t.isTime():
		return ct == t
	}
	return t == ct
}

var flipOp = map[string]string{"=": "=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}

func collectCond(t *Table, start int, e *Expr, conds map[int]*cond) {
	get := func(col int) *cond {
		if conds[col] == nil {
			conds[col] = &cond{col: col}
		}
		return conds[col]
	}
	switch e.K {
	case kBin:
		op, ok := flipOp[e.Op]
		if !ok || len(e.A) != 2 {
			return
		}
		l, r := e.A[0], e.A[1]
		col, isCol := tableCol(t, start, l)
		if !isCol || !isConstFor(r, start) {
			col, isCol = tableCol(t, start, r)
			if !isCol || !isConstFor(l, start) {
				return
			}
			l, r = r, l
			op = flipOp[op]
		} else {
			op = e.Op
		}
		if !keyCompatible(t.Cols[col].Type, r.T) {
			return
		}
		cd := get(col)
		switch op {
		case "=":
			if cd.eq == nil {
				cd.eq = []*Expr{r}
			}
		case ">", ">=":
			if cd.lo == nil {
				cd.lo, cd.loInc = r, op == ">="
			}
		case "<", "<=":
			if cd.hi == nil {
				cd.hi, cd.hiInc = r, op == "<="
			}
		}
	case kBetween:
		if e.N || len(e.A) != 3 {
			return
		}
		col, ok := tableCol(t, start, e.A[0])
		if !ok || !isConstFor(e.A[1], start) || !isConstFor(e.A[2], start) ||
			!keyCompatible(t.Cols[col].Type, e.A[1].T) || !keyCompatible(t.Cols[col].Type, e.A[2].T) {
			return
		}
		cd := get(col)
		if cd.lo == nil && cd.hi == nil {
			cd.lo, cd.hi, cd.loInc, cd.hiInc = e.A[1], e.A[2], true, true
		}
	case kIn:
		if e.N || len(e.A) < 2 {
			return
		}
		col, ok := tableCol(t, start, e.A[0])
		if !ok {
			return
		}
		for _, v := range e.A[1:] {
			if !isConstFor(v, start) || !keyCompatible(t.Cols[col].Type, v.T) {
				return
			}
		}
		cd := get(col)
		if cd.eq == nil {
			cd.eq = e.A[1:]
		}
	}
}

// planQuery picks access paths: for the first table from WHERE (and ORDER BY), for each
// joined table a key or index lookup per outer row when its ON condition allows one.
func planQuery(q *Query) {
	for i, src := range q.From {
		if src.tab == nil {
			continue
		}
		if i == 0 {
			var order []sortCol
			if !q.Grouped && !q.Distinct {
				order = sortCols(q, src)
			}
			src.Scan = planScan(src.tab, 0, q.Where, order)
			continue
		}
		if src.On == nil || src.Join == "cross" {
			continue
		}
		acc := planScan(src.tab, src.start, src.On, nil)
		if acc.Kind != accSeq && len(acc.Eq) > 0 {
			src.Scan = acc
		}
	}
	for _, src := range q.From {
		src.tab, src.start = nil, 0 // planning only; not part of the batch
	}
}

// sortCols maps ORDER BY keys to columns of the first table, or nil if any key is not one.
func sortCols(q *Query, src *Source) []sortCol {
	var out []sortCol
	for _, k := range q.Sort {
		e := k.E
		if k.O > 0 && k.O <= len(q.Out) {
			e = q.Out[k.O-1]
		}
		col, ok := tableCol(src.tab, 0, e)
		if !ok {
			return nil
		}
		out = append(out, sortCol{col: col, desc: k.Desc, ok: k.NullsFirst == k.Desc || src.tab.Cols[col].NotNull})
	}
	return out
}
