package sqllex

import (
	"fmt"
	"strings"
	"testing"
)

// tok is a token in a test table: its kind and text.
type tok struct {
	k    Kind
	text string
}

func tokens(text string) []tok {
	var out []tok
	for s := NewScanner(text); ; {
		t, ok := s.Next()
		if !ok {
			return out
		}
		out = append(out, tok{t.Kind, t.Text})
	}
}

func TestTokens(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []tok
	}{
		{"SELECT a1$b, _x FROM t", []tok{{Word, "SELECT"}, {Word, "a1$b"}, {Op, ","}, {Word, "_x"}, {Word, "FROM"}, {Word, "t"}}},
		{`'it''s' "a""b" E'\'' e'x'`, []tok{{String, `'it''s'`}, {QuotedIdent, `"a""b"`}, {String, `E'\''`}, {String, `e'x'`}}},
		{`'\' x`, []tok{{String, `'\'`}, {Word, "x"}}}, // a backslash is an ordinary byte outside E'...'
		{"$1 $23x $$a;b$$ $t1$x$$t1$ $1$a$", []tok{{Param, "$1"}, {Param, "$23"}, {Word, "x"}, {String, "$$a;b$$"}, {String, "$t1$x$$t1$"}, {Param, "$1"}, {String, "$a$"}}},
		{"$ $1x $9$", []tok{{Op, "$"}, {Param, "$1"}, {Word, "x"}, {Param, "$9"}, {Op, "$"}}},
		{"1 1.5 .5 1e5 1E-5 1e x", []tok{{Number, "1"}, {Number, "1.5"}, {Number, ".5"}, {Number, "1e5"}, {Number, "1E-5"}, {Number, "1"}, {Word, "e"}, {Word, "x"}}},
		{"1e'a' 1$$b$$", []tok{{Number, "1"}, {String, "e'a'"}, {Number, "1"}, {String, "$$b$$"}}},
		{"a<>-b::int", []tok{{Word, "a"}, {Op, "<"}, {Op, ">"}, {Op, "-"}, {Word, "b"}, {Op, ":"}, {Op, ":"}, {Word, "int"}}},
		{"a -- c;d\nb --e\rf", []tok{{Word, "a"}, {Comment, "-- c;d"}, {Word, "b"}, {Comment, "--e"}, {Word, "f"}}},
		{"a /* x /* y; */ z */ b", []tok{{Word, "a"}, {Comment, "/* x /* y; */ z */"}, {Word, "b"}}},
		{"a;;b", []tok{{Word, "a"}, {Semicolon, ";"}, {Semicolon, ";"}, {Word, "b"}}},
		{" \t\n\r\f\v", nil},
		{"héllo", []tok{{Word, "héllo"}}},
	} {
		if got := tokens(c.in); fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("%q:\n got %v\nwant %v", c.in, got, c.want)
		}
	}
}

func TestUnterminated(t *testing.T) {
	for _, c := range []struct {
		in   string
		kind Kind
	}{
		{"SELECT 'abc", String},
		{`SELECT E'abc\'`, String},
		{`SELECT "abc`, QuotedIdent},
		{"SELECT $$abc", String},
		{"SELECT $a$abc$b$", String},
		{"SELECT 1 /* open /* nested */", Comment},
	} {
		var last Token
		for s := NewScanner(c.in); ; {
			t, ok := s.Next()
			if !ok {
				break
			}
			last = t
		}
		if !last.Unterminated || last.Kind != c.kind || last.End() != len(c.in) {
			t.Errorf("%q: last token %+v, want an unterminated %d to the end", c.in, last, c.kind)
		}
	}
	if s := NewScanner("'a' /* b */ \"c\" $$d$$"); true {
		for t0, ok := s.Next(); ok; t0, ok = s.Next() {
			if t0.Unterminated {
				t.Errorf("%+v marked unterminated", t0)
			}
		}
	}
}

func TestValue(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`'it''s'`, "it's"},
		{`'a\nb'`, `a\nb`},
		{`E'a\'b\\c\n'`, `a'b\cn`},
		{`"My ""Table"""`, `My "Table"`},
		{"$$a'b$$", "a'b"},
		{"$x$a$$b$x$", "a$$b"},
		{"'open", "open"},
		{"$t$open", "open"},
		{"Word", "Word"},
	} {
		s := NewScanner(c.in)
		tk, _ := s.Next()
		if got := tk.Value(); got != c.want {
			t.Errorf("Value of %q = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestSplit(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []string // each statement's text, Start to End
	}{
		{"SELECT 1; SELECT 2", []string{"SELECT 1", " SELECT 2"}},
		{"SELECT ';'; SELECT 'it''s;'", []string{"SELECT ';'", " SELECT 'it''s;'"}},
		{`SELECT E'a\';b'; SELECT 1`, []string{`SELECT E'a\';b'`, " SELECT 1"}},
		{`SELECT "a;b" FROM t;`, []string{`SELECT "a;b" FROM t`}},
		{"SELECT $$a;b$$; SELECT $x$;$y$;$x$", []string{"SELECT $$a;b$$", " SELECT $x$;$y$;$x$"}},
		{"SELECT 1 -- c;omment\n; /* a; /* nested; */ b; */ SELECT 2", []string{"SELECT 1 -- c;omment\n", " /* a; /* nested; */ b; */ SELECT 2"}},
		{"SELECT $1; SELECT $2", []string{"SELECT $1", " SELECT $2"}},
		{"SELECT 1 --x\r; SELECT 2", []string{"SELECT 1 --x\r", " SELECT 2"}},
		{"SELECT 'open; SELECT 2", []string{"SELECT 'open; SELECT 2"}},
		{" ; ;; -- only comments\n", nil},
		{"", nil},
	} {
		var got []string
		for _, st := range Split(c.in) {
			got = append(got, c.in[st.Start:st.End])
			if len(st.Tokens) == 0 || st.Tokens[0].Pos < st.Start || st.Tokens[len(st.Tokens)-1].End() > st.End {
				t.Errorf("%q: tokens %+v outside [%d, %d)", c.in, st.Tokens, st.Start, st.End)
			}
			for _, tk := range st.Tokens {
				if tk.Kind == Comment || tk.Kind == Semicolon {
					t.Errorf("%q: statement holds %+v", c.in, tk)
				}
			}
		}
		if fmt.Sprintf("%q", got) != fmt.Sprintf("%q", c.want) {
			t.Errorf("Split(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// checkScan holds for every text: the tokens cover it in order without overlap, only blanks
// lie between them, each token's text is where Pos says, and Split's statements are the runs
// of tokens between semicolons.
func checkScan(t *testing.T, text string) {
	t.Helper()
	pos, semis := 0, []int{}
	var nonComment []Token
	for s := NewScanner(text); ; {
		tk, ok := s.Next()
		if !ok {
			break
		}
		if tk.Pos < pos || tk.Text == "" || text[tk.Pos:tk.End()] != tk.Text {
			t.Fatalf("%q: token %+v at %d, after %d", text, tk, tk.Pos, pos)
		}
		if gap := text[pos:tk.Pos]; strings.Trim(gap, " \t\n\r\f\v") != "" {
			t.Fatalf("%q: %q skipped before %+v", text, gap, tk)
		}
		if tk.Unterminated && tk.End() != len(text) {
			t.Fatalf("%q: unterminated %+v ends before the text", text, tk)
		}
		switch tk.Kind {
		case Semicolon:
			semis = append(semis, tk.Pos)
		case Comment:
		default:
			nonComment = append(nonComment, tk)
		}
		pos = tk.End()
	}
	var inStatements []Token
	for _, st := range Split(text) {
		if st.Start > 0 && text[st.Start-1] != ';' || st.End < len(text) && text[st.End] != ';' {
			t.Fatalf("%q: statement [%d, %d) not bounded by semicolons (%v)", text, st.Start, st.End, semis)
		}
		inStatements = append(inStatements, st.Tokens...)
	}
	if fmt.Sprint(inStatements) != fmt.Sprint(nonComment) {
		t.Fatalf("%q: statements hold %v, the scanner found %v", text, inStatements, nonComment)
	}
}

func FuzzScan(f *testing.F) {
	for _, s := range []string{
		"SELECT 1; SELECT 'a;b', \"c;d\", $$e;f$$, $t$;$t$ -- g;\n /* h; /* i; */ */ ;",
		`SELECT E'\';', $1, 1e5, .5, x'ff', U&"d\0061t;a"`,
		"SELECT 'open", "/* open", "$a$ open", `"open`, "--\r;",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		checkScan(t, text)
		checkAgainstPostgres(t, text)
	})
}
