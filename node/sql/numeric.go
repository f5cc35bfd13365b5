package sql

import (
	"math"
	"strconv"
	"strings"

	"github.com/cockroachdb/apd/v3"
)

// numeric values are exact decimals (*apd.Decimal, never changed once made) with
// PostgreSQL's rules: the scale of a sum is the larger of its operands', of a product
// their sum, of a quotient at least 16 significant digits (select_div_scale); rounding is
// half away from zero; NaN equals NaN and sorts after every number; text is plain digits,
// never an exponent. A value's scale is its count of digits after the point, so 1.50
// keeps its zero.
//
// PostgreSQL keeps up to 131072 digits before the point and 16383 after it; raftplay keeps
// numericDigits significant digits exactly and refuses a result that would need more
// (0A000) instead of rounding it.
const (
	numericDigits       = 2000   // significant digits a value or an exact result may have
	numericMaxWeight    = 131072 // digits before the point (PostgreSQL's limit)
	numericMaxScale     = 16383  // digits after the point (PostgreSQL's limit)
	numericMaxTypmodP   = 1000   // numeric(p, s): 1 <= p <= 1000, -1000 <= s <= 1000
	numericMinSigDigits = 16     // NUMERIC_MIN_SIG_DIGITS
	numericMaxDisplay   = 1000   // NUMERIC_MAX_DISPLAY_SCALE
)

// exact is the context of operations whose result is exact when it fits numericDigits.
// Its exponents are apd's own limits (±100,000): a value past them, which PostgreSQL
// would still hold up to 131,072 digits, is refused (0A000), never approximated.
var exact = apd.Context{
	Precision:   numericDigits,
	MaxExponent: apd.MaxExponent,
	MinExponent: apd.MinExponent,
	Rounding:    apd.RoundHalfUp,
}

// errNumericRange refuses a value apd cannot hold.
func errNumericRange() error {
	return errf(StateUnsupported, "numeric values beyond 1e%d are not supported", apd.MaxExponent)
}

var (
	numNaN    = &apd.Decimal{Form: apd.NaN}
	numPosInf = &apd.Decimal{Form: apd.Infinite}
	numNegInf = &apd.Decimal{Form: apd.Infinite, Negative: true}
)

func isNumNaN(d *apd.Decimal) bool { return d.Form == apd.NaN || d.Form == apd.NaNSignaling }

func numFromInt(i int64) *apd.Decimal { return apd.New(i, 0) }

// numScale is a finite value's count of digits after the point (PostgreSQL's dscale).
func numScale(d *apd.Decimal) int32 {
	if d.Exponent < 0 {
		return -d.Exponent
	}
	return 0
}

// checkNumeric makes a result a value: no negative zero, and within the limits.
func checkNumeric(d *apd.Decimal, cond apd.Condition) (*apd.Decimal, error) {
	// The conditions first: an impossible division leaves NaN behind, which must not pass
	// for an answer.
	if cond.Inexact() || cond.DivisionImpossible() {
		return nil, errf(StateUnsupported, "numeric results of more than %d significant digits are not supported", numericDigits)
	}
	if cond.Overflow() || cond.SystemOverflow() {
		return nil, errNumericRange()
	}
	if isNumNaN(d) {
		return numNaN, nil // one NaN, never written to: numNaN is shared
	}
	if d.Form != apd.Finite {
		return d, nil
	}
	if d.IsZero() && d.Negative {
		d.Negative = false
	}
	weight := int64(d.NumDigits()) + int64(d.Exponent)
	if cond.Underflow() || (!d.IsZero() && weight > numericMaxWeight) || numScale(d) > numericMaxScale {
		return nil, errf(StateOutOfRange, "value overflows numeric format")
	}
	return d, nil
}

// numNeg is -d (zero stays unsigned).
func numNeg(d *apd.Decimal) *apd.Decimal {
	r := new(apd.Decimal).Neg(d)
	if r.Form == apd.NaN || (r.Form == apd.Finite && r.IsZero()) {
		r.Negative = false
	}
	return r
}

// parseNumeric is numeric's input function: optional spaces and sign, digits with an
// optional point and exponent, or NaN and Infinity (any case, inf for short).
func parseNumeric(s string) (*apd.Decimal, error) {
	ts := strings.TrimSpace(s)
	switch strings.ToLower(ts) {
	case "nan":
		return numNaN, nil
	case "infinity", "+infinity", "inf", "+inf":
		return numPosInf, nil
	case "-infinity", "-inf":
		return numNegInf, nil
	}
	if !numericSyntax(ts) {
		return nil, errf(StateInvalidText, "invalid input syntax for type numeric: %q", s)
	}
	d, _, err := apd.NewFromString(ts)
	if err != nil { // the syntax is right, so the exponent is past apd's range
		return nil, errNumericRange()
	}
	if d.NumDigits() > numericDigits {
		return nil, errf(StateUnsupported, "numeric values of more than %d significant digits are not supported", numericDigits)
	}
	return checkNumeric(d, 0)
}

// numericSyntax accepts [+-] digits [. digits] [e [+-] digits], with digits on at least
// one side of the point: PostgreSQL 15's grammar, narrower than apd's.
func numericSyntax(s string) bool {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	digits := 0
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		digits++
	}
	if i < len(s) && s[i] == '.' {
		for i++; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
			digits++
		}
	}
	if digits == 0 {
		return false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		exp := 0
		for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
			exp++
		}
		if exp == 0 || exp > 6 {
			return false
		}
	}
	return i == len(s)
}

// formatNumeric is numeric's output function.
func formatNumeric(d *apd.Decimal) string {
	switch d.Form {
	case apd.Finite:
		return d.Text('f')
	case apd.Infinite:
		if d.Negative {
			return "-Infinity"
		}
		return "Infinity"
	}
	return "NaN"
}

// numFromFloat converts float4 or float8 as PostgreSQL does: through its text with 6 or
// 15 significant digits (FLT_DIG, DBL_DIG), so 0.1::float8::numeric is 0.1.
func numFromFloat(f float64, from Type) (*apd.Decimal, error) {
	switch {
	case math.IsNaN(f):
		return numNaN, nil
	case math.IsInf(f, 1):
		return numPosInf, nil
	case math.IsInf(f, -1):
		return numNegInf, nil
	}
	digits := 15
	if from == TFloat4 {
		digits = 6
	}
	d, _, err := apd.NewFromString(strconv.FormatFloat(f, 'g', digits, 64))
	if err != nil {
		return nil, errf(StateInternal, "convert %v to numeric: %v", f, err)
	}
	return checkNumeric(d, 0)
}

// numToFloat converts to float8 (or float4), correctly rounded.
func numToFloat(d *apd.Decimal, to Type) (float64, error) {
	switch d.Form {
	case apd.NaN, apd.NaNSignaling:
		return math.NaN(), nil
	case apd.Infinite:
		if d.Negative {
			return math.Inf(-1), nil
		}
		return math.Inf(1), nil
	}
	bits := 64
	if to == TFloat4 {
		bits = 32
	}
	f, err := strconv.ParseFloat(d.Text('e'), bits)
	if err != nil || math.IsInf(f, 0) {
		return 0, errf(StateOutOfRange, "value out of range: overflow")
	}
	return f, nil
}

// numToInt rounds half away from zero into an integer type.
func numToInt(d *apd.Decimal, to Type) (int64, error) {
	switch d.Form {
	case apd.NaN, apd.NaNSignaling:
		return 0, errf(StateUnsupported, "cannot convert NaN to %s", to)
	case apd.Infinite:
		return 0, errf(StateUnsupported, "cannot convert infinity to %s", to)
	}
	var r apd.Decimal
	if _, err := exact.Quantize(&r, d, 0); err != nil || r.NumDigits() > 19 {
		return 0, errf(StateOutOfRange, "%s out of range", to)
	}
	i, err := r.Int64()
	if err != nil {
		return 0, errf(StateOutOfRange, "%s out of range", to)
	}
	return i, checkIntRange(to, i)
}

// toNumeric converts an integer, float or numeric value to numeric.
func toNumeric(v any, from Type) (*apd.Decimal, bool, error) {
	switch x := v.(type) {
	case *apd.Decimal:
		return x, true, nil
	case int64:
		return numFromInt(x), true, nil
	case float64:
		d, err := numFromFloat(x, from)
		return d, true, err
	}
	return nil, false, nil
}

// Typmods. numeric(p, s) is kept in Column.Len (and a cast's Expr.I) as PostgreSQL keeps
// it: p<<16 | s as 16 bits, so the scale may be negative and a typmod is never 0.

func numericTypmod(p, s int) int { return p<<16 | int(uint16(int16(s))) }

func typmodPrecScale(typmod int) (p, s int) {
	return typmod >> 16, int(int16(uint16(typmod & 0xffff)))
}

func numericTypeName(typmod int) string {
	p, s := typmodPrecScale(typmod)
	return "numeric(" + strconv.Itoa(p) + "," + strconv.Itoa(s) + ")"
}

// fitNumeric makes d a value of numeric(p, s): rounded to s places, and refused (22003)
// if it then needs more than p-s digits before the point.
func fitNumeric(d *apd.Decimal, typmod int) (*apd.Decimal, error) {
	p, s := typmodPrecScale(typmod)
	if d.Form == apd.NaN {
		return d, nil
	}
	if d.Form != apd.Finite {
		return nil, errf(StateOutOfRange, "numeric field overflow: a field with precision %d, scale %d cannot hold an infinite value", p, s)
	}
	r := new(apd.Decimal)
	if _, err := exact.Quantize(r, d, int32(-s)); err != nil {
		return nil, errf(StateOutOfRange, "numeric field overflow")
	}
	if !r.IsZero() {
		if before := int64(r.NumDigits()) + int64(r.Exponent); before > int64(p-s) {
			return nil, errf(StateOutOfRange, "numeric field overflow: a field with precision %d, scale %d must round to an absolute value less than 10^%d", p, s, p-s)
		}
	}
	return checkNumeric(r, 0)
}

// cmpNumeric orders numerics, NaN equal to itself and after everything.
func cmpNumeric(a, b *apd.Decimal) int {
	if c, ok := cmpNaN(isNumNaN(a), isNumNaN(b)); ok {
		return c
	}
	if c, ok := cmpSmall(a, b); ok {
		return c
	}
	return a.Cmp(b)
}

// cmpSmall compares two finite values whose coefficients fit 63 bits and whose scales
// differ by at most 18 digits without allocating (apd's Cmp rescales into a new big
// integer); ok is false for anything else.
func cmpSmall(a, b *apd.Decimal) (int, bool) {
	if a.Form != apd.Finite || b.Form != apd.Finite || !a.Coeff.IsInt64() || !b.Coeff.IsInt64() {
		return 0, false
	}
	x, y := a.Coeff.Int64(), b.Coeff.Int64()
	if a.Negative {
		x = -x
	}
	if b.Negative {
		y = -y
	}
	diff := int64(a.Exponent) - int64(b.Exponent)
	if diff < 0 {
		c, ok := cmpSmall(b, a)
		return -c, ok
	}
	if diff > 18 {
		return 0, false
	}
	scaled := x * pow10[diff] // x's exponent down to y's
	if x != 0 && (scaled/pow10[diff] != x) {
		return 0, false
	}
	return cmpInt(scaled, y), true
}

var pow10 = func() (p [19]int64) {
	p[0] = 1
	for i := 1; i < len(p); i++ {
		p[i] = p[i-1] * 10
	}
	return p
}()

// numArith is + - * / % on numerics.
func numArith(op string, x, y *apd.Decimal) (*apd.Decimal, error) {
	if isNumNaN(x) || isNumNaN(y) {
		return numNaN, nil
	}
	d := new(apd.Decimal)
	var cond apd.Condition
	var err error
	switch op {
	case "+":
		cond, err = exact.Add(d, x, y)
	case "-":
		cond, err = exact.Sub(d, x, y)
	case "*":
		cond, err = exact.Mul(d, x, y)
	case "/":
		if y.IsZero() {
			return nil, errf(StateDivisionByZero, "division by zero")
		}
		return numDiv(x, y)
	case "%":
		if y.IsZero() {
			return nil, errf(StateDivisionByZero, "division by zero")
		}
		if x.Form == apd.Infinite {
			return numNaN, nil
		}
		cond, err = exact.Rem(d, x, y)
	default:
		return nil, errf(StateUndefinedFunction, "operator does not exist: numeric %s numeric", op)
	}
	if err != nil {
		return nil, errNumericRange()
	}
	return checkNumeric(d, cond)
}

// numDiv divides with PostgreSQL's result scale, rounding the last digit half away from
// zero.
func numDiv(x, y *apd.Decimal) (*apd.Decimal, error) {
	switch xi, yi := x.Form == apd.Infinite, y.Form == apd.Infinite; {
	case xi && yi:
		return numNaN, nil
	case yi:
		return numFromInt(0), nil
	case xi && x.Negative != y.Negative:
		return numNegInf, nil
	case xi:
		return numPosInf, nil
	}
	return quoAtScale(x, y, divScale(x, y))
}

// quoAtScale is x/y rounded half away from zero to scale digits after the point. The
// quotient is first truncated one digit past that, which rounds exactly as the infinite
// quotient would.
func quoAtScale(x, y *apd.Decimal, scale int32) (*apd.Decimal, error) {
	adjX := int64(x.NumDigits()) + int64(x.Exponent)
	adjY := int64(y.NumDigits()) + int64(y.Exponent)
	prec := adjX - adjY + 1 + int64(scale) + 1
	if prec < 1 {
		prec = 1
	}
	if prec > numericDigits {
		return nil, errf(StateUnsupported, "numeric results of more than %d significant digits are not supported", numericDigits)
	}
	ctx := exact.WithPrecision(uint32(prec))
	ctx.Rounding = apd.RoundDown
	q := new(apd.Decimal)
	if _, err := ctx.Quo(q, x, y); err != nil {
		return nil, errf(StateOutOfRange, "value overflows numeric format")
	}
	r := new(apd.Decimal)
	cond, err := exact.Quantize(r, q, -scale)
	if err != nil {
		return nil, errf(StateOutOfRange, "value overflows numeric format")
	}
	return checkNumeric(r, cond&^apd.Inexact)
}

// nbase describes a nonzero finite value as PostgreSQL stores it, in base-10000 digits:
// the weight of its first nonzero digit and that digit.
func nbase(d *apd.Decimal) (weight int64, first int64) {
	if d.Form != apd.Finite || d.IsZero() {
		return 0, 0
	}
	coeff := d.Coeff.String()
	msd := int64(len(coeff)) - 1 + int64(d.Exponent) // 10^msd <= |d|
	weight = floorDiv(msd, 4)
	k := int(msd - 4*weight + 1) // decimal digits in the first base-10000 digit: 1..4
	for len(coeff) < k {
		coeff += "0"
	}
	first, _ = strconv.ParseInt(coeff[:k], 10, 64)
	return weight, first
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// divScale is PostgreSQL's select_div_scale: enough digits that the quotient has at
// least 16 significant ones, and no fewer than either operand's scale.
func divScale(x, y *apd.Decimal) int32 {
	w1, f1 := nbase(x)
	w2, f2 := nbase(y)
	qweight := w1 - w2
	if f1 <= f2 {
		qweight--
	}
	rscale := numericMinSigDigits - qweight*4
	rscale = max(rscale, int64(numScale(x)), int64(numScale(y)), 0)
	return int32(min(rscale, numericMaxDisplay))
}

// numRound rounds half away from zero to places digits after the point (negative: to
// tens, hundreds, ...); the result's scale is max(places, 0), as round(numeric, int).
func numRound(d *apd.Decimal, places int64) (*apd.Decimal, error) {
	if d.Form != apd.Finite {
		return d, nil
	}
	places = max(min(places, numericMaxDisplay), -numericMaxWeight)
	r := new(apd.Decimal)
	cond, err := exact.Quantize(r, d, int32(-places))
	if err != nil {
		return nil, errf(StateOutOfRange, "value overflows numeric format")
	}
	if places < 0 {
		out := new(apd.Decimal)
		if _, err := exact.Quantize(out, r, 0); err != nil {
			return nil, errf(StateOutOfRange, "value overflows numeric format")
		}
		r = out
	}
	return checkNumeric(r, cond&^apd.Inexact)
}

// numIntegral is ceil or floor, scale 0.
func numIntegral(d *apd.Decimal, ceil bool) (*apd.Decimal, error) {
	if d.Form != apd.Finite {
		return d, nil
	}
	r := new(apd.Decimal)
	var err error
	if ceil {
		_, err = exact.Ceil(r, d)
	} else {
		_, err = exact.Floor(r, d)
	}
	if err != nil {
		return nil, errf(StateOutOfRange, "value overflows numeric format")
	}
	if r.Exponent < 0 {
		if _, err := exact.Quantize(r, r, 0); err != nil {
			return nil, errf(StateOutOfRange, "value overflows numeric format")
		}
	}
	return checkNumeric(r, 0)
}

// numSqrt is sqrt(numeric) with PostgreSQL's result scale, rounded half away from zero:
// the candidate is checked against the exact squares of the bounds of its rounding
// interval, so no digit is wrong.
func numSqrt(d *apd.Decimal) (*apd.Decimal, error) {
	switch {
	case d.Form == apd.NaN:
		return d, nil
	case d.Negative && !d.IsZero():
		return nil, errf(StateInvalidPowerArgument, "cannot take square root of a negative number")
	case d.Form == apd.Infinite:
		return d, nil
	}
	weight, _ := nbase(d)
	sweight := (weight+1)*4/2 - 1
	scale := int32(min(max(numericMinSigDigits-sweight, int64(numScale(d)), 0), numericMaxDisplay))
	prec := int64(d.NumDigits()+int64(d.Exponent))/2 + int64(scale) + 4
	if prec > numericDigits {
		return nil, errf(StateUnsupported, "numeric results of more than %d significant digits are not supported", numericDigits)
	}
	r := new(apd.Decimal)
	if _, err := exact.WithPrecision(uint32(max(prec, 1))).Sqrt(r, d); err != nil {
		return nil, errf(StateOutOfRange, "value overflows numeric format")
	}
	if _, err := exact.Quantize(r, r, -scale); err != nil {
		return nil, errf(StateOutOfRange, "value overflows numeric format")
	}
	return checkNumeric(sqrtAdjust(d, r, scale), 0)
}

// sqrtAdjust moves r by one unit in its last place while r is not the correctly rounded
// root: r must satisfy (r - u/2)² <= d < (r + u/2)², with u = 10^-scale.
func sqrtAdjust(d, r *apd.Decimal, scale int32) *apd.Decimal {
	unit := apd.New(1, -scale)
	half := apd.New(5, -scale-1)
	for i := 0; i < 3; i++ {
		lo, hi, sq := new(apd.Decimal), new(apd.Decimal), new(apd.Decimal)
		exact.Sub(lo, r, half)
		exact.Add(hi, r, half)
		switch {
		case lo.Sign() > 0 && func() bool { exact.Mul(sq, lo, lo); return sq.Cmp(d) > 0 }():
			exact.Sub(r, r, unit)
		case func() bool { exact.Mul(sq, hi, hi); return sq.Cmp(d) <= 0 }():
			exact.Add(r, r, unit)
		default:
			return r
		}
	}
	return r
}

// numKey appends an order-preserving, scale-free encoding of a numeric key part: 1.5 and
// 1.50 are one key. A class byte ('0' -Infinity, '1' negative, '2' zero, '3' positive,
// '4' Infinity, '5' NaN) is followed for finite nonzero values by the
// position of the first digit and the digits without trailing zeros, both inverted for
// negative values, and a terminator that sorts after any digit.
func numKey(b []byte, d *apd.Decimal) []byte {
	switch {
	case isNumNaN(d):
		return append(b, '5')
	case d.Form == apd.Infinite && d.Negative:
		return append(b, '0')
	case d.Form == apd.Infinite:
		return append(b, '4')
	case d.IsZero():
		return append(b, '2')
	}
	coeff := d.Coeff.String()
	digits := strings.TrimRight(coeff, "0")
	msd := int64(len(coeff)) - 1 + int64(d.Exponent)
	pos := uint32(msd + 1<<31)
	if d.Negative {
		b = append(b, '1')
		b = appendHex32(b, ^pos)
		for i := 0; i < len(digits); i++ {
			b = append(b, '9'-digits[i]+'0')
		}
		return append(b, ':')
	}
	b = append(b, '3')
	b = appendHex32(b, pos)
	b = append(b, digits...)
	return append(b, '!') // sorts before any digit: 0.12 < 0.123
}

func appendHex32(b []byte, u uint32) []byte {
	const hexDigits = "0123456789abcdef"
	for shift := 28; shift >= 0; shift -= 4 {
		b = append(b, hexDigits[(u>>uint(shift))&0xf])
	}
	return b
}

// numJSON appends the stored form: a JSON number, or a JSON string for NaN and ±Infinity.
func numJSON(b []byte, d *apd.Decimal) []byte {
	if d.Form != apd.Finite {
		return strconv.AppendQuote(b, formatNumeric(d))
	}
	return d.Append(b, 'G')
}
