package sql

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/cockroachdb/apd/v3"
)

// The answers below are PostgreSQL 15's.
func TestNumericArithmetic(t *testing.T) {
	tests := []struct {
		x, op, y string
		want     string
		state    string
	}{
		{"0.1", "+", "0.2", "0.3", ""},
		{"0.10", "+", "0.2", "0.30", ""},
		{"1.50", "-", "1.5", "0.00", ""},
		{"12345678901234567890.123456789", "*", "10", "123456789012345678901.234567890", ""},
		{"2.500", "*", "2", "5.000", ""},
		{"1.1", "*", "1.1", "1.21", ""},
		{"1", "/", "3", "0.33333333333333333333", ""},
		{"10", "/", "4", "2.5000000000000000", ""},
		{"7.0", "/", "2", "3.5000000000000000", ""},
		{"2", "/", "3", "0.66666666666666666667", ""},
		{"1", "/", "8", "0.12500000000000000000", ""},
		{"100000", "/", "3", "33333.333333333333", ""},
		{"123456789", "/", "0.001", "123456789000.00000000", ""},
		{"-1", "/", "3", "-0.33333333333333333333", ""},
		{"1.000000000000000000005", "/", "1", "1.000000000000000000005", ""},
		{"1", "/", "0", "", StateDivisionByZero},
		{"0", "/", "0", "", StateDivisionByZero},
		{"7.5", "%", "2", "1.5", ""},
		{"-7.5", "%", "2", "-1.5", ""},
		{"7", "%", "0", "", StateDivisionByZero},
		{"NaN", "+", "1", "NaN", ""},
		{"NaN", "/", "0", "NaN", ""},
		{"Infinity", "-", "Infinity", "NaN", ""},
		{"Infinity", "*", "-2", "-Infinity", ""},
		{"1", "/", "Infinity", "0", ""},
		{"-0.5", "+", "0.5", "0.0", ""},
		{"1e99999", "*", "1e99999", "", StateUnsupported},
		{"1e99999", "%", "7", "", StateUnsupported},
	}
	for _, tt := range tests {
		t.Run(tt.x+tt.op+tt.y, func(t *testing.T) {
			got, err := numArith(tt.op, dec(tt.x), dec(tt.y))
			if tt.state != "" {
				if sqlState(err) != tt.state {
					t.Fatalf("error %v, want SQLSTATE %s", err, tt.state)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if s := formatNumeric(got); s != tt.want {
				t.Fatalf("%s %s %s = %s, want %s", tt.x, tt.op, tt.y, s, tt.want)
			}
		})
	}
}

func TestNumericConversions(t *testing.T) {
	tests := []struct {
		name string
		got  func() (any, error)
		want string
	}{
		{"2.5::int", func() (any, error) { return castValue(dec("2.5"), TNumeric, TInt4) }, "3"},
		{"-2.5::int", func() (any, error) { return castValue(dec("-2.5"), TNumeric, TInt4) }, "-3"},
		{"0.5::int", func() (any, error) { return castValue(dec("0.5"), TNumeric, TInt4) }, "1"},
		{"2.5::float8::int", func() (any, error) { return castValue(2.5, TFloat8, TInt4) }, "2"},
		{"0.1::float8::numeric", func() (any, error) { return castValue(0.1, TFloat8, TNumeric) }, "0.1"},
		{"(1/3)::float8::numeric", func() (any, error) { return castValue(1.0/3, TFloat8, TNumeric) }, "0.333333333333333"},
		{"1e20::float8::numeric", func() (any, error) { return castValue(1e20, TFloat8, TNumeric) }, "100000000000000000000"},
		{"0.1::real::numeric", func() (any, error) { return castValue(float64(float32(0.1)), TFloat4, TNumeric) }, "0.1"},
		{"'  1.50 '::numeric", func() (any, error) { return parseText(TNumeric, "  1.50 ") }, "1.50"},
		{"'1e5'::numeric", func() (any, error) { return parseText(TNumeric, "1e5") }, "100000"},
		{"'1.50e1'::numeric", func() (any, error) { return parseText(TNumeric, "1.50e1") }, "15.0"},
		{"'-inf'::numeric", func() (any, error) { return parseText(TNumeric, "-inf") }, "-Infinity"},
		{"'nan'::numeric", func() (any, error) { return parseText(TNumeric, "nan") }, "NaN"},
		{"'.5'::numeric", func() (any, error) { return parseText(TNumeric, ".5") }, "0.5"},
		{"'abc'::numeric", func() (any, error) { return parseText(TNumeric, "abc") }, "22P02"},
		{"'1e'::numeric", func() (any, error) { return parseText(TNumeric, "1e") }, "22P02"},
		{"'0x10'::numeric", func() (any, error) { return parseText(TNumeric, "0x10") }, "22P02"},
		{"'1e131000'::numeric", func() (any, error) { return parseText(TNumeric, "1e131000") }, "0A000"},
		{"'1e-20000'::numeric", func() (any, error) { return parseText(TNumeric, "1e-20000") }, "22003"},
		{"'NaN'::numeric::int", func() (any, error) { return castValue(dec("NaN"), TNumeric, TInt4) }, "0A000"},
		{"1e30::numeric::bigint", func() (any, error) { return castValue(dec("1e30"), TNumeric, TInt8) }, "22003"},
		{"12.125::numeric(10,2)", func() (any, error) { return fitNumeric(dec("12.125"), numericTypmod(10, 2)) }, "12.13"},
		{"-12.125::numeric(10,2)", func() (any, error) { return fitNumeric(dec("-12.125"), numericTypmod(10, 2)) }, "-12.13"},
		{"5::numeric(10,2)", func() (any, error) { return fitNumeric(dec("5"), numericTypmod(10, 2)) }, "5.00"},
		{"123456789012::numeric(10,2)", func() (any, error) { return fitNumeric(dec("123456789012"), numericTypmod(10, 2)) }, "22003"},
		{"1000::numeric(5,2)", func() (any, error) { return fitNumeric(dec("1000"), numericTypmod(5, 2)) }, "22003"},
		{"999.995::numeric(5,2)", func() (any, error) { return fitNumeric(dec("999.995"), numericTypmod(5, 2)) }, "22003"},
		{"999.994::numeric(5,2)", func() (any, error) { return fitNumeric(dec("999.994"), numericTypmod(5, 2)) }, "999.99"},
		{"1234::numeric(2,-2)", func() (any, error) { return fitNumeric(dec("1234"), numericTypmod(2, -2)) }, "1200"},
		{"'Infinity'::numeric(5,2)", func() (any, error) { return fitNumeric(dec("Infinity"), numericTypmod(5, 2)) }, "22003"},
		{"round(2.5)", func() (any, error) { return numRound(dec("2.5"), 0) }, "3"},
		{"round(-2.345, 2)", func() (any, error) { return numRound(dec("-2.345"), 2) }, "-2.35"},
		{"round(2.3, 3)", func() (any, error) { return numRound(dec("2.3"), 3) }, "2.300"},
		{"round(1250, -2)", func() (any, error) { return numRound(dec("1250"), -2) }, "1300"},
		{"ceil(-1.5)", func() (any, error) { return numIntegral(dec("-1.5"), true) }, "-1"},
		{"floor(-1.5)", func() (any, error) { return numIntegral(dec("-1.5"), false) }, "-2"},
		{"sqrt(2.0)", func() (any, error) { return numSqrt(dec("2.0")) }, "1.414213562373095"},
		{"sqrt(2)", func() (any, error) { return numSqrt(dec("2")) }, "1.414213562373095"},
		{"sqrt(100)", func() (any, error) { return numSqrt(dec("100")) }, "10.000000000000000"},
		{"sqrt(0.0001)", func() (any, error) { return numSqrt(dec("0.0001")) }, "0.01000000000000000"},
		{"sqrt(-1)", func() (any, error) { return numSqrt(dec("-1")) }, "2201F"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := tt.got()
			got := ""
			if err != nil {
				got = sqlState(err)
			} else {
				got = toText(v, TNumeric)
			}
			if got != tt.want {
				t.Fatalf("%s = %s (%v), want %s", tt.name, got, err, tt.want)
			}
		})
	}
}

// TestNumericKeyOrder checks that the byte order of encoded keys is the numeric order,
// with values equal but for their scale sharing a key.
func TestNumericKeyOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	vals := []*apd.Decimal{dec("NaN"), dec("Infinity"), dec("-Infinity"), dec("0"), dec("0.00"),
		dec("0.12"), dec("0.123"), dec("-0.12"), dec("-0.123"), dec("1.5"), dec("1.50"), dec("-1.5"),
		dec("1e-20"), dec("-1e-20"), dec("1e20"), dec("-1e20"), dec("99999"), dec("100000")}
	for range 2000 {
		vals = append(vals, apd.New(rng.Int64N(2000001)-1000000, int32(rng.IntN(30)-15)))
	}
	byValue := slices.Clone(vals)
	slices.SortStableFunc(byValue, cmpNumeric)
	for i := 1; i < len(byValue); i++ {
		a, b := byValue[i-1], byValue[i]
		ka, kb := string(numKey(nil, a)), string(numKey(nil, b))
		// Keys of a longer composite key follow the part: compare with a suffix, too.
		if c := cmpNumeric(a, b); c == 0 && ka != kb || c < 0 && !(ka < kb && ka+"\x00z" < kb+"\x00a") {
			t.Fatalf("%s < %s but keys %q, %q", formatNumeric(a), formatNumeric(b), ka, kb)
		}
	}
}

// TestSqrtIsCorrectlyRounded squares the bounds of each result's rounding interval:
// (r - u/2)² <= d < (r + u/2)² for the unit u of r's last digit.
func TestSqrtIsCorrectlyRounded(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for range 300 {
		d := apd.New(rng.Int64N(1_000_000_000_000)+1, -int32(rng.IntN(12)))
		r, err := numSqrt(d)
		if err != nil {
			t.Fatal(err)
		}
		half := apd.New(5, -numScale(r)-1)
		lo, hi, sqLo, sqHi := new(apd.Decimal), new(apd.Decimal), new(apd.Decimal), new(apd.Decimal)
		exact.Sub(lo, r, half)
		exact.Add(hi, r, half)
		exact.Mul(sqLo, lo, lo)
		exact.Mul(sqHi, hi, hi)
		if sqLo.Cmp(d) > 0 || sqHi.Cmp(d) <= 0 {
			t.Fatalf("sqrt(%s) = %s is not correctly rounded", d, r)
		}
		if !strings.Contains(formatNumeric(r), ".") {
			t.Fatalf("sqrt(%s) = %s has no fraction digits", d, r)
		}
	}
}

func TestFloatTextAndSpecials(t *testing.T) {
	tests := []struct {
		v    float64
		t    Type
		want string
	}{
		{1e15, TFloat8, "1e+15"},
		{123456789012345, TFloat8, "123456789012345"},
		{123456789012345678, TFloat8, "1.2345678901234568e+17"},
		{0.0001, TFloat8, "0.0001"},
		{0.00001, TFloat8, "1e-05"},
		{2.0 / 3, TFloat8, "0.6666666666666666"},
		{1e6, TFloat4, "1e+06"},
		{100000, TFloat4, "100000"},
		{float64(float32(1234567)), TFloat4, "1.234567e+06"},
		{float64(float32(0.1)), TFloat4, "0.1"},
		{math.NaN(), TFloat8, "NaN"},
		{math.Inf(-1), TFloat4, "-Infinity"},
	}
	for _, tt := range tests {
		if got := formatFloat(tt.v, tt.t); got != tt.want {
			t.Errorf("formatFloat(%v, %s) = %s, want %s", tt.v, tt.t, got, tt.want)
		}
	}
	for _, s := range []string{"NaN", "nan", "Infinity", "-inf", "  +Infinity "} {
		if _, err := parseFloat(TFloat8, s); err != nil {
			t.Errorf("parseFloat(%q): %v", s, err)
		}
	}
	if c, _ := compareValues(math.NaN(), math.NaN()); c != 0 {
		t.Error("NaN must equal NaN")
	}
	if c, _ := compareValues(math.NaN(), math.Inf(1)); c <= 0 {
		t.Error("NaN must sort after Infinity")
	}
	if _, err := floatArith("*", TFloat8, 1e308, 10); sqlState(err) != StateOutOfRange {
		t.Errorf("overflow: %v, want 22003", err)
	}
	if r, err := floatArith("-", TFloat8, math.Inf(1), math.Inf(1)); err != nil || !math.IsNaN(r.(float64)) {
		t.Errorf("Infinity - Infinity = %v, %v; want NaN", r, err)
	}
}
