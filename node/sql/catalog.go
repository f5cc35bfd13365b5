package sql

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"sort"
	"strconv"
	"strings"

	"github.com/tidwall/buntdb"
)

// Table is a table's catalog entry, stored as JSON at sql/c/<name>.
type Table struct {
	Name    string   `json:"name"`
	Cols    []Column `json:"cols"`
	PK      []int    `json:"pk,omitempty"`      // primary key column positions; none: hidden rowid
	Indexes []Index  `json:"indexes,omitempty"` // secondary indexes, incl. those of UNIQUE constraints
	RowID   int64    `json:"rowid,omitempty"`   // last hidden rowid handed out
	Format  int      `json:"format,omitempty"`  // how numerics are stored (formatExact), for migrations
}

// Column is one column of a table.
type Column struct {
	Name    string `json:"name"`
	Type    Type   `json:"type"`
	Len     int    `json:"len,omitempty"` // varchar(n) / char(n)
	NotNull bool   `json:"notnull,omitempty"`
	Default *Expr  `json:"default,omitempty"` // constant or now()
	Serial  bool   `json:"serial,omitempty"`
	Seq     int64  `json:"seq,omitempty"` // last serial value handed out
}

// Index is a secondary index: a BuntDB index named "sql:"+Name over the table's rows.
type Index struct {
	Name   string `json:"name"`
	Cols   []int  `json:"cols"`
	Unique bool   `json:"unique,omitempty"`
}

// TableInfo describes a table for listings.
type TableInfo struct {
	Name       string       `json:"name"`
	Columns    []ColumnInfo `json:"columns"`
	PrimaryKey []string     `json:"primary_key,omitempty"`
	Rows       int64        `json:"rows"`
	Indexes    []IndexInfo  `json:"indexes,omitempty"`
}

// ColumnInfo is one column of a TableInfo.
type ColumnInfo struct {
	Name     string `json:"name"`
	Type     string `json:"type"`
	Nullable bool   `json:"nullable"`
	Default  string `json:"default,omitempty"`
}

// IndexInfo is one index of a TableInfo.
type IndexInfo struct {
	Name    string   `json:"name"`
	Columns []string `json:"columns"`
	Unique  bool     `json:"unique"`
}

func (t *Table) col(name string) int {
	for i := range t.Cols {
		if t.Cols[i].Name == name {
			return i
		}
	}
	return -1
}

func (t *Table) types() []Type {
	out := make([]Type, len(t.Cols))
	for i, c := range t.Cols {
		out[i] = c.Type
	}
	return out
}

// shape fingerprints what checked statements depend on: column names, types, order.
func (t *Table) shape() string {
	h := fnv.New64a()
	for _, c := range t.Cols {
		fmt.Fprintf(h, "%s\x00%s\x00%d\x00", c.Name, c.Type, c.Len)
	}
	return strconv.FormatUint(h.Sum64(), 36)
}

func (t *Table) clone() *Table {
	c := *t
	c.Cols = append([]Column(nil), t.Cols...)
	c.PK = append([]int(nil), t.PK...)
	c.Indexes = append([]Index(nil), t.Indexes...)
	return &c
}

// rowKey is the storage key of a row: the encoded primary key, or the rowid.
func (t *Table) rowKey(row []any, rowid int64) string {
	b := []byte(rowKeyPrefix(t.Name))
	if len(t.PK) == 0 {
		return string(encodeKeyPart(b, rowid))
	}
	for _, p := range t.PK {
		b = encodeKeyPart(b, row[p])
	}
	return string(b)
}

func (t *Table) colTypes(pos []int) []Type {
	out := make([]Type, len(pos))
	for i, p := range pos {
		if p >= 0 && p < len(t.Cols) {
			out[i] = t.Cols[p].Type
		}
	}
	return out
}

func (t *Table) colNames(pos []int) []string {
	out := make([]string, len(pos))
	for i, p := range pos {
		if p >= 0 && p < len(t.Cols) {
			out[i] = t.Cols[p].Name
		}
	}
	return out
}

// loadTable reads a table definition; nil if it does not exist.
func loadTable(tx Tx, name string) (*Table, error) {
	raw, ok, err := tx.Get(catalogKey(name))
	if err != nil {
		return nil, fmt.Errorf("read catalog entry %q: %w", name, err)
	}
	if !ok {
		return nil, nil
	}
	var t Table
	if err := json.Unmarshal([]byte(raw), &t); err != nil {
		return nil, errf(StateDataCorrupted, "catalog entry %q is corrupt: %v", name, err)
	}
	if err := t.validate(); err != nil {
		return nil, err
	}
	return &t, nil
}

// validate guards Execute against a catalog entry it cannot use safely.
func (t *Table) validate() error {
	for _, c := range t.Cols {
		if !c.Type.valid() {
			return errf(StateDataCorrupted, "catalog entry %q has column of unknown type %q", t.Name, c.Type)
		}
	}
	check := func(pos []int) error {
		for _, p := range pos {
			if p < 0 || p >= len(t.Cols) {
				return errf(StateDataCorrupted, "catalog entry %q refers to column %d", t.Name, p)
			}
		}
		return nil
	}
	if err := check(t.PK); err != nil {
		return err
	}
	for _, ix := range t.Indexes {
		if err := check(ix.Cols); err != nil {
			return err
		}
	}
	return nil
}

func saveTable(tx Tx, t *Table) error {
	b, err := json.Marshal(t)
	if err != nil {
		return fmt.Errorf("encode catalog entry %q: %w", t.Name, err)
	}
	if err := tx.Set(catalogKey(t.Name), string(b)); err != nil {
		return fmt.Errorf("write catalog entry %q: %w", t.Name, err)
	}
	return nil
}

// allTables reads every catalog entry in name order.
func allTables(tx Tx) ([]*Table, error) {
	var names []string
	err := tx.Bunt().AscendRange("", catalogPrefix, prefixEnd(catalogPrefix), func(k, _ string) bool {
		names = append(names, strings.TrimPrefix(k, catalogPrefix))
		return true
	})
	if err != nil {
		return nil, fmt.Errorf("list catalog: %w", err)
	}
	out := make([]*Table, 0, len(names))
	for _, n := range names {
		t, err := loadTable(tx, n)
		if err != nil {
			return nil, err
		}
		if t != nil {
			out = append(out, t)
		}
	}
	return out, nil
}

// createBuntIndex creates the BuntDB index behind a secondary index.
func createBuntIndex(tx Tx, t *Table, ix Index) error {
	err := tx.Bunt().CreateIndex(buntIndexName(ix.Name), rowKeyPrefix(t.Name)+"*", lessFunc(ix.Cols, t.colTypes(ix.Cols)))
	if err != nil && err != buntdb.ErrIndexExists {
		return fmt.Errorf("create index %q: %w", ix.Name, err)
	}
	return nil
}

// RestoreIndexes recreates the BuntDB indexes the catalog lists (BuntDB's Save/Load keeps
// data but not indexes), after migrating tables an earlier release stored (migrateTable).
// Call it on a write transaction after loading a snapshot.
func RestoreIndexes(tx Tx) error {
	tables, err := allTables(tx)
	if err != nil {
		return fmt.Errorf("restore indexes: %w", err)
	}
	for _, t := range tables {
		if err := migrateTable(tx, t); err != nil {
			return err
		}
		for _, ix := range t.Indexes {
			if err := createBuntIndex(tx, t, ix); err != nil {
				return fmt.Errorf("restore indexes: %w", err)
			}
		}
	}
	return nil
}

// countRows counts the rows of a table.
func countRows(tx Tx, name string) (int64, error) {
	var n int64
	p := rowKeyPrefix(name)
	err := tx.Bunt().AscendRange("", p, prefixEnd(p), func(_, _ string) bool {
		n++
		return true
	})
	return n, err
}

// Tables lists every table with its columns, row count and indexes, by name.
func Tables(tx Tx) ([]TableInfo, error) {
	tables, err := allTables(tx)
	if err != nil {
		return nil, err
	}
	out := make([]TableInfo, 0, len(tables))
	for _, t := range tables {
		n, err := countRows(tx, t.Name)
		if err != nil {
			return nil, fmt.Errorf("count rows of %q: %w", t.Name, err)
		}
		info := TableInfo{Name: t.Name, Rows: n, PrimaryKey: t.colNames(t.PK)}
		for _, c := range t.Cols {
			info.Columns = append(info.Columns, ColumnInfo{Name: c.Name, Type: columnTypeName(c), Nullable: !c.NotNull, Default: defaultText(c)})
		}
		for _, ix := range t.Indexes {
			info.Indexes = append(info.Indexes, IndexInfo{Name: ix.Name, Columns: t.colNames(ix.Cols), Unique: ix.Unique})
		}
		out = append(out, info)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// columnTypeName is the declared type as PostgreSQL prints it.
func columnTypeName(c Column) string {
	name := string(c.Type)
	if c.Serial {
		switch c.Type {
		case TInt8:
			name = "bigserial"
		case TInt2:
			name = "smallserial"
		default:
			name = "serial"
		}
	}
	switch {
	case c.Len > 0 && c.Type == TNumeric:
		return numericTypeName(c.Len)
	case c.Len > 0:
		name += "(" + strconv.Itoa(c.Len) + ")"
	}
	return name
}

func defaultText(c Column) string {
	if c.Default == nil {
		return ""
	}
	if c.Default.K == kNow {
		return "now()"
	}
	if c.Default.V == nil {
		return "NULL"
	}
	if c.Type.storedAsText() {
		return "'" + strings.ReplaceAll(toText(c.Default.V, c.Type), "'", "''") + "'"
	}
	return toText(c.Default.V, c.Type)
}
