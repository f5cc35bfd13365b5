package sql

// Subqueries, derived tables, WITH items and generate_series at apply time.
//
// A subquery runs on a copy of the executor whose outer is the env of the row it is
// evaluated for, so its kOuter references read that row (and, L levels out, the rows
// further out). One that refers to nothing outside it (Expr.C false) runs once per
// statement and its rows are kept; a correlated one runs again for every row and what it
// held is released when it is done, so memory stays that of one run.

// evalOuter reads column I of the row L queries out.
func evalOuter(e *Expr, en *env) (any, error) {
	o := en.outer
	for i := 1; i < e.L && o != nil; i++ {
		o = o.outer
	}
	if e.L < 1 || o == nil || e.I < 0 || e.I >= len(o.row) {
		return nil, errf(StateProtocol, "outer reference %d/%d out of range", e.L, e.I)
	}
	return o.row[e.I], nil
}

// subquery evaluates a kSub for the row of en.
func (x *executor) subquery(e *Expr, en *env) (any, error) {
	if e.Sub == nil {
		return nil, errf(StateProtocol, "malformed subquery")
	}
	rows, err := x.subRows(e, en)
	if err != nil {
		return nil, err
	}
	switch e.Op {
	case "exists":
		return len(rows) > 0, nil
	case "scalar":
		switch {
		case len(rows) == 0:
			return nil, nil
		case len(rows) > 1:
			return nil, errf(StateCardinality, "more than one row returned by a subquery used as an expression")
		case len(rows[0]) != 1:
			return nil, errf(StateProtocol, "scalar subquery width")
		}
		return rows[0][0], nil
	case "any", "all":
		return x.quantified(e, en, rows)
	}
	return nil, errf(StateProtocol, "unknown subquery kind %q", e.Op)
}

// quantified is left op ANY/ALL (rows): true (ANY) or false (ALL) as soon as one value
// decides it; else NULL if a comparison was NULL, as in PostgreSQL (so NOT IN over a
// set holding NULL is never true).
func (x *executor) quantified(e *Expr, en *env, rows [][]any) (any, error) {
	if len(e.A) != 1 || e.X == nil {
		return nil, errf(StateProtocol, "malformed %s subquery", e.Op)
	}
	left, err := eval(e.A[0], en)
	if err != nil {
		return nil, err
	}
	isAny := e.Op == "any"
	pair := x.env([]any{left, nil})
	sawNull := false
	for _, r := range rows {
		if len(r) != 1 {
			return nil, errf(StateProtocol, "quantified subquery width")
		}
		if err := x.m.examine(); err != nil {
			return nil, err // each comparison counts: IN over a large set per row stays cancellable
		}
		pair.row[1] = r[0]
		v, err := eval(e.X, pair)
		if err != nil {
			return nil, err
		}
		b, ok := v.(bool)
		switch {
		case !ok:
			sawNull = true
		case b == isAny:
			return isAny, nil
		}
	}
	if sawNull {
		return nil, nil
	}
	return !isAny, nil
}

// subRows runs a subquery for the row of en, or returns what its one run returned.
func (x *executor) subRows(e *Expr, en *env) ([][]any, error) {
	if rows, ok := x.subs[e]; ok && !e.C {
		return rows, nil
	}
	cx := *x
	cx.outer = en
	held := x.m.held
	_, rows, err := cx.query(e.Sub)
	if err != nil {
		return nil, err
	}
	if e.C {
		x.m.held = held
	} else {
		x.subs[e] = rows
	}
	return rows, nil
}

// cteState is a WITH item of a running query: its definition, the executor of the query
// it belongs to (its body sees that query's outer rows), and its rows once read.
type cteState struct {
	cte   *CTE
	owner *executor
	rows  [][]any
	done  bool
	// work is the working table while the recursive term runs: what the last round added.
	work    [][]any
	running bool
}

// withItems registers a query's WITH items; each is read when first named.
func (x *executor) withItems(q *Query) error {
	for _, c := range q.With {
		if c == nil || c.Query == nil {
			return errf(StateProtocol, "malformed WITH")
		}
		x.ctes[c.ID] = &cteState{cte: c, owner: x}
	}
	return nil
}

// cteRows are the rows of WITH item id: the working table inside its own recursive term.
func (x *executor) cteRows(id int) ([][]any, error) {
	st := x.ctes[id]
	if st == nil {
		return nil, errf(StateProtocol, "unknown WITH item %d", id)
	}
	if st.running {
		return st.work, nil
	}
	if !st.done {
		if err := st.materialize(); err != nil {
			return nil, err
		}
	}
	return st.rows, nil
}

// materialize reads a WITH item. A recursive one runs its recursive term on the rows the
// last round added until a round adds none (UNION drops rows already there); every row
// it makes counts against the rows-examined limit, which bounds a recursion that never
// ends, reads included.
func (st *cteState) materialize() error {
	o := st.owner
	_, rows, err := o.query(st.cte.Query)
	if err != nil {
		return err
	}
	if err := convertRows(rows, st.cte.Query.Cols, st.cte.Cols); err != nil {
		return err
	}
	if st.cte.Rec == nil {
		st.rows, st.done = rows, true
		return nil
	}
	var seen map[string]bool
	if !st.cte.All {
		seen = map[string]bool{}
		rows = newRows(rows, seen)
	}
	all := rows
	st.running = true
	defer func() { st.running = false }()
	for work := rows; len(work) > 0; {
		st.work = work
		clear(o.subs) // a subquery of the recursive term may read the working table
		_, next, err := o.query(st.cte.Rec)
		if err != nil {
			return err
		}
		if err := convertRows(next, st.cte.Rec.Cols, st.cte.Cols); err != nil {
			return err
		}
		if seen != nil {
			next = newRows(next, seen)
		}
		for range next {
			if err := o.m.produce(); err != nil {
				return err
			}
		}
		all = append(all, next...)
		work = next
	}
	st.rows, st.done, st.work = all, true, nil
	return nil
}

// newRows keeps the rows not in seen (nor repeated), adding them to it.
func newRows(rows [][]any, seen map[string]bool) [][]any {
	out := rows[:0:0]
	for _, r := range rows {
		k := rowIdentity(r)
		if !seen[k] {
			seen[k] = true
			out = append(out, r)
		}
	}
	return out
}

// convertRows casts rows in place from the types they were made with to the types
// wanted (a compound branch or recursive term resolved to wider common types).
func convertRows(rows [][]any, from, to []Col) error {
	if len(from) != len(to) {
		return errf(StateProtocol, "branch width %d, want %d", len(from), len(to))
	}
	for j := range to {
		if from[j].Type == to[j].Type {
			continue
		}
		for _, r := range rows {
			if j >= len(r) {
				return errf(StateProtocol, "row width")
			}
			v, err := castValue(r[j], from[j].Type, to[j].Type)
			if err != nil {
				return err
			}
			r[j] = v
		}
	}
	return nil
}

// series is generate_series(start, stop [, step]) over integers.
func (x *executor) series(e *Expr) ([][]any, error) {
	if e.K != kFunc || e.Op != "generate_series" || len(e.A) < 2 || len(e.A) > 3 {
		return nil, errf(StateProtocol, "malformed generate_series")
	}
	args := []int64{0, 0, 1}
	for i, a := range e.A {
		v, err := eval(a, x.env(nil))
		if err != nil {
			return nil, err
		}
		if v == nil {
			return [][]any{}, nil
		}
		n, ok := v.(int64)
		if !ok {
			return nil, errf(StateProtocol, "generate_series argument %d", i+1)
		}
		args[i] = n
	}
	start, stop, step := args[0], args[1], args[2]
	if step == 0 {
		return nil, errf(StateInvalidParameter, "step size cannot equal zero")
	}
	rows := [][]any{}
	for v := start; step > 0 && v <= stop || step < 0 && v >= stop; v += step {
		if err := x.m.produce(); err != nil {
			return nil, err
		}
		r := []any{v}
		if err := x.m.hold(rowBytes(r)); err != nil {
			return nil, err
		}
		rows = append(rows, r)
		if step > 0 && v > maxOf(e.T)-step || step < 0 && v < -maxOf(e.T)-1-step {
			break // the next value would overflow: the series ends here, as in PostgreSQL
		}
	}
	return rows, nil
}

// rowSource reads a FROM item that is not a table or catalog view: a derived table, a
// WITH item or generate_series. ok is false for any other item.
func (x *executor) rowSource(s *Source) (rows [][]any, ok bool, err error) {
	var width int
	switch {
	case s.Sub != nil:
		var cols []Col
		cols, rows, err = x.query(s.Sub)
		width = len(cols)
	case s.CTE != 0:
		st := x.ctes[s.CTE]
		if st == nil {
			return nil, true, errf(StateProtocol, "unknown WITH item %d", s.CTE)
		}
		rows, err = x.cteRows(s.CTE)
		width = len(st.cte.Cols)
	case s.Series != nil:
		rows, err = x.series(s.Series)
		width = 1
	default:
		return nil, false, nil
	}
	if err == nil && width != s.Width {
		err = errf(StateProtocol, "FROM item %q width", s.Alias)
	}
	if rows == nil {
		rows = [][]any{}
	}
	return rows, true, err
}
