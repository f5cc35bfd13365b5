package sql

import "strings"

// Case mapping follows the C locale, the engine's collation (strings compare bytewise):
// as in PostgreSQL under LC_CTYPE=C, lower, upper and ILIKE change only ASCII letters,
// so lower('ÀB') is 'Àb' and 'ï' ILIKE 'Ï' is false.

func asciiLower(s string) string {
	return strings.Map(func(r rune) rune {
		if 'A' <= r && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}, s)
}

func asciiUpper(s string) string {
	return strings.Map(func(r rune) rune {
		if 'a' <= r && r <= 'z' {
			return r - ('a' - 'A')
		}
		return r
	}, s)
}

// unpadded is v as an operand: a char(n) value without its padding (see evalOperand).
func unpadded(v any, t Type) any {
	if s, ok := v.(string); ok && t == TChar {
		return strings.TrimRight(s, " ")
	}
	return v
}
