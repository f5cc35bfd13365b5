package sql

// compound runs UNION, INTERSECT or EXCEPT: both branches, their rows converted to the
// resolved column types, combined by row identity (NULLs equal, as set operations
// compare), then ordered and limited as a whole.
func (x *executor) compound(q *Query) ([]Col, [][]any, error) {
	set := q.Set
	if set.L == nil || set.R == nil {
		return nil, nil, errf(StateProtocol, "malformed set operation")
	}
	l, err := x.branch(set.L, q.Cols)
	if err != nil {
		return nil, nil, err
	}
	r, err := x.branch(set.R, q.Cols)
	if err != nil {
		return nil, nil, err
	}
	var out [][]any
	switch set.Op {
	case "union":
		out = append(l, r...)
		if !set.All {
			out, _ = distinct(out, nil)
		}
	case "intersect", "except":
		out = combine(l, r, set.Op == "intersect", set.All)
	default:
		return nil, nil, errf(StateProtocol, "unknown set operation %q", set.Op)
	}
	return x.finish(q, out)
}

// branch runs one side of a compound with its rows in the compound's column types.
func (x *executor) branch(b *Query, cols []Col) ([][]any, error) {
	bc, rows, err := x.query(b)
	if err != nil {
		return nil, err
	}
	return rows, convertRows(rows, bc, cols)
}

// combine is INTERSECT (keep the rows of l also in r) or EXCEPT (those not in r): with
// ALL, a row m times in l and n in r comes min(m, n) or max(m-n, 0) times; without, once.
func combine(l, r [][]any, intersect, all bool) [][]any {
	count := map[string]int{}
	for _, row := range r {
		count[rowIdentity(row)]++
	}
	done := map[string]bool{}
	var out [][]any
	for _, row := range l {
		k := rowIdentity(row)
		in := count[k] > 0
		if all {
			if in {
				count[k]--
			}
		} else if done[k] {
			continue
		}
		if in == intersect {
			done[k] = true
			out = append(out, row)
		}
	}
	return out
}

// values runs a VALUES list, each row evaluated in turn.
func (x *executor) values(q *Query) ([]Col, [][]any, error) {
	out := make([][]any, 0, len(q.Values))
	en := x.env(nil)
	for _, row := range q.Values {
		if len(row) != len(q.Cols) {
			return nil, nil, errf(StateProtocol, "VALUES row width")
		}
		o := make([]any, len(row))
		for i, e := range row {
			v, err := eval(e, en)
			if err != nil {
				return nil, nil, err
			}
			o[i] = v
		}
		if err := x.m.hold(rowBytes(o)); err != nil {
			return nil, nil, err
		}
		out = append(out, o)
	}
	return x.finish(q, out)
}

// finish orders a compound's or VALUES list's rows by output columns and applies OFFSET
// and LIMIT.
func (x *executor) finish(q *Query, out [][]any) ([]Col, [][]any, error) {
	if len(q.Sort) > 0 {
		keys := make([][]any, len(out))
		for i, row := range out {
			k := make([]any, len(q.Sort))
			for j, s := range q.Sort {
				if s == nil || s.O < 1 || s.O > len(row) {
					return nil, nil, errf(StateProtocol, "malformed ORDER BY")
				}
				k[j] = row[s.O-1]
			}
			keys[i] = k
		}
		if err := sortRows(q, out, keys); err != nil {
			return nil, nil, err
		}
	}
	limit, offset, err := x.limits(q)
	if err != nil {
		return nil, nil, err
	}
	return q.Cols, window(out, offset, limit), nil
}
