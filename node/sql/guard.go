package sql

import (
	"strings"

	"github.com/raftplay/raftplay/node/sqllex"
)

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

// Check applies the size and shape limits to a request without parsing it: what a node
// that will not prepare the request itself can refuse before sending it on.
func (l Limits) Check(text string) error {
	_, err := l.guard(text)
	return err
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

// split cuts text at top-level semicolons by PostgreSQL's lexical rules (package sqllex)
// and estimates the deepest expression nesting (see nesting). Empty statements (only blanks
// and comments) are dropped; a quote or comment left open is a syntax error here, so the
// parser never sees one.
func split(text string) ([]piece, int, error) {
	var (
		pieces   []piece
		start    int
		hasToken bool
		depth    = newNesting()
	)
	s := sqllex.NewScanner(text)
	for {
		t, ok := s.Next()
		if !ok {
			break
		}
		if t.Unterminated {
			return nil, 0, unterminated(text, t)
		}
		switch t.Kind {
		case sqllex.Comment:
		case sqllex.Semicolon:
			// As sqllex.Split cuts, without keeping every token of a 1 MiB request.
			if hasToken {
				pieces = append(pieces, piece{text: text[start:t.Pos], offset: start})
			}
			start, hasToken = t.End(), false
			depth.endStatement()
		default:
			hasToken = true
			depth.add(t)
		}
	}
	if hasToken {
		pieces = append(pieces, piece{text: text[start:], offset: start})
	}
	return pieces, depth.max, nil
}

// unterminated is the syntax error for a quote or comment still open at the end of text.
func unterminated(text string, t sqllex.Token) error {
	switch {
	case t.Kind == sqllex.Comment:
		return errAt(len(text), StateSyntax, "unterminated /* comment")
	case t.Kind == sqllex.QuotedIdent:
		return errAt(t.Pos+1, StateSyntax, "unterminated quoted identifier")
	case t.Text[0] == '$':
		return errAt(t.Pos+1, StateSyntax, "unterminated dollar-quoted string")
	}
	// At the quote, after the E of an E'...' string.
	return errAt(t.Pos+strings.IndexByte(t.Text, '\'')+1, StateSyntax, "unterminated quoted string")
}

// nesting estimates the deepest expression of a statement from its tokens: parentheses
// plus operator tokens between list separators. It only has to err on the high side.
type nesting struct {
	stack []int // stack[i] counts operator tokens at parenthesis level i since the last comma
	max   int
}

func newNesting() *nesting { return &nesting{stack: []int{0}} }

func (n *nesting) depth() int {
	d := len(n.stack) - 1
	for _, c := range n.stack {
		d += c
	}
	return d
}

func (n *nesting) bump() {
	n.stack[len(n.stack)-1]++
	n.max = max(n.max, n.depth())
}

func (n *nesting) endStatement() {
	n.stack = n.stack[:1]
	n.stack[0] = 0
}

func (n *nesting) add(t sqllex.Token) {
	switch t.Kind {
	case sqllex.Word:
		if isNestingWord(t.Text) {
			n.bump()
		}
	case sqllex.Op:
		switch c := t.Text[0]; {
		case c == '(' || c == '[':
			n.stack = append(n.stack, 0)
			n.max = max(n.max, n.depth())
		case c == ')' || c == ']':
			if len(n.stack) > 1 {
				n.stack = n.stack[:len(n.stack)-1]
			}
		case c == ',':
			n.stack[len(n.stack)-1] = 0
		case strings.IndexByte("+-*/%^<>=~!@#&|`?:", c) >= 0:
			// A run of operator characters is one token to the parser, but counting each
			// character only overestimates, which is the safe direction.
			n.bump()
		}
	}
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
