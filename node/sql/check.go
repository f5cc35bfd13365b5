package sql

import (
	"fmt"
	"strings"
	"time"

	pg "github.com/pganalyze/pg_query_go/v2"
)

// checker turns parse trees into checked statements against a catalog view: the
// committed catalog read through tx, overlaid with the changes of earlier statements in
// the same request.
type checker struct {
	tx         Tx
	tables     map[string]*Table // overlay; a nil value is a table dropped in this request
	loadedAll  bool
	params     []any
	describe   bool
	paramTypes []Type
	now        string
	offset     int          // byte offset of the current statement in the request
	lazy       int          // depth of CASE, COALESCE, AND, OR being bound (see lazily)
	dml        bool         // binding UPDATE or DELETE: subqueries must not depend on the row
	ctes       []cteBinding // WITH items in scope, innermost last
	cteSeq     int          // the last CTE.ID given out
	// keepUnknown asks the next query checked to leave untyped literals in its select
	// list untyped: it is a branch of a compound, which resolves them (check_setop.go).
	keepUnknown bool
}

func newChecker(tx Tx, params []any, now time.Time) *checker {
	return &checker{tx: tx, tables: map[string]*Table{}, params: params, now: formatTimestamp(TTimestamptz, now)}
}

func kindOfTx(ts *pg.TransactionStmt) string {
	switch ts.Kind {
	case pg.TransactionStmtKind_TRANS_STMT_BEGIN, pg.TransactionStmtKind_TRANS_STMT_START:
		return "BEGIN"
	case pg.TransactionStmtKind_TRANS_STMT_COMMIT:
		return "COMMIT"
	case pg.TransactionStmtKind_TRANS_STMT_ROLLBACK:
		return "ROLLBACK"
	}
	return ""
}

func (c *checker) snapshot() map[string]*Table {
	m := make(map[string]*Table, len(c.tables))
	for k, v := range c.tables {
		m[k] = v
	}
	return m
}

// table looks a table up in the overlay, then in the committed catalog.
func (c *checker) table(name string) (*Table, error) {
	if t, ok := c.tables[name]; ok {
		return t, nil
	}
	if c.loadedAll {
		return nil, nil
	}
	t, err := loadTable(c.tx, name)
	if err != nil {
		return nil, err
	}
	c.tables[name] = t
	return t, nil
}

// all returns every table of the overlaid catalog.
func (c *checker) all() (map[string]*Table, error) {
	if !c.loadedAll {
		ts, err := allTables(c.tx)
		if err != nil {
			return nil, err
		}
		for _, t := range ts {
			if _, ok := c.tables[t.Name]; !ok {
				c.tables[t.Name] = t
			}
		}
		c.loadedAll = true
	}
	return c.tables, nil
}

// indexOwner finds the table that has an index of this name.
func (c *checker) indexOwner(name string) (*Table, error) {
	all, err := c.all()
	if err != nil {
		return nil, err
	}
	for _, t := range all {
		if t == nil {
			continue
		}
		for _, ix := range t.Indexes {
			if ix.Name == name {
				return t, nil
			}
		}
	}
	return nil, nil
}

func (c *checker) relationExists(name string) (bool, error) {
	t, err := c.table(name)
	if err != nil || t != nil {
		return t != nil, err
	}
	o, err := c.indexOwner(name)
	return o != nil, err
}

func ref(t *Table) Ref { return Ref{Name: t.Name, Shape: t.shape()} }

// rangeVarTable resolves a table named in DML or DDL (not the catalog views).
func (c *checker) rangeVarTable(rv *pg.RangeVar) (*Table, error) {
	if rv == nil {
		return nil, errf(StateSyntax, "missing table name")
	}
	if rv.Schemaname != "" && rv.Schemaname != "public" || rv.Catalogname != "" {
		if rv.Schemaname == "information_schema" || strings.HasPrefix(rv.Relname, "raftplay_") {
			return nil, unsupported(c.pos(rv.Location), "changing a catalog view")
		}
		return nil, errAt(c.pos(rv.Location), StateUndefinedTable, "relation \"%s.%s\" does not exist", rv.Schemaname, rv.Relname)
	}
	if _, ok := virtualTables[rv.Relname]; ok {
		return nil, unsupported(c.pos(rv.Location), "changing a catalog view")
	}
	t, err := c.table(rv.Relname)
	if err != nil {
		return nil, err
	}
	if t == nil {
		return nil, errAt(c.pos(rv.Location), StateUndefinedTable, "relation %q does not exist", rv.Relname)
	}
	return t, nil
}

// stmt checks one statement.
func (c *checker) stmt(n *pg.Node) (*Stmt, error) {
	switch {
	case n.GetSelectStmt() != nil:
		q, err := c.query(n.GetSelectStmt(), nil)
		if err != nil {
			return nil, err
		}
		return &Stmt{Kind: sSelect, Tag: "SELECT", Query: q}, nil
	case n.GetInsertStmt() != nil:
		return c.insert(n.GetInsertStmt())
	case n.GetUpdateStmt() != nil:
		return c.update(n.GetUpdateStmt())
	case n.GetDeleteStmt() != nil:
		return c.delete(n.GetDeleteStmt())
	case n.GetCreateStmt() != nil:
		return c.createTable(n.GetCreateStmt())
	case n.GetDropStmt() != nil:
		return c.drop(n.GetDropStmt())
	case n.GetIndexStmt() != nil:
		return c.createIndex(n.GetIndexStmt())
	case n.GetAlterTableStmt() != nil:
		return c.alterTable(n.GetAlterTableStmt())
	case n.GetExplainStmt() != nil:
		ex := n.GetExplainStmt()
		for _, o := range ex.Options {
			if de := o.GetDefElem(); de != nil && de.Defname == "analyze" {
				return nil, unsupported(c.pos(0), "EXPLAIN ANALYZE")
			}
		}
		sel := ex.Query.GetSelectStmt()
		if sel == nil {
			return nil, unsupported(c.pos(0), "EXPLAIN of anything but SELECT")
		}
		q, err := c.query(sel, nil)
		if err != nil {
			return nil, err
		}
		return &Stmt{Kind: sExplain, Tag: "EXPLAIN", Query: q}, nil
	}
	return nil, unsupported(c.pos(0), "this statement (%s)", nodeKind(n))
}

// --- DDL ---

func (c *checker) createTable(cs *pg.CreateStmt) (*Stmt, error) {
	name, exists, err := c.newTableName(cs)
	if err != nil {
		return nil, err
	}
	rv := cs.Relation
	t := &Table{Name: name}
	uniques, pkNames, pkLoc, err := c.tableElements(t, cs)
	if err != nil {
		return nil, err
	}
	if len(t.Cols) == 0 {
		return nil, unsupported(c.pos(rv.Location), "tables without columns")
	}
	for _, k := range pkNames {
		i := t.col(k)
		if i < 0 {
			return nil, errAt(c.pos(pkLoc), StateUndefinedColumn, "column %q named in key does not exist", k)
		}
		for _, p := range t.PK {
			if p == i {
				return nil, errAt(c.pos(pkLoc), StateDuplicateColumn, "column %q appears twice in primary key constraint", k)
			}
		}
		t.PK = append(t.PK, i)
		t.Cols[i].NotNull = true
	}
	taken, err := c.indexNames()
	if err != nil {
		return nil, err
	}
	taken[name] = true
	for _, cols := range uniques {
		ixName := uniqueName(taken, name+"_"+strings.Join(t.colNames(cols), "_")+"_key")
		taken[ixName] = true
		t.Indexes = append(t.Indexes, Index{Name: ixName, Cols: cols, Unique: true})
	}
	if !exists {
		c.tables[name] = t
	}
	return &Stmt{Kind: sCreateTable, Tag: "CREATE TABLE", CreateTable: &CreateTable{Table: *t, IfNotExists: cs.IfNotExists}}, nil
}

// newTableName checks the name CREATE TABLE gives: schema, kind of table, reserved names,
// and whether it exists already.
func (c *checker) newTableName(cs *pg.CreateStmt) (name string, exists bool, err error) {
	rv := cs.Relation
	if rv == nil {
		return "", false, errf(StateSyntax, "missing table name")
	}
	if rv.Schemaname != "" && rv.Schemaname != "public" {
		return "", false, errAt(c.pos(rv.Location), "3F000", "schema %q does not exist", rv.Schemaname)
	}
	if rv.Relpersistence == "t" {
		return "", false, unsupported(c.pos(rv.Location), "temporary tables")
	}
	if len(cs.InhRelations) > 0 || cs.Partspec != nil || cs.OfTypename != nil {
		return "", false, unsupported(c.pos(rv.Location), "inheritance, partitions and typed tables")
	}
	name = rv.Relname
	if err := checkName("table", name, c.pos(rv.Location)); err != nil {
		return "", false, err
	}
	if _, ok := virtualTables[name]; ok || strings.HasPrefix(name, "raftplay_") {
		return "", false, errAt(c.pos(rv.Location), "42939", "table name %q is reserved for the catalog", name)
	}
	exists, err = c.relationExists(name)
	if err != nil {
		return "", false, err
	}
	if exists && !cs.IfNotExists {
		return "", false, errAt(c.pos(rv.Location), StateDuplicateTable, "relation %q already exists", name)
	}
	return name, exists, nil
}

// tableElements reads the columns and table constraints into t; it returns the UNIQUE
// column sets and the primary key's column names and position.
func (c *checker) tableElements(t *Table, cs *pg.CreateStmt) (uniques [][]int, pkNames []string, pkLoc int32, err error) {
	rv, name := cs.Relation, t.Name
	pkLoc = -1
	for _, el := range cs.TableElts {
		if cd := el.GetColumnDef(); cd != nil {
			col, pk, unique, err := c.columnDef(cd)
			if err != nil {
				return nil, nil, 0, err
			}
			if t.col(col.Name) >= 0 {
				return nil, nil, 0, errAt(c.pos(cd.Location), StateDuplicateColumn, "column %q specified more than once", col.Name)
			}
			t.Cols = append(t.Cols, col)
			if pk {
				if pkNames != nil {
					return nil, nil, 0, errAt(c.pos(cd.Location), "42P16", "multiple primary keys for table %q are not allowed", name)
				}
				pkNames = []string{col.Name}
				pkLoc = cd.Location
			}
			if unique {
				uniques = append(uniques, []int{len(t.Cols) - 1})
			}
			continue
		}
		con := el.GetConstraint()
		if con == nil {
			return nil, nil, 0, unsupported(c.pos(rv.Location), "this table element")
		}
		switch con.Contype {
		case pg.ConstrType_CONSTR_PRIMARY:
			if pkNames != nil {
				return nil, nil, 0, errAt(c.pos(con.Location), "42P16", "multiple primary keys for table %q are not allowed", name)
			}
			pkNames = nameList(con.Keys)
			pkLoc = con.Location
		case pg.ConstrType_CONSTR_UNIQUE:
			var cols []int
			for _, k := range nameList(con.Keys) {
				i := t.col(k)
				if i < 0 {
					return nil, nil, 0, errAt(c.pos(con.Location), StateUndefinedColumn, "column %q named in key does not exist", k)
				}
				cols = append(cols, i)
			}
			uniques = append(uniques, cols)
		default:
			return nil, nil, 0, unsupported(c.pos(con.Location), "this table constraint (only PRIMARY KEY and UNIQUE)")
		}
	}
	return uniques, pkNames, pkLoc, nil
}

// indexNames is the set of relation names (tables and indexes) in use.
func (c *checker) indexNames() (map[string]bool, error) {
	all, err := c.all()
	if err != nil {
		return nil, err
	}
	taken := map[string]bool{}
	for n, t := range all {
		if t == nil {
			continue
		}
		taken[n] = true
		for _, ix := range t.Indexes {
			taken[ix.Name] = true
		}
	}
	return taken, nil
}

// uniqueName picks name, or name1, name2, ... as PostgreSQL does for generated names.
func uniqueName(taken map[string]bool, name string) string {
	if len(name) > 63 {
		name = name[:63]
	}
	if !taken[name] {
		return name
	}
	for i := 1; ; i++ {
		n := fmt.Sprintf("%s%d", name, i)
		if !taken[n] {
			return n
		}
	}
}

// columnDef checks a column definition; pk and unique report column constraints.
func (c *checker) columnDef(cd *pg.ColumnDef) (col Column, pk, unique bool, err error) {
	if err := checkName("column", cd.Colname, c.pos(cd.Location)); err != nil {
		return col, false, false, err
	}
	t, length, serial, err := c.typeName(cd.TypeName)
	if err != nil {
		return col, false, false, err
	}
	col = Column{Name: cd.Colname, Type: t, Len: length, Serial: serial, NotNull: cd.IsNotNull || serial}
	if cd.RawDefault != nil {
		return col, false, false, unsupported(c.pos(cd.Location), "this column default")
	}
	if cd.CollClause != nil {
		return col, false, false, unsupported(c.pos(cd.Location), "COLLATE")
	}
	for _, n := range cd.Constraints {
		con := n.GetConstraint()
		if con == nil {
			return col, false, false, unsupported(c.pos(cd.Location), "this column constraint")
		}
		switch con.Contype {
		case pg.ConstrType_CONSTR_NOTNULL:
			col.NotNull = true
		case pg.ConstrType_CONSTR_NULL:
			if serial {
				return col, false, false, errAt(c.pos(con.Location), StateSyntax, "conflicting NULL/NOT NULL declarations for column %q", cd.Colname)
			}
			col.NotNull = false
		case pg.ConstrType_CONSTR_PRIMARY:
			pk = true
		case pg.ConstrType_CONSTR_UNIQUE:
			unique = true
		case pg.ConstrType_CONSTR_DEFAULT:
			if serial {
				return col, false, false, errAt(c.pos(con.Location), StateSyntax, "multiple default values specified for column %q", cd.Colname)
			}
			d, err := c.defaultExpr(con.RawExpr, &col)
			if err != nil {
				return col, false, false, err
			}
			col.Default = d
		default:
			return col, false, false, unsupported(c.pos(con.Location), "this column constraint (only PRIMARY KEY, UNIQUE, NOT NULL, NULL and DEFAULT)")
		}
	}
	return col, pk, unique, nil
}

// defaultExpr checks a column default: a constant expression, or now().
func (c *checker) defaultExpr(n *pg.Node, col *Column) (*Expr, error) {
	if fc := n.GetFuncCall(); fc != nil && len(fc.Args) == 0 {
		if name := lastName(fc.Funcname); name == "now" || name == "transaction_timestamp" {
			return c.nowDefault(col, fc.Location)
		}
	}
	if sv := n.GetSqlvalueFunction(); sv != nil && (sv.Op == pg.SQLValueFunctionOp_SVFOP_CURRENT_TIMESTAMP || sv.Op == pg.SQLValueFunctionOp_SVFOP_CURRENT_TIMESTAMP_N) {
		return c.nowDefault(col, sv.Location)
	}
	e, err := c.expr(n, &exprCtx{sc: &scope{}, clause: "DEFAULT expressions"})
	if err != nil {
		return nil, err
	}
	if e.K != kConst {
		return nil, unsupported(c.nodePos(n), "non-constant DEFAULT other than now()")
	}
	if !canAssign(e.T, col.Type) {
		return nil, errAt(c.nodePos(n), StateDatatypeMismatch, "column %q is of type %s but default expression is of type %s", col.Name, col.Type, e.T)
	}
	v, err := assignValue(e.V, orUnknownText(e.T), col)
	if err != nil {
		return nil, withPos(err, c.nodePos(n))
	}
	return constExpr(v, col.Type), nil
}

func orUnknownText(t Type) Type {
	if t == TUnknown {
		return TText
	}
	return t
}

func (c *checker) nowDefault(col *Column, loc int32) (*Expr, error) {
	if !col.Type.isTime() && !col.Type.isString() {
		return nil, errAt(c.pos(loc), StateDatatypeMismatch, "column %q is of type %s but default expression is of type timestamptz", col.Name, col.Type)
	}
	return &Expr{K: kNow, T: col.Type}, nil
}

func (c *checker) drop(ds *pg.DropStmt) (*Stmt, error) {
	var names []string
	for _, o := range ds.Objects {
		parts := nameList(o.GetList().GetItems())
		if len(parts) == 0 {
			return nil, errf(StateSyntax, "missing name in DROP")
		}
		if len(parts) > 2 || len(parts) == 2 && parts[0] != "public" {
			return nil, unsupported(c.pos(0), "DROP of %q", strings.Join(parts, "."))
		}
		names = append(names, parts[len(parts)-1])
	}
	switch ds.RemoveType {
	case pg.ObjectType_OBJECT_TABLE:
		var kept []string
		for _, n := range names {
			if _, ok := virtualTables[n]; ok {
				return nil, unsupported(c.pos(0), "dropping a catalog view")
			}
			t, err := c.table(n)
			if err != nil {
				return nil, err
			}
			if t == nil {
				if ds.MissingOk {
					continue
				}
				return nil, errAt(c.pos(0), StateUndefinedTable, "table %q does not exist", n)
			}
			c.tables[n] = nil
			kept = append(kept, n)
		}
		return &Stmt{Kind: sDropTable, Tag: "DROP TABLE", Drop: &Drop{Names: kept, IfExists: ds.MissingOk}}, nil
	case pg.ObjectType_OBJECT_INDEX:
		var kept []string
		for _, n := range names {
			t, err := c.indexOwner(n)
			if err != nil {
				return nil, err
			}
			if t == nil {
				if ds.MissingOk {
					continue
				}
				return nil, errAt(c.pos(0), StateUndefinedObject, "index %q does not exist", n)
			}
			nt := t.clone()
			nt.Indexes = nt.Indexes[:0]
			for _, ix := range t.Indexes {
				if ix.Name != n {
					nt.Indexes = append(nt.Indexes, ix)
				}
			}
			c.tables[t.Name] = nt
			kept = append(kept, n)
		}
		return &Stmt{Kind: sDropIndex, Tag: "DROP INDEX", Drop: &Drop{Names: kept, IfExists: ds.MissingOk}}, nil
	}
	return nil, unsupported(c.pos(0), "DROP of this kind of object")
}

func (c *checker) createIndex(is *pg.IndexStmt) (*Stmt, error) {
	t, err := c.rangeVarTable(is.Relation)
	if err != nil {
		return nil, err
	}
	if is.WhereClause != nil || len(is.IndexIncludingParams) > 0 || is.AccessMethod != "" && is.AccessMethod != "btree" {
		return nil, unsupported(c.pos(is.Relation.Location), "partial, covering and non-btree indexes")
	}
	var cols []int
	for _, p := range is.IndexParams {
		el := p.GetIndexElem()
		if el == nil || el.Expr != nil || el.Name == "" {
			return nil, unsupported(c.pos(is.Relation.Location), "expression indexes")
		}
		i := t.col(el.Name)
		if i < 0 {
			return nil, errAt(c.pos(is.Relation.Location), StateUndefinedColumn, "column %q does not exist", el.Name)
		}
		cols = append(cols, i)
	}
	if len(cols) == 0 {
		return nil, errf(StateSyntax, "index needs at least one column")
	}
	taken, err := c.indexNames()
	if err != nil {
		return nil, err
	}
	name := is.Idxname
	if name == "" {
		name = uniqueName(taken, t.Name+"_"+strings.Join(t.colNames(cols), "_")+"_idx")
	} else if err := checkName("index", name, c.pos(is.Relation.Location)); err != nil {
		return nil, err
	}
	ix := Index{Name: name, Cols: cols, Unique: is.Unique}
	if taken[name] {
		if !is.IfNotExists {
			return nil, errAt(c.pos(is.Relation.Location), StateDuplicateTable, "relation %q already exists", name)
		}
	} else {
		nt := t.clone()
		nt.Indexes = append(nt.Indexes, ix)
		c.tables[t.Name] = nt
	}
	return &Stmt{Kind: sCreateIndex, Tag: "CREATE INDEX", CreateIndex: &CreateIndex{Table: ref(t), Index: ix, IfNotExists: is.IfNotExists}}, nil
}

func (c *checker) alterTable(as *pg.AlterTableStmt) (*Stmt, error) {
	if as.Relkind != pg.ObjectType_OBJECT_TABLE {
		return nil, unsupported(c.pos(0), "ALTER of this kind of object")
	}
	if len(as.Cmds) != 1 {
		return nil, unsupported(c.pos(0), "ALTER TABLE with more than one action")
	}
	cmd := as.Cmds[0].GetAlterTableCmd()
	if cmd == nil || cmd.Subtype != pg.AlterTableType_AT_AddColumn {
		return nil, unsupported(c.pos(0), "this ALTER TABLE action (only ADD COLUMN)")
	}
	t, err := c.rangeVarTable(as.Relation)
	if err != nil {
		if as.MissingOk && errorsIsState(err, StateUndefinedTable) {
			return &Stmt{Kind: sTag, Tag: "ALTER TABLE"}, nil
		}
		return nil, err
	}
	cd := cmd.Def.GetColumnDef()
	if cd == nil {
		return nil, errf(StateSyntax, "missing column definition")
	}
	col, pk, unique, err := c.columnDef(cd)
	if err != nil {
		return nil, err
	}
	if pk {
		return nil, unsupported(c.pos(cd.Location), "adding a primary key column")
	}
	if t.col(col.Name) >= 0 {
		if cmd.MissingOk {
			return &Stmt{Kind: sTag, Tag: "ALTER TABLE"}, nil
		}
		return nil, errAt(c.pos(cd.Location), StateDuplicateColumn, "column %q of relation %q already exists", col.Name, t.Name)
	}
	st := &Stmt{Kind: sAddColumn, Tag: "ALTER TABLE", AddColumn: &AddColumn{Table: ref(t), Column: col}}
	nt := t.clone()
	nt.Cols = append(nt.Cols, col)
	if unique {
		taken, err := c.indexNames()
		if err != nil {
			return nil, err
		}
		ix := Index{Name: uniqueName(taken, t.Name+"_"+col.Name+"_key"), Cols: []int{len(nt.Cols) - 1}, Unique: true}
		nt.Indexes = append(nt.Indexes, ix)
		st.AddColumn.Index = &ix
	}
	c.tables[t.Name] = nt
	return st, nil
}

func errorsIsState(err error, state string) bool {
	e, ok := err.(*Error)
	return ok && e.SQLState == state
}
