package sql

import (
	"encoding/hex"
	"encoding/json"
	"math"
	"strconv"
	"strings"

	"github.com/tidwall/gjson"
)

// Storage keys. Everything the engine writes is under prefix.
const (
	prefix        = "sql/"
	catalogPrefix = "sql/c/" // sql/c/<table>: the table's JSON definition
	rowPrefix     = "sql/r/" // sql/r/<table>/<key>: one row, a JSON array in column order
	bIndexPrefix  = "sql:"   // BuntDB index name = "sql:" + SQL index name
)

func catalogKey(table string) string    { return catalogPrefix + table }
func rowKeyPrefix(table string) string  { return rowPrefix + table + "/" }
func buntIndexName(index string) string { return bIndexPrefix + index }

// encodeKeyPart appends an order-preserving encoding of v, so that byte order of keys
// equals the order of the primary key values. Integers, floats and booleans are fixed
// width; text ends with a zero byte (text never contains one), so composite keys
// compare component by component.
func encodeKeyPart(b []byte, v any) []byte {
	switch x := v.(type) {
	case int64:
		var buf [16]byte
		hex.Encode(buf[:], be64(uint64(x)^(1<<63)))
		return append(b, buf[:]...)
	case float64:
		if x == 0 {
			x = 0 // fold -0 into 0
		}
		u := math.Float64bits(x)
		if u>>63 == 0 {
			u ^= 1 << 63
		} else {
			u = ^u
		}
		var buf [16]byte
		hex.Encode(buf[:], be64(u))
		return append(b, buf[:]...)
	case bool:
		if x {
			return append(b, '1')
		}
		return append(b, '0')
	case string:
		b = append(b, x...)
		return append(b, 0)
	}
	return b
}

func be64(u uint64) []byte {
	return []byte{byte(u >> 56), byte(u >> 48), byte(u >> 40), byte(u >> 32), byte(u >> 24), byte(u >> 16), byte(u >> 8), byte(u)}
}

// prefixEnd is the smallest string greater than every string that starts with p.
func prefixEnd(p string) string {
	b := []byte(p)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] < 0xff {
			b[i]++
			return string(b[:i+1])
		}
	}
	return "" // no upper bound
}

// encodeRow writes a row as a compact JSON array in column order: integers stay
// integers, NULL is null.
func encodeRow(row []any) string {
	b := make([]byte, 0, 16*len(row))
	b = append(b, '[')
	for i, v := range row {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONValue(b, v)
	}
	b = append(b, ']')
	return string(b)
}

func appendJSONValue(b []byte, v any) []byte {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...)
	case int64:
		return strconv.AppendInt(b, x, 10)
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return append(b, "null"...)
		}
		return strconv.AppendFloat(b, x, 'g', -1, 64)
	case bool:
		return strconv.AppendBool(b, x)
	case string:
		q, _ := json.Marshal(x)
		return append(b, q...)
	}
	return append(b, "null"...)
}

// decodeRow reads a stored row for the given columns. Missing trailing values are NULL.
func decodeRow(raw string, cols []Column) ([]any, error) {
	if !gjson.Valid(raw) {
		return nil, errf(StateDataCorrupted, "stored row is not valid JSON")
	}
	res := gjson.Parse(raw)
	if !res.IsArray() {
		return nil, errf(StateDataCorrupted, "stored row is not a JSON array")
	}
	row := make([]any, len(cols))
	i := 0
	var err error
	res.ForEach(func(_, v gjson.Result) bool {
		if i >= len(cols) {
			return false
		}
		row[i], err = jsonToValue(v, cols[i].Type)
		i++
		return err == nil
	})
	if err != nil {
		return nil, err
	}
	return row, nil
}

// jsonToValue converts one stored JSON value to the Go value of type t.
func jsonToValue(v gjson.Result, t Type) (any, error) {
	switch v.Type {
	case gjson.Null:
		return nil, nil
	case gjson.Number:
		switch {
		case t.isInt():
			n, err := strconv.ParseInt(v.Raw, 10, 64)
			if err != nil {
				return nil, errf(StateDataCorrupted, "stored value %s is not an integer", v.Raw)
			}
			return n, nil
		case t.isFloat():
			return v.Num, nil
		}
	case gjson.String:
		if t.storedAsText() {
			return v.Str, nil
		}
	case gjson.True, gjson.False:
		if t == TBool {
			return v.Type == gjson.True, nil
		}
	}
	return nil, errf(StateDataCorrupted, "stored value %s does not fit type %s", v.Raw, t)
}

// lessFunc builds the BuntDB index order over rows: the given columns in turn, each by
// its type, NULLs after all values. A pivot built by indexPivot (a JSON object keyed by
// column position) may leave columns out; they sort before (or with "hi", after) every
// value, so a pivot on a leading column brackets all rows with that value.
func lessFunc(pos []int, types []Type) func(a, b string) bool {
	paths := make([]string, len(pos))
	for i, p := range pos {
		paths[i] = strconv.Itoa(p)
	}
	return func(a, b string) bool {
		aHi := isHiPivot(a)
		bHi := isHiPivot(b)
		for i, path := range paths {
			va := gjson.Get(a, path)
			vb := gjson.Get(b, path)
			c := compareIndexed(va, vb, types[i], aHi, bHi)
			if c != 0 {
				return c < 0
			}
		}
		return false
	}
}

func isHiPivot(s string) bool {
	return len(s) > 0 && s[0] == '{' && strings.Contains(s, `"hi":1`)
}

// rank of an index value: missing low pivot < value < NULL < missing high pivot.
func indexRank(v gjson.Result, hi bool) int {
	switch {
	case !v.Exists():
		if hi {
			return 3
		}
		return 0
	case v.Type == gjson.Null:
		return 2
	}
	return 1
}

func compareIndexed(a, b gjson.Result, t Type, aHi, bHi bool) int {
	ra, rb := indexRank(a, aHi), indexRank(b, bHi)
	if ra != rb || ra != 1 {
		return cmpInt(int64(ra), int64(rb))
	}
	switch {
	case t.isInt():
		x, _ := strconv.ParseInt(a.Raw, 10, 64)
		y, _ := strconv.ParseInt(b.Raw, 10, 64)
		return cmpInt(x, y)
	case t.isFloat():
		return cmpFloat(a.Num, b.Num)
	case t == TBool:
		return cmpInt(boolInt(a.Type == gjson.True), boolInt(b.Type == gjson.True))
	}
	return strings.Compare(a.Str, b.Str)
}

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// indexPivot builds a pivot for index scans: values at table column positions; with hi,
// columns not given sort after every row instead of before.
func indexPivot(pos []int, vals []any, hi bool) string {
	b := []byte{'{'}
	for i, v := range vals {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '"')
		b = strconv.AppendInt(b, int64(pos[i]), 10)
		b = append(b, '"', ':')
		b = appendJSONValue(b, v)
	}
	if hi {
		if len(vals) > 0 {
			b = append(b, ',')
		}
		b = append(b, `"hi":1`...)
	}
	b = append(b, '}')
	return string(b)
}
