package sql

import (
	"math"
	"strings"
	"unicode/utf8"

	"github.com/cockroachdb/apd/v3"
)

// compareValues orders two non-NULL values of comparable types: numbers numerically
// (NaN equal to NaN and after every other number, as PostgreSQL orders floats and
// numerics), strings bytewise (the C collation), false before true. ok is false when the
// kinds cannot be compared.
func compareValues(a, b any) (int, bool) {
	switch x := a.(type) {
	case int64:
		switch y := b.(type) {
		case int64:
			return cmpInt(x, y), true
		case float64:
			return cmpFloat(float64(x), y), true
		case *apd.Decimal:
			return cmpNumeric(numFromInt(x), y), true
		}
	case float64:
		switch y := b.(type) {
		case int64:
			return cmpFloat(x, float64(y)), true
		case float64:
			return cmpFloat(x, y), true
		case *apd.Decimal:
			f, err := numToFloat(y, TFloat8)
			if err != nil { // beyond float8: ±Infinity's side of every float
				f = math.Inf(y.Sign())
			}
			return cmpFloat(x, f), true
		}
	case *apd.Decimal:
		if y, ok := b.(*apd.Decimal); ok {
			return cmpNumeric(x, y), true
		}
		c, ok := compareValues(b, a)
		return -c, ok
	case string:
		if y, ok := b.(string); ok {
			return strings.Compare(x, y), true
		}
	case bool:
		if y, ok := b.(bool); ok {
			switch {
			case x == y:
				return 0, true
			case !x:
				return -1, true
			}
			return 1, true
		}
	}
	return 0, false
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// cmpNaN orders NaN as PostgreSQL does for floats and numerics: equal to itself and after
// every other value. ok is false when neither is NaN.
func cmpNaN(aNaN, bNaN bool) (int, bool) {
	switch {
	case aNaN && bNaN:
		return 0, true
	case aNaN:
		return 1, true
	case bNaN:
		return -1, true
	}
	return 0, false
}

func cmpFloat(a, b float64) int {
	if c, ok := cmpNaN(math.IsNaN(a), math.IsNaN(b)); ok {
		return c
	}
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// sortCompare orders values for ORDER BY, DISTINCT and GROUP BY: NULL compares equal to
// NULL and greater than everything else (PostgreSQL's default NULLS LAST for ASC), and
// values of different kinds (only possible in a malformed batch) order by kind.
func sortCompare(a, b any) int {
	if a == nil || b == nil {
		switch {
		case a == nil && b == nil:
			return 0
		case a == nil:
			return 1
		}
		return -1
	}
	if c, ok := compareValues(a, b); ok {
		return c
	}
	return cmpInt(int64(kindOrder(a)), int64(kindOrder(b)))
}

func kindOrder(v any) int {
	switch v.(type) {
	case bool:
		return 1
	case int64, float64, *apd.Decimal:
		return 2
	case string:
		return 3
	}
	return 4
}

// castValue converts v of type from to type to, as CAST does.
func castValue(v any, from, to Type) (any, error) {
	if v == nil {
		return nil, nil
	}
	if from == to && to != TVarchar && to != TChar {
		return v, nil
	}
	switch x := v.(type) {
	case string:
		if to.isString() {
			return x, nil
		}
		if from.isTime() && to.isTime() {
			return parseTimestamp(to, x)
		}
		return parseText(to, x)
	case int64:
		switch {
		case to.isInt():
			if err := checkIntRange(to, x); err != nil {
				return nil, err
			}
			return x, nil
		case to.isFloat():
			f := float64(x)
			if to == TFloat4 {
				f = float64(float32(f))
			}
			return f, nil
		case to == TNumeric:
			return numFromInt(x), nil
		case to == TBool:
			if from == TInt4 || from == TInt8 || from == TInt2 {
				return x != 0, nil
			}
		case to.isString():
			return toText(x, from), nil
		}
	case float64:
		return castFloat(x, from, to)
	case *apd.Decimal:
		switch {
		case to.isInt():
			return numToInt(x, to)
		case to.isFloat():
			return numToFloat(x, to)
		case to == TNumeric:
			return x, nil
		case to.isString():
			return formatNumeric(x), nil
		}
	case bool:
		switch {
		case to == TBool:
			return x, nil
		case to == TInt4:
			if x {
				return int64(1), nil
			}
			return int64(0), nil
		case to.isString():
			return toText(x, from), nil
		}
	}
	return nil, errf(StateUndefinedFunction, "cannot cast type %s to %s", from, to)
}

// castFloat converts a float4 or float8 value; to an integer it rounds half to even, as
// PostgreSQL's rint does (2.5::float8::int is 2).
func castFloat(x float64, from, to Type) (any, error) {
	switch {
	case to.isInt():
		r := math.RoundToEven(x)
		lo, hi := intRange(to)
		if math.IsNaN(r) || r < float64(lo) || r >= -float64(math.MinInt64) || r > float64(hi) {
			return nil, errf(StateOutOfRange, "%s out of range", to)
		}
		return int64(r), nil
	case to == TFloat4:
		f := float64(float32(x))
		return f, checkFloat(f, x)
	case to.isFloat():
		return x, nil
	case to == TNumeric:
		return numFromFloat(x, from)
	case to.isString():
		return toText(x, from), nil
	}
	return nil, errf(StateUndefinedFunction, "cannot cast type %s to %s", from, to)
}

// canCast reports whether CAST from one type to another exists.
func canCast(from, to Type) bool {
	switch {
	case from == TUnknown || from == to:
		return true
	case to.isString():
		return true
	case from.isString():
		return true
	case from.isNumber() && to.isNumber():
		return true
	case from.isInt() && to == TBool, from == TBool && to == TInt4:
		return true
	case from.isTime() && to.isTime():
		return true
	}
	return false
}

// canAssign reports whether a value of type from may be stored in a column of type to
// (PostgreSQL's implicit and assignment casts).
func canAssign(from, to Type) bool {
	switch {
	case from == TUnknown || from == to:
		return true
	case from.isNumber() && to.isNumber():
		return true
	case to.isString():
		return true
	case from.isTime() && to.isTime():
		return true
	}
	return false
}

// assignValue converts v for storage in a column (type, length limit).
func assignValue(v any, from Type, col *Column) (any, error) {
	if v == nil {
		return nil, nil
	}
	out, err := castValue(v, from, col.Type)
	if err != nil {
		return nil, err
	}
	if s, ok := out.(string); ok && col.Type.isString() {
		if !utf8.ValidString(s) {
			return nil, errf(StateCharacterNotInRepertoire, "invalid byte sequence for encoding \"UTF8\"")
		}
		if col.Len > 0 {
			return fitLength(s, col.Type, col.Len, false)
		}
		return s, nil
	}
	if d, ok := out.(*apd.Decimal); ok && col.Len > 0 {
		return fitNumeric(d, col.Len)
	}
	return out, nil
}

// fitLength makes s a value of varchar(n) or char(n). Longer text is an error on assignment
// unless what is past n is only spaces, which are cut (as PostgreSQL does); an explicit
// cast cuts it whatever it is. char(n) is padded with spaces to n.
func fitLength(s string, t Type, n int, explicit bool) (string, error) {
	runes := utf8.RuneCountInString(s)
	if runes > n {
		cut := prefixRunes(s, n)
		if !explicit && strings.TrimLeft(s[len(cut):], " ") != "" {
			return "", errf(StateStringTooLong, "value too long for type %s(%d)", typeSQLName(t), n)
		}
		s, runes = cut, n
	}
	if t == TChar && runes < n {
		s += strings.Repeat(" ", n-runes)
	}
	return s, nil
}

// prefixRunes is the first n characters of s.
func prefixRunes(s string, n int) string {
	for i := range s {
		if n == 0 {
			return s[:i]
		}
		n--
	}
	return s
}

func typeSQLName(t Type) string {
	switch t {
	case TVarchar:
		return "character varying"
	case TChar:
		return "character"
	}
	return string(t)
}

// commonType is the type two operands are compared or combined in; ok is false when they
// do not mix. An unknown literal takes the other side's type.
func commonType(a, b Type) (Type, bool) {
	switch {
	case a == TUnknown && b == TUnknown:
		return TText, true
	case a == TUnknown:
		return b, true
	case b == TUnknown:
		return a, true
	case a == b:
		return a, true
	case a.isNumber() && b.isNumber():
		if numRank(a) >= numRank(b) {
			return a, true
		}
		return b, true
	case a.isString() && b.isString():
		return TText, true
	case a.isTime() && b.isTime():
		return TTimestamptz, true
	}
	return "", false
}
