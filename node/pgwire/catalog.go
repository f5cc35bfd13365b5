package pgwire

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/raftplay/raftplay/node/wire"
)

// The engine has no pg_catalog. psql's \dt, \d and \d NAME send catalog queries; the
// server recognises those by their shape and answers them from raftplay_tables and
// raftplay_columns, and it answers the few functions drivers call after connecting
// (version(), current_schema(), ...). Any other catalog query gets a clear 0A000.

// catalogWords are names whose presence makes a statement a catalog query.
var catalogWords = map[string]bool{
	"pg_catalog": true, "pg_class": true, "pg_namespace": true, "pg_type": true, "pg_attribute": true,
	"pg_index": true, "pg_database": true, "pg_settings": true, "pg_roles": true, "pg_user": true,
	"pg_tables": true, "pg_proc": true, "pg_description": true, "pg_am": true, "pg_constraint": true,
	"pg_stat_activity": true, "pg_indexes": true, "pg_views": true, "pg_extension": true,
}

// catalogFuncs are functions the server answers when a statement is just SELECT f().
var catalogFuncs = regexp.MustCompile(`(?is)^select\s+(?:pg_catalog\.)?(version|current_database|current_schema|current_user|session_user|current_catalog|current_role|pg_backend_pid)\s*(?:\(\s*\))?\s*(?:as\s+"?(\w+)"?)?\s*$`)

func isCatalogQuery(s stmt) bool {
	for _, t := range s.toks {
		if t.kind == tWord && catalogWords[t.val] {
			return true
		}
	}
	return s.word(0) == "select" && catalogFuncs.MatchString(s.text)
}

var (
	reRelname   = regexp.MustCompile(`c\.relname OPERATOR\(pg_catalog\.~\) '((?:[^']|'')*)'`)
	reNspname   = regexp.MustCompile(`n\.nspname OPERATOR\(pg_catalog\.~\) '((?:[^']|'')*)'`)
	reAliases   = regexp.MustCompile(`(?i)\bas "([^"]+)"`)
	reRelkinds  = regexp.MustCompile(`c\.relkind IN \(([^)]*)\)`)
	reOID       = regexp.MustCompile(`(?:c\.oid|attrelid|indrelid|inhrelid|inhparent|conrelid|polrelid|stxrelid|prrelid|tgrelid|ev_class) = '(\d+)'`)
	firstOIDQry = regexp.MustCompile(`(?s)^SELECT c\.oid,\s*n\.nspname,\s*c\.relname\s+FROM pg_catalog\.pg_class c`)
)

// tableOIDBase numbers tables in name order for \d's follow-up queries, which name the
// table by the OID the first query returned.
const tableOIDBase = 16384

type catalogTable struct {
	name    string
	pk      string // "a, b"
	indexes []string
	cols    []catalogColumn
}

type catalogColumn struct {
	name, typ, def string
	notNull        bool
}

func (c *conn) catalogTables() ([]catalogTable, error) {
	res, err := c.execSQL("SELECT name, primary_key, indexes FROM raftplay_tables ORDER BY name", nil)
	if err != nil {
		return nil, err
	}
	var out []catalogTable
	idx := map[string]int{}
	for _, r := range res[0].Rows {
		t := catalogTable{name: str(r[0]), pk: str(r[1])}
		if ix := str(r[2]); ix != "" {
			t.indexes = strings.Split(ix, ", ")
		}
		idx[t.name] = len(out)
		out = append(out, t)
	}
	res, err = c.execSQL("SELECT table_name, column_name, type, nullable, default_value FROM raftplay_columns ORDER BY table_name, position", nil)
	if err != nil {
		return nil, err
	}
	for _, r := range res[0].Rows {
		if i, ok := idx[str(r[0])]; ok {
			out[i].cols = append(out[i].cols, catalogColumn{name: str(r[1]), typ: str(r[2]), def: str(r[4]), notNull: r[3] == false})
		}
	}
	return out, nil
}

func str(v any) string {
	if v == nil {
		return ""
	}
	if s, ok := v.(string); ok {
		return s
	}
	return fmt.Sprint(v)
}

// catalog answers a catalog query.
func (c *conn) catalog(s stmt) ([]wire.SQLResult, error) {
	if m := catalogFuncs.FindStringSubmatch(s.text); m != nil && s.word(0) == "select" {
		return c.catalogFunc(strings.ToLower(m[1]), m[2]), nil
	}
	q := s.text
	switch {
	case strings.Contains(q, "pg_catalog.pg_class c") && strings.Contains(q, `as "Name"`) && reRelkinds.MatchString(q):
		return c.listRelations(q)
	case firstOIDQry.MatchString(q):
		return c.findRelation(q)
	case strings.Contains(q, "pg_catalog.pg_class") && strings.Contains(q, "c.relchecks"):
		return c.relationInfo(q)
	case strings.Contains(q, "pg_catalog.pg_attribute a") && strings.Contains(q, "a.attname"):
		return c.relationColumns(q)
	case strings.Contains(q, "pg_catalog.pg_index i") && strings.Contains(q, "indisprimary"):
		return c.relationIndexes(q)
	case reOID.MatchString(q):
		// The rest of \d NAME (policies, statistics, publications, inheritance, triggers,
		// constraints): none of these exist here.
		return []wire.SQLResult{{Columns: []wire.SQLColumn{{Name: "none", Type: "text"}}, Command: "SELECT 0"}}, nil
	}
	return nil, &pgError{Code: stateFeatureNotSupported, Message: "catalog query not supported; use SELECT * FROM raftplay_tables or raftplay_columns",
		Hint: "psql's \\dt and \\d NAME work; other pg_catalog queries do not."}
}

func (c *conn) catalogFunc(fn, alias string) []wire.SQLResult {
	name := fn
	if alias != "" {
		name = alias
	}
	var v any
	typ := "text"
	switch fn {
	case "version":
		v = "PostgreSQL " + c.settings["server_version"] + " (raftplay over hashicorp/raft)"
	case "current_database", "current_catalog":
		v = c.database
	case "current_schema":
		v = "public"
	case "pg_backend_pid":
		v, typ = int64(c.pid), "integer"
	default:
		v = c.user
	}
	return []wire.SQLResult{{Columns: []wire.SQLColumn{{Name: name, Type: typ}}, Rows: [][]any{{v}}, Command: "SELECT 1"}}
}

// patternMatches applies a psql name pattern (a POSIX regular expression) to a name.
func patternMatches(q string, re *regexp.Regexp, name string) bool {
	m := re.FindStringSubmatch(q)
	if m == nil {
		return true
	}
	rx, err := regexp.Compile(strings.ReplaceAll(m[1], "''", "'"))
	return err == nil && rx.MatchString(name)
}

// listRelations answers \dt and \d (and their + forms) with the tables.
func (c *conn) listRelations(q string) ([]wire.SQLResult, error) {
	var aliases []string
	for _, m := range reAliases.FindAllStringSubmatch(q, -1) {
		aliases = append(aliases, m[1])
	}
	res := wire.SQLResult{}
	for _, a := range aliases {
		res.Columns = append(res.Columns, wire.SQLColumn{Name: a, Type: "text"})
	}
	kinds := reRelkinds.FindStringSubmatch(q)[1]
	if !strings.Contains(kinds, "'r'") || !patternMatches(q, reNspname, "public") {
		res.Command = "SELECT 0"
		return []wire.SQLResult{res}, nil
	}
	tables, err := c.catalogTables()
	if err != nil {
		return nil, err
	}
	for _, t := range tables {
		if !patternMatches(q, reRelname, t.name) {
			continue
		}
		row := make([]any, len(aliases))
		for i, a := range aliases {
			switch a {
			case "Schema":
				row[i] = "public"
			case "Name":
				row[i] = t.name
			case "Type":
				row[i] = "table"
			case "Owner":
				row[i] = c.user
			case "Persistence":
				row[i] = "permanent"
			case "Access method":
				row[i] = "buntdb"
			case "Size":
				row[i] = ""
			case "Description":
				row[i] = ""
			}
		}
		res.Rows = append(res.Rows, row)
	}
	res.Command = "SELECT " + strconv.Itoa(len(res.Rows))
	return []wire.SQLResult{res}, nil
}

// findRelation is \d NAME's first query: the OID, schema and name of matching tables.
func (c *conn) findRelation(q string) ([]wire.SQLResult, error) {
	res := wire.SQLResult{Columns: []wire.SQLColumn{{Name: "oid", Type: "text"}, {Name: "nspname", Type: "text"}, {Name: "relname", Type: "text"}}}
	if patternMatches(q, reNspname, "public") {
		tables, err := c.catalogTables()
		if err != nil {
			return nil, err
		}
		for i, t := range tables {
			if patternMatches(q, reRelname, t.name) {
				res.Rows = append(res.Rows, []any{strconv.Itoa(tableOIDBase + i), "public", t.name})
			}
		}
	}
	res.Command = "SELECT " + strconv.Itoa(len(res.Rows))
	return []wire.SQLResult{res}, nil
}

// tableByOID resolves the OID in a follow-up query of \d NAME.
func (c *conn) tableByOID(q string) (*catalogTable, error) {
	m := reOID.FindStringSubmatch(q)
	if m == nil {
		return nil, nil
	}
	oid, _ := strconv.Atoi(m[1])
	tables, err := c.catalogTables()
	if err != nil {
		return nil, err
	}
	if i := oid - tableOIDBase; i >= 0 && i < len(tables) {
		return &tables[i], nil
	}
	return nil, nil
}

func textCols(names ...string) []wire.SQLColumn {
	cols := make([]wire.SQLColumn, len(names))
	for i, n := range names {
		cols[i] = wire.SQLColumn{Name: n, Type: "text"}
	}
	return cols
}

// relationInfo is the pg_class row of a table (psql reads its columns by position).
func (c *conn) relationInfo(q string) ([]wire.SQLResult, error) {
	t, err := c.tableByOID(q)
	if err != nil {
		return nil, err
	}
	res := wire.SQLResult{Columns: textCols("relchecks", "relkind", "relhasindex", "relhasrules", "relhastriggers",
		"relrowsecurity", "relforcerowsecurity", "relhasoids", "relispartition", "reloptions", "reltablespace",
		"reloftype", "relpersistence", "relreplident", "amname")}
	res.Columns[2].Type = "boolean"
	for i := 3; i <= 8; i++ {
		res.Columns[i].Type = "boolean"
	}
	if t != nil {
		hasIndex := t.pk != "" || len(t.indexes) > 0
		res.Rows = [][]any{{"0", "r", hasIndex, false, false, false, false, false, false, "", "0", "", "p", "d", "buntdb"}}
	}
	res.Command = "SELECT " + strconv.Itoa(len(res.Rows))
	return []wire.SQLResult{res}, nil
}

// relationColumns is the pg_attribute list of a table.
func (c *conn) relationColumns(q string) ([]wire.SQLResult, error) {
	t, err := c.tableByOID(q)
	if err != nil {
		return nil, err
	}
	res := wire.SQLResult{Columns: textCols("attname", "format_type", "pg_get_expr", "attnotnull", "attcollation", "attidentity", "attgenerated")}
	res.Columns[3].Type = "boolean"
	if t != nil {
		for _, col := range t.cols {
			var def any
			if col.def != "" {
				def = col.def
			}
			res.Rows = append(res.Rows, []any{col.name, col.typ, def, col.notNull, nil, "", ""})
		}
	}
	res.Command = "SELECT " + strconv.Itoa(len(res.Rows))
	return []wire.SQLResult{res}, nil
}

// relationIndexes lists the primary key and indexes of a table. The engine's catalog
// views give index names but not their columns, so only the key shows its columns.
func (c *conn) relationIndexes(q string) ([]wire.SQLResult, error) {
	t, err := c.tableByOID(q)
	if err != nil {
		return nil, err
	}
	res := wire.SQLResult{Columns: textCols("relname", "indisprimary", "indisunique", "indisclustered", "indisvalid",
		"pg_get_indexdef", "pg_get_constraintdef", "contype", "condeferrable", "condeferred", "indisreplident", "reltablespace")}
	for _, i := range []int{1, 2, 3, 4, 8, 9, 10} {
		res.Columns[i].Type = "boolean"
	}
	if t != nil {
		if t.pk != "" {
			def := fmt.Sprintf("CREATE UNIQUE INDEX %s_pkey ON public.%s USING btree (%s)", t.name, t.name, t.pk)
			res.Rows = append(res.Rows, []any{t.name + "_pkey", true, true, false, true, def, "PRIMARY KEY (" + t.pk + ")", "p", false, false, false, "0"})
		}
		for _, ix := range t.indexes {
			def := fmt.Sprintf("CREATE INDEX %s ON public.%s USING btree", ix, t.name)
			res.Rows = append(res.Rows, []any{ix, false, false, false, true, def, nil, nil, false, false, false, "0"})
		}
	}
	res.Command = "SELECT " + strconv.Itoa(len(res.Rows))
	return []wire.SQLResult{res}, nil
}
