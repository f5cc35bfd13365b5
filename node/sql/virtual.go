package sql

import (
	"strings"
)

// virtualTables are the read-only catalog views, by the name a query uses.
var virtualTables = map[string][]Col{
	"raftplay_tables": {
		{Name: "name", Type: TText}, {Name: "columns", Type: TInt4}, {Name: "rows", Type: TInt8},
		{Name: "primary_key", Type: TText}, {Name: "indexes", Type: TText},
	},
	"raftplay_columns": {
		{Name: "table_name", Type: TText}, {Name: "column_name", Type: TText}, {Name: "position", Type: TInt4},
		{Name: "type", Type: TText}, {Name: "nullable", Type: TBool}, {Name: "default_value", Type: TText},
		{Name: "primary_key", Type: TBool},
	},
	"information_schema.tables": {
		{Name: "table_catalog", Type: TText}, {Name: "table_schema", Type: TText},
		{Name: "table_name", Type: TText}, {Name: "table_type", Type: TText},
	},
	"information_schema.columns": {
		{Name: "table_catalog", Type: TText}, {Name: "table_schema", Type: TText},
		{Name: "table_name", Type: TText}, {Name: "column_name", Type: TText},
		{Name: "ordinal_position", Type: TInt4}, {Name: "column_default", Type: TText},
		{Name: "is_nullable", Type: TText}, {Name: "data_type", Type: TText},
		{Name: "character_maximum_length", Type: TInt4},
	},
}

func virtualName(schema, name string) string {
	if schema == "information_schema" {
		return "information_schema." + name
	}
	return name
}

func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// virtualRows computes a catalog view from the catalog, in table then column order.
func (x *executor) virtualRows(name string) ([][]any, error) {
	tables, err := allTables(x.tx)
	if err != nil {
		return nil, err
	}
	var rows [][]any
	for _, t := range tables {
		switch name {
		case "raftplay_tables":
			n, err := countRows(x.tx, t.Name)
			if err != nil {
				return nil, err
			}
			var ixs []string
			for _, ix := range t.Indexes {
				ixs = append(ixs, ix.Name)
			}
			rows = append(rows, []any{t.Name, int64(len(t.Cols)), n, nullIfEmpty(strings.Join(t.colNames(t.PK), ", ")), nullIfEmpty(strings.Join(ixs, ", "))})
		case "information_schema.tables":
			rows = append(rows, []any{"raftplay", "public", t.Name, "BASE TABLE"})
		case "raftplay_columns", "information_schema.columns":
			for i, c := range t.Cols {
				inPK := false
				for _, p := range t.PK {
					inPK = inPK || p == i
				}
				if name == "raftplay_columns" {
					rows = append(rows, []any{t.Name, c.Name, int64(i + 1), columnTypeName(c), !c.NotNull, nullIfEmpty(defaultText(c)), inPK})
					continue
				}
				nullable := "YES"
				if c.NotNull {
					nullable = "NO"
				}
				var maxLen any
				if c.Len > 0 {
					maxLen = int64(c.Len)
				}
				def := defaultText(c)
				if c.Serial {
					def = "nextval('" + t.Name + "_" + c.Name + "_seq'::regclass)"
				}
				rows = append(rows, []any{"raftplay", "public", t.Name, c.Name, int64(i + 1), nullIfEmpty(def), nullable, infoSchemaType(c.Type), maxLen})
			}
		default:
			return nil, errf(StateUndefinedTable, "relation %q does not exist", name)
		}
	}
	return rows, nil
}

// infoSchemaType is the data_type information_schema.columns reports.
func infoSchemaType(t Type) string {
	switch t {
	case TVarchar:
		return "character varying"
	case TChar:
		return "character"
	case TTimestamp:
		return "timestamp without time zone"
	case TTimestamptz:
		return "timestamp with time zone"
	}
	return string(t)
}
