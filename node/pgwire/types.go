package pgwire

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/raftplay/raftplay/node/sql"
)

// PostgreSQL type OIDs of the types the engine has (pg_type.h).
const (
	oidBool        = 16
	oidName        = 19
	oidInt8        = 20
	oidInt2        = 21
	oidInt4        = 23
	oidText        = 25
	oidFloat4      = 700
	oidFloat8      = 701
	oidUnknown     = 705
	oidBPChar      = 1042
	oidVarchar     = 1043
	oidTimestamp   = 1114
	oidTimestamptz = 1184
	oidNumeric     = 1700
)

const (
	formatText   int16 = 0
	formatBinary int16 = 1
)

// typeOID maps an engine type name (wire.SQLColumn.Type, Describe's parameter types) to
// its OID. Anything unknown is sent as text, which every client can display.
func typeOID(name string) uint32 {
	switch strings.ToLower(name) {
	case "smallint", "int2":
		return oidInt2
	case "integer", "int", "int4":
		return oidInt4
	case "bigint", "int8":
		return oidInt8
	case "real", "float4":
		return oidFloat4
	case "double precision", "float8":
		return oidFloat8
	case "numeric", "decimal":
		return oidNumeric
	case "varchar", "character varying":
		return oidVarchar
	case "char", "character", "bpchar":
		return oidBPChar
	case "boolean", "bool":
		return oidBool
	case "timestamp", "timestamp without time zone":
		return oidTimestamp
	case "timestamptz", "timestamp with time zone":
		return oidTimestamptz
	}
	return oidText
}

// typeSize is pg_type.typlen: the fixed width of a type, or -1 for variable length.
func typeSize(oid uint32) int16 {
	switch oid {
	case oidBool:
		return 1
	case oidInt2:
		return 2
	case oidInt4, oidFloat4:
		return 4
	case oidInt8, oidFloat8, oidTimestamp, oidTimestamptz:
		return 8
	}
	return -1
}

// pgEpoch is the zero of PostgreSQL's binary timestamps.
var pgEpoch = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// asInt converts a result value to an integer. Results forwarded from the leader went
// through JSON, so integers may arrive as float64.
func asInt(v any) (int64, bool) {
	switch x := v.(type) {
	case int64:
		return x, true
	case int:
		return int64(x), true
	case float64:
		if x == math.Trunc(x) && math.Abs(x) <= 1<<63 {
			return int64(x), true
		}
	case json.Number:
		i, err := x.Int64()
		return i, err == nil
	case string:
		i, err := strconv.ParseInt(x, 10, 64)
		return i, err == nil
	}
	return 0, false
}

func asFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case int64:
		return float64(x), true
	case int:
		return float64(x), true
	case json.Number:
		f, err := x.Float64()
		return f, err == nil
	case string:
		f, err := strconv.ParseFloat(x, 64)
		return f, err == nil
	}
	return 0, false
}

// encodeText is PostgreSQL's text output of v as a column of type oid.
func encodeText(v any, oid uint32) []byte {
	switch oid {
	case oidInt2, oidInt4, oidInt8:
		if i, ok := asInt(v); ok {
			return strconv.AppendInt(nil, i, 10)
		}
	case oidFloat4, oidFloat8:
		if s, ok := v.(string); ok {
			return []byte(s)
		}
		if f, ok := asFloat(v); ok {
			bits := 64
			if oid == oidFloat4 {
				bits = 32
			}
			return []byte(sql.FormatFloat(f, bits))
		}
	}
	switch x := v.(type) {
	case string:
		return []byte(x)
	case bool:
		if x {
			return []byte("t")
		}
		return []byte("f")
	case int64:
		return strconv.AppendInt(nil, x, 10)
	case float64:
		return []byte(sql.FormatFloat(x, 64))
	}
	return []byte(fmt.Sprint(v))
}

// encodeBinary is the binary send format of v as a column of type oid.
func encodeBinary(v any, oid uint32) ([]byte, error) {
	switch oid {
	case oidInt2, oidInt4, oidInt8:
		i, ok := asInt(v)
		if !ok {
			return nil, fmt.Errorf("cannot send %T %v as an integer", v, v)
		}
		switch oid {
		case oidInt2:
			if i < math.MinInt16 || i > math.MaxInt16 {
				return nil, pgErr(sql.StateOutOfRange, "smallint out of range")
			}
			return binary.BigEndian.AppendUint16(nil, uint16(int16(i))), nil
		case oidInt4:
			if i < math.MinInt32 || i > math.MaxInt32 {
				return nil, pgErr(sql.StateOutOfRange, "integer out of range")
			}
			return binary.BigEndian.AppendUint32(nil, uint32(int32(i))), nil
		}
		return binary.BigEndian.AppendUint64(nil, uint64(i)), nil
	case oidFloat4, oidFloat8:
		f, ok := asFloat(v)
		if !ok {
			return nil, fmt.Errorf("cannot send %T %v as a float", v, v)
		}
		if oid == oidFloat4 {
			return binary.BigEndian.AppendUint32(nil, math.Float32bits(float32(f))), nil
		}
		return binary.BigEndian.AppendUint64(nil, math.Float64bits(f)), nil
	case oidBool:
		b, ok := v.(bool)
		if !ok {
			return nil, fmt.Errorf("cannot send %T %v as a boolean", v, v)
		}
		if b {
			return []byte{1}, nil
		}
		return []byte{0}, nil
	case oidTimestamp, oidTimestamptz:
		s, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("cannot send %T %v as a timestamp", v, v)
		}
		tm, err := parseTimestamp(s)
		if err != nil {
			return nil, err
		}
		return binary.BigEndian.AppendUint64(nil, uint64(tm.Sub(pgEpoch).Microseconds())), nil
	case oidNumeric:
		return encodeNumeric(string(encodeText(v, oidNumeric)))
	}
	return encodeText(v, oid), nil
}

var timestampLayouts = []string{
	"2006-01-02 15:04:05-07",
	"2006-01-02 15:04:05-07:00",
	"2006-01-02 15:04:05-07:00:00",
	"2006-01-02 15:04:05",
	"2006-01-02T15:04:05Z07:00",
}

// parseTimestamp reads the engine's timestamp text (PostgreSQL's ISO output). Durations
// from the PostgreSQL epoch fit an int64 of microseconds for years 1..9999, so Sub does not
// saturate.
func parseTimestamp(s string) (time.Time, error) {
	for _, l := range timestampLayouts {
		if tm, err := time.Parse(l, s); err == nil {
			return tm.UTC(), nil
		}
	}
	return time.Time{}, pgErr(sql.StateInvalidDatetime, fmt.Sprintf("cannot send timestamp %q in binary", s))
}

// decodeParam turns a bound parameter into the Go value the engine binds: int64, float64,
// bool, string (untyped, like a quoted literal), time.Time, or nil.
func decodeParam(n int, oid uint32, format int16, data []byte) (any, error) {
	if data == nil {
		return nil, nil
	}
	if format == formatText {
		return decodeTextParam(n, oid, string(data))
	}
	bad := func() error {
		return pgErr(sql.StateProtocol, fmt.Sprintf("incorrect binary data format in bind parameter %d", n))
	}
	switch oid {
	case oidInt2:
		if len(data) != 2 {
			return nil, bad()
		}
		return int64(int16(binary.BigEndian.Uint16(data))), nil
	case oidInt4:
		if len(data) != 4 {
			return nil, bad()
		}
		return int64(int32(binary.BigEndian.Uint32(data))), nil
	case oidInt8:
		if len(data) != 8 {
			return nil, bad()
		}
		return int64(binary.BigEndian.Uint64(data)), nil
	case oidFloat4:
		if len(data) != 4 {
			return nil, bad()
		}
		return float64(math.Float32frombits(binary.BigEndian.Uint32(data))), nil
	case oidFloat8:
		if len(data) != 8 {
			return nil, bad()
		}
		return math.Float64frombits(binary.BigEndian.Uint64(data)), nil
	case oidBool:
		if len(data) != 1 {
			return nil, bad()
		}
		return data[0] != 0, nil
	case oidTimestamp, oidTimestamptz:
		if len(data) != 8 {
			return nil, bad()
		}
		us := int64(binary.BigEndian.Uint64(data))
		if us == math.MaxInt64 || us == math.MinInt64 {
			return nil, pgErr(sql.StateInvalidDatetime, "infinite timestamps are not supported")
		}
		tm := pgEpoch.Add(time.Duration(us/1e6) * time.Second).Add(time.Duration(us%1e6) * time.Microsecond)
		if oid == oidTimestamp {
			// A timestamp without time zone is a wall-clock reading: hand it over as text so
			// it takes the column's type instead of becoming a timestamptz.
			return tm.Format("2006-01-02 15:04:05.999999"), nil
		}
		return tm, nil
	case oidNumeric:
		s, err := decodeNumeric(data)
		if err != nil {
			return nil, bad()
		}
		return s, nil
	case oidText, oidVarchar, oidBPChar, oidName, oidUnknown, 0:
		if !utf8.Valid(data) {
			return nil, pgErr(sql.StateCharacterNotInRepertoire, "invalid byte sequence for encoding \"UTF8\"")
		}
		return string(data), nil
	}
	return nil, pgErr(sql.StateUnsupported, fmt.Sprintf("binary format for parameter %d of type OID %d is not supported; send it as text", n, oid))
}

func decodeTextParam(n int, oid uint32, s string) (any, error) {
	if !utf8.ValidString(s) {
		return nil, pgErr(sql.StateCharacterNotInRepertoire, "invalid byte sequence for encoding \"UTF8\"")
	}
	switch oid {
	case oidInt2, oidInt4, oidInt8:
		i, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		if err != nil {
			return nil, pgErr(sql.StateInvalidText, fmt.Sprintf("invalid input syntax for type integer: %q (parameter $%d)", s, n))
		}
		return i, nil
	case oidFloat4, oidFloat8:
		f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil {
			return nil, pgErr(sql.StateInvalidText, fmt.Sprintf("invalid input syntax for type double precision: %q (parameter $%d)", s, n))
		}
		return f, nil
	case oidBool:
		b, ok := parseBool(s)
		if !ok {
			return nil, pgErr(sql.StateInvalidText, fmt.Sprintf("invalid input syntax for type boolean: %q (parameter $%d)", s, n))
		}
		return b, nil
	}
	// Text, numeric (kept exact as text) and timestamps go over as untyped strings: the
	// engine reads them with the input function of the type they meet.
	return s, nil
}

// parseBool accepts what PostgreSQL's boolin does: t, true, y, yes, on, 1 and their false
// counterparts, any case, unique prefixes.
func parseBool(s string) (bool, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		return false, false
	}
	for _, w := range []string{"true", "yes"} {
		if strings.HasPrefix(w, s) {
			return true, true
		}
	}
	for _, w := range []string{"false", "no"} {
		if strings.HasPrefix(w, s) {
			return false, true
		}
	}
	switch s {
	case "on", "1":
		return true, true
	case "off", "of", "0":
		return false, true
	}
	return false, false
}

// Numeric binary format: int16 ndigits, int16 weight, uint16 sign, int16 dscale, then
// ndigits base-10000 digits; weight is the power of 10000 of the first digit.
const (
	numericPos  = 0x0000
	numericNeg  = 0x4000
	numericNaN  = 0xC000
	numericPInf = 0xD000
	numericNInf = 0xF000
)

func encodeNumeric(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	hdr := func(nd, weight int, sign uint16, dscale int) []byte {
		b := binary.BigEndian.AppendUint16(nil, uint16(nd))
		b = binary.BigEndian.AppendUint16(b, uint16(int16(weight)))
		b = binary.BigEndian.AppendUint16(b, sign)
		return binary.BigEndian.AppendUint16(b, uint16(dscale))
	}
	switch strings.ToLower(s) {
	case "nan":
		return hdr(0, 0, numericNaN, 0), nil
	case "infinity":
		return hdr(0, 0, numericPInf, 0), nil
	case "-infinity":
		return hdr(0, 0, numericNInf, 0), nil
	}
	var sign uint16 = numericPos
	if strings.HasPrefix(s, "-") {
		sign, s = numericNeg, s[1:]
	} else {
		s = strings.TrimPrefix(s, "+")
	}
	intPart, frac, _ := strings.Cut(s, ".")
	for _, c := range intPart + frac {
		if c < '0' || c > '9' {
			return nil, fmt.Errorf("cannot send numeric %q in binary", s)
		}
	}
	dscale := len(frac)
	intPart = strings.TrimLeft(intPart, "0")
	if pad := len(intPart) % 4; pad != 0 {
		intPart = strings.Repeat("0", 4-pad) + intPart
	}
	if pad := len(frac) % 4; pad != 0 {
		frac += strings.Repeat("0", 4-pad)
	}
	all := intPart + frac
	digits := make([]uint16, 0, len(all)/4)
	for i := 0; i < len(all); i += 4 {
		d, _ := strconv.Atoi(all[i : i+4])
		digits = append(digits, uint16(d))
	}
	weight := len(intPart)/4 - 1
	for len(digits) > 0 && digits[0] == 0 {
		digits = digits[1:]
		weight--
	}
	for len(digits) > 0 && digits[len(digits)-1] == 0 {
		digits = digits[:len(digits)-1]
	}
	if len(digits) == 0 {
		weight, sign = 0, numericPos
	}
	b := hdr(len(digits), weight, sign, dscale)
	for _, d := range digits {
		b = binary.BigEndian.AppendUint16(b, d)
	}
	return b, nil
}

func decodeNumeric(b []byte) (string, error) {
	if len(b) < 8 {
		return "", fmt.Errorf("numeric too short")
	}
	nd := int(binary.BigEndian.Uint16(b))
	weight := int(int16(binary.BigEndian.Uint16(b[2:])))
	sign := binary.BigEndian.Uint16(b[4:])
	dscale := int(int16(binary.BigEndian.Uint16(b[6:])))
	if len(b) != 8+2*nd || dscale < 0 || dscale > 1000 || weight > 1000 || weight < -1000 {
		return "", fmt.Errorf("bad numeric")
	}
	switch sign {
	case numericNaN:
		return "NaN", nil
	case numericPInf:
		return "Infinity", nil
	case numericNInf:
		return "-Infinity", nil
	}
	if sign != numericPos && sign != numericNeg {
		return "", fmt.Errorf("bad numeric sign")
	}
	digit := func(p int) int { // the digit of power 10000^p
		i := weight - p
		if i < 0 || i >= nd {
			return 0
		}
		return int(binary.BigEndian.Uint16(b[8+2*i:]))
	}
	var sb strings.Builder
	if sign == numericNeg {
		sb.WriteByte('-')
	}
	if weight < 0 {
		sb.WriteByte('0')
	}
	for p := weight; p >= 0; p-- {
		d := digit(p)
		if d > 9999 {
			return "", fmt.Errorf("bad numeric digit")
		}
		if p == weight {
			sb.WriteString(strconv.Itoa(d))
		} else {
			fmt.Fprintf(&sb, "%04d", d)
		}
	}
	if dscale > 0 {
		var fr strings.Builder
		for p := -1; fr.Len() < dscale; p-- {
			fmt.Fprintf(&fr, "%04d", digit(p))
		}
		sb.WriteByte('.')
		sb.WriteString(fr.String()[:dscale])
	}
	return sb.String(), nil
}
