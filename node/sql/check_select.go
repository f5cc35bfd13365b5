package sql

import (
	"reflect"

	pg "github.com/pganalyze/pg_query_go/v2"
)

// query checks a SELECT: a compound, a VALUES list or a plain one, with its WITH items
// bound first. outer is the scope of the query it is a subquery of (nil at the top).
func (c *checker) query(s *pg.SelectStmt, outer *scope) (*Query, error) {
	keep := c.keepUnknown
	c.keepUnknown = false
	var with []*CTE
	if s.WithClause != nil {
		n := len(c.ctes)
		defer func() { c.ctes = c.ctes[:n] }()
		var err error
		if with, err = c.withClause(s.WithClause, outer); err != nil {
			return nil, err
		}
	}
	var q *Query
	var err error
	switch {
	case s.Op != pg.SetOperation_SETOP_NONE && s.Op != pg.SetOperation_SET_OPERATION_UNDEFINED:
		q, err = c.compound(s, outer)
	case len(s.ValuesLists) > 0:
		q, err = c.valuesQuery(s, outer, keep)
	default:
		q, err = c.selectQuery(s, outer, keep)
	}
	if err != nil {
		return nil, err
	}
	q.With = with
	return q, nil
}

// selectQuery checks a plain SELECT. keep leaves untyped literals in the select list
// untyped, for a compound to resolve.
func (c *checker) selectQuery(s *pg.SelectStmt, outer *scope, keep bool) (*Query, error) {
	switch {
	case s.IntoClause != nil:
		return nil, unsupported(c.pos(0), "SELECT INTO")
	case len(s.WindowClause) > 0:
		return nil, unsupported(c.pos(0), "window functions")
	case len(s.LockingClause) > 0:
		return nil, unsupported(c.pos(0), "FOR UPDATE/SHARE")
	}
	q := &Query{}
	sc := &scope{parent: outer}
	if err := c.fromClause(s.FromClause, q, sc); err != nil {
		return nil, err
	}
	var err error
	if q.Where, err = c.where(s.WhereClause, sc); err != nil {
		return nil, err
	}
	aggs := &aggCollector{}
	x := &exprCtx{sc: sc, aggs: aggs, clause: "SELECT"}
	if len(s.TargetList) == 0 {
		return nil, unsupported(c.pos(0), "SELECT without columns")
	}
	if q.Out, q.Cols, err = c.targetList(s.TargetList, x, keep); err != nil {
		return nil, err
	}
	for _, n := range s.DistinctClause {
		if n != nil && n.GetNode() != nil {
			return nil, unsupported(c.pos(0), "DISTINCT ON")
		}
		q.Distinct = true
	}
	// GROUP BY items: output position, output alias, or an input expression.
	for _, n := range s.GroupClause {
		g, err := c.groupItem(n, q, sc)
		if err != nil {
			return nil, err
		}
		q.Group = append(q.Group, g)
	}
	if s.HavingClause != nil {
		h, err := c.expr(s.HavingClause, &exprCtx{sc: sc, aggs: aggs, clause: "HAVING"})
		if err != nil {
			return nil, err
		}
		if q.Having, err = c.coerceTo(h, TBool, s.HavingClause, "argument of HAVING"); err != nil {
			return nil, err
		}
	}
	for _, n := range s.SortClause {
		k, err := c.sortKey(n, q, x)
		if err != nil {
			return nil, err
		}
		q.Sort = append(q.Sort, k)
	}
	q.Aggs = aggs.aggs
	q.Grouped = len(q.Group) > 0 || len(q.Aggs) > 0 || q.Having != nil
	if q.Grouped {
		g := &regrouper{q: q, dep: keyDependents(q)}
		for i, e := range q.Out {
			if q.Out[i], err = g.regroup(e); err != nil {
				return nil, withPos(err, c.nodePos(s.TargetList[i].GetResTarget().GetVal()))
			}
		}
		if q.Having, err = g.regroup(q.Having); err != nil {
			return nil, withPos(err, c.nodePos(s.HavingClause))
		}
		for i, k := range q.Sort {
			if k.E != nil {
				if k.E, err = g.regroup(k.E); err != nil {
					return nil, withPos(err, c.nodePos(s.SortClause[i].GetSortBy().GetNode()))
				}
			}
		}
	}
	if q.Distinct {
		for _, k := range q.Sort {
			if k.E != nil {
				return nil, errAt(c.pos(0), StateInvalidColumnRef, "for SELECT DISTINCT, ORDER BY expressions must appear in select list")
			}
		}
	}
	if q.Limit, err = c.limitExpr(s.LimitCount, "LIMIT"); err != nil {
		return nil, err
	}
	if q.Offset, err = c.limitExpr(s.LimitOffset, "OFFSET"); err != nil {
		return nil, err
	}
	planQuery(q)
	return q, nil
}

// fromClause binds FROM items into sources and the scope, left to right; JOIN trees
// must be left-deep (a JOIN b JOIN c), which covers the usual forms.
func (c *checker) fromClause(items []*pg.Node, q *Query, sc *scope) error {
	for i, n := range items {
		join := ""
		if i > 0 {
			join = "cross"
		}
		if err := c.fromItem(n, join, q, sc); err != nil {
			return err
		}
	}
	return nil
}

func (c *checker) fromItem(n *pg.Node, join string, q *Query, sc *scope) error {
	switch {
	case n.GetRangeVar() != nil:
		return c.addSource(n.GetRangeVar(), join, q, sc)
	case n.GetJoinExpr() != nil:
		je := n.GetJoinExpr()
		if je.IsNatural || len(je.UsingClause) > 0 {
			return unsupported(c.pos(0), "NATURAL JOIN and JOIN ... USING")
		}
		if je.Alias != nil {
			return unsupported(c.pos(0), "aliases on JOIN")
		}
		kind := ""
		switch je.Jointype {
		case pg.JoinType_JOIN_INNER:
			kind = "inner"
			if je.Quals == nil {
				kind = "cross"
			}
		case pg.JoinType_JOIN_LEFT:
			kind = "left"
		default:
			return unsupported(c.pos(0), "RIGHT and FULL joins")
		}
		if err := c.fromItem(je.Larg, join, q, sc); err != nil {
			return err
		}
		if je.Rarg.GetJoinExpr() != nil {
			return unsupported(c.pos(0), "joining a parenthesized join")
		}
		if err := c.fromItem(je.Rarg, kind, q, sc); err != nil {
			return err
		}
		if je.Quals != nil {
			on, err := c.expr(je.Quals, &exprCtx{sc: sc, clause: "JOIN conditions"})
			if err != nil {
				return err
			}
			if on, err = c.coerceTo(on, TBool, je.Quals, "argument of JOIN/ON"); err != nil {
				return err
			}
			q.From[len(q.From)-1].On = on
		}
		return nil
	case n.GetRangeSubselect() != nil:
		return c.derivedTable(n.GetRangeSubselect(), join, q, sc)
	case n.GetRangeFunction() != nil:
		return c.tableFunction(n.GetRangeFunction(), join, q, sc)
	}
	return unsupported(c.pos(0), "this FROM item")
}

func (c *checker) addSource(rv *pg.RangeVar, join string, q *Query, sc *scope) error {
	alias := aliasOf(rv)
	name := rv.Relname
	if alias == "" {
		alias = name
	}
	src := &Source{Alias: alias, Join: join}
	var cols []Col
	vname := virtualName(rv.Schemaname, name)
	if b := c.cte(rv); b != nil {
		src.CTE = b.cte.ID
		cols = b.cte.Cols
		b.used = true
	} else if vt, ok := virtualTables[vname]; ok && (rv.Schemaname == "information_schema" || rv.Schemaname == "" || rv.Schemaname == "public") {
		src.Virtual = vname
		cols = vt
	} else {
		if rv.Schemaname == "information_schema" || rv.Schemaname == "pg_catalog" {
			return errAt(c.pos(rv.Location), StateUndefinedTable, "relation \"%s.%s\" does not exist", rv.Schemaname, name)
		}
		t, err := c.rangeVarTable(rv)
		if err != nil {
			return err
		}
		src.Table = ref(t)
		for _, col := range t.Cols {
			cols = append(cols, Col{Name: col.Name, Type: col.Type})
		}
		src.tab = t
	}
	return c.bindSource(src, cols, rv.Alias, rv.Location, q, sc)
}

// bindSource adds a FROM item with its columns (renamed by the alias's column list) to
// the query and the scope.
func (c *checker) bindSource(src *Source, cols []Col, alias *pg.Alias, loc int32, q *Query, sc *scope) error {
	for _, it := range sc.items {
		if it.name == src.Alias {
			return errAt(c.pos(loc), "42712", "table name %q specified more than once", src.Alias)
		}
	}
	if alias != nil && len(alias.Colnames) > 0 {
		if len(alias.Colnames) > len(cols) {
			return errAt(c.pos(loc), "42P10", "table %q has %d columns available but %d columns specified", src.Alias, len(cols), len(alias.Colnames))
		}
		cols = append([]Col(nil), cols...)
		for i, n := range alias.Colnames {
			cols[i].Name = nodeString(n)
		}
	}
	src.Width = len(cols)
	src.start = sc.width()
	sc.add(src.Alias, cols)
	q.From = append(q.From, src)
	return nil
}

// targetList binds a select list (or RETURNING), expanding * and t.*.
func (c *checker) targetList(list []*pg.Node, x *exprCtx, keepUnknown bool) ([]*Expr, []Col, error) {
	var out []*Expr
	var cols []Col
	for _, n := range list {
		rt := n.GetResTarget()
		if rt == nil {
			return nil, nil, errf(StateSyntax, "malformed select list")
		}
		if cr := rt.Val.GetColumnRef(); cr != nil && len(cr.Fields) > 0 && cr.Fields[len(cr.Fields)-1].GetAStar() != nil {
			qual := ""
			if len(cr.Fields) == 2 {
				qual = nodeString(cr.Fields[0])
			} else if len(cr.Fields) > 2 {
				return nil, nil, unsupported(c.pos(cr.Location), "this * reference")
			}
			found := false
			for _, it := range x.sc.items {
				if qual != "" && it.name != qual {
					continue
				}
				found = true
				for i, col := range it.cols {
					out = append(out, &Expr{K: kCol, I: it.start + i, T: col.Type})
					cols = append(cols, col)
				}
			}
			if !found {
				if qual != "" {
					return nil, nil, errAt(c.pos(cr.Location), StateUndefinedTable, "missing FROM-clause entry for table %q", qual)
				}
				return nil, nil, errAt(c.pos(cr.Location), StateSyntax, "SELECT * with no tables specified is not valid")
			}
			continue
		}
		if len(rt.Indirection) > 0 {
			return nil, nil, unsupported(c.pos(rt.Location), "subscripts")
		}
		e, err := c.expr(rt.Val, x)
		if err != nil {
			return nil, nil, err
		}
		if e.T == TUnknown && !keepUnknown {
			if e, err = c.coerceTo(e, TText, rt.Val, ""); err != nil {
				return nil, nil, err
			}
		}
		name := rt.Name
		if name == "" {
			name = derivedName(rt.Val)
		}
		out = append(out, e)
		cols = append(cols, Col{Name: name, Type: e.T})
	}
	return out, cols, nil
}

// derivedName is the column name PostgreSQL gives an unaliased select-list entry.
func derivedName(n *pg.Node) string {
	switch {
	case n.GetColumnRef() != nil:
		return lastName(n.GetColumnRef().Fields)
	case n.GetFuncCall() != nil:
		return lastName(n.GetFuncCall().Funcname)
	case n.GetTypeCast() != nil:
		tc := n.GetTypeCast()
		if inner := derivedName(tc.Arg); inner != "?column?" {
			return inner
		}
		if tc.TypeName != nil && len(tc.TypeName.Names) > 0 {
			name := lastName(tc.TypeName.Names)
			switch name {
			case "int4":
				return "int4"
			case "bool":
				return "bool"
			}
			return name
		}
	case n.GetCaseExpr() != nil:
		return "case"
	case n.GetCoalesceExpr() != nil:
		return "coalesce"
	case n.GetMinMaxExpr() != nil:
		if n.GetMinMaxExpr().Op == pg.MinMaxOp_IS_LEAST {
			return "least"
		}
		return "greatest"
	case n.GetSqlvalueFunction() != nil:
		switch n.GetSqlvalueFunction().Op {
		case pg.SQLValueFunctionOp_SVFOP_CURRENT_TIMESTAMP, pg.SQLValueFunctionOp_SVFOP_CURRENT_TIMESTAMP_N:
			return "current_timestamp"
		case pg.SQLValueFunctionOp_SVFOP_LOCALTIMESTAMP, pg.SQLValueFunctionOp_SVFOP_LOCALTIMESTAMP_N:
			return "localtimestamp"
		}
	case n.GetAExpr() != nil && n.GetAExpr().Kind == pg.A_Expr_Kind_AEXPR_NULLIF:
		return "nullif"
	}
	return "?column?"
}

func (c *checker) groupItem(n *pg.Node, q *Query, sc *scope) (*Expr, error) {
	if ac := n.GetAConst(); ac != nil && ac.Val.GetInteger() != nil {
		p := int(ac.Val.GetInteger().Ival)
		if p < 1 || p > len(q.Out) {
			return nil, errAt(c.pos(ac.Location), StateInvalidColumnRef, "GROUP BY position %d is not in select list", p)
		}
		return c.noAggs(q.Out[p-1], ac.Location, "GROUP BY")
	}
	e, err := c.expr(n, &exprCtx{sc: sc, clause: "GROUP BY"})
	if err != nil {
		// An output column alias is also accepted, after input columns.
		if cr := n.GetColumnRef(); cr != nil && len(cr.Fields) == 1 && errorsIsState(err, StateUndefinedColumn) {
			name := nodeString(cr.Fields[0])
			for i, col := range q.Cols {
				if col.Name == name {
					return c.noAggs(q.Out[i], cr.Location, "GROUP BY")
				}
			}
		}
		return nil, err
	}
	return e, nil
}

func (c *checker) noAggs(e *Expr, loc int32, clause string) (*Expr, error) {
	if hasKind(e, kAgg) {
		return nil, errAt(c.pos(loc), StateGrouping, "aggregate functions are not allowed in %s", clause)
	}
	return e, nil
}

func hasKind(e *Expr, k string) bool {
	if e == nil {
		return false
	}
	if e.K == k {
		return true
	}
	for _, a := range e.A {
		if hasKind(a, k) {
			return true
		}
	}
	return false
}

func (c *checker) sortKey(n *pg.Node, q *Query, x *exprCtx) (*SortKey, error) {
	sb, k, done, err := c.sortKeyHead(n, len(q.Out))
	if err != nil || done {
		return k, err
	}
	if cr := sb.Node.GetColumnRef(); cr != nil && len(cr.Fields) == 1 && cr.Fields[0].GetString_() != nil {
		name := nodeString(cr.Fields[0])
		for i, col := range q.Cols {
			if col.Name == name {
				if k.O != 0 && !reflect.DeepEqual(q.Out[k.O-1], q.Out[i]) {
					return nil, errAt(c.pos(cr.Location), StateAmbiguousColumn, "ORDER BY %q is ambiguous", name)
				}
				if k.O == 0 {
					k.O = i + 1
				}
			}
		}
		if k.O != 0 {
			return k, nil
		}
	}
	e, err := c.expr(sb.Node, x)
	if err != nil {
		return nil, err
	}
	for i, o := range q.Out {
		if reflect.DeepEqual(o, e) {
			k.O = i + 1
			return k, nil
		}
	}
	k.E = e
	return k, nil
}

// regrouper rewrites expressions over input rows into ones over group rows.
type regrouper struct {
	q   *Query
	dep map[int]bool // input columns the GROUP BY determines (keyDependents)
}

// regroup rewrites e: a GROUP BY expression becomes a reference to its key slot, and so
// does a column the GROUP BY determines, added as a key of its own (it splits no group);
// any other column reference is an error.
func (g *regrouper) regroup(e *Expr) (*Expr, error) {
	if e == nil {
		return nil, nil
	}
	for i, k := range g.q.Group {
		if reflect.DeepEqual(e, k) {
			return &Expr{K: kCol, I: i, T: e.T}, nil
		}
	}
	switch e.K {
	case kCol:
		if g.dep[e.I] {
			g.q.Group = append(g.q.Group, &Expr{K: kCol, I: e.I, T: e.T})
			return &Expr{K: kCol, I: len(g.q.Group) - 1, T: e.T}, nil
		}
		return nil, errf(StateGrouping, "column must appear in the GROUP BY clause or be used in an aggregate function")
	case kAgg, kConst, kNow, kRandom, kParam, kOuter:
		return e, nil
	case kSub:
		if e.C {
			if err := g.regroupSub(e); err != nil {
				return nil, err
			}
		}
	}
	out := *e
	out.A = make([]*Expr, len(e.A))
	for i, a := range e.A {
		r, err := g.regroup(a)
		if err != nil {
			return nil, err
		}
		out.A[i] = r
	}
	return &out, nil
}

// keyDependents are the input columns of every table whose primary key columns are all
// GROUP BY items: the key determines the rest of its row, so PostgreSQL lets them be used
// ungrouped (GROUP BY users.id, SELECT users.name).
func keyDependents(q *Query) map[int]bool {
	grouped := map[int]bool{}
	for _, k := range q.Group {
		if k.K == kCol {
			grouped[k.I] = true
		}
	}
	dep := map[int]bool{}
	for _, src := range q.From {
		t := src.tab
		if t == nil || len(t.PK) == 0 {
			continue
		}
		all := true
		for _, p := range t.PK {
			all = all && grouped[src.start+p]
		}
		for i := 0; all && i < src.Width; i++ {
			dep[src.start+i] = true
		}
	}
	return dep
}

func (c *checker) limitExpr(n *pg.Node, what string) (*Expr, error) {
	if n == nil {
		return nil, nil
	}
	if ac := n.GetAConst(); ac != nil && (ac.Val == nil || ac.Val.GetNull() != nil) {
		return nil, nil // LIMIT ALL / LIMIT NULL
	}
	e, err := c.expr(n, &exprCtx{sc: &scope{}, clause: what})
	if err != nil {
		return nil, err
	}
	if e, err = c.coerceTo(e, TInt8, n, "argument of "+what); err != nil {
		return nil, err
	}
	if v, ok := e.V.(int64); ok && e.K == kConst && v < 0 {
		return nil, errAt(c.nodePos(n), limitState(what), "%s must not be negative", what)
	}
	return e, nil
}

// sortKeyHead reads what every ORDER BY key has: its direction, where its NULLs go, and a
// position in the output (1 to cols), which needs nothing more (done).
func (c *checker) sortKeyHead(n *pg.Node, cols int) (sb *pg.SortBy, k *SortKey, done bool, err error) {
	sb = n.GetSortBy()
	if sb == nil {
		return nil, nil, false, errf(StateSyntax, "malformed ORDER BY")
	}
	if sb.SortbyDir == pg.SortByDir_SORTBY_USING {
		return nil, nil, false, unsupported(c.pos(sb.Location), "ORDER BY ... USING")
	}
	k = &SortKey{Desc: sb.SortbyDir == pg.SortByDir_SORTBY_DESC}
	k.NullsFirst = k.Desc
	switch sb.SortbyNulls {
	case pg.SortByNulls_SORTBY_NULLS_FIRST:
		k.NullsFirst = true
	case pg.SortByNulls_SORTBY_NULLS_LAST:
		k.NullsFirst = false
	}
	if ac := sb.Node.GetAConst(); ac != nil && ac.Val.GetInteger() != nil {
		p := int(ac.Val.GetInteger().Ival)
		if p < 1 || p > cols {
			return nil, nil, false, errAt(c.pos(ac.Location), StateInvalidColumnRef, "ORDER BY position %d is not in select list", p)
		}
		k.O = p
		return sb, k, true, nil
	}
	return sb, k, false, nil
}
