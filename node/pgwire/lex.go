package pgwire

import (
	"strconv"
	"strings"

	"github.com/raftplay/raftplay/node/sqllex"
)

// The server splits a query string into statements and tokens without the SQL parser, by
// the lexical rules of package sqllex (the ones the engine's guard applies too). It needs
// this to recognise what it handles itself (transaction control, SET, SHOW, catalog
// queries) and to renumber parameters when it joins statements into one batch. It only
// has to be right about statement boundaries and the leading words; anything it does not
// understand is passed to the engine unchanged, which rejects what cannot be parsed (an
// unterminated quote, say).

type tokKind uint8

const (
	tWord   tokKind = iota // keyword or bare identifier; val is lower-cased
	tIdent                 // "quoted identifier"; val is the name
	tString                // '...', E'...', $tag$...$tag$; val is the (approximate) value
	tParam                 // $n; val is the digits
	tNumber
	tOp // any other single character
)

// kinds maps the lexer's token kinds to the server's (comments and semicolons never reach
// a statement's tokens).
var kinds = map[sqllex.Kind]tokKind{
	sqllex.Word: tWord, sqllex.QuotedIdent: tIdent, sqllex.String: tString,
	sqllex.Param: tParam, sqllex.Number: tNumber, sqllex.Op: tOp,
}

type token struct {
	kind tokKind
	val  string
	pos  int // byte offset in the statement text
	end  int
}

// stmt is one statement of a query string.
type stmt struct {
	text   string // from the first token to the end of the statement, without the ';'
	offset int    // byte offset of text in the query string
	toks   []token
}

// word is the i-th token lower-cased if it is a bare word, else "".
func (s stmt) word(i int) string {
	if i < len(s.toks) && s.toks[i].kind == tWord {
		return s.toks[i].val
	}
	return ""
}

// splitStatements cuts q at every ';' outside quotes and comments. Statements without any
// token (empty, or only comments) are left out.
func splitStatements(q string) []stmt {
	var out []stmt
	for _, st := range sqllex.Split(q) {
		first := st.Tokens[0].Pos
		toks := make([]token, len(st.Tokens))
		for i, t := range st.Tokens {
			toks[i] = token{kind: kinds[t.Kind], val: t.Value(), pos: t.Pos - first, end: t.End() - first}
			switch t.Kind {
			case sqllex.Word:
				toks[i].val = strings.ToLower(t.Text)
			case sqllex.Param:
				toks[i].val = t.Text[1:]
			}
		}
		out = append(out, stmt{text: q[first:st.End], offset: first, toks: toks})
	}
	return out
}

// renumberParams rewrites $n as $(n+shift) so statements prepared separately can share one
// parameter list in a batch.
func renumberParams(s stmt, shift int) string {
	if shift == 0 {
		return s.text
	}
	var b strings.Builder
	last := 0
	for _, t := range s.toks {
		if t.kind != tParam {
			continue
		}
		n := 0
		for _, d := range t.val {
			n = n*10 + int(d-'0')
			if n > 1<<20 {
				break
			}
		}
		b.WriteString(s.text[last:t.pos])
		b.WriteString("$")
		b.WriteString(strconv.Itoa(n + shift))
		last = t.end
	}
	b.WriteString(s.text[last:])
	return b.String()
}
