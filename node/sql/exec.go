package sql

import (
	"fmt"
	"math/rand/v2"
	"strconv"

	"github.com/raftplay/raftplay/node/wire"
	"github.com/tidwall/buntdb"
	"github.com/tidwall/gjson"
)

// executor runs one batch. Table definitions are cached for the batch and written back
// (counters included) after each statement.
type executor struct {
	tx     Tx
	b      *Batch
	rng    *rand.Rand
	tables map[string]*Table // nil value: known not to exist
	dirty  map[string]bool
	m      *meter
	// visited counts rows the scans touched (tests use it to see that plans avoid scans).
	visited int
	// outer is the row env of the query the running one is a subquery of (nil at the
	// top); a subquery runs on a copy of the executor with its own outer.
	outer *env
	// subs caches what uncorrelated subqueries returned, for the statement; ctes holds
	// the WITH items of the queries running (exec_sub.go). Copies share both.
	subs map[*Expr][][]any
	ctes map[int]*cteState
}

func newExecutor(tx Tx, b *Batch, m *meter) *executor {
	return &executor{
		tx:     tx,
		b:      b,
		m:      m,
		rng:    rand.New(rand.NewPCG(b.Seed, 0x9e3779b97f4a7c15)),
		tables: map[string]*Table{},
		dirty:  map[string]bool{},
		subs:   map[*Expr][][]any{},
		ctes:   map[int]*cteState{},
	}
}

func (x *executor) env(row []any) *env {
	return &env{row: row, now: x.b.Now, rng: x.rng, m: x.m, outer: x.outer, x: x}
}

func (x *executor) lookup(name string) (*Table, error) {
	if t, ok := x.tables[name]; ok {
		return t, nil
	}
	t, err := loadTable(x.tx, name)
	if err != nil {
		return nil, err
	}
	x.tables[name] = t
	return t, nil
}

// table re-validates a reference at apply time: the table must still exist with the
// columns the statement was checked against (another batch may have changed it since).
func (x *executor) table(r Ref) (*Table, error) {
	t, err := x.lookup(r.Name)
	if err != nil {
		return nil, err
	}
	if t == nil {
		return nil, errf(StateUndefinedTable, "relation %q does not exist", r.Name)
	}
	if t.shape() != r.Shape {
		return nil, errf(StateSerialization, "table %q changed since the statement was checked; retry", r.Name)
	}
	return t, nil
}

func (x *executor) markDirty(t *Table) {
	x.tables[t.Name] = t
	x.dirty[t.Name] = true
}

// putRow writes one row, counted against the batch's budget: each text value, the row
// count and the bytes written.
func (x *executor) putRow(key string, row []any) error {
	for _, v := range row {
		if s, ok := v.(string); ok {
			if err := x.m.text(len(s)); err != nil {
				return err
			}
		}
	}
	val := encodeRow(row)
	if err := x.m.wrote(key, val); err != nil {
		return err
	}
	if err := x.tx.Set(key, val); err != nil {
		return fmt.Errorf("write row: %w", err)
	}
	return nil
}

// deleteRow deletes one row, counted against the batch's row budget.
func (x *executor) deleteRow(key string) error {
	if err := x.m.wrote(key, ""); err != nil {
		return err
	}
	if err := x.tx.Delete(key); err != nil {
		return fmt.Errorf("delete row: %w", err)
	}
	return nil
}

// flush writes changed table definitions, in name order for determinism.
func (x *executor) flush() error {
	if len(x.dirty) == 0 {
		return nil
	}
	names := make([]string, 0, len(x.dirty))
	for n := range x.dirty {
		names = append(names, n)
	}
	sortStrings(names)
	for _, n := range names {
		if t := x.tables[n]; t != nil {
			if err := saveTable(x.tx, t); err != nil {
				return err
			}
		}
	}
	x.dirty = map[string]bool{}
	return nil
}

func (x *executor) run(s *Stmt) (wire.SQLResult, error) {
	clear(x.subs) // a statement's subqueries see the rows the ones before it left
	clear(x.ctes)
	switch s.Kind {
	case sTag:
		return wire.SQLResult{Command: s.Tag}, nil
	case sSelect:
		if s.Query == nil {
			break
		}
		return x.selectResult(s.Query)
	case sExplain:
		if s.Query == nil {
			break
		}
		return x.explain(s.Query)
	case sInsert:
		if s.Insert == nil {
			break
		}
		return x.insert(s.Insert)
	case sUpdate:
		if s.Update == nil {
			break
		}
		return x.update(s.Update)
	case sDelete:
		if s.Delete == nil {
			break
		}
		return x.delete(s.Delete)
	case sCreateTable:
		if s.CreateTable == nil {
			break
		}
		return x.createTable(s.CreateTable)
	case sDropTable:
		if s.Drop == nil {
			break
		}
		return x.dropTable(s.Drop)
	case sCreateIndex:
		if s.CreateIndex == nil {
			break
		}
		return x.createIndex(s.CreateIndex)
	case sDropIndex:
		if s.Drop == nil {
			break
		}
		return x.dropIndex(s.Drop)
	case sAddColumn:
		if s.AddColumn == nil {
			break
		}
		return x.addColumn(s.AddColumn)
	}
	return wire.SQLResult{}, errf(StateProtocol, "malformed %q statement", s.Kind)
}

// --- DDL ---

// relationTaken reports whether a table or index already uses name.
func (x *executor) relationTaken(name string) (bool, error) {
	t, err := x.lookup(name)
	if err != nil || t != nil {
		return t != nil, err
	}
	owner, err := x.indexOwner(name)
	return owner != nil, err
}

func (x *executor) indexOwner(name string) (*Table, error) {
	ts, err := allTables(x.tx)
	if err != nil {
		return nil, err
	}
	for _, t := range ts {
		if cached, ok := x.tables[t.Name]; ok {
			t = cached
		}
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

func (x *executor) createTable(ct *CreateTable) (wire.SQLResult, error) {
	res := wire.SQLResult{Command: "CREATE TABLE"}
	t := ct.Table.clone()
	t.markFormat()
	if err := checkName("table", t.Name, 0); err != nil {
		return res, err
	}
	if err := t.validate(); err != nil {
		return res, err
	}
	taken, err := x.relationTaken(t.Name)
	if err != nil {
		return res, err
	}
	if taken {
		if ct.IfNotExists {
			return res, nil
		}
		return res, errf(StateDuplicateTable, "relation %q already exists", t.Name)
	}
	for _, ix := range t.Indexes {
		if err := checkName("index", ix.Name, 0); err != nil {
			return res, err
		}
		if taken, err := x.relationTaken(ix.Name); err != nil || taken {
			if err != nil {
				return res, err
			}
			return res, errf(StateDuplicateTable, "relation %q already exists", ix.Name)
		}
	}
	t.RowID = 0
	for i := range t.Cols {
		t.Cols[i].Seq = 0
	}
	for _, ix := range t.Indexes {
		if err := createBuntIndex(x.tx, t, ix); err != nil {
			return res, err
		}
	}
	x.markDirty(t)
	return res, nil
}

// tableKeys lists the row keys of a table.
func (x *executor) tableKeys(t *Table) ([]string, error) {
	var keys []string
	p := rowKeyPrefix(t.Name)
	err := x.tx.Bunt().AscendRange("", p, prefixEnd(p), func(k, _ string) bool {
		keys = append(keys, k)
		return true
	})
	return keys, err
}

func (x *executor) dropTable(d *Drop) (wire.SQLResult, error) {
	res := wire.SQLResult{Command: "DROP TABLE"}
	for _, name := range d.Names {
		t, err := x.lookup(name)
		if err != nil {
			return res, err
		}
		if t == nil {
			if d.IfExists {
				continue
			}
			return res, errf(StateUndefinedTable, "table %q does not exist", name)
		}
		for _, ix := range t.Indexes {
			if err := dropBuntIndex(x.tx, ix.Name); err != nil {
				return res, err
			}
		}
		keys, err := x.tableKeys(t)
		if err != nil {
			return res, err
		}
		for _, k := range keys {
			if err := x.tx.Delete(k); err != nil {
				return res, fmt.Errorf("delete row: %w", err)
			}
		}
		if err := x.tx.Delete(catalogKey(name)); err != nil {
			return res, fmt.Errorf("delete catalog entry: %w", err)
		}
		x.tables[name] = nil
		delete(x.dirty, name)
	}
	return res, nil
}

func dropBuntIndex(tx Tx, name string) error {
	if err := tx.Bunt().DropIndex(buntIndexName(name)); err != nil && err != buntdb.ErrNotFound {
		return fmt.Errorf("drop index %q: %w", name, err)
	}
	return nil
}

func (x *executor) createIndex(ci *CreateIndex) (wire.SQLResult, error) {
	res := wire.SQLResult{Command: "CREATE INDEX"}
	t, err := x.table(ci.Table)
	if err != nil {
		return res, err
	}
	ix := ci.Index
	if err := checkName("index", ix.Name, 0); err != nil {
		return res, err
	}
	if len(ix.Cols) == 0 {
		return res, errf(StateProtocol, "index without columns")
	}
	for _, p := range ix.Cols {
		if p < 0 || p >= len(t.Cols) {
			return res, errf(StateProtocol, "index on column %d of %q", p, t.Name)
		}
	}
	taken, err := x.relationTaken(ix.Name)
	if err != nil {
		return res, err
	}
	if taken {
		if ci.IfNotExists {
			return res, nil
		}
		return res, errf(StateDuplicateTable, "relation %q already exists", ix.Name)
	}
	nt := t.clone()
	nt.Indexes = append(nt.Indexes, ix)
	if err := createBuntIndex(x.tx, nt, ix); err != nil {
		return res, err
	}
	if ix.Unique {
		if err := x.checkUniqueData(nt, ix); err != nil {
			return res, err
		}
	}
	x.markDirty(nt)
	return res, nil
}

// checkUniqueData verifies existing rows against a new unique index: equal non-NULL
// neighbours in index order are duplicates.
func (x *executor) checkUniqueData(t *Table, ix Index) error {
	var prev []any
	var dup error
	err := x.tx.Bunt().Ascend(buntIndexName(ix.Name), func(_, raw string) bool {
		vals, err := indexValues(raw, t, ix)
		if err != nil {
			dup = err
			return false
		}
		if vals == nil {
			prev = nil
			return true
		}
		if prev != nil && equalValues(prev, vals) {
			dup = errf(StateUniqueViolation, "could not create unique index %q: key %s is duplicated", ix.Name, keyText(t, ix.Cols, vals))
			return false
		}
		prev = vals
		return true
	})
	return firstErr(dup, err)
}

// indexValues reads an index's columns from a stored row; nil if any is NULL.
func indexValues(raw string, t *Table, ix Index) ([]any, error) {
	vals := make([]any, len(ix.Cols))
	for i, p := range ix.Cols {
		v, err := jsonToValue(gjson.Get(raw, strconv.Itoa(p)), t.Cols[p].Type)
		if err != nil {
			return nil, err
		}
		if v == nil {
			return nil, nil
		}
		vals[i] = v
	}
	return vals, nil
}

func equalValues(a, b []any) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if c, ok := compareValues(a[i], b[i]); !ok || c != 0 {
			return false
		}
	}
	return true
}

func keyText(t *Table, cols []int, vals []any) string {
	s := "("
	for i, p := range cols {
		if i > 0 {
			s += ", "
		}
		s += t.Cols[p].Name
	}
	s += ")=("
	for i, v := range vals {
		if i > 0 {
			s += ", "
		}
		if i < len(cols) {
			s += toText(v, t.Cols[cols[i]].Type)
		}
	}
	return s + ")"
}

func (x *executor) dropIndex(d *Drop) (wire.SQLResult, error) {
	res := wire.SQLResult{Command: "DROP INDEX"}
	for _, name := range d.Names {
		t, err := x.indexOwner(name)
		if err != nil {
			return res, err
		}
		if t == nil {
			if d.IfExists {
				continue
			}
			return res, errf(StateUndefinedObject, "index %q does not exist", name)
		}
		nt := t.clone()
		nt.Indexes = nt.Indexes[:0]
		for _, ix := range t.Indexes {
			if ix.Name != name {
				nt.Indexes = append(nt.Indexes, ix)
			}
		}
		if err := dropBuntIndex(x.tx, name); err != nil {
			return res, err
		}
		x.markDirty(nt)
	}
	return res, nil
}

func (x *executor) addColumn(ac *AddColumn) (wire.SQLResult, error) {
	res := wire.SQLResult{Command: "ALTER TABLE"}
	t, err := x.table(ac.Table)
	if err != nil {
		return res, err
	}
	col := ac.Column
	if err := checkName("column", col.Name, 0); err != nil {
		return res, err
	}
	if !col.Type.valid() {
		return res, errf(StateProtocol, "column of unknown type %q", col.Type)
	}
	if t.col(col.Name) >= 0 {
		return res, errf(StateDuplicateColumn, "column %q of relation %q already exists", col.Name, t.Name)
	}
	col.Seq = 0
	nt := t.clone()
	nt.Cols = append(nt.Cols, col)
	nt.markFormat()
	newCol := &nt.Cols[len(nt.Cols)-1]
	// Existing rows get the default (or serial values, in key order), as PostgreSQL does.
	keys, err := x.tableKeys(t)
	if err != nil {
		return res, err
	}
	for _, k := range keys {
		raw, _, err := x.tx.Get(k)
		if err != nil {
			return res, err
		}
		row, err := decodeRow(raw, t.Cols)
		if err != nil {
			return res, err
		}
		v, err := x.defaultValue(nt, newCol)
		if err != nil {
			return res, err
		}
		if v == nil && newCol.NotNull {
			return res, errf(StateNotNullViolation, "column %q of relation %q contains null values", col.Name, t.Name)
		}
		if err := x.putRow(k, append(row, v)); err != nil {
			return res, err
		}
	}
	if ac.Index != nil {
		ix := *ac.Index
		ix.Cols = []int{len(nt.Cols) - 1}
		ix.Unique = true
		if taken, err := x.relationTaken(ix.Name); err != nil || taken {
			if err != nil {
				return res, err
			}
			return res, errf(StateDuplicateTable, "relation %q already exists", ix.Name)
		}
		nt.Indexes = append(nt.Indexes, ix)
		if err := createBuntIndex(x.tx, nt, ix); err != nil {
			return res, err
		}
		if err := x.checkUniqueData(nt, ix); err != nil {
			return res, err
		}
	}
	x.markDirty(nt)
	return res, nil
}

// defaultValue is the value a column gets when none is given: the next serial value,
// the default, or NULL.
func (x *executor) defaultValue(t *Table, col *Column) (any, error) {
	if col.Serial {
		if col.Seq == maxOf(col.Type) {
			return nil, errf("2200H", "nextval: reached maximum value of sequence for %s.%s", t.Name, col.Name)
		}
		col.Seq++
		x.dirty[t.Name] = true
		return col.Seq, nil
	}
	if col.Default == nil {
		return nil, nil
	}
	v, err := eval(col.Default, x.env(nil))
	if err != nil {
		return nil, err
	}
	return assignValue(v, orUnknownText(col.Default.T), col)
}

func maxOf(t Type) int64 {
	_, hi := intRange(t)
	return hi
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}
