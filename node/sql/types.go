package sql

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/cockroachdb/apd/v3"
)

// Type is a SQL type by its PostgreSQL name, as results report it.
//
// Values are Go values by type family: integers are int64, real and double precision are
// float64 (NaN and ±Infinity included), numeric is an exact *apd.Decimal (numeric.go),
// text, varchar, char, timestamp and timestamptz are string (timestamps kept in PostgreSQL
// text format, UTC for timestamptz), boolean is bool, and NULL is nil.
type Type string

const (
	TInt2        Type = "smallint"
	TInt4        Type = "integer"
	TInt8        Type = "bigint"
	TFloat4      Type = "real"
	TFloat8      Type = "double precision"
	TNumeric     Type = "numeric"
	TText        Type = "text"
	TVarchar     Type = "varchar"
	TChar        Type = "char"
	TBool        Type = "boolean"
	TTimestamp   Type = "timestamp"
	TTimestamptz Type = "timestamptz"
	// TUnknown is an untyped literal ('...' or NULL) whose type comes from context.
	TUnknown Type = "unknown"
)

// IsInteger reports whether a result column's type name (wire.SQLColumn.Type) is one of
// the integer types.
func IsInteger(typeName string) bool { return Type(typeName).isInt() }

func (t Type) isInt() bool        { return t == TInt2 || t == TInt4 || t == TInt8 }
func (t Type) isFloat() bool      { return t == TFloat4 || t == TFloat8 }
func (t Type) isNumber() bool     { return t.isInt() || t.isFloat() || t == TNumeric }
func (t Type) isString() bool     { return t == TText || t == TVarchar || t == TChar || t == TUnknown }
func (t Type) isTime() bool       { return t == TTimestamp || t == TTimestamptz }
func (t Type) valid() bool        { return t.isNumber() || t.isString() || t.isTime() || t == TBool }
func (t Type) storedAsText() bool { return t.isString() || t.isTime() }

// numRank orders numeric types for the result type of mixed arithmetic.
func numRank(t Type) int {
	switch t {
	case TInt2:
		return 1
	case TInt4:
		return 2
	case TInt8:
		return 3
	case TNumeric:
		return 4
	case TFloat4:
		return 5
	case TFloat8:
		return 6
	}
	return 0
}

// typeFromName maps a type name as written in SQL (after pg_query's normalisation, e.g.
// "int4", "float8", "bpchar") to a Type; ok is false for types the engine does not have.
func typeFromName(name string) (t Type, serial bool, ok bool) {
	switch strings.ToLower(name) {
	case "int", "integer", "int4":
		return TInt4, false, true
	case "bigint", "int8":
		return TInt8, false, true
	case "smallint", "int2":
		return TInt2, false, true
	case "serial", "serial4":
		return TInt4, true, true
	case "bigserial", "serial8":
		return TInt8, true, true
	case "smallserial", "serial2":
		return TInt2, true, true
	case "real", "float4":
		return TFloat4, false, true
	case "double precision", "float8", "float", "double":
		return TFloat8, false, true
	case "numeric", "decimal":
		return TNumeric, false, true
	case "text":
		return TText, false, true
	case "varchar", "character varying":
		return TVarchar, false, true
	case "char", "character", "bpchar":
		return TChar, false, true
	case "bool", "boolean":
		return TBool, false, true
	case "timestamp", "timestamp without time zone":
		return TTimestamp, false, true
	case "timestamptz", "timestamp with time zone":
		return TTimestamptz, false, true
	}
	return "", false, false
}

// intRange reports the bounds of an integer type.
func intRange(t Type) (int64, int64) {
	switch t {
	case TInt2:
		return math.MinInt16, math.MaxInt16
	case TInt4:
		return math.MinInt32, math.MaxInt32
	}
	return math.MinInt64, math.MaxInt64
}

func checkIntRange(t Type, v int64) error {
	lo, hi := intRange(t)
	if v < lo || v > hi {
		return errf(StateOutOfRange, "%s out of range", t)
	}
	return nil
}

// checkFloat refuses a result that overflowed to infinity (or became NaN) from finite
// operands; NaN and ±Infinity operands give such results legitimately.
func checkFloat(f float64, operands ...float64) error {
	if !math.IsNaN(f) && !math.IsInf(f, 0) {
		return nil
	}
	for _, o := range operands {
		if math.IsNaN(o) || math.IsInf(o, 0) {
			return nil
		}
	}
	return errf(StateOutOfRange, "value out of range: overflow")
}

// parseFloat is float4's and float8's input function, NaN and ±Infinity included.
func parseFloat(t Type, s string) (float64, error) {
	ts := strings.TrimSpace(s)
	switch strings.ToLower(ts) {
	case "nan":
		return math.NaN(), nil
	case "infinity", "+infinity", "inf", "+inf":
		return math.Inf(1), nil
	case "-infinity", "-inf":
		return math.Inf(-1), nil
	}
	bits := 64
	if t == TFloat4 {
		bits = 32
	}
	f, err := strconv.ParseFloat(ts, bits)
	if err != nil && errors.Is(err, strconv.ErrRange) {
		return 0, errf(StateOutOfRange, "%q is out of range for type %s", s, t)
	}
	if err != nil || strings.ContainsAny(ts, "xXpP_") || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, errf(StateInvalidText, "invalid input syntax for type %s: %q", t, s)
	}
	return f, nil
}

// parseText converts text to a value of type t (the input function of the type).
func parseText(t Type, s string) (any, error) {
	switch {
	case t.isInt():
		v, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		if err != nil {
			if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
				return nil, errf(StateOutOfRange, "value %q is out of range for type %s", s, t)
			}
			return nil, errf(StateInvalidText, "invalid input syntax for type %s: %q", t, s)
		}
		if err := checkIntRange(t, v); err != nil {
			return nil, errf(StateOutOfRange, "value %q is out of range for type %s", s, t)
		}
		return v, nil
	case t.isFloat():
		f, err := parseFloat(t, s)
		if err != nil {
			return nil, err
		}
		return f, nil
	case t == TNumeric:
		return parseNumeric(s)
	case t == TBool:
		switch strings.ToLower(strings.TrimSpace(s)) {
		case "t", "true", "y", "yes", "on", "1":
			return true, nil
		case "f", "false", "n", "no", "off", "0":
			return false, nil
		}
		return nil, errf(StateInvalidText, "invalid input syntax for type boolean: %q", s)
	case t.isTime():
		return parseTimestamp(t, s)
	case t.isString():
		return s, nil
	}
	return nil, errf(StateInternal, "no input function for type %s", t)
}

var timeLayouts = []string{
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999Z07",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04:05.999999999Z07:00",
	"2006-01-02T15:04:05.999999999Z07",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04Z07:00",
	"2006-01-02 15:04",
	"2006-01-02",
}

// parseTimestamp accepts ISO 8601 / PostgreSQL style timestamps and returns the canonical
// text: "2006-01-02 15:04:05[.ffffff]" and, for timestamptz, the UTC time with "+00".
func parseTimestamp(t Type, s string) (any, error) {
	s = strings.TrimSpace(s)
	outOfRange := false
	for _, layout := range timeLayouts {
		tm, err := time.Parse(layout, s)
		if err != nil {
			// The right shape with a day or month that does not exist (2024-02-30).
			outOfRange = outOfRange || strings.Contains(err.Error(), "out of range")
			continue
		}
		return formatTimestamp(t, tm), nil
	}
	if outOfRange {
		return nil, errf(StateDatetimeOverflow, "date/time field value out of range: %q", s)
	}
	return nil, errf(StateInvalidDatetime, "invalid input syntax for type %s: %q", t, s)
}

// formatTimestamp prints tm as PostgreSQL does, to microseconds. Years outside 1..9999
// are clamped by the caller's parse; the fixed width keeps text order equal to time order.
func formatTimestamp(t Type, tm time.Time) string {
	tm = tm.Round(time.Microsecond)
	if t == TTimestamptz {
		return tm.UTC().Format("2006-01-02 15:04:05.999999") + "+00"
	}
	return tm.Format("2006-01-02 15:04:05.999999")
}

// formatFloat prints a float of type t (real or double precision) as FormatFloat does.
func formatFloat(f float64, t Type) string {
	if t == TFloat4 {
		return FormatFloat(f, 32)
	}
	return FormatFloat(f, 64)
}

// FormatFloat prints a float4 (bits 32) or float8 as PostgreSQL 12+ does: the shortest
// text that reads back as the same value, with an exponent when it is below -4 or at
// least 15 (float8) or 6 (float4) digits, as "%g" would ("1e+15", "1e-05",
// "1.234567e+06"); NaN and ±Infinity by name. The wire protocol prints with it too.
func FormatFloat(f float64, bits int) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	}
	limit := 15
	if bits == 32 {
		limit = 6
	}
	e := strconv.FormatFloat(f, 'e', -1, bits)
	exp, _ := strconv.Atoi(e[strings.IndexByte(e, 'e')+1:])
	if exp < -4 || exp >= limit {
		return e // Go's exponent has at least two digits, as C's does
	}
	return strconv.FormatFloat(f, 'f', -1, bits)
}

// toText is the output function: the text form of v as type t prints it.
func toText(v any, t Type) string {
	switch x := v.(type) {
	case nil:
		return ""
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return formatFloat(x, t)
	case *apd.Decimal:
		return formatNumeric(x)
	case bool:
		if x {
			return "true"
		}
		return "false"
	case string:
		return x
	}
	return ""
}

// wireValue converts v to the JSON-friendly value wire.SQLResult rows carry: numeric and
// non-finite floats as their text, so that no digit is lost.
func wireValue(v any, t Type) any {
	switch x := v.(type) {
	case *apd.Decimal:
		return formatNumeric(x)
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return formatFloat(x, t)
		}
	}
	return v
}

// sameKind reports whether a Go value has the representation type t uses.
func sameKind(v any, t Type) bool {
	switch v.(type) {
	case nil:
		return true
	case int64:
		return t.isInt()
	case float64:
		return t.isFloat()
	case *apd.Decimal:
		return t == TNumeric
	case string:
		return t.storedAsText()
	case bool:
		return t == TBool
	}
	return false
}
