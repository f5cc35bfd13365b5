package sql

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/cockroachdb/apd/v3"
)

// sameValues compares decoded rows exactly: kinds, values, and the sign of zero.
func sameValues(a, b []any) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if da, ok := a[i].(*apd.Decimal); ok {
			db, ok := b[i].(*apd.Decimal)
			if !ok || da.Form != db.Form || da.Negative != db.Negative || da.Text('G') != db.Text('G') {
				return false
			}
			continue
		}
		fa, okA := a[i].(float64)
		fb, okB := b[i].(float64)
		if okA && okB {
			if math.Float64bits(fa) != math.Float64bits(fb) {
				return false
			}
			continue
		}
		if !reflect.DeepEqual(a[i], b[i]) {
			return false
		}
	}
	return true
}

// dec is a numeric value from its text.
func dec(s string) *apd.Decimal {
	d, err := parseNumeric(s)
	if err != nil {
		panic(err)
	}
	return d
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return sqlState(err) + " " + err.Error()
}

// checkAgainstGJSON decodes raw both ways and fails unless values and errors agree.
func checkAgainstGJSON(t *testing.T, raw string, cols []Column) ([]any, error) {
	t.Helper()
	got, err := decodeRow(raw, cols)
	ref := make([]any, len(cols))
	refErr := decodeRowGJSON(ref, raw, cols)
	if refErr != nil {
		ref = nil
	}
	if errText(err) != errText(refErr) || !sameValues(got, ref) {
		t.Fatalf("decodeRow(%q, %v) = %#v, %v; gjson reference %#v, %v", raw, colTypes(cols), got, err, ref, refErr)
	}
	return got, err
}

func colTypes(cols []Column) []Type {
	ts := make([]Type, len(cols))
	for i, c := range cols {
		ts[i] = c.Type
	}
	return ts
}

func colsOf(ts ...Type) []Column {
	cols := make([]Column, len(ts))
	for i, t := range ts {
		cols[i] = Column{Name: fmt.Sprintf("c%d", i), Type: t}
	}
	return cols
}

func TestDecodeRow(t *testing.T) {
	negZero := math.Copysign(0, -1)
	tests := []struct {
		name    string
		raw     string
		types   []Type
		want    []any
		wantErr string // SQLSTATE and message; empty when decoding succeeds
	}{
		{name: "every kind", raw: `[1,"a",2.5,true,false]`, types: []Type{TInt4, TText, TFloat8, TBool, TBool}, want: []any{int64(1), "a", 2.5, true, false}},
		{name: "nulls of every type", raw: `[null,null,null,null,null,null]`, types: []Type{TInt8, TText, TFloat8, TBool, TTimestamptz, TNumeric}, want: []any{nil, nil, nil, nil, nil, nil}},
		{name: "missing trailing values are NULL", raw: `[7]`, types: []Type{TInt4, TText, TBool}, want: []any{int64(7), nil, nil}},
		{name: "empty array", raw: `[]`, types: []Type{TInt4, TText}, want: []any{nil, nil}},
		{name: "extra values ignored", raw: `[1,"x",[1,{"a":2}],3.5]`, types: []Type{TInt4}, want: []any{int64(1)}},
		{name: "unicode", raw: `["héllo ✓ 日本 😀"]`, types: []Type{TText}, want: []any{"héllo ✓ 日本 😀"}},
		{name: "escapes", raw: `["q\"b\\s\/n\nr\rt\tb\bf\f"]`, types: []Type{TVarchar}, want: []any{"q\"b\\s/n\nr\rt\tb\bf\f"}},
		{name: "unicode escapes", raw: `["\u003ca\u0026b\u003e \u00e9 \ud83d\ude00 \u2028"]`, types: []Type{TText}, want: []any{"<a&b> é 😀 \u2028"}},
		{name: "lone surrogate", raw: `["\ud800x"]`, types: []Type{TText}, want: []any{"\ufffdx"}},
		{name: "invalid UTF-8 kept", raw: "[\"a\xffb\"]", types: []Type{TText}, want: []any{"a\xffb"}},
		{name: "timestamps are text", raw: `["2024-05-06 07:08:09.123456+00","2024-05-06 07:08:09"]`, types: []Type{TTimestamptz, TTimestamp}, want: []any{"2024-05-06 07:08:09.123456+00", "2024-05-06 07:08:09"}},
		{name: "char", raw: `["ab  "]`, types: []Type{TChar}, want: []any{"ab  "}},
		{name: "integer extremes", raw: `[9223372036854775807,-9223372036854775808,-0,0]`, types: []Type{TInt8, TInt8, TInt8, TInt2}, want: []any{int64(math.MaxInt64), int64(math.MinInt64), int64(0), int64(0)}},
		{name: "18 and 19 digits", raw: `[999999999999999999,1000000000000000000,-999999999999999999]`, types: []Type{TInt8, TInt8, TInt8}, want: []any{int64(999999999999999999), int64(1000000000000000000), int64(-999999999999999999)}},
		{name: "small and large ints", raw: `[0,255,256,-1]`, types: []Type{TInt4, TInt4, TInt4, TInt4}, want: []any{int64(0), int64(255), int64(256), int64(-1)}},
		{name: "floats", raw: `[0.1,-2.5,42,1e3,1E-7,2.5e+3,123456789012345,0.000001]`, types: []Type{TFloat8, TFloat8, TFloat8, TFloat8, TFloat8, TFloat8, TFloat8, TFloat4}, want: []any{0.1, -2.5, 42.0, 1000.0, 1e-7, 2500.0, 123456789012345.0, 0.000001}},
		{name: "long floats", raw: `[1234567890123456789.5,0.30000000000000004]`, types: []Type{TFloat8, TFloat8}, want: []any{1234567890123456789.5, 0.30000000000000004}},
		{name: "numerics keep every digit", raw: `[12345678901234567890.123456789,0.10,1e+21,-0.0,3.141592653589793]`, types: []Type{TNumeric, TNumeric, TNumeric, TNumeric, TNumeric}, want: []any{dec("12345678901234567890.123456789"), dec("0.10"), dec("1E+21"), dec("0.0"), dec("3.141592653589793")}},
		{name: "non-finite numbers are strings", raw: `["NaN","Infinity","-Infinity","NaN"]`, types: []Type{TFloat8, TFloat8, TNumeric, TNumeric}, want: []any{math.NaN(), math.Inf(1), dec("-Infinity"), dec("NaN")}},
		{name: "text in numeric column", raw: `["1.5"]`, types: []Type{TNumeric}, wantErr: `XX001 stored value "1.5" does not fit type numeric (SQLSTATE XX001)`},
		{name: "negative zero float", raw: `[-0.0,-0]`, types: []Type{TFloat8, TFloat8}, want: []any{negZero, negZero}},
		{name: "float overflow is infinite", raw: `[1e400,-1e400]`, types: []Type{TFloat8, TFloat8}, want: []any{math.Inf(1), math.Inf(-1)}},
		{name: "integer out of range", raw: `[9223372036854775808]`, types: []Type{TInt8}, wantErr: `XX001 stored value 9223372036854775808 is not an integer (SQLSTATE XX001)`},
		{name: "fraction in integer column", raw: `[1.5]`, types: []Type{TInt4}, wantErr: `XX001 stored value 1.5 is not an integer (SQLSTATE XX001)`},
		{name: "exponent in integer column", raw: `[1e2]`, types: []Type{TInt4}, wantErr: `XX001 stored value 1e2 is not an integer (SQLSTATE XX001)`},
		{name: "string in integer column", raw: `["1"]`, types: []Type{TInt4}, wantErr: `XX001 stored value "1" does not fit type integer (SQLSTATE XX001)`},
		{name: "number in text column", raw: `[1]`, types: []Type{TText}, wantErr: `XX001 stored value 1 does not fit type text (SQLSTATE XX001)`},
		{name: "boolean in integer column", raw: `[true]`, types: []Type{TInt4}, wantErr: `XX001 stored value true does not fit type integer (SQLSTATE XX001)`},
		{name: "number in boolean column", raw: `[1]`, types: []Type{TBool}, wantErr: `XX001 stored value 1 does not fit type boolean (SQLSTATE XX001)`},
		{name: "nested array", raw: `[[1]]`, types: []Type{TInt4}, wantErr: `XX001 stored value [1] does not fit type integer (SQLSTATE XX001)`},
		{name: "object value", raw: `[{"a":1}]`, types: []Type{TText}, wantErr: `XX001 stored value {"a":1} does not fit type text (SQLSTATE XX001)`},
		{name: "invalid JSON wins over a misfit", raw: `["x",`, types: []Type{TInt4}, wantErr: `XX001 stored row is not valid JSON (SQLSTATE XX001)`},
		{name: "not an array", raw: `{"a":1}`, types: []Type{TInt4}, wantErr: `XX001 stored row is not a JSON array (SQLSTATE XX001)`},
		{name: "scalar row", raw: `1`, types: []Type{TInt4}, wantErr: `XX001 stored row is not a JSON array (SQLSTATE XX001)`},
		{name: "whitespace", raw: " [ 1 ,\t\"a\" ,\nnull ]\r\n", types: []Type{TInt4, TText, TBool}, want: []any{int64(1), "a", nil}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := checkAgainstGJSON(t, tt.raw, colsOf(tt.types...))
			if tt.wantErr != "" {
				if errText(err) != tt.wantErr {
					t.Fatalf("error %q, want %q", errText(err), tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !sameValues(got, tt.want) {
				t.Fatalf("got %#v, want %#v", got, tt.want)
			}
		})
	}
}

func TestDecodeRowInvalid(t *testing.T) {
	for _, raw := range []string{
		``, `[`, `]`, `[1,`, `[1,]`, `[,1]`, `[01]`, `[1 2]`, `[1]x`, `[1]]`, `x`, `[-]`, `[1.]`, `[1e]`,
		`[1e+]`, `[.5]`, `[+1]`, `[-a]`, `["a]`, "[\"\x01\"]", `["\q"]`, `["\u12"]`, `["\u12g4"]`, `["\`,
		`[tru]`, `[nul]`, `[nulll]`, `[truex]`, `[fals]`, `[NaN]`, `[Infinity]`, `[nan]`, `[1,2,{]`,
		`["a"x]`, `[1]  x`, `[1,"a"`,
	} {
		t.Run(raw, func(t *testing.T) {
			_, err := checkAgainstGJSON(t, raw, colsOf(TInt4, TText))
			if sqlState(err) != StateDataCorrupted {
				t.Fatalf("%q: error %v, want SQLSTATE %s", raw, err, StateDataCorrupted)
			}
		})
	}
}

// TestDecodeRowIntoReuse checks that a reused row buffer keeps nothing of the last row.
func TestDecodeRowIntoReuse(t *testing.T) {
	cols := colsOf(TInt4, TText, TBool)
	row := make([]any, len(cols))
	for _, tc := range []struct {
		raw  string
		want []any
	}{
		{`[1,"a",true]`, []any{int64(1), "a", true}},
		{`[2]`, []any{int64(2), nil, nil}},
		{`[3,"b",false]`, []any{int64(3), "b", false}},
		{` [4 ]`, []any{int64(4), nil, nil}}, // the gjson path
		{`[]`, []any{nil, nil, nil}},
	} {
		if err := newRowDecoder(cols).decodeInto(row, tc.raw); err != nil {
			t.Fatal(err)
		}
		if !sameValues(row, tc.want) {
			t.Fatalf("%s: got %#v, want %#v", tc.raw, row, tc.want)
		}
	}
}

// TestDecodeRowRoundTrip encodes random rows as the engine stores them and decodes them
// back, both ways.
func TestDecodeRowRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	types := []Type{TInt2, TInt4, TInt8, TFloat4, TFloat8, TNumeric, TText, TVarchar, TChar, TBool, TTimestamp, TTimestamptz}
	pieces := []string{"a", "Z", " ", "\"", "\\", "/", "\n", "\t", "\x00", "\x1f", "\x7f", "<", ">", "&", "é", "日", "😀", "\u2028", "\u2029", "\xff", "\xe2\x82", "'"}
	value := func(t Type) any {
		if rng.IntN(8) == 0 {
			return nil
		}
		switch {
		case t.isInt():
			switch rng.IntN(4) {
			case 0:
				return int64(rng.IntN(512)) - 256
			case 1:
				return int64(rng.Uint64())
			case 2:
				return []int64{math.MinInt64, math.MaxInt64, 0, -1}[rng.IntN(4)]
			}
			return int64(rng.Int32())
		case t.isFloat():
			switch rng.IntN(5) {
			case 0:
				return float64(rng.IntN(100000)) / []float64{1, 10, 100, 1000}[rng.IntN(4)]
			case 1:
				return math.Float64frombits(rng.Uint64())
			case 2:
				return []float64{0, math.Copysign(0, -1), math.MaxFloat64, math.SmallestNonzeroFloat64, 1e21, 1e-7}[rng.IntN(6)]
			case 3:
				return float64(float32(rng.NormFloat64()))
			}
			return rng.NormFloat64() * math.Pow(10, float64(rng.IntN(40)-20))
		case t == TNumeric:
			switch rng.IntN(4) {
			case 0:
				return dec([]string{"NaN", "Infinity", "-Infinity", "0", "0.000", "1E+21"}[rng.IntN(6)])
			case 1:
				return apd.New(rng.Int64()-math.MaxInt64/2, int32(rng.IntN(40)-30))
			}
			return apd.New(int64(rng.IntN(100000))-50000, -int32(rng.IntN(5)))
		case t == TBool:
			return rng.IntN(2) == 0
		}
		var b strings.Builder
		for range rng.IntN(12) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		return b.String()
	}
	for i := 0; i < 5000; i++ {
		n := 1 + rng.IntN(6)
		cols := make([]Column, n)
		row := make([]any, n)
		for j := range cols {
			cols[j] = Column{Name: fmt.Sprint(j), Type: types[rng.IntN(len(types))]}
			row[j] = value(cols[j].Type)
		}
		raw := encodeRow(row)
		got, err := checkAgainstGJSON(t, raw, cols)
		if err != nil {
			t.Fatalf("%s: %v", raw, err)
		}
		for j, v := range row {
			want := v
			switch x := v.(type) {
			case float64:
				if math.IsNaN(x) {
					want = math.NaN() // one NaN is stored, whatever its payload
				}
			case string:
				if !utf8.ValidString(x) {
					// json.Marshal stores invalid UTF-8 as U+FFFD.
					var s string
					if err := json.Unmarshal([]byte(mustMarshal(x)), &s); err != nil {
						t.Fatal(err)
					}
					want = s
				}
			}
			if !sameValues([]any{got[j]}, []any{want}) {
				t.Fatalf("%s: column %d = %#v, want %#v", raw, j, got[j], want)
			}
		}
	}
}

func mustMarshal(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// FuzzDecodeRow checks the single-pass decoder against gjson on arbitrary stored rows.
func FuzzDecodeRow(f *testing.F) {
	for _, s := range []string{
		`[1,"a",2.5,true,null]`, `[-0,"\u00e9\n",1e400,false]`, `[9223372036854775808]`, `[01]`, ` [1 ]`,
		`["\ud83d\ude00",[1],{"a":1}]`, `[1.5,"x"`, `[]`, `["a\"b"]`, `[123456789012345.678]`,
	} {
		f.Add(s)
	}
	colSets := [][]Column{
		colsOf(TInt8, TText, TFloat8, TBool, TText),
		colsOf(TFloat8, TText, TFloat8, TBool),
		colsOf(TText),
		colsOf(TInt4, TInt4),
		colsOf(TNumeric, TText, TNumeric, TFloat8),
	}
	f.Fuzz(func(t *testing.T, raw string) {
		for _, cols := range colSets {
			checkAgainstGJSON(t, raw, cols)
		}
	})
}
