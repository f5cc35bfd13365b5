package oracle

import (
	"bufio"
	"fmt"
	"os"
	"regexp"
	"strings"
)

// Statement is one statement of a corpus and how its answer is compared.
type Statement struct {
	File string
	Line int
	SQL  string
	// Query statements return rows; they are run in every protocol and format.
	Query bool
	// Ordered answers are compared row by row; the others as multisets.
	Ordered bool
}

// Where names the statement for reports and the known-differences list.
func (s Statement) Where() string { return fmt.Sprintf("%s:%d", s.File, s.Line) }

var orderBy = regexp.MustCompile(`(?is)\border\s+by\b`)

func isQuery(sql string) bool {
	f := strings.ToUpper(strings.TrimLeft(sql, " \t\n("))
	return strings.HasPrefix(f, "SELECT") || strings.HasPrefix(f, "VALUES") || strings.HasPrefix(f, "WITH") ||
		strings.HasPrefix(f, "TABLE ") || strings.Contains(f, " RETURNING ")
}

// ReadSQL reads a corpus of the project's own: statements end with ";" at the end of a
// line; "--" lines are comments, and "-- unordered" or "-- ordered" before a statement
// overrides whether its rows are compared in order (by default: when it has ORDER BY).
func ReadSQL(path, name string) ([]Statement, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []Statement
	var buf []string
	start, order := 0, ""
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for ln := 1; sc.Scan(); ln++ {
		line := sc.Text()
		trim := strings.TrimSpace(line)
		if len(buf) == 0 {
			switch {
			case trim == "":
				continue
			case trim == "-- ordered" || trim == "-- unordered":
				order = trim[3:]
				continue
			case strings.HasPrefix(trim, "--"):
				continue
			}
			start = ln
		}
		buf = append(buf, line)
		if strings.HasSuffix(trim, ";") {
			sql := strings.TrimSuffix(strings.TrimSpace(strings.Join(buf, "\n")), ";")
			st := Statement{File: name, Line: start, SQL: sql, Query: isQuery(sql), Ordered: orderBy.MatchString(sql)}
			if order != "" {
				st.Ordered = order == "ordered"
			}
			out = append(out, st)
			buf, order = nil, ""
		}
	}
	if len(buf) > 0 {
		return nil, fmt.Errorf("%s:%d: statement without a closing ';'", name, start)
	}
	return out, sc.Err()
}

// ReadSLT reads a sqllogictest file as the engine "postgresql": records under "skipif
// postgresql" or "onlyif <another engine>" are left out, and "halt" ends the file. Only the
// statements are kept (the expected answers are SQLite's; PostgreSQL is the oracle here).
func ReadSLT(path, name string) ([]Statement, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	lines := strings.Split(strings.ReplaceAll(string(raw), "\r\n", "\n"), "\n")
	var out []Statement
	skip := false
	for i := 0; i < len(lines); i++ {
		f := strings.Fields(lines[i])
		if len(f) == 0 || strings.HasPrefix(f[0], "#") {
			continue
		}
		switch f[0] {
		case "skipif":
			skip = skip || len(f) > 1 && f[1] == "postgresql"
			continue
		case "onlyif":
			skip = skip || len(f) > 1 && f[1] != "postgresql"
			continue
		case "halt":
			if !skip {
				return out, nil
			}
			skip = false
			continue
		case "hash-threshold":
			continue
		case "statement", "query":
		default:
			return nil, fmt.Errorf("%s:%d: unknown record %q", name, i+1, f[0])
		}
		start := i + 1
		var sql []string
		for i++; i < len(lines) && strings.TrimSpace(lines[i]) != "" && lines[i] != "----"; i++ {
			sql = append(sql, lines[i])
		}
		for ; i < len(lines) && strings.TrimSpace(lines[i]) != ""; i++ { // expected answer
		}
		if !skip {
			text := strings.Join(sql, "\n")
			q := f[0] == "query"
			out = append(out, Statement{File: name, Line: start, SQL: text, Query: q,
				Ordered: q && len(f) > 2 && f[2] == "nosort" && orderBy.MatchString(text)})
		}
		skip = false
	}
	return out, nil
}
