package sqllex

import "strings"

// Kind is what a token is.
type Kind uint8

const (
	Word        Kind = iota + 1 // keyword or bare identifier
	QuotedIdent                 // "name"
	String                      // '...', E'...' or $tag$...$tag$
	Param                       // $1
	Number                      // 42, 1.5, .5, 1e-3
	Op                          // any other single byte: punctuation, one byte of an operator
	Semicolon                   // ; (the end of a statement)
	Comment                     // -- to the end of the line, or /* ... */, nested
)

// Token is one token of a text.
type Token struct {
	Kind Kind
	Text string // the token as written, quotes included
	Pos  int    // byte offset of Text in the scanned text
	// Unterminated marks a quoted token or a comment still open at the end of the text; it
	// runs to the end. The parser would reject it, and the guard does; the Postgres server
	// passes it on for the engine to say so.
	Unterminated bool
}

// End is the byte offset just after the token.
func (t Token) End() int { return t.Pos + len(t.Text) }

// Value is what a String or QuotedIdent token stands for: the text between its quotes,
// with doubled quotes undone and, in E'...' strings, a backslash standing for the byte
// after it (so E'\n' is "n": good enough to compare setting names and values, not to
// decode data). Other tokens stand for their Text.
func (t Token) Value() string {
	switch {
	case t.Kind == QuotedIdent:
		return unquote(t.Text, '"', false)
	case t.Kind != String:
		return t.Text
	case t.Text[0] == '\'':
		return unquote(t.Text, '\'', false)
	case t.Text[0] == '$':
		tag, _ := dollarTag(t.Text, 0)
		body := t.Text[len(tag):]
		if !t.Unterminated {
			body = body[:len(body)-len(tag)]
		}
		return body
	}
	return unquote(t.Text[1:], '\'', true) // E'...'
}

// Scanner reads a text's tokens one at a time, without allocating.
type Scanner struct {
	text string
	pos  int
}

// NewScanner returns a scanner at the start of text.
func NewScanner(text string) *Scanner { return &Scanner{text: text} }

// Next returns the next token, skipping blanks; ok is false at the end of the text.
func (s *Scanner) Next() (t Token, ok bool) {
	q, i := s.text, s.pos
	for i < len(q) && isBlank(q[i]) {
		i++
	}
	if i == len(q) {
		s.pos = i
		return Token{}, false
	}
	kind, end, open := scan(q, i)
	s.pos = end
	return Token{Kind: kind, Text: q[i:end], Pos: i, Unterminated: open}, true
}

// Statement is one statement of a text.
type Statement struct {
	// Start and End bound the statement in the text: from just after the ';' before it (or
	// the start of the text) to its own ';' (or the end of the text), so blanks and
	// comments before its first token belong to it.
	Start, End int
	Tokens     []Token // its tokens but comments; never empty
}

// Split cuts text into statements at every ';' outside quotes and comments. Statements
// without a token (empty, or only blanks and comments) are left out; an unterminated
// token runs to the end of the text and ends the last statement.
func Split(text string) []Statement {
	var out []Statement
	cur := Statement{}
	s := NewScanner(text)
	for {
		t, ok := s.Next()
		if !ok || t.Kind == Semicolon {
			if len(cur.Tokens) > 0 {
				cur.End = len(text)
				if ok {
					cur.End = t.Pos
				}
				out = append(out, cur)
			}
			if !ok {
				return out
			}
			cur = Statement{Start: t.End()}
			continue
		}
		if t.Kind != Comment {
			cur.Tokens = append(cur.Tokens, t)
		}
	}
}

// scan reads the token that starts at q[i], which is not blank: its kind, the offset just
// after it, and whether it is a quote or comment left open. It switches on the first byte
// alone where it can: the guard runs it on every byte of every request.
func scan(q string, i int) (kind Kind, end int, open bool) {
	c, next := q[i], byte(0)
	if i+1 < len(q) {
		next = q[i+1]
	}
	switch c {
	case '-':
		if next == '-' {
			return Comment, lineEnd(q, i), false
		}
	case '/':
		if next == '*' {
			end, ok := commentEnd(q, i)
			return Comment, end, !ok
		}
	case ';':
		return Semicolon, i + 1, false
	case '\'':
		end, ok := quoteEnd(q, i, '\'', false)
		return String, end, !ok
	case 'e', 'E':
		if next == '\'' {
			end, ok := quoteEnd(q, i+1, '\'', true)
			return String, end, !ok
		}
	case '"':
		end, ok := quoteEnd(q, i, '"', false)
		return QuotedIdent, end, !ok
	case '$':
		if isDigit(next) {
			return Param, skip(q, i+1, isDigit), false
		}
		tag, ok := dollarTag(q, i)
		if !ok {
			return Op, i + 1, false
		}
		k := strings.Index(q[i+len(tag):], tag)
		if k < 0 {
			return String, len(q), true
		}
		return String, i + len(tag) + k + len(tag), false
	case '.':
		if isDigit(next) {
			return Number, numberEnd(q, i), false
		}
	case '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		return Number, numberEnd(q, i), false
	}
	if isIdentStart(c) {
		return Word, skip(q, i+1, isIdentChar), false
	}
	return Op, i + 1, false
}

// lineEnd is where a -- comment at q[i] ends: at the newline, which PostgreSQL takes to be
// either \n or \r.
func lineEnd(q string, i int) int {
	if k := strings.IndexAny(q[i:], "\n\r"); k >= 0 {
		return i + k
	}
	return len(q)
}

// commentEnd is the offset after the /* comment at q[i], whose /* ... */ pairs nest;
// false if it is still open at the end of q.
func commentEnd(q string, i int) (int, bool) {
	depth := 0
	for i+1 < len(q) {
		switch {
		case q[i] == '/' && q[i+1] == '*':
			depth++
			i += 2
		case q[i] == '*' && q[i+1] == '/':
			depth--
			i += 2
			if depth == 0 {
				return i, true
			}
		default:
			i++
		}
	}
	return len(q), false
}

// quoteEnd is the offset after the quoted token whose opening quote is q[i]. A doubled
// quote is an escaped quote; with backslash (E'...'), a backslash escapes the next byte.
// False if the token is still open at the end of q.
func quoteEnd(q string, i int, quote byte, backslash bool) (int, bool) {
	for j := i + 1; j < len(q); j++ {
		switch q[j] {
		case '\\':
			if backslash {
				j++
			}
		case quote:
			if j+1 < len(q) && q[j+1] == quote {
				j++
				continue
			}
			return j + 1, true
		}
	}
	return len(q), false
}

// unquote undoes what quoteEnd skips over in the token s, which starts with its quote.
func unquote(s string, quote byte, backslash bool) string {
	var b strings.Builder
	for j := 1; j < len(s); j++ {
		c := s[j]
		switch {
		case backslash && c == '\\' && j+1 < len(s):
			j++
			b.WriteByte(s[j])
		case c == quote && j+1 < len(s) && s[j+1] == quote:
			j++
			b.WriteByte(quote)
		case c == quote:
			return b.String()
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// dollarTag returns the opening tag ($$ or $name$) of a dollar-quoted string at q[i]. A
// tag's name is an identifier without '$' that does not start with a digit ($1 is a
// parameter).
func dollarTag(q string, i int) (string, bool) {
	for j := i + 1; j < len(q); j++ {
		c := q[j]
		if c == '$' {
			return q[i : j+1], true
		}
		if !isIdentStart(c) && !(j > i+1 && isDigit(c)) {
			return "", false
		}
	}
	return "", false
}

// numberEnd is the offset after the number at q[i]: digits and dots, then an exponent if
// digits follow the e (1e5, 1e-5; in 1e the e is the start of the next token).
func numberEnd(q string, i int) int {
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
			return skip(q, k, isDigit)
		}
	}
	return j
}

// skip is the offset of the first byte from q[i] on that is not in the class.
func skip(q string, i int, in func(byte) bool) int {
	for i < len(q) && in(q[i]) {
		i++
	}
	return i
}

// isBlank is PostgreSQL's whitespace, and \v, which it would reject as a token of its own
// and raftplay has always skipped.
func isBlank(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}

func isIdentStart(c byte) bool {
	return c == '_' || c >= 0x80 || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func isIdentChar(c byte) bool { return isIdentStart(c) || isDigit(c) || c == '$' }

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
