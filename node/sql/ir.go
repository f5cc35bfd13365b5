package sql

import (
	"encoding/json"
	"math"
	"strconv"

	"github.com/cockroachdb/apd/v3"
)

// Expression kinds (Expr.K).
const (
	kConst    = "const"    // V of type T
	kCol      = "col"      // input column I
	kParam    = "param"    // $I, only in Describe
	kNow      = "now"      // the batch's timestamp (column defaults)
	kRandom   = "random"   // random() from the batch's seeded generator
	kBin      = "bin"      // A[0] Op A[1]: arithmetic, comparison, ||
	kNeg      = "neg"      // -A[0]
	kNot      = "not"      // NOT A[0]
	kAnd      = "and"      // A[0] AND A[1] AND ...
	kOr       = "or"       // A[0] OR A[1] OR ...
	kIsNull   = "isnull"   // A[0] IS NULL (N: IS NOT NULL)
	kIsBool   = "isbool"   // A[0] IS TRUE/FALSE (V: true/false; N: IS NOT)
	kIn       = "in"       // A[0] IN (A[1:]...) (N: NOT IN)
	kBetween  = "between"  // A[0] BETWEEN A[1] AND A[2] (N: NOT BETWEEN)
	kLike     = "like"     // A[0] LIKE A[1] (Op "ilike" for ILIKE; N: NOT)
	kCase     = "case"     // WHEN A[0] THEN A[1] ... [ELSE A[last] when I == 1]
	kCoalesce = "coalesce" // first non-NULL of A
	kNullIf   = "nullif"   // NULLIF(A[0], A[1])
	kCast     = "cast"     // A[0] converted to T (Len I for varchar(n))
	kFunc     = "func"     // scalar function Op(A...)
	kAgg      = "agg"      // aggregate slot I of the group row
	kOuter    = "outer"    // column I of the row of the query L levels out (correlation)
	kSub      = "sub"      // subquery Sub: Op scalar, exists, any or all (see exec_sub.go)
)

// Expr is a checked, typed expression in the batch's own form.
type Expr struct {
	K  string  `json:"k"`
	T  Type    `json:"t,omitempty"`
	V  any     `json:"v,omitempty"`
	I  int     `json:"i,omitempty"`
	Op string  `json:"op,omitempty"`
	A  []*Expr `json:"a,omitempty"`
	N  bool    `json:"n,omitempty"`
	// L is how many query levels out a kOuter reference reaches.
	L int `json:"l,omitempty"`
	// Sub is a kSub's query; C says it refers to a query outside it (it is run again for
	// every row instead of once); X is ANY/ALL's comparison, over the row [A[0], value].
	Sub *Query `json:"sub,omitempty"`
	C   bool   `json:"c,omitempty"`
	X   *Expr  `json:"x,omitempty"`
}

// UnmarshalJSON restores constants with their Go types (JSON numbers would otherwise all
// become float64, losing int64 precision).
func (e *Expr) UnmarshalJSON(b []byte) error {
	type plain Expr
	var p struct {
		plain
		V json.RawMessage `json:"v"`
	}
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	*e = Expr(p.plain)
	e.V = nil
	if len(p.V) == 0 || string(p.V) == "null" {
		return nil
	}
	var err error
	switch {
	case e.T.isInt():
		e.V, err = strconv.ParseInt(string(p.V), 10, 64)
	case e.T.isFloat():
		e.V, err = decodeFloatConst(p.V)
	case e.T == TNumeric:
		e.V, err = decodeNumericConst(p.V)
	case e.T == TBool:
		var v bool
		err = json.Unmarshal(p.V, &v)
		e.V = v
	default:
		var s string
		err = json.Unmarshal(p.V, &s)
		e.V = s
	}
	if err != nil {
		return errf(StateProtocol, "bad constant %s of type %s", p.V, e.T)
	}
	return nil
}

// MarshalJSON writes NaN and ±Infinity floats as strings, which JSON numbers cannot be.
// Numerics marshal as their text (apd.Decimal is a TextMarshaler), every digit kept.
func (e *Expr) MarshalJSON() ([]byte, error) {
	type plain Expr
	p := *(*plain)(e)
	if f, ok := p.V.(float64); ok && (math.IsNaN(f) || math.IsInf(f, 0)) {
		p.V = formatFloat(f, TFloat8)
	}
	return json.Marshal(p)
}

// decodeFloatConst reads a float constant: a JSON number, or the text of NaN or ±Infinity.
func decodeFloatConst(raw json.RawMessage) (float64, error) {
	if len(raw) > 0 && raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return 0, err
		}
		return parseFloat(TFloat8, s)
	}
	return strconv.ParseFloat(string(raw), 64)
}

// decodeNumericConst reads a numeric constant: its text as a JSON string, or (in batches
// written before numeric was exact) a JSON number, read digit for digit.
func decodeNumericConst(raw json.RawMessage) (*apd.Decimal, error) {
	s := string(raw)
	if len(raw) > 0 && raw[0] == '"' {
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, err
		}
	}
	return parseNumeric(s)
}

// Ref names a table a statement depends on, with the shape it was checked against.
type Ref struct {
	Name  string `json:"name"`
	Shape string `json:"shape"`
}

// Stmt is one checked statement.
type Stmt struct {
	Kind string `json:"kind"`
	// Tag is the command tag's verb ("SELECT", "INSERT", ...).
	Tag string `json:"tag"`

	CreateTable *CreateTable `json:"create_table,omitempty"`
	Drop        *Drop        `json:"drop,omitempty"`
	CreateIndex *CreateIndex `json:"create_index,omitempty"`
	AddColumn   *AddColumn   `json:"add_column,omitempty"`
	Insert      *Insert      `json:"insert,omitempty"`
	Update      *Update      `json:"update,omitempty"`
	Delete      *Delete      `json:"delete,omitempty"`
	Query       *Query       `json:"query,omitempty"`
}

// Statement kinds (Stmt.Kind).
const (
	sCreateTable = "create_table"
	sDropTable   = "drop_table"
	sCreateIndex = "create_index"
	sDropIndex   = "drop_index"
	sAddColumn   = "add_column"
	sInsert      = "insert"
	sUpdate      = "update"
	sDelete      = "delete"
	sSelect      = "select"
	sExplain     = "explain"
	sTag         = "tag" // BEGIN, COMMIT, ROLLBACK: answers only its tag
)

// CreateTable is CREATE TABLE.
type CreateTable struct {
	Table       Table `json:"table"`
	IfNotExists bool  `json:"if_not_exists,omitempty"`
}

// Drop is DROP TABLE / DROP INDEX.
type Drop struct {
	Names    []string `json:"names"`
	IfExists bool     `json:"if_exists,omitempty"`
}

// CreateIndex is CREATE INDEX.
type CreateIndex struct {
	Table       Ref   `json:"table"`
	Index       Index `json:"index"`
	IfNotExists bool  `json:"if_not_exists,omitempty"`
}

// AddColumn is ALTER TABLE ... ADD COLUMN.
type AddColumn struct {
	Table  Ref    `json:"table"`
	Column Column `json:"column"`
	Index  *Index `json:"index,omitempty"` // for a UNIQUE column
}

// Insert is INSERT. Cols maps each source value to a table column position; table
// columns not listed get their default (or the next serial value).
type Insert struct {
	Table      Ref       `json:"table"`
	Cols       []int     `json:"cols"`
	Values     [][]*Expr `json:"values,omitempty"` // VALUES rows (constant scope)
	Select     *Query    `json:"select,omitempty"` // INSERT ... SELECT
	DoNothing  bool      `json:"do_nothing,omitempty"`
	Returning  []*Expr   `json:"returning,omitempty"` // over the table row
	ReturnCols []Col     `json:"returning_cols,omitempty"`
}

// Update is UPDATE. Set expressions and Where see the old row.
type Update struct {
	Table      Ref     `json:"table"`
	Scan       *Access `json:"scan"`
	Where      *Expr   `json:"where,omitempty"`
	SetCols    []int   `json:"set_cols"`
	SetExprs   []*Expr `json:"set_exprs"`
	Returning  []*Expr `json:"returning,omitempty"`
	ReturnCols []Col   `json:"returning_cols,omitempty"`
}

// Delete is DELETE.
type Delete struct {
	Table      Ref     `json:"table"`
	Scan       *Access `json:"scan"`
	Where      *Expr   `json:"where,omitempty"`
	Returning  []*Expr `json:"returning,omitempty"`
	ReturnCols []Col   `json:"returning_cols,omitempty"`
}

// Col is a result column.
type Col struct {
	Name string `json:"name"`
	Type Type   `json:"type"`
}

// Query is a checked SELECT.
type Query struct {
	From     []*Source  `json:"from,omitempty"`
	Where    *Expr      `json:"where,omitempty"`
	Grouped  bool       `json:"grouped,omitempty"`
	Group    []*Expr    `json:"group,omitempty"`
	Aggs     []*Agg     `json:"aggs,omitempty"`
	Having   *Expr      `json:"having,omitempty"`
	Out      []*Expr    `json:"out"`
	Cols     []Col      `json:"cols"`
	Distinct bool       `json:"distinct,omitempty"`
	Sort     []*SortKey `json:"sort,omitempty"`
	Limit    *Expr      `json:"limit,omitempty"`
	Offset   *Expr      `json:"offset,omitempty"`
	// With is the query's common table expressions, materialized before it runs.
	With []*CTE `json:"with,omitempty"`
	// Set makes the query a UNION, INTERSECT or EXCEPT of two queries; Values makes it a
	// VALUES list. Either way Cols are its columns, Sort keys are output positions (O),
	// and From, Where, Out and the grouping are unused.
	Set    *SetOp    `json:"set,omitempty"`
	Values [][]*Expr `json:"values,omitempty"`
}

// SetOp is a compound query: L Op R, with duplicates kept when All.
type SetOp struct {
	Op  string `json:"op"` // "union", "intersect", "except"
	All bool   `json:"all,omitempty"`
	L   *Query `json:"l"`
	R   *Query `json:"r"`
}

// CTE is one WITH item. ID is unique in the statement; sources name it by ID. A recursive
// one is Query (the non-recursive term) UNION [ALL] Rec, run until Rec adds no rows.
type CTE struct {
	ID    int    `json:"id"`
	Name  string `json:"name"`
	Cols  []Col  `json:"cols"`
	Query *Query `json:"query"`
	Rec   *Query `json:"rec,omitempty"`
	All   bool   `json:"all,omitempty"` // UNION ALL between the terms
}

// Source is one FROM item: a table (or catalog view) joined to the ones before it.
type Source struct {
	Table   Ref     `json:"table"`
	Virtual string  `json:"virtual,omitempty"` // catalog view name instead of a table
	Alias   string  `json:"alias,omitempty"`
	Join    string  `json:"join,omitempty"` // "", "inner", "left", "cross"
	On      *Expr   `json:"on,omitempty"`   // over the columns of this and earlier sources
	Width   int     `json:"width"`
	Scan    *Access `json:"scan,omitempty"` // how rows are found; for a joined table, per outer row
	// Sub is a derived table (a subquery or VALUES in FROM), CTE a WITH item by ID, and
	// Series generate_series(A...) (a kFunc): each read once into rows, like a view.
	Sub    *Query `json:"sub,omitempty"`
	CTE    int    `json:"cte,omitempty"`
	Series *Expr  `json:"series,omitempty"`

	tab   *Table // set while checking, for planning
	start int    // position of the first column in the joined row
}

// Agg is one aggregate call; its value is slot I of the group row.
type Agg struct {
	Fn       string `json:"fn"` // count, sum, avg, min, max
	Arg      *Expr  `json:"arg,omitempty"`
	Star     bool   `json:"star,omitempty"`
	Distinct bool   `json:"distinct,omitempty"`
	T        Type   `json:"t"`
	// Filter is FILTER (WHERE ...): rows it does not keep are not aggregated. Sep is
	// string_agg's delimiter; Order its ORDER BY, keys over the input row (E only).
	Filter *Expr      `json:"filter,omitempty"`
	Sep    *Expr      `json:"sep,omitempty"`
	Order  []*SortKey `json:"order,omitempty"`
}

// SortKey is one ORDER BY key: output column O (1-based) or expression E.
type SortKey struct {
	O          int   `json:"o,omitempty"`
	E          *Expr `json:"e,omitempty"`
	Desc       bool  `json:"desc,omitempty"`
	NullsFirst bool  `json:"nulls_first,omitempty"`
}

// Access is how rows of the first FROM table are found.
type Access struct {
	Kind  string  `json:"kind"`            // "seq", "pk", "index"
	Index string  `json:"index,omitempty"` // index name for "index"
	Col   int     `json:"col"`             // table column the range is on
	Eq    []*Expr `json:"eq,omitempty"`    // = / IN values
	Lo    *Expr   `json:"lo,omitempty"`
	Hi    *Expr   `json:"hi,omitempty"`
	LoInc bool    `json:"lo_inc,omitempty"`
	HiInc bool    `json:"hi_inc,omitempty"`
	Desc  bool    `json:"desc,omitempty"`    // iterate in descending order
	Order bool    `json:"ordered,omitempty"` // the scan order is the query's ORDER BY
	Desc2 string  `json:"text,omitempty"`    // condition as text, for EXPLAIN
}
