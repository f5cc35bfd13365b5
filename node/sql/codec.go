package sql

import (
	"encoding/hex"
	"math"
	"strconv"
	"strings"

	"github.com/cockroachdb/apd/v3"
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
	case *apd.Decimal:
		return numKey(b, x)
	case float64:
		if x == 0 {
			x = 0 // fold -0 into 0
		}
		if math.IsNaN(x) {
			x = math.NaN() // one NaN, after +Infinity
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
			return strconv.AppendQuote(b, formatFloat(x, TFloat8))
		}
		return strconv.AppendFloat(b, x, 'g', -1, 64)
	case *apd.Decimal:
		return numJSON(b, x)
	case bool:
		return strconv.AppendBool(b, x)
	case string:
		return appendJSONString(b, x) // the bytes json.Marshal writes, without its allocations
	}
	return append(b, "null"...)
}

// decodeRow reads a stored row for the given columns. Missing trailing values are NULL.
func decodeRow(raw string, cols []Column) ([]any, error) {
	var kinds [16]storedKind
	d := rowDecoder{cols: cols, kinds: appendStoredKinds(kinds[:0], cols)}
	row := make([]any, len(cols))
	if err := d.decodeInto(row, raw); err != nil {
		return nil, err
	}
	return row, nil
}

// storedKind is how a column's values are stored, resolved once per decoder instead of
// comparing type names for every value.
type storedKind uint8

const (
	storedOther storedKind = iota // no type the engine stores; never decoded in one pass
	storedInt
	storedFloat
	storedText
	storedBool
	storedNumeric
)

func appendStoredKinds(kinds []storedKind, cols []Column) []storedKind {
	for _, c := range cols {
		k := storedOther
		switch t := c.Type; {
		case t.isInt():
			k = storedInt
		case t.isFloat():
			k = storedFloat
		case t == TNumeric:
			k = storedNumeric
		case t.storedAsText():
			k = storedText
		case t == TBool:
			k = storedBool
		}
		kinds = append(kinds, k)
	}
	return kinds
}

// rowDecoder decodes stored rows of one column list.
type rowDecoder struct {
	cols  []Column
	kinds []storedKind // one per column
}

func newRowDecoder(cols []Column) rowDecoder {
	return rowDecoder{cols: cols, kinds: appendStoredKinds(nil, cols)}
}

// decodeInto decodes a stored row into row, which has one entry per column; every entry
// is overwritten. Rows as encodeRow writes them take a single pass; anything else
// (whitespace, nested values, a value that does not fit its column, invalid JSON) goes
// through gjson, whose results and errors are the reference.
func (d rowDecoder) decodeInto(row []any, raw string) error {
	if len(row) == len(d.kinds) && decodeRowFast(row, raw, d.kinds) {
		return nil
	}
	return decodeRowGJSON(row, raw, d.cols)
}

// decodeRowGJSON validates the whole row first, so an invalid row is reported as such
// even when an earlier value does not fit its column.
func decodeRowGJSON(row []any, raw string, cols []Column) error {
	clear(row)
	if !gjson.Valid(raw) {
		return errf(StateDataCorrupted, "stored row is not valid JSON")
	}
	res := gjson.Parse(raw)
	if !res.IsArray() {
		return errf(StateDataCorrupted, "stored row is not a JSON array")
	}
	i := 0
	var err error
	res.ForEach(func(_, v gjson.Result) bool {
		if i >= len(cols) || i >= len(row) {
			return false
		}
		row[i], err = jsonToValue(v, cols[i].Type)
		i++
		return err == nil
	})
	return err
}

// decodeRowFast decodes a compact JSON array (no whitespace, no nested values) whose
// values all fit their columns, with the same results as decodeRowGJSON. It reports
// false, leaving row in an undefined state, for anything else, including every error.
// Its grammar for numbers, strings and literals is gjson's validator's, so whatever it
// accepts gjson.Valid accepts too.
func decodeRowFast(row []any, raw string, kinds []storedKind) bool {
	n := len(raw)
	if n < 2 || raw[0] != '[' {
		return false
	}
	i, col := 1, 0
	if raw[i] == ']' {
		if i+1 != n {
			return false
		}
		clear(row)
		return true
	}
	for {
		if i >= n {
			return false
		}
		var ok bool
		switch c := raw[i]; {
		case c == '"':
			i, ok = decodeString(row, raw, i, kinds, col)
		case c == '-' || c >= '0' && c <= '9':
			i, ok = decodeNumber(row, raw, i, kinds, col)
		case c == 'n':
			if ok = strings.HasPrefix(raw[i:], "null"); ok {
				i += 4
				if col < len(kinds) {
					row[col] = nil
				}
			}
		case c == 't':
			if ok = strings.HasPrefix(raw[i:], "true"); ok {
				i += 4
				ok = col >= len(kinds) || setBool(row, kinds, col, true)
			}
		case c == 'f':
			if ok = strings.HasPrefix(raw[i:], "false"); ok {
				i += 5
				ok = col >= len(kinds) || setBool(row, kinds, col, false)
			}
		}
		if !ok || i >= n {
			return false
		}
		col++
		switch raw[i] {
		case ',':
			i++
		case ']':
			if i+1 != n {
				return false
			}
			if col < len(row) {
				clear(row[col:])
			}
			return true
		default:
			return false
		}
	}
}

func setBool(row []any, kinds []storedKind, col int, b bool) bool {
	if kinds[col] != storedBool {
		return false
	}
	row[col] = b
	return true
}

// decodeString scans the string starting at raw[i] (the opening quote) as gjson's
// validator does and stores it if the column is text-like. It returns the index after
// the closing quote.
func decodeString(row []any, raw string, i int, kinds []storedKind, col int) (int, bool) {
	start := i
	esc := false
	for i++; i < len(raw); i++ {
		c := raw[i]
		switch {
		case c == '"':
			i++
			if col < len(kinds) {
				if kinds[col] != storedText {
					return i, false // NaN and ±Infinity are rare: gjson's path reads them
				}
				if esc {
					// Rare (quotes, control and HTML characters): let gjson unescape.
					row[col] = gjson.Parse(raw[start:i]).Str
				} else {
					row[col] = raw[start+1 : i-1]
				}
			}
			return i, true
		case c < ' ':
			return i, false
		case c == '\\':
			esc = true
			i++
			if i >= len(raw) {
				return i, false
			}
			switch raw[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if i+4 >= len(raw) || !isHex(raw[i+1]) || !isHex(raw[i+2]) || !isHex(raw[i+3]) || !isHex(raw[i+4]) {
					return i, false
				}
				i += 4
			default:
				return i, false
			}
		}
	}
	return i, false
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// decodeNumber scans a JSON number starting at raw[i] and stores it as the column's
// type: integers must parse as int64, floats parse as gjson does (strconv.ParseFloat,
// overflow giving ±Inf).
func decodeNumber(row []any, raw string, i int, kinds []storedKind, col int) (int, bool) {
	start := i
	neg := raw[i] == '-'
	if neg {
		i++
	}
	// mant collects up to 18 significant digits (no int64 overflow); digits counts all.
	var mant uint64
	digits, frac := 0, 0
	switch {
	case i >= len(raw):
		return i, false
	case raw[i] == '0':
		i++
		digits++
	case raw[i] >= '1' && raw[i] <= '9':
		for ; i < len(raw) && raw[i] >= '0' && raw[i] <= '9'; i++ {
			mant = mant*10 + uint64(raw[i]-'0')
			digits++
		}
	default:
		return i, false
	}
	integer := true
	if i < len(raw) && raw[i] == '.' {
		integer = false
		i++
		if i >= len(raw) || raw[i] < '0' || raw[i] > '9' {
			return i, false
		}
		for ; i < len(raw) && raw[i] >= '0' && raw[i] <= '9'; i++ {
			mant = mant*10 + uint64(raw[i]-'0')
			digits++
			frac++
		}
	}
	exp := false
	if i < len(raw) && (raw[i] == 'e' || raw[i] == 'E') {
		integer, exp = false, true
		i++
		if i < len(raw) && (raw[i] == '+' || raw[i] == '-') {
			i++
		}
		if i >= len(raw) || raw[i] < '0' || raw[i] > '9' {
			return i, false
		}
		for i++; i < len(raw) && raw[i] >= '0' && raw[i] <= '9'; i++ {
		}
	}
	if col >= len(kinds) {
		return i, true
	}
	v, ok := numberValue(numToken{raw[start:i], neg, mant, digits, frac, integer, exp}, kinds[col])
	if ok {
		row[col] = v
	}
	return i, ok
}

// numToken is a scanned JSON number: its text, sign, up to 18 leading digits as an
// integer (mant), its count of digits and of fraction digits, and its form.
type numToken struct {
	tok                 string
	neg                 bool
	mant                uint64
	digits, frac        int
	integer, exponented bool
}

// numberValue is a scanned number as a column of the given kind stores it, by the fast
// paths where they are exact; ok is false when it does not fit the column.
func numberValue(n numToken, kind storedKind) (any, bool) {
	tok, neg, mant, digits, frac, integer, exp := n.tok, n.neg, n.mant, n.digits, n.frac, n.integer, n.exponented
	switch kind {
	case storedInt:
		if !integer {
			return nil, false
		}
		if digits <= 18 {
			v := int64(mant)
			if neg {
				v = -v
			}
			return v, true
		}
		v, err := strconv.ParseInt(tok, 10, 64)
		if err != nil {
			return nil, false
		}
		return v, true
	case storedFloat:
		if !exp && digits <= 15 {
			// Both the mantissa (< 2^53) and 10^frac (frac <= 15) are exact doubles, so
			// one division is correctly rounded: the value strconv.ParseFloat returns.
			f := float64(mant)
			if frac > 0 {
				f /= float64pow10[frac]
			}
			if neg {
				f = -f
			}
			return f, true
		}
		f, _ := strconv.ParseFloat(tok, 64)
		return f, true
	case storedNumeric:
		if !exp && digits <= 18 {
			// Up to 18 digits fit the coefficient exactly: no parse, one allocation.
			v := int64(mant)
			if neg {
				v = -v
			}
			d := apd.New(v, int32(-frac))
			if neg && v == 0 {
				d.Negative = false // -0.0 is 0.0
			}
			return d, true
		}
		d, err := decodeStoredNumeric(tok)
		if err != nil {
			return nil, false
		}
		return d, true
	}
	return nil, false
}

// decodeStoredNumeric reads a stored numeric, a JSON number: its digits as written, so
// the values of earlier releases, which kept numeric as a double's shortest text, read
// back as the same decimals they printed.
func decodeStoredNumeric(tok string) (*apd.Decimal, error) {
	d, _, err := apd.NewFromString(tok)
	if err != nil || d.NumDigits() > numericDigits {
		return nil, errf(StateDataCorrupted, "stored value %s is not a numeric", tok)
	}
	return checkNumeric(d, 0)
}

// decodeSpecialNumber reads the stored text of NaN and ±Infinity in a float or numeric
// column.
func decodeSpecialNumber(s string, t Type) (any, bool) {
	switch s {
	case "NaN", "Infinity", "-Infinity":
		if t == TNumeric {
			d, err := parseNumeric(s)
			return d, err == nil
		}
		f, err := parseFloat(TFloat8, s)
		return f, err == nil
	}
	return nil, false
}

var float64pow10 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15}

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
		case t == TNumeric:
			return decodeStoredNumeric(v.Raw)
		}
	case gjson.String:
		if t.storedAsText() {
			return v.Str, nil
		}
		if x, ok := decodeSpecialNumber(v.Str, t); ok {
			return x, nil
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
		return cmpFloat(indexedFloat(a), indexedFloat(b))
	case t == TNumeric:
		return cmpIndexedNumeric(a, b)
	case t == TBool:
		return cmpInt(boolInt(a.Type == gjson.True), boolInt(b.Type == gjson.True))
	}
	return strings.Compare(a.Str, b.Str)
}

func indexedFloat(v gjson.Result) float64 {
	if v.Type == gjson.String {
		f, _ := parseFloat(TFloat8, v.Str)
		return f
	}
	return v.Num
}

// cmpIndexedNumeric orders stored numerics: by their doubles when those differ (the
// conversion never reverses an order), and exactly when they are equal.
func cmpIndexedNumeric(a, b gjson.Result) int {
	if a.Type == gjson.Number && b.Type == gjson.Number {
		if c := cmpFloat(a.Num, b.Num); c != 0 && !math.IsInf(a.Num, 0) && !math.IsInf(b.Num, 0) {
			return c
		}
	}
	return cmpNumeric(indexedNumeric(a), indexedNumeric(b))
}

func indexedNumeric(v gjson.Result) *apd.Decimal {
	var d *apd.Decimal
	var err error
	if v.Type == gjson.String {
		d, err = parseNumeric(v.Str)
	} else {
		d, err = decodeStoredNumeric(v.Raw)
	}
	if err != nil {
		return numNaN // unreadable values sort last; reading the row reports them
	}
	return d
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
