package pgwire

import (
	"strconv"
	"strings"
)

// The lexer splits a query string into statements and tokens without the SQL parser. The
// server needs this to recognise what it handles itself (transaction control, SET, SHOW,
// catalog queries) and to renumber parameters when it joins statements into one batch.
// It only has to be right about statement boundaries and the leading words; anything it
// does not understand is passed to the engine unchanged.

type tokKind uint8

const (
	tWord   tokKind = iota // keyword or bare identifier; val is lower-cased
	tIdent                 // "quoted identifier"; val is the name
	tString                // '...', E'...', $tag$...$tag$; val is the (approximate) value
	tParam                 // $n; val is the digits
	tNumber
	tOp // any other single character
)

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

func isIdentStart(c byte) bool {
	return c == '_' || c >= 0x80 || (c|0x20 >= 'a' && c|0x20 <= 'z')
}

func isIdentChar(c byte) bool { return isIdentStart(c) || c == '$' || (c >= '0' && c <= '9') }

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// splitStatements cuts q at every ';' outside quotes and comments. Statements without any
// token (empty, or only comments) are left out.
func splitStatements(q string) []stmt {
	var out []stmt
	var toks []token
	start := -1
	flush := func(end int) {
		if len(toks) > 0 {
			for i := range toks {
				toks[i].pos -= start
				toks[i].end -= start
			}
			out = append(out, stmt{text: q[start:end], offset: start, toks: toks})
		}
		toks, start = nil, -1
	}
	add := func(k tokKind, val string, pos, end int) {
		if start < 0 {
			start = pos
		}
		toks = append(toks, token{kind: k, val: val, pos: pos, end: end})
	}
	i := 0
	for i < len(q) {
		c := q[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			i++
		case c == '-' && i+1 < len(q) && q[i+1] == '-':
			for i < len(q) && q[i] != '\n' {
				i++
			}
		case c == '/' && i+1 < len(q) && q[i+1] == '*':
			depth := 0
			for i < len(q) {
				if q[i] == '/' && i+1 < len(q) && q[i+1] == '*' {
					depth++
					i += 2
				} else if q[i] == '*' && i+1 < len(q) && q[i+1] == '/' {
					depth--
					i += 2
					if depth == 0 {
						break
					}
				} else {
					i++
				}
			}
		case c == ';':
			flush(i)
			i++
		case c == '\'':
			end, val := scanQuoted(q, i, '\'', false)
			add(tString, val, i, end)
			i = end
		case (c == 'e' || c == 'E') && i+1 < len(q) && q[i+1] == '\'':
			end, val := scanQuoted(q, i+1, '\'', true)
			add(tString, val, i, end)
			i = end
		case c == '"':
			end, val := scanQuoted(q, i, '"', false)
			add(tIdent, val, i, end)
			i = end
		case c == '$' && i+1 < len(q) && isDigit(q[i+1]):
			j := i + 1
			for j < len(q) && isDigit(q[j]) {
				j++
			}
			add(tParam, q[i+1:j], i, j)
			i = j
		case c == '$':
			j := i + 1
			for j < len(q) && isIdentChar(q[j]) && q[j] != '$' {
				j++
			}
			if j < len(q) && q[j] == '$' && (j == i+1 || !isDigit(q[i+1])) {
				tag := q[i : j+1]
				body := j + 1
				k := strings.Index(q[body:], tag)
				end := len(q)
				val := q[body:]
				if k >= 0 {
					end = body + k + len(tag)
					val = q[body : body+k]
				}
				add(tString, val, i, end)
				i = end
			} else {
				add(tOp, "$", i, i+1)
				i++
			}
		case isIdentStart(c):
			j := i + 1
			for j < len(q) && isIdentChar(q[j]) {
				j++
			}
			add(tWord, strings.ToLower(q[i:j]), i, j)
			i = j
		case isDigit(c) || (c == '.' && i+1 < len(q) && isDigit(q[i+1])):
			j := i
			for j < len(q) && (isDigit(q[j]) || q[j] == '.') {
				j++
			}
			if j < len(q) && (q[j] == 'e' || q[j] == 'E') {
				k := j + 1
				if k < len(q) && (q[k] == '+' || q[k] == '-') {
					k++
				}
				if k < len(q) && isDigit(q[k]) {
					for k < len(q) && isDigit(q[k]) {
						k++
					}
					j = k
				}
			}
			add(tNumber, q[i:j], i, j)
			i = j
		default:
			add(tOp, q[i:i+1], i, i+1)
			i++
		}
	}
	flush(len(q))
	return out
}

// scanQuoted reads a quoted token starting at the opening quote q[i]; a doubled quote is
// an escaped quote, and with backslash set (E'...') a backslash escapes the next byte.
// An unterminated token runs to the end of q.
func scanQuoted(q string, i int, quote byte, backslash bool) (end int, val string) {
	var b strings.Builder
	j := i + 1
	for j < len(q) {
		c := q[j]
		switch {
		case backslash && c == '\\' && j+1 < len(q):
			b.WriteByte(q[j+1])
			j += 2
		case c == quote && j+1 < len(q) && q[j+1] == quote:
			b.WriteByte(quote)
			j += 2
		case c == quote:
			return j + 1, b.String()
		default:
			b.WriteByte(c)
			j++
		}
	}
	return len(q), b.String()
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
