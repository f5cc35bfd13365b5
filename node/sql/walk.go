package sql

// walkExpr calls fn on every node of e, depth being how many subqueries deep it stands
// (kSub's query is one deeper; its comparison X and left operand are not).
func walkExpr(e *Expr, depth int, fn func(e *Expr, depth int), fs func(s *Source)) {
	if e == nil {
		return
	}
	fn(e, depth)
	for _, a := range e.A {
		walkExpr(a, depth, fn, fs)
	}
	walkExpr(e.X, depth, fn, fs)
	if e.Sub != nil {
		walkQuery(e.Sub, depth+1, fn, fs)
	}
}

// walkQuery calls fn on every expression node of q and fs on every FROM item, descending
// into subqueries. Derived tables, WITH items and compound branches stand at q's depth:
// their outer references count from the query q stands in, as q's own do.
func walkQuery(q *Query, depth int, fn func(e *Expr, depth int), fs func(s *Source)) {
	if q == nil {
		return
	}
	ex := func(e *Expr) { walkExpr(e, depth, fn, fs) }
	for _, c := range q.With {
		if c != nil {
			walkQuery(c.Query, depth, fn, fs)
			walkQuery(c.Rec, depth, fn, fs)
		}
	}
	if q.Set != nil {
		walkQuery(q.Set.L, depth, fn, fs)
		walkQuery(q.Set.R, depth, fn, fs)
	}
	for _, row := range q.Values {
		for _, e := range row {
			ex(e)
		}
	}
	for _, s := range q.From {
		if s == nil {
			continue
		}
		if fs != nil {
			fs(s)
		}
		ex(s.On)
		ex(s.Series)
		if s.Scan != nil {
			for _, e := range s.Scan.Eq {
				ex(e)
			}
			ex(s.Scan.Lo)
			ex(s.Scan.Hi)
		}
		walkQuery(s.Sub, depth, fn, fs)
	}
	ex(q.Where)
	for _, e := range q.Group {
		ex(e)
	}
	for _, a := range q.Aggs {
		if a != nil {
			ex(a.Arg)
			ex(a.Filter)
			ex(a.Sep)
			for _, k := range a.Order {
				if k != nil {
					ex(k.E)
				}
			}
		}
	}
	ex(q.Having)
	for _, e := range q.Out {
		ex(e)
	}
	for _, k := range q.Sort {
		if k != nil {
			ex(k.E)
		}
	}
	ex(q.Limit)
	ex(q.Offset)
}

// escapes reports whether q refers to a query outside it: a kOuter that reaches past it.
func escapes(q *Query) bool {
	found := false
	walkQuery(q, 0, func(e *Expr, depth int) {
		if e.K == kOuter && e.L > depth {
			found = true
		}
	}, nil)
	return found
}

// correlated reports whether e runs a subquery that refers to the query e stands in (or
// one further out): such an expression depends on more than its visible columns.
func correlated(e *Expr) bool {
	found := false
	walkExpr(e, 0, func(n *Expr, _ int) {
		found = found || n.K == kSub && n.C
	}, nil)
	return found
}
