package sql

import (
	pg "github.com/pganalyze/pg_query_go/v2"
)

// tableScope is the scope of a single table under its alias (or name).
func tableScope(t *Table, alias string) *scope {
	if alias == "" {
		alias = t.Name
	}
	cols := make([]Col, len(t.Cols))
	for i, c := range t.Cols {
		cols[i] = Col{Name: c.Name, Type: c.Type}
	}
	sc := &scope{}
	sc.add(alias, cols)
	return sc
}

func aliasOf(rv *pg.RangeVar) string {
	if rv != nil && rv.Alias != nil {
		return rv.Alias.Aliasname
	}
	return ""
}

// assignExpr binds a value for a column: assignment casts, 42804 when the types do not mix.
func (c *checker) assignExpr(n *pg.Node, col *Column, x *exprCtx) (*Expr, error) {
	if n.GetSetToDefault() != nil {
		return nil, nil // nil means "the column default"
	}
	e, err := c.expr(n, x)
	if err != nil {
		return nil, err
	}
	if e.K == kParam {
		return c.coerceTo(e, col.Type, n, "")
	}
	if !canAssign(e.T, col.Type) {
		return nil, errAt(c.nodePos(n), StateDatatypeMismatch, "column %q is of type %s but expression is of type %s", col.Name, col.Type, e.T)
	}
	if e.T == TUnknown {
		if e, err = c.coerceTo(e, col.Type, n, ""); err != nil {
			return nil, err
		}
	}
	if e.K == kConst {
		// Check constants now so a bad literal never reaches the log.
		if _, err := assignValue(e.V, e.T, col); err != nil {
			return nil, withPos(err, c.nodePos(n))
		}
	}
	return e, nil
}

// returning binds a RETURNING list over the table's row.
func (c *checker) returning(list []*pg.Node, t *Table, alias string) ([]*Expr, []Col, error) {
	if len(list) == 0 {
		return nil, nil, nil
	}
	sc := tableScope(t, alias)
	return c.targetList(list, &exprCtx{sc: sc, clause: "RETURNING"}, false)
}

func (c *checker) insert(is *pg.InsertStmt) (*Stmt, error) {
	if is.WithClause != nil {
		return nil, unsupported(c.pos(0), "WITH")
	}
	t, err := c.rangeVarTable(is.Relation)
	if err != nil {
		return nil, err
	}
	ins := &Insert{Table: ref(t)}
	if len(is.Cols) == 0 {
		for i := range t.Cols {
			ins.Cols = append(ins.Cols, i)
		}
	}
	seen := map[int]bool{}
	for _, n := range is.Cols {
		rt := n.GetResTarget()
		if rt == nil || len(rt.Indirection) > 0 {
			return nil, unsupported(c.pos(0), "this INSERT column list")
		}
		i := t.col(rt.Name)
		if i < 0 {
			return nil, errAt(c.pos(rt.Location), StateUndefinedColumn, "column %q of relation %q does not exist", rt.Name, t.Name)
		}
		if seen[i] {
			return nil, errAt(c.pos(rt.Location), StateDuplicateColumn, "column %q specified more than once", rt.Name)
		}
		seen[i] = true
		ins.Cols = append(ins.Cols, i)
	}
	if oc := is.OnConflictClause; oc != nil {
		if oc.Action != pg.OnConflictAction_ONCONFLICT_NOTHING {
			return nil, unsupported(c.pos(oc.Location), "ON CONFLICT DO UPDATE")
		}
		ins.DoNothing = true
	}
	sel := is.SelectStmt.GetSelectStmt()
	switch {
	case is.SelectStmt == nil:
		ins.Cols = nil
		ins.Values = [][]*Expr{{}} // DEFAULT VALUES
	case sel != nil && len(sel.ValuesLists) > 0:
		if len(sel.SortClause) > 0 || sel.LimitCount != nil || sel.LimitOffset != nil || sel.WithClause != nil {
			return nil, unsupported(c.pos(0), "ORDER BY/LIMIT/WITH on VALUES")
		}
		empty := &exprCtx{sc: &scope{}, clause: "VALUES"}
		for _, vl := range sel.ValuesLists {
			items := vl.GetList().GetItems()
			if len(items) > len(ins.Cols) {
				return nil, errAt(c.nodePos(items[len(ins.Cols)]), StateSyntax, "INSERT has more expressions than target columns")
			}
			if len(items) < len(ins.Cols) {
				if len(is.Cols) > 0 {
					return nil, errAt(c.pos(0), StateSyntax, "INSERT has more target columns than expressions")
				}
			}
			row := make([]*Expr, len(items))
			for i, it := range items {
				e, err := c.assignExpr(it, &t.Cols[ins.Cols[i]], empty)
				if err != nil {
					return nil, err
				}
				row[i] = e
			}
			ins.Values = append(ins.Values, row)
		}
	case sel != nil:
		q, err := c.query(sel, nil)
		if err != nil {
			return nil, err
		}
		if len(q.Cols) > len(ins.Cols) {
			return nil, errAt(c.pos(0), StateSyntax, "INSERT has more expressions than target columns")
		}
		if len(q.Cols) < len(ins.Cols) && len(is.Cols) > 0 {
			return nil, errAt(c.pos(0), StateSyntax, "INSERT has more target columns than expressions")
		}
		ins.Cols = ins.Cols[:len(q.Cols)]
		for i, qc := range q.Cols {
			col := &t.Cols[ins.Cols[i]]
			if !canAssign(qc.Type, col.Type) {
				return nil, errAt(c.pos(0), StateDatatypeMismatch, "column %q is of type %s but expression is of type %s", col.Name, col.Type, qc.Type)
			}
		}
		ins.Select = q
	default:
		return nil, unsupported(c.pos(0), "this INSERT source")
	}
	ins.Returning, ins.ReturnCols, err = c.returning(is.ReturningList, t, aliasOf(is.Relation))
	if err != nil {
		return nil, err
	}
	return &Stmt{Kind: sInsert, Tag: "INSERT", Insert: ins}, nil
}

func (c *checker) update(us *pg.UpdateStmt) (*Stmt, error) {
	c.dml = true
	defer func() { c.dml = false }()
	if us.WithClause != nil || len(us.FromClause) > 0 {
		return nil, unsupported(c.pos(0), "UPDATE with WITH or FROM")
	}
	t, err := c.rangeVarTable(us.Relation)
	if err != nil {
		return nil, err
	}
	sc := tableScope(t, aliasOf(us.Relation))
	x := &exprCtx{sc: sc, clause: "UPDATE"}
	up := &Update{Table: ref(t)}
	seen := map[int]bool{}
	for _, n := range us.TargetList {
		rt := n.GetResTarget()
		if rt == nil || len(rt.Indirection) > 0 {
			return nil, unsupported(c.pos(0), "this SET target")
		}
		i := t.col(rt.Name)
		if i < 0 {
			return nil, errAt(c.pos(rt.Location), StateUndefinedColumn, "column %q of relation %q does not exist", rt.Name, t.Name)
		}
		if seen[i] {
			return nil, errAt(c.pos(rt.Location), StateDuplicateColumn, "multiple assignments to same column %q", rt.Name)
		}
		seen[i] = true
		e, err := c.assignExpr(rt.Val, &t.Cols[i], x)
		if err != nil {
			return nil, err
		}
		if e == nil {
			e = defaultFor(&t.Cols[i])
			if e == nil {
				return nil, unsupported(c.pos(rt.Location), "SET to DEFAULT of a serial column")
			}
		}
		up.SetCols = append(up.SetCols, i)
		up.SetExprs = append(up.SetExprs, e)
	}
	if up.Where, err = c.where(us.WhereClause, sc); err != nil {
		return nil, err
	}
	up.Scan = planScan(t, 0, up.Where, nil)
	up.Returning, up.ReturnCols, err = c.returning(us.ReturningList, t, aliasOf(us.Relation))
	if err != nil {
		return nil, err
	}
	return &Stmt{Kind: sUpdate, Tag: "UPDATE", Update: up}, nil
}

// defaultFor is a column's default as an expression (NULL when it has none); nil for
// serial columns, whose default needs the sequence.
func defaultFor(col *Column) *Expr {
	if col.Serial {
		return nil
	}
	if col.Default != nil {
		return col.Default
	}
	return constExpr(nil, col.Type)
}

func (c *checker) delete(ds *pg.DeleteStmt) (*Stmt, error) {
	c.dml = true
	defer func() { c.dml = false }()
	if ds.WithClause != nil || len(ds.UsingClause) > 0 {
		return nil, unsupported(c.pos(0), "DELETE with WITH or USING")
	}
	t, err := c.rangeVarTable(ds.Relation)
	if err != nil {
		return nil, err
	}
	sc := tableScope(t, aliasOf(ds.Relation))
	del := &Delete{Table: ref(t)}
	if del.Where, err = c.where(ds.WhereClause, sc); err != nil {
		return nil, err
	}
	del.Scan = planScan(t, 0, del.Where, nil)
	del.Returning, del.ReturnCols, err = c.returning(ds.ReturningList, t, aliasOf(ds.Relation))
	if err != nil {
		return nil, err
	}
	return &Stmt{Kind: sDelete, Tag: "DELETE", Delete: del}, nil
}

// where binds a WHERE clause: boolean, no aggregates.
func (c *checker) where(n *pg.Node, sc *scope) (*Expr, error) {
	if n == nil {
		return nil, nil
	}
	e, err := c.expr(n, &exprCtx{sc: sc, clause: "WHERE"})
	if err != nil {
		return nil, err
	}
	return c.coerceTo(e, TBool, n, "argument of WHERE")
}
