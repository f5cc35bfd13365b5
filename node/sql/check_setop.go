package sql

import (
	"fmt"
	"strings"

	pg "github.com/pganalyze/pg_query_go/v2"
)

// cteBinding is a WITH item while the query it belongs to is checked.
type cteBinding struct {
	cte  *CTE
	used bool // a FROM item named it (a recursive term's self-reference)
}

// cte finds the WITH item an unqualified FROM name refers to, innermost first.
func (c *checker) cte(rv *pg.RangeVar) *cteBinding {
	if rv.Schemaname != "" {
		return nil
	}
	for i := len(c.ctes) - 1; i >= 0; i-- {
		if c.ctes[i].cte.Name == rv.Relname {
			return &c.ctes[i]
		}
	}
	return nil
}

// withClause checks WITH items in order, each visible to the ones after it and to the
// query. Their bodies see the scope outside the query, as its FROM items do.
func (c *checker) withClause(w *pg.WithClause, outer *scope) ([]*CTE, error) {
	var out []*CTE
	for _, n := range w.Ctes {
		ce := n.GetCommonTableExpr()
		if ce == nil || ce.Ctequery.GetSelectStmt() == nil {
			return nil, unsupported(c.pos(0), "data-modifying statements in WITH")
		}
		for _, prev := range out {
			if prev.Name == ce.Ctename {
				return nil, errAt(c.pos(ce.Location), "42712", "WITH query name %q specified more than once", ce.Ctename)
			}
		}
		c.cteSeq++
		cte := &CTE{ID: c.cteSeq, Name: ce.Ctename}
		sel := ce.Ctequery.GetSelectStmt()
		var err error
		if w.Recursive && sel.Op == pg.SetOperation_SETOP_UNION {
			err = c.recursiveCTE(cte, ce, sel, outer)
		} else {
			cte.Query, err = c.query(sel, outer)
			if err == nil {
				cte.Cols, err = c.cteColumns(ce, cte.Query.Cols)
			}
		}
		if err != nil {
			return nil, err
		}
		c.ctes = append(c.ctes, cteBinding{cte: cte})
		out = append(out, cte)
	}
	return out, nil
}

// cteColumns are a WITH item's columns, renamed by its column list.
func (c *checker) cteColumns(ce *pg.CommonTableExpr, cols []Col) ([]Col, error) {
	if len(ce.Aliascolnames) > len(cols) {
		return nil, errAt(c.pos(ce.Location), "42P10", "WITH query %q has %d columns available but %d columns specified", ce.Ctename, len(cols), len(ce.Aliascolnames))
	}
	out := append([]Col(nil), cols...)
	for i, n := range ce.Aliascolnames {
		out[i].Name = nodeString(n)
	}
	return out, nil
}

// recursiveCTE checks non-recursive-term UNION [ALL] recursive-term: the first term's
// columns are the item's, and the recursive term, which may name the item, must produce
// the same types. A second term that does not name the item makes a plain compound.
func (c *checker) recursiveCTE(cte *CTE, ce *pg.CommonTableExpr, sel *pg.SelectStmt, outer *scope) error {
	if len(sel.SortClause) > 0 || sel.LimitCount != nil || sel.LimitOffset != nil || sel.WithClause != nil {
		return unsupported(c.pos(ce.Location), "ORDER BY, LIMIT or WITH in a recursive query")
	}
	base, err := c.query(sel.Larg, outer)
	if err != nil {
		return err
	}
	if cte.Cols, err = c.cteColumns(ce, base.Cols); err != nil {
		return err
	}
	c.ctes = append(c.ctes, cteBinding{cte: cte})
	rec, err := c.query(sel.Rarg, outer)
	used := c.ctes[len(c.ctes)-1].used
	c.ctes = c.ctes[:len(c.ctes)-1]
	if err != nil {
		return err
	}
	if !used {
		cte.Query, err = c.query(sel, outer)
		return err
	}
	if len(rec.Cols) != len(base.Cols) {
		return errAt(c.pos(ce.Location), StateSyntax, "each UNION query must have the same number of columns")
	}
	for i, col := range rec.Cols {
		if col.Type != base.Cols[i].Type {
			return errAt(c.pos(ce.Location), StateDatatypeMismatch, "recursive query %q column %d has type %s in non-recursive term but type %s overall", cte.Name, i+1, base.Cols[i].Type, col.Type)
		}
	}
	cte.Query, cte.Rec, cte.All = base, rec, sel.All
	return nil
}

// compound checks UNION, INTERSECT and EXCEPT: branches of the same width whose columns
// resolve to common types as PostgreSQL's select_common_type does, named by the left one.
func (c *checker) compound(s *pg.SelectStmt, outer *scope) (*Query, error) {
	op := map[pg.SetOperation]string{pg.SetOperation_SETOP_UNION: "union",
		pg.SetOperation_SETOP_INTERSECT: "intersect", pg.SetOperation_SETOP_EXCEPT: "except"}[s.Op]
	if op == "" {
		return nil, unsupported(c.pos(0), "this set operation")
	}
	c.keepUnknown = true
	l, err := c.query(s.Larg, outer)
	if err != nil {
		return nil, err
	}
	c.keepUnknown = true
	r, err := c.query(s.Rarg, outer)
	if err != nil {
		return nil, err
	}
	name := strings.ToUpper(op)
	if len(l.Cols) != len(r.Cols) {
		return nil, errAt(c.pos(0), StateSyntax, "each %s query must have the same number of columns", name)
	}
	q := &Query{Set: &SetOp{Op: op, All: s.All, L: l, R: r}}
	for i := range l.Cols {
		t, err := resolveCommon(name, []Type{l.Cols[i].Type, r.Cols[i].Type})
		if err != nil {
			return nil, withPos(err, c.pos(0))
		}
		q.Cols = append(q.Cols, Col{Name: l.Cols[i].Name, Type: t})
	}
	for _, b := range []*Query{l, r} {
		if err := c.settleBranch(b, q.Cols); err != nil {
			return nil, err
		}
	}
	return q, c.outputOrder(s, q, name)
}

// resolveCommon is the common type of a compound's or VALUES column: unknown literals
// take the others' type (text if all are unknown), and of text, varchar and char the
// first stays, as in PostgreSQL.
func resolveCommon(what string, ts []Type) (Type, error) {
	t := TUnknown
	for _, u := range ts {
		if u == TUnknown {
			continue
		}
		nt, ok := commonType(t, u)
		if !ok {
			return "", errf(StateDatatypeMismatch, "%s types %s and %s cannot be matched", what, t, u)
		}
		if t.isString() && t != TUnknown && u.isString() {
			nt = t
		}
		t = nt
	}
	if t == TUnknown {
		t = TText
	}
	return t, nil
}

// settleBranch gives a branch's untyped literals their resolved types, so that a literal
// that is no value of its type fails here as in PostgreSQL; other columns are converted
// as their rows arrive (exec_setop.go).
func (c *checker) settleBranch(b *Query, cols []Col) error {
	var err error
	for i, col := range cols {
		switch {
		case b.Set != nil:
		case b.Values != nil:
			for _, row := range b.Values {
				if row[i], err = c.coerceTo(row[i], col.Type, nil, ""); err != nil {
					return err
				}
			}
		default:
			if b.Out[i], err = c.coerceTo(b.Out[i], col.Type, nil, ""); err != nil {
				return err
			}
		}
		if b.Cols[i].Type == TUnknown || b.Set == nil {
			b.Cols[i].Type = col.Type
		}
	}
	return nil
}

// outputOrder checks the ORDER BY, LIMIT and OFFSET of a compound or VALUES list: sort
// keys name output columns, by position or name.
func (c *checker) outputOrder(s *pg.SelectStmt, q *Query, what string) error {
	for _, n := range s.SortClause {
		k, err := c.outputSortKey(n, q, what)
		if err != nil {
			return err
		}
		q.Sort = append(q.Sort, k)
	}
	var err error
	if q.Limit, err = c.limitExpr(s.LimitCount, "LIMIT"); err != nil {
		return err
	}
	q.Offset, err = c.limitExpr(s.LimitOffset, "OFFSET")
	return err
}

// outputSortKey is one ORDER BY key of a compound or VALUES list.
func (c *checker) outputSortKey(n *pg.Node, q *Query, what string) (*SortKey, error) {
	sb, k, done, err := c.sortKeyHead(n, len(q.Cols))
	if err != nil || done {
		return k, err
	}
	cr := sb.Node.GetColumnRef()
	if cr == nil || len(cr.Fields) != 1 || cr.Fields[0].GetString_() == nil {
		return nil, errAt(c.nodePos(sb.Node), StateUnsupported, "invalid %s ORDER BY clause: only result column names can be used", what)
	}
	name := nodeString(cr.Fields[0])
	for i, col := range q.Cols {
		if col.Name == name {
			if k.O != 0 {
				return nil, errAt(c.pos(cr.Location), StateAmbiguousColumn, "ORDER BY %q is ambiguous", name)
			}
			k.O = i + 1
		}
	}
	if k.O == 0 {
		return nil, errAt(c.pos(cr.Location), StateUndefinedColumn, "column %q does not exist", name)
	}
	return k, nil
}

// valuesQuery checks VALUES (...), (...): rows of one width, each column of the common
// type of its values, named column1, column2, ...
func (c *checker) valuesQuery(s *pg.SelectStmt, outer *scope, keep bool) (*Query, error) {
	q := &Query{}
	x := &exprCtx{sc: &scope{parent: outer}, clause: "VALUES"}
	for _, l := range s.ValuesLists {
		items := l.GetList().GetItems()
		if len(q.Values) > 0 && len(items) != len(q.Values[0]) {
			return nil, errAt(c.nodePos(l), StateSyntax, "VALUES lists must all be the same length")
		}
		row := make([]*Expr, len(items))
		for i, n := range items {
			e, err := c.expr(n, x)
			if err != nil {
				return nil, err
			}
			row[i] = e
		}
		q.Values = append(q.Values, row)
	}
	for i := range q.Values[0] {
		ts := make([]Type, len(q.Values))
		for j, row := range q.Values {
			ts[j] = row[i].T
		}
		t, err := resolveCommon("VALUES", ts)
		if err != nil {
			return nil, withPos(err, c.pos(0))
		}
		if keep && allUnknown(ts) {
			t = TUnknown
		}
		for _, row := range q.Values {
			if row[i], err = c.coerceTo(row[i], t, nil, ""); err != nil {
				return nil, err
			}
		}
		q.Cols = append(q.Cols, Col{Name: fmt.Sprintf("column%d", i+1), Type: t})
	}
	return q, c.outputOrder(s, q, "VALUES")
}

func allUnknown(ts []Type) bool {
	for _, t := range ts {
		if t != TUnknown {
			return false
		}
	}
	return true
}

// derivedTable checks a subquery in FROM. It sees the scope outside the query, not the
// FROM items beside it (that would be LATERAL).
func (c *checker) derivedTable(rs *pg.RangeSubselect, join string, q *Query, sc *scope) error {
	if rs.Lateral {
		return unsupported(c.pos(0), "LATERAL")
	}
	sel := rs.Subquery.GetSelectStmt()
	if sel == nil {
		return unsupported(c.pos(0), "this subquery in FROM")
	}
	if rs.Alias == nil {
		return errAt(c.nodePos(rs.Subquery), StateSyntax, "subquery in FROM must have an alias")
	}
	sub, err := c.query(sel, sc.parent)
	if err != nil {
		return err
	}
	src := &Source{Alias: rs.Alias.Aliasname, Join: join, Sub: sub}
	return c.bindSource(src, sub.Cols, rs.Alias, 0, q, sc)
}

// tableFunction checks a function in FROM: generate_series(start, stop [, step]) over
// integers, its column named by the alias.
func (c *checker) tableFunction(rf *pg.RangeFunction, join string, q *Query, sc *scope) error {
	if rf.Lateral || rf.Ordinality || rf.IsRowsfrom || len(rf.Functions) != 1 || len(rf.Coldeflist) > 0 {
		return unsupported(c.pos(0), "this function in FROM")
	}
	parts := rf.Functions[0].GetList().GetItems()
	var fc *pg.FuncCall
	if len(parts) > 0 {
		fc = parts[0].GetFuncCall()
	}
	if fc == nil || lastName(fc.Funcname) != "generate_series" {
		return unsupported(c.pos(0), "functions in FROM other than generate_series")
	}
	x := &exprCtx{sc: &scope{parent: sc.parent}, clause: "functions in FROM"}
	if len(fc.Args) < 2 || len(fc.Args) > 3 {
		return errAt(c.pos(fc.Location), StateUndefinedFunction, "function generate_series with %d arguments does not exist", len(fc.Args))
	}
	args, t, err := c.exprsCommon(fc.Args, x, "generate_series")
	if err != nil {
		return err
	}
	switch t {
	case TInt2, TInt4, TInt8:
	case TText:
		return errAt(c.pos(fc.Location), "42725", "function generate_series(unknown, unknown) is not unique")
	default:
		return unsupported(c.pos(fc.Location), "generate_series over %s", t)
	}
	if t == TInt2 {
		t = TInt4
	}
	for i := range args {
		if args[i], err = c.coerceTo(args[i], t, fc.Args[i], ""); err != nil {
			return err
		}
	}
	alias := "generate_series"
	col := "generate_series"
	if rf.Alias != nil {
		alias, col = rf.Alias.Aliasname, rf.Alias.Aliasname
	}
	src := &Source{Alias: alias, Join: join, Series: &Expr{K: kFunc, Op: "generate_series", T: t, A: args}}
	return c.bindSource(src, []Col{{Name: col, Type: t}}, rf.Alias, fc.Location, q, sc)
}
