package sql

import (
	pg "github.com/pganalyze/pg_query_go/v2"
)

// subLink checks a subquery in an expression: EXISTS, a scalar subquery, IN, and
// op ANY/SOME/ALL. Its scope's parent is the scope the expression stands in, so its
// names not found inside are outer references.
func (c *checker) subLink(sl *pg.SubLink, x *exprCtx) (*Expr, error) {
	sel := sl.Subselect.GetSelectStmt()
	if sel == nil {
		return nil, unsupported(c.pos(sl.Location), "this subquery")
	}
	var op string
	switch sl.SubLinkType {
	case pg.SubLinkType_EXISTS_SUBLINK:
		op = "exists"
	case pg.SubLinkType_EXPR_SUBLINK:
		op = "scalar"
	case pg.SubLinkType_ANY_SUBLINK:
		op = "any"
	case pg.SubLinkType_ALL_SUBLINK:
		op = "all"
	case pg.SubLinkType_ARRAY_SUBLINK:
		return nil, unsupported(c.pos(sl.Location), "ARRAY(subquery)")
	default:
		return nil, unsupported(c.pos(sl.Location), "row comparisons with subqueries")
	}
	if sl.Testexpr.GetRowExpr() != nil {
		return nil, unsupported(c.pos(sl.Location), "row comparisons with subqueries")
	}
	sub, err := c.query(sel, x.sc)
	if err != nil {
		return nil, err
	}
	e := &Expr{K: kSub, Op: op, T: TBool, Sub: sub, C: escapes(sub)}
	if c.dml && e.C {
		return nil, unsupported(c.pos(sl.Location), "correlated subqueries in UPDATE and DELETE")
	}
	if op == "exists" {
		return e, nil
	}
	if len(sub.Cols) != 1 {
		if op == "scalar" || len(sub.Cols) == 0 {
			return nil, errAt(c.pos(sl.Location), StateSyntax, "subquery must return only one column")
		}
		return nil, errAt(c.pos(sl.Location), StateSyntax, "subquery has too many columns")
	}
	if op == "scalar" {
		e.T = sub.Cols[0].Type
		return e, nil
	}
	return c.quantified(e, sl, x)
}

// quantified binds the comparison of IN / op ANY / op ALL: X compares the left operand
// (column 0 of its row) with one subquery value (column 1), typed as the operator would
// be between the two, so each value is compared exactly as "left op value" is.
func (c *checker) quantified(e *Expr, sl *pg.SubLink, x *exprCtx) (*Expr, error) {
	left, err := c.expr(sl.Testexpr, x)
	if err != nil {
		return nil, err
	}
	op := "="
	if len(sl.OperName) > 0 {
		op = lastName(sl.OperName)
	}
	switch op {
	case "=", "<>", "!=", "<", "<=", ">", ">=":
	default:
		return nil, unsupported(c.pos(sl.Location), "operator %s with ANY or ALL", op)
	}
	l := &Expr{K: kCol, I: 0, T: left.T}
	if left.K == kConst {
		l = left // an untyped literal takes the subquery's type, as it would beside a column
	}
	r := &Expr{K: kCol, I: 1, T: e.Sub.Cols[0].Type}
	cmp, err := c.binop(op, l, r, sl.Testexpr, sl.Subselect, sl.Location)
	if err != nil {
		return nil, err
	}
	if cmp.T != TBool {
		return nil, errAt(c.pos(sl.Location), "42809", "op ANY/ALL (array) requires operator to yield boolean")
	}
	e.A, e.X = []*Expr{left}, cmp
	return e, nil
}

// regroupSub rewrites the outer references of a correlated subquery in a grouped query's
// output, HAVING or ORDER BY: they name the group row, so each must be a GROUP BY item
// (or a column one determines), as the query's own columns must.
func (g *regrouper) regroupSub(e *Expr) error {
	var err error
	walkQuery(e.Sub, 0, func(n *Expr, depth int) {
		if n.K != kOuter || n.L != depth+1 || err != nil {
			return
		}
		for i, k := range g.q.Group {
			if k.K == kCol && k.I == n.I {
				n.I = i
				return
			}
		}
		if g.dep[n.I] {
			g.q.Group = append(g.q.Group, &Expr{K: kCol, I: n.I, T: n.T})
			n.I = len(g.q.Group) - 1
			return
		}
		err = errf(StateGrouping, "subquery uses ungrouped column from outer query")
	}, nil)
	return err
}

// outerAggregate reports whether an aggregate's argument uses outer columns and none of
// its own query's: PostgreSQL makes that an aggregate of the outer query.
func outerAggregate(arg *Expr) bool {
	outer, local := false, false
	walkExpr(arg, 0, func(n *Expr, depth int) {
		switch {
		case n.K == kOuter && n.L > depth:
			outer = true
		case n.K == kCol && depth == 0:
			local = true
		}
	}, nil)
	return outer && !local
}
