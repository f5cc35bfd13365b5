package pgwire

import (
	"fmt"
	"testing"
)

// TestSplitStatements pins what the server reads from a query string: statement texts from
// their first token, offsets into the query, words lower-cased, strings and identifiers
// unquoted, parameters as their digits.
func TestSplitStatements(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []string // per statement: offset, text, then kind:value of every token
	}{
		{"BEGIN; /* c; */ SET search_path = 'My''s', \"X\"\"y\";", []string{
			`0 "BEGIN" [0:begin]`,
			`16 "SET search_path = 'My''s', \"X\"\"y\"" [0:set 0:search_path 5:= 2:My's 5:, 1:X"y]`,
		}},
		{"  select $1, $$a;b$$ -- x;\n ; ;", []string{
			`2 "select $1, $$a;b$$ -- x;\n " [0:select 3:1 5:, 2:a;b]`,
		}},
		{`SHOW e'a\'b'`, []string{`0 "SHOW e'a\\'b'" [0:show 2:a'b]`}},
		{"INSERT INTO t VALUES (1.5e3, 'open", []string{
			`0 "INSERT INTO t VALUES (1.5e3, 'open" [0:insert 0:into 0:t 0:values 5:( 4:1.5e3 5:, 2:open]`,
		}},
		{" -- nothing\n;", nil},
	} {
		var got []string
		for _, s := range splitStatements(c.in) {
			if c.in[s.offset:s.offset+len(s.text)] != s.text {
				t.Errorf("%q: offset %d does not hold %q", c.in, s.offset, s.text)
			}
			var toks []string
			for _, tk := range s.toks {
				toks = append(toks, fmt.Sprintf("%d:%s", tk.kind, tk.val))
				if (tk.kind == tOp || tk.kind == tNumber) && s.text[tk.pos:tk.end] != tk.val {
					t.Errorf("%q: token %+v is not at its position", c.in, tk)
				}
			}
			got = append(got, fmt.Sprintf("%d %q %v", s.offset, s.text, toks))
		}
		if fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("%q:\n got %q\nwant %q", c.in, got, c.want)
		}
	}
}

func TestRenumberParams(t *testing.T) {
	for _, c := range []struct {
		in    string
		shift int
		want  string
	}{
		{"INSERT INTO t VALUES ($1, $2)", 0, "INSERT INTO t VALUES ($1, $2)"},
		{"INSERT INTO t VALUES ($1, $2)", 3, "INSERT INTO t VALUES ($4, $5)"},
		{"SELECT '$1', \"$1\", $$ $1 $$, $10 -- $1", 2, "SELECT '$1', \"$1\", $$ $1 $$, $12 -- $1"},
	} {
		s := splitStatements(c.in)
		if len(s) != 1 {
			t.Fatalf("%q: %d statements", c.in, len(s))
		}
		if got := renumberParams(s[0], c.shift); got != c.want {
			t.Errorf("renumberParams(%q, %d) = %q, want %q", c.in, c.shift, got, c.want)
		}
	}
}
