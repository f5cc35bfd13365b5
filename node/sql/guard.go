package sql

import "strings"

// Limits bound what a request may contain before any of it reaches the C parser, and what
// running it may do (Budget).
type Limits struct {
	MaxStatementBytes int // one statement, in bytes
	MaxRequestBytes   int // the whole request text, in bytes
	MaxStatements     int // statements per request
	Budget            Budget
}

// DefaultLimits is 16 KiB per statement, 1 MiB per request, 100 statements.
func DefaultLimits() Limits {
	return Limits{MaxStatementBytes: 16 << 10, MaxRequestBytes: 1 << 20, MaxStatements: 100, Budget: DefaultBudget()}
}

// maxNesting bounds the expression depth estimated by the scanner. The PostgreSQL parser
// compiled into pg_query_go overflows the C stack (a SIGSEGV that kills the process) on
// expression trees about 24000 levels deep with an 8 MiB thread stack, and the protobuf
// decoder refuses trees deeper than 10000; 2000 leaves room for smaller stacks and for
// every legitimate statement we expect.
const maxNesting = 2000

// piece is one statement of a request as the scanner split it.
type piece struct {
	text   string
	offset int // byte offset of text in the request
}

// guard applies the limits and splits text into statements without the parser. It is
// deliberately conservative: anything it cannot account for is rejected, never parsed.
func (l Limits) guard(text string) ([]piece, error) {
	if l.MaxRequestBytes > 0 && len(text) > l.MaxRequestBytes {
		return nil, errf(StateLimitExceeded, "request is %d bytes, more than the limit of %d", len(text), l.MaxRequestBytes)
	}
	if i := strings.IndexByte(text, 0); i >= 0 {
		return nil, errAt(i+1, StateCharacterNotInRepertoire, "invalid byte sequence: request contains a zero byte")
	}
	pieces, depth, err := split(text)
	if err != nil {
		return nil, err
	}
	if l.MaxStatements > 0 && len(pieces) > l.MaxStatements {
		return nil, errf(StateLimitExceeded, "request has %d statements, more than the limit of %d", len(pieces), l.MaxStatements)
	}
	for _, p := range pieces {
		if l.MaxStatementBytes > 0 && len(p.text) > l.MaxStatementBytes {
			return nil, errAt(p.offset+1, StateLimitExceeded, "statement is %d bytes, more than the limit of %d", len(p.text), l.MaxStatementBytes)
		}
	}
	if depth > maxNesting {
		return nil, errf(StateLimitExceeded, "expression nesting is too deep (estimated %d levels, limit %d)", depth, maxNesting)
	}
	return pieces, nil
}

// split cuts text at top-level semicolons, skipping quoted strings, quoted identifiers,
// dollar-quoted strings and comments the way the PostgreSQL lexer does, and estimates the
// deepest expression nesting: parentheses plus operator tokens between list separators.
// Empty statements (only blanks and comments) are dropped.
func split(text string) ([]piece, int, error) {
	var (
		pieces   []piece
		start    int
		hasToken bool
		maxDepth int
		// stack[i] counts operator tokens at parenthesis level i since the last comma.
		stack = []int{0}
	)
	depth := func() int {
		d := len(stack) - 1
		for _, c := range stack {
			d += c
		}
		return d
	}
	bump := func() {
		stack[len(stack)-1]++
		if d := depth(); d > maxDepth {
			maxDepth = d
		}
	}
	flush := func(end int) {
		if hasToken {
			pieces = append(pieces, piece{text: text[start:end], offset: start})
		}
		hasToken = false
		start = end + 1
		stack = stack[:1]
		stack[0] = 0
	}
	n := len(text)
	for i := 0; i < n; {
		c := text[i]
		switch {
		case c == '-' && i+1 < n && text[i+1] == '-':
			for i < n && text[i] != '\n' {
				i++
			}
			continue
		case c == '/' && i+1 < n && text[i+1] == '*':
			level := 0
			for i < n {
				if text[i] == '/' && i+1 < n && text[i+1] == '*' {
					level++
					i += 2
					continue
				}
				if text[i] == '*' && i+1 < n && text[i+1] == '/' {
					level--
					i += 2
					if level == 0 {
						break
					}
					continue
				}
				i++
			}
			if level != 0 {
				return nil, 0, errAt(n, StateSyntax, "unterminated /* comment")
			}
			continue
		case c == '\'':
			hasToken = true
			escapes := i > 0 && (text[i-1] == 'e' || text[i-1] == 'E') && (i < 2 || !isIdentByte(text[i-2]))
			j, ok := skipQuoted(text, i, '\'', escapes)
			if !ok {
				return nil, 0, errAt(i+1, StateSyntax, "unterminated quoted string")
			}
			i = j
			continue
		case c == '"':
			hasToken = true
			j, ok := skipQuoted(text, i, '"', false)
			if !ok {
				return nil, 0, errAt(i+1, StateSyntax, "unterminated quoted identifier")
			}
			i = j
			continue
		case c == '$' && (i == 0 || !isIdentByte(text[i-1])):
			if tag, ok := dollarTag(text, i); ok {
				hasToken = true
				end := strings.Index(text[i+len(tag):], tag)
				if end < 0 {
					return nil, 0, errAt(i+1, StateSyntax, "unterminated dollar-quoted string")
				}
				i += len(tag) + end + len(tag)
				continue
			}
			hasToken = true
			i++
			continue
		case c == ';':
			flush(i)
			i++
			continue
		case c == '(' || c == '[':
			hasToken = true
			stack = append(stack, 0)
			if d := depth(); d > maxDepth {
				maxDepth = d
			}
		case c == ')' || c == ']':
			hasToken = true
			if len(stack) > 1 {
				stack = stack[:len(stack)-1]
			}
		case c == ',':
			hasToken = true
			stack[len(stack)-1] = 0
		case strings.IndexByte("+-*/%^<>=~!@#&|`?:", c) >= 0:
			hasToken = true
			// A run of operator characters is one token to the lexer, but counting each
			// character only overestimates, which is the safe direction.
			bump()
		case isIdentByte(c):
			hasToken = true
			j := i
			for j < n && isIdentByte(text[j]) {
				j++
			}
			if isNestingWord(text[i:j]) {
				bump()
			}
			i = j
			continue
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
		default:
			hasToken = true
		}
		i++
	}
	flush(n)
	return pieces, maxDepth, nil
}

// isNestingWord reports keywords that build expression nodes around their operands.
func isNestingWord(w string) bool {
	if len(w) < 2 || len(w) > 7 {
		return false
	}
	switch strings.ToLower(w) {
	case "not", "and", "or", "is", "case", "when", "like", "ilike", "between", "in", "array", "row", "similar", "collate", "at", "select", "exists", "any", "all", "some", "escape", "overlaps", "isnull", "notnull":
		return true
	}
	return false
}

func isIdentByte(c byte) bool {
	return c == '_' || c == '$' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

// skipQuoted returns the index after the quoted token starting at text[i]. A doubled quote
// is an escaped quote; with escapes, a backslash escapes the next byte (E'...' strings).
func skipQuoted(text string, i int, q byte, escapes bool) (int, bool) {
	for j := i + 1; j < len(text); j++ {
		switch text[j] {
		case '\\':
			if escapes {
				j++
			}
		case q:
			if j+1 < len(text) && text[j+1] == q {
				j++
				continue
			}
			return j + 1, true
		}
	}
	return 0, false
}

// dollarTag returns the opening tag ($$ or $name$) of a dollar-quoted string at text[i].
func dollarTag(text string, i int) (string, bool) {
	for j := i + 1; j < len(text); j++ {
		c := text[j]
		if c == '$' {
			return text[i : j+1], true
		}
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80 || j > i+1 && c >= '0' && c <= '9') {
			return "", false
		}
	}
	return "", false
}
