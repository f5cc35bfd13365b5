package sql

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
)

func TestSplit(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []string
	}{
		{"SELECT 1; SELECT 2", []string{"SELECT 1", " SELECT 2"}},
		{"SELECT ';'; SELECT 'it''s;'", []string{"SELECT ';'", " SELECT 'it''s;'"}},
		{`SELECT E'a\';b'; SELECT 1`, []string{`SELECT E'a\';b'`, " SELECT 1"}},
		{`SELECT "a;b" FROM t;`, []string{`SELECT "a;b" FROM t`}},
		{"SELECT $$a;b$$; SELECT $x$;$y$;$x$", []string{"SELECT $$a;b$$", " SELECT $x$;$y$;$x$"}},
		{"SELECT 1 -- c;omment\n; /* a; /* nested; */ b; */ SELECT 2", []string{"SELECT 1 -- c;omment\n", " /* a; /* nested; */ b; */ SELECT 2"}},
		{"SELECT $1; SELECT $2", []string{"SELECT $1", " SELECT $2"}},
		{" ; ;; -- only comments\n", nil},
		// PostgreSQL ends a -- comment at \r too, and starts a dollar quote right after
		// another one closes.
		{"SELECT 1 --x\r; SELECT 2", []string{"SELECT 1 --x\r", " SELECT 2"}},
		{"SELECT $$a$$$$;$$; SELECT 1$$;$$", []string{"SELECT $$a$$$$;$$", " SELECT 1$$;$$"}},
	} {
		ps, _, err := split(c.in)
		if err != nil {
			t.Fatalf("%q: %v", c.in, err)
		}
		var got []string
		for _, p := range ps {
			got = append(got, p.text)
			if c.in[p.offset:p.offset+len(p.text)] != p.text {
				t.Fatalf("%q: bad offset %d", c.in, p.offset)
			}
		}
		if fmt.Sprintf("%q", got) != fmt.Sprintf("%q", c.want) {
			t.Errorf("split(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	for _, bad := range []struct {
		in       string
		position int // 1-based, where the open token starts (the end of the text for a comment)
	}{
		{"SELECT 'abc", 8},
		{`SELECT E'abc\'`, 9},
		{`SELECT "abc`, 8},
		{"SELECT $$abc", 8},
		{"SELECT 1; SELECT $a$ $b$", 18},
		{"SELECT 1 /* open /* nested */", 29},
	} {
		_, _, err := split(bad.in)
		var e *Error
		if !errors.As(err, &e) || e.SQLState != StateSyntax || e.Position != bad.position {
			t.Errorf("split(%q): want a syntax error at %d, got %v", bad.in, bad.position, err)
		}
	}
}

func TestSizeGuard(t *testing.T) {
	e := NewEngine(DefaultLimits())
	db := openDB(t)
	huge := "SELECT 1" + strings.Repeat("+1", (1<<20)/2)
	cases := map[string]string{
		"1 MiB expression":   huge,
		"one big statement":  "SELECT 1" + strings.Repeat("+1", 9000),
		"too many":           strings.Repeat("SELECT 1;", 101),
		"deep parens":        "SELECT " + strings.Repeat("(", 3000) + "1" + strings.Repeat(")", 3000),
		"long unary chain":   "SELECT " + strings.Repeat("- ", 2500) + "1",
		"long NOT chain":     "SELECT " + strings.Repeat("NOT ", 2100) + "true",
		"nested functions":   "SELECT " + strings.Repeat("abs(", 2100) + "1" + strings.Repeat(")", 2100),
		"over request limit": strings.Repeat("SELECT 1;", 1) + strings.Repeat(" ", 1<<20),
	}
	for name, sql := range cases {
		_, err := prepare(e, db, sql)
		if !errors.Is(err, ErrTooLarge) {
			t.Errorf("%s: want SQLSTATE 54000, got %v", name, err)
		}
	}
	// Within the limits: long IN lists and many AND terms stay accepted.
	ok := []string{
		"SELECT 1 IN (" + strings.Repeat("1,", 3000) + "1)",
		"SELECT true" + strings.Repeat(" AND 1 = 1", 600),
		strings.Repeat("SELECT 1;", 100),
	}
	for _, sql := range ok {
		if _, err := prepare(e, db, sql); err != nil {
			t.Errorf("%.40s...: %v", sql, err)
		}
	}
}

// The parser in pg_query_go kills the process (SIGSEGV, not recoverable) on very deep
// expressions. This test runs the largest inputs the guard lets through, and a few it
// rejects, in a child process, and requires the child to survive.
func TestGuardKeepsParserAlive(t *testing.T) {
	if os.Getenv("RAFTPLAY_SQL_PARSER_CHILD") == "1" {
		parserChild()
		return
	}
	if testing.Short() {
		t.Skip("spawns a child process")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestGuardKeepsParserAlive$", "-test.v")
	cmd.Env = append(os.Environ(), "RAFTPLAY_SQL_PARSER_CHILD=1")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "parser child done") {
		t.Fatalf("child died: %v\n%s", err, tail(string(out), 2000))
	}
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

// parserChild feeds Prepare inputs just under and over every limit.
func parserChild() {
	e := NewEngine(DefaultLimits())
	db, _ := openChildDB()
	max := DefaultLimits().MaxStatementBytes
	gen := map[string]func(n int) string{
		"plus":   func(n int) string { return "SELECT 1" + strings.Repeat("+1", n) },
		"cast":   func(n int) string { return "SELECT 1" + strings.Repeat("::int", n) },
		"concat": func(n int) string { return "SELECT 'a'" + strings.Repeat("||'a'", n) },
		"neg":    func(n int) string { return "SELECT " + strings.Repeat("-(", n) + "1" + strings.Repeat(")", n) },
		"not":    func(n int) string { return "SELECT " + strings.Repeat("NOT ", n) + "true" },
		"paren":  func(n int) string { return "SELECT " + strings.Repeat("(", n) + "1" + strings.Repeat(")", n) },
		"func":   func(n int) string { return "SELECT " + strings.Repeat("abs(", n) + "1" + strings.Repeat(")", n) },
		"case": func(n int) string {
			return "SELECT " + strings.Repeat("CASE WHEN true THEN ", n) + "1" + strings.Repeat(" END", n)
		},
		"and": func(n int) string { return "SELECT true" + strings.Repeat(" AND true", n) },
		"in":  func(n int) string { return "SELECT 1 IN (1" + strings.Repeat(",1", n) + ")" },
		"sub": func(n int) string {
			return strings.Repeat("SELECT * FROM (", n) + "SELECT 1" + strings.Repeat(") a", n)
		},
	}
	for name, g := range gen {
		for _, n := range []int{100, 1000, 1900, 2000, 2100, 4000, max / 2, max} {
			sql := g(n)
			_, err := prepare(e, db, sql)
			fmt.Printf("%s n=%d len=%d: %v\n", name, n, len(sql), sqlState(err))
		}
	}
	// Many statements each just under the limits.
	one := "SELECT 1" + strings.Repeat("+1", maxNesting-10) + ";"
	_, err := prepare(e, db, strings.Repeat(one, 60))
	fmt.Printf("many deep statements: %v\n", sqlState(err))
	fmt.Println("parser child done")
}
