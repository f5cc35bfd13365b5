package sql

import (
	"fmt"
	"regexp"
	"strings"

	pg "github.com/pganalyze/pg_query_go/v2"
)

var nearRe = regexp.MustCompile(`at or near "((?:[^"]|"")*)"`)

// parsePiece parses one statement (already through the guard). Syntax errors get a
// position: pg_query_go reports only the message, so the position is recovered by
// finding the token the message names (parsing prefixes to tell repeated tokens apart).
func parsePiece(p piece) (*pg.RawStmt, error) {
	res, err := pg.Parse(p.text)
	if err != nil {
		return nil, syntaxError(p, err.Error())
	}
	if res == nil || len(res.Stmts) == 0 {
		return nil, nil
	}
	if len(res.Stmts) != 1 {
		return nil, errAt(p.offset+1, StateSyntax, "expected one statement, found %d", len(res.Stmts))
	}
	return res.Stmts[0], nil
}

func syntaxError(p piece, msg string) *Error {
	state := StateSyntax
	if strings.Contains(msg, "memory exhausted") || strings.Contains(msg, "recursion depth") || strings.Contains(msg, "stack depth") {
		state = StateLimitExceeded
	}
	pos := 0
	if strings.Contains(msg, "at end of input") {
		pos = len(strings.TrimRight(p.text, " \t\r\n")) + 1
	} else if m := nearRe.FindStringSubmatch(msg); m != nil {
		pos = locateToken(p.text, strings.ReplaceAll(m[1], `""`, `"`))
	}
	e := &Error{SQLState: state, Message: msg}
	if pos > 0 {
		e.Position = p.offset + pos
	}
	return e
}

// locateToken finds the 1-based position of the token the parser stopped at: the first
// occurrence of tok whose prefix up to and including it fails with the same token.
func locateToken(text, tok string) int {
	if tok == "" {
		return 0
	}
	scan, err := pg.Scan(text)
	if err != nil {
		if i := strings.Index(text, tok); i >= 0 {
			return i + 1
		}
		return 0
	}
	var cands []int
	for _, t := range scan.Tokens {
		s, e := int(t.Start), int(t.End)
		if s >= 0 && e <= len(text) && s < e && text[s:e] == tok {
			cands = append(cands, s)
		}
	}
	if len(cands) == 0 {
		if i := strings.Index(text, tok); i >= 0 {
			return i + 1
		}
		return 0
	}
	if len(cands) == 1 || len(cands) > 16 {
		return cands[0] + 1
	}
	for _, s := range cands {
		_, err := pg.Parse(text[:s+len(tok)])
		if err != nil && !strings.Contains(err.Error(), "at end of input") {
			return s + 1
		}
	}
	return cands[0] + 1
}

// ident lowercases nothing: pg_query already folded unquoted identifiers. It only checks
// that a name can be part of a storage key and a BuntDB pattern.
func checkName(kind, name string, loc int) error {
	if name == "" {
		return errAt(loc, StateInvalidName, "zero-length %s name", kind)
	}
	if len(name) > 63 {
		return errAt(loc, StateInvalidName, "%s name %q is longer than 63 bytes", kind, name)
	}
	for _, r := range name {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '$' || r > 0x7f) {
			return errAt(loc, StateInvalidName, "%s name %q: only letters, digits, _ and $ are supported", kind, name)
		}
	}
	return nil
}

func nodeString(n *pg.Node) string {
	if s := n.GetString_(); s != nil {
		return s.Str
	}
	return ""
}

// lastName is the last part of a dotted name, "" if there is none.
func lastName(ns []*pg.Node) string {
	if len(ns) == 0 {
		return ""
	}
	return nodeString(ns[len(ns)-1])
}

func nameList(ns []*pg.Node) []string {
	out := make([]string, 0, len(ns))
	for _, n := range ns {
		out = append(out, nodeString(n))
	}
	return out
}

func unsupported(loc int, format string, args ...any) *Error {
	return errAt(loc, StateUnsupported, "%s is not supported", fmt.Sprintf(format, args...))
}
