package sqllex

import (
	"fmt"
	"strings"
	"testing"

	pg "github.com/pganalyze/pg_query_go/v2"
)

// checkAgainstPostgres compares the statement boundaries and comments the scanner finds in
// text with those PostgreSQL's own lexer (compiled into pg_query_go) finds, for a text that
// lexer accepts. A boundary the two disagree on would let a request's statements be cut in
// one place by the guard and in another by the parser.
func checkAgainstPostgres(t *testing.T, text string) {
	t.Helper()
	if strings.IndexByte(text, 0) >= 0 {
		return // the C lexer stops at a zero byte; the guard rejects one before lexing
	}
	res, err := pg.Scan(text)
	if err != nil {
		return
	}
	var want []string
	for _, tk := range res.Tokens {
		switch tk.Token {
		case pg.Token_ASCII_59, pg.Token_SQL_COMMENT, pg.Token_C_COMMENT:
			want = append(want, fmt.Sprintf("%q@%d", text[tk.Start:tk.End], tk.Start))
		}
	}
	var got []string
	for s := NewScanner(text); ; {
		tk, ok := s.Next()
		if !ok {
			break
		}
		if tk.Kind == Semicolon || tk.Kind == Comment && !insideStringContinuation(res, tk) {
			got = append(got, fmt.Sprintf("%q@%d", tk.Text, tk.Pos))
		}
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("%q:\nsqllex   %v\npostgres %v", text, got, want)
	}
}

// insideStringContinuation reports a comment PostgreSQL counts as part of a string: between
// 'a' and 'b' in 'a' -- c <newline> 'b' (one string constant, "ab").
func insideStringContinuation(res *pg.ScanResult, c Token) bool {
	for _, tk := range res.Tokens {
		if int(tk.Start) < c.Pos && c.End() <= int(tk.End) {
			return true
		}
	}
	return false
}

// TestAgreesWithPostgres checks texts that once split differently, or could.
func TestAgreesWithPostgres(t *testing.T) {
	for _, text := range []string{
		"SELECT 1; SELECT 2;",
		"SELECT 'a;b'; SELECT E'c\\';d'; SELECT 'e\\'; SELECT 1",
		`SELECT "a;""b"; SELECT 1`,
		"SELECT $$;$$; SELECT $t$ $$; $t$; SELECT $1;",
		"SELECT 1$$;$$; SELECT $1$a$;$a$",
		"SELECT $$a$$$$;$$; SELECT $t$b$t$$$;$$",
		"SELECT 1e';'; SELECT 1",
		"SELECT a$b$c; SELECT 1",
		"SELECT 1 -- ;\n; SELECT 2 --x\r; SELECT 3",
		"SELECT /* ; /* ; */ ; */ 1; SELECT 2",
		"SELECT 'a' -- c;\n 'b'; SELECT 2",
		"SELECT x';', b';', n';', U&';', U&\";\"; SELECT 1",
		"SELECT 1.;SELECT .5;SELECT 1..2;",
		"SELECT +/* ; */-1; SELECT 2",
	} {
		checkScan(t, text)
		checkAgainstPostgres(t, text)
	}
}
