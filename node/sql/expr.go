package sql

import (
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"unicode/utf8"

	"github.com/cockroachdb/apd/v3"
)

// env is what an expression sees while it is evaluated.
type env struct {
	row  []any      // the input row (joined sources, or a group's key values)
	aggs []any      // aggregate results of the current group
	now  string     // the batch's transaction timestamp
	rng  *rand.Rand // the batch's seeded generator
	m    *meter     // the batch's budget: computed text is checked against it
	// outer is the env of the row of the query this one is a subquery of (kOuter reads
	// it); x runs subqueries (kSub). Both nil where no query runs (constant folding).
	outer *env
	x     *executor
}

// eval evaluates a checked expression. It never panics on a malformed tree: every index
// and every value's kind is checked, since a batch may come from the log.
func eval(e *Expr, en *env) (any, error) {
	if e == nil {
		return nil, errf(StateProtocol, "missing expression")
	}
	switch e.K {
	case kConst:
		return e.V, nil
	case kCol:
		if e.I < 0 || e.I >= len(en.row) {
			return nil, errf(StateProtocol, "column reference %d out of range", e.I)
		}
		return en.row[e.I], nil
	case kAgg:
		if e.I < 0 || e.I >= len(en.aggs) {
			return nil, errf(StateProtocol, "aggregate reference %d out of range", e.I)
		}
		return en.aggs[e.I], nil
	case kNow:
		return castValue(en.now, TTimestamptz, orType(e.T, TTimestamptz))
	case kRandom:
		if en.rng == nil {
			return nil, errf(StateProtocol, "random() outside a batch")
		}
		return en.rng.Float64(), nil
	case kParam:
		return nil, errf(StateUndefinedParameter, "there is no value for parameter $%d", e.I)
	case kBin:
		return evalBinary(e, en)
	case kNeg:
		return evalNeg(e, en)
	case kNot:
		return evalNot(e, en)
	case kAnd, kOr:
		return evalLogic(e, en)
	case kIsNull:
		v, err := eval1(e, en)
		if err != nil {
			return nil, err
		}
		return (v == nil) != e.N, nil
	case kIsBool:
		return evalIsBool(e, en)
	case kIn:
		return evalIn(e, en)
	case kBetween:
		return evalBetween(e, en)
	case kLike:
		return evalLike(e, en)
	case kCase:
		return evalCase(e, en)
	case kCoalesce:
		return evalCoalesce(e, en)
	case kNullIf:
		return evalNullIf(e, en)
	case kCast:
		return evalCast(e, en)
	case kFunc:
		return evalFunc(e, en)
	case kOuter:
		return evalOuter(e, en)
	case kSub:
		if en.x == nil {
			return nil, errf(StateProtocol, "subquery outside a query")
		}
		return en.x.subquery(e, en)
	}
	return nil, errf(StateProtocol, "unknown expression kind %q", e.K)
}

// evalBinary is an operator of two operands; || is checked against the text budget first.
func evalBinary(e *Expr, en *env) (any, error) {
	if len(e.A) != 2 {
		return nil, errf(StateProtocol, "operator %s needs two operands", e.Op)
	}
	a, err := evalOperand(e.A[0], en)
	if err != nil {
		return nil, err
	}
	b, err := evalOperand(e.A[1], en)
	if err != nil {
		return nil, err
	}
	if e.Op == "||" && en.m != nil {
		if err := en.m.text(textLen(a) + textLen(b)); err != nil {
			return nil, err
		}
	}
	return binary(e.Op, e.T, a, b)
}

// evalNeg is unary minus, with integer overflow checked.
func evalNeg(e *Expr, en *env) (any, error) {
	v, err := eval1(e, en)
	if err != nil || v == nil {
		return nil, err
	}
	switch x := v.(type) {
	case int64:
		if x == math.MinInt64 {
			return nil, errf(StateOutOfRange, "%s out of range", e.T)
		}
		return -x, checkIntRange(e.T, -x)
	case float64:
		return -x, nil
	case *apd.Decimal:
		return numNeg(x), nil
	}
	return nil, errf(StateUndefinedFunction, "operator does not exist: - %s", e.T)
}

// evalNot is NOT, NULL staying NULL.
func evalNot(e *Expr, en *env) (any, error) {
	v, err := eval1(e, en)
	if err != nil || v == nil {
		return nil, err
	}
	b, ok := v.(bool)
	if !ok {
		return nil, errf(StateDatatypeMismatch, "argument of NOT must be type boolean")
	}
	return !b, nil
}

// evalIsBool is IS [NOT] TRUE/FALSE.
func evalIsBool(e *Expr, en *env) (any, error) {
	v, err := eval1(e, en)
	if err != nil {
		return nil, err
	}
	want, _ := e.V.(bool)
	b, ok := v.(bool)
	return (ok && b == want) != e.N, nil
}

// evalLike is [NOT] LIKE and ILIKE (ASCII case folding, as the C locale).
func evalLike(e *Expr, en *env) (any, error) {
	if len(e.A) != 2 {
		return nil, errf(StateProtocol, "LIKE needs two operands")
	}
	a, err := evalOperand(e.A[0], en)
	if err != nil {
		return nil, err
	}
	p, err := evalOperand(e.A[1], en)
	if err != nil || a == nil || p == nil {
		return nil, err
	}
	s, ok1 := a.(string)
	pat, ok2 := p.(string)
	if !ok1 || !ok2 {
		return nil, errf(StateUndefinedFunction, "LIKE needs text operands")
	}
	if e.Op == "ilike" {
		s, pat = asciiLower(s), asciiLower(pat)
	}
	m, err := likeMatch(s, pat)
	if err != nil {
		return nil, err
	}
	return m != e.N, nil
}

// evalCase is CASE: the first WHEN that is true, else ELSE (I == 1) or NULL.
func evalCase(e *Expr, en *env) (any, error) {
	n := len(e.A)
	if e.I == 1 {
		n--
	}
	if n < 0 || n%2 != 0 {
		return nil, errf(StateProtocol, "malformed CASE")
	}
	for i := 0; i < n; i += 2 {
		c, err := eval(e.A[i], en)
		if err != nil {
			return nil, err
		}
		if b, ok := c.(bool); ok && b {
			return eval(e.A[i+1], en)
		}
	}
	if e.I == 1 {
		return eval(e.A[n], en)
	}
	return nil, nil
}

// evalCoalesce is the first non-NULL argument.
func evalCoalesce(e *Expr, en *env) (any, error) {
	for _, a := range e.A {
		v, err := eval(a, en)
		if err != nil || v != nil {
			return v, err
		}
	}
	return nil, nil
}

// evalNullIf is NULLIF(a, b): NULL when a = b, else a.
func evalNullIf(e *Expr, en *env) (any, error) {
	if len(e.A) != 2 {
		return nil, errf(StateProtocol, "NULLIF needs two operands")
	}
	a, err := eval(e.A[0], en)
	if err != nil || a == nil {
		return a, err
	}
	b, err := evalOperand(e.A[1], en)
	if err != nil {
		return nil, err
	}
	if b != nil {
		if c, ok := compareValues(unpadded(a, e.A[0].T), b); ok && c == 0 {
			return nil, nil
		}
	}
	return a, nil
}

// evalCast is CAST, with varchar(n), char(n) and numeric(p,s) applied.
func evalCast(e *Expr, en *env) (any, error) {
	if len(e.A) != 1 {
		return nil, errf(StateProtocol, "cast needs one operand")
	}
	v, err := evalOperand(e.A[0], en) // char(n) to anything else drops its padding
	if err != nil {
		return nil, err
	}
	from := e.A[0].T
	out, err := castValue(v, from, e.T)
	if err != nil {
		return nil, err
	}
	if s, ok := out.(string); ok && e.I > 0 && e.T.isString() {
		if !utf8.ValidString(s) {
			return nil, errf(StateCharacterNotInRepertoire, "invalid byte sequence for encoding \"UTF8\"")
		}
		return fitLength(s, e.T, e.I, true)
	}
	if d, ok := out.(*apd.Decimal); ok && e.I > 0 {
		return fitNumeric(d, e.I)
	}
	return out, nil
}

// evalFunc is a scalar function; concat is checked against the text budget first.
func evalFunc(e *Expr, en *env) (any, error) {
	args := make([]any, len(e.A))
	for i, a := range e.A {
		v, err := evalOperand(a, en)
		if err != nil {
			return nil, err
		}
		args[i] = v
	}
	switch {
	case textFuncs[e.Op].t != "":
		return callTextFunc(e.Op, args, en.m)
	case e.Op == "concat_ws":
		return concatWS(args, en.m)
	}
	if e.Op == "concat" && en.m != nil {
		n := 0
		for _, a := range args {
			n += textLen(a)
		}
		if err := en.m.text(n); err != nil {
			return nil, err
		}
	}
	return callFunc(e.Op, e.T, args)
}

// textLen bounds the length of v as text: exact for text, generous for the rest (no number
// or timestamp prints longer), so checking it before concatenating costs no formatting.
func textLen(v any) int {
	switch x := v.(type) {
	case string:
		return len(x)
	case *apd.Decimal:
		return int(x.NumDigits()) + int(max(x.Exponent, -x.Exponent)) + 3
	}
	return 64
}

func orType(t, def Type) Type {
	if t == "" {
		return def
	}
	return t
}

func eval1(e *Expr, en *env) (any, error) {
	if len(e.A) != 1 {
		return nil, errf(StateProtocol, "%s needs one operand", e.K)
	}
	return eval(e.A[0], en)
}

// evalLogic is AND/OR with SQL's three-valued logic.
func evalLogic(e *Expr, en *env) (any, error) {
	and := e.K == kAnd
	sawNull := false
	for _, a := range e.A {
		v, err := eval(a, en)
		if err != nil {
			return nil, err
		}
		if v == nil {
			sawNull = true
			continue
		}
		b, ok := v.(bool)
		if !ok {
			return nil, errf(StateDatatypeMismatch, "argument of %s must be type boolean", strings.ToUpper(e.K))
		}
		if b != and {
			return b, nil // FALSE decides AND, TRUE decides OR
		}
	}
	if sawNull {
		return nil, nil
	}
	return and, nil
}

// evalOperand is eval for an operand of an operator or function. A char(n) value takes part
// without its padding, as PostgreSQL's bpchar does: 'ab'::char(4) = 'ab', its length is 2,
// and || or a cast to text drop the trailing spaces.
func evalOperand(e *Expr, en *env) (any, error) {
	v, err := eval(e, en)
	if s, ok := v.(string); ok && e.T == TChar {
		return strings.TrimRight(s, " "), err
	}
	return v, err
}

func evalIn(e *Expr, en *env) (any, error) {
	if len(e.A) < 2 {
		return nil, errf(StateProtocol, "IN needs a list")
	}
	v, err := evalOperand(e.A[0], en)
	if err != nil || v == nil {
		return nil, err
	}
	sawNull := false
	for _, a := range e.A[1:] {
		x, err := evalOperand(a, en)
		if err != nil {
			return nil, err
		}
		if x == nil {
			sawNull = true
			continue
		}
		c, ok := compareValues(v, x)
		if !ok {
			return nil, errf(StateUndefinedFunction, "IN compares incompatible values")
		}
		if c == 0 {
			return !e.N, nil
		}
	}
	if sawNull {
		return nil, nil
	}
	return e.N, nil
}

func evalBetween(e *Expr, en *env) (any, error) {
	if len(e.A) != 3 {
		return nil, errf(StateProtocol, "BETWEEN needs three operands")
	}
	vals := make([]any, 3)
	for i, a := range e.A {
		v, err := evalOperand(a, en)
		if err != nil {
			return nil, err
		}
		vals[i] = v
	}
	ge, err := binary(">=", TBool, vals[0], vals[1])
	if err != nil {
		return nil, err
	}
	le, err := binary("<=", TBool, vals[0], vals[2])
	if err != nil {
		return nil, err
	}
	r, err := evalLogic(&Expr{K: kAnd, A: []*Expr{{K: kConst, V: ge}, {K: kConst, V: le}}}, en)
	if err != nil || r == nil {
		return r, err
	}
	return r.(bool) != e.N, nil
}

// binary applies an operator to two evaluated operands; t is the result type.
func binary(op string, t Type, a, b any) (any, error) {
	if a == nil || b == nil {
		return nil, nil
	}
	switch op {
	case "=", "<>", "<", "<=", ">", ">=":
		c, ok := compareValues(a, b)
		if !ok {
			return nil, errf(StateUndefinedFunction, "operator does not exist for these operand types: %s", op)
		}
		switch op {
		case "=":
			return c == 0, nil
		case "<>":
			return c != 0, nil
		case "<":
			return c < 0, nil
		case "<=":
			return c <= 0, nil
		case ">":
			return c > 0, nil
		}
		return c >= 0, nil
	case "||":
		return toText(a, TText) + toText(b, TText), nil
	case "+", "-", "*", "/", "%":
		return arith(op, t, a, b)
	}
	return nil, errf(StateUndefinedFunction, "operator does not exist: %s", op)
}

func arith(op string, t Type, a, b any) (any, error) {
	x, xi := a.(int64)
	y, yi := b.(int64)
	if xi && yi && t.isInt() {
		var r int64
		switch op {
		case "+":
			r = x + y
			if (r > x) != (y > 0) {
				return nil, errf(StateOutOfRange, "%s out of range", t)
			}
		case "-":
			r = x - y
			if (r < x) != (y > 0) {
				return nil, errf(StateOutOfRange, "%s out of range", t)
			}
		case "*":
			if x != 0 && y != 0 {
				r = x * y
				if r/y != x || (x == -1 && y == math.MinInt64) || (y == -1 && x == math.MinInt64) {
					return nil, errf(StateOutOfRange, "%s out of range", t)
				}
			}
		case "/", "%":
			if y == 0 {
				return nil, errf(StateDivisionByZero, "division by zero")
			}
			if y == -1 {
				if op == "%" {
					return int64(0), nil
				}
				if x == math.MinInt64 {
					return nil, errf(StateOutOfRange, "%s out of range", t)
				}
				r = -x
			} else if op == "/" {
				r = x / y
			} else {
				r = x % y
			}
		}
		if err := checkIntRange(t, r); err != nil {
			return nil, err
		}
		return r, nil
	}
	if t == TNumeric {
		x, ok1, err1 := toNumeric(a, TFloat8)
		y, ok2, err2 := toNumeric(b, TFloat8)
		if err := errors.Join(err1, err2); err != nil {
			return nil, err
		}
		if !ok1 || !ok2 {
			return nil, errf(StateUndefinedFunction, "operator does not exist: %s %s %s", kindName(a), op, kindName(b))
		}
		return numArith(op, x, y)
	}
	fx, ok1 := toFloat(a)
	fy, ok2 := toFloat(b)
	if !ok1 || !ok2 || !t.isFloat() {
		return nil, errf(StateUndefinedFunction, "operator does not exist: %s %s %s", kindName(a), op, kindName(b))
	}
	return floatArith(op, t, fx, fy)
}

// floatArith is float4 or float8 arithmetic: an overflow from finite operands is 22003,
// while NaN and ±Infinity operands give NaN and ±Infinity as IEEE 754 says.
func floatArith(op string, t Type, fx, fy float64) (any, error) {
	var r float64
	switch op {
	case "+":
		r = fx + fy
	case "-":
		r = fx - fy
	case "*":
		r = fx * fy
	case "/":
		if fy == 0 {
			return nil, errf(StateDivisionByZero, "division by zero")
		}
		r = fx / fy
	case "%":
		if fy == 0 {
			return nil, errf(StateDivisionByZero, "division by zero")
		}
		r = math.Mod(fx, fy)
	}
	if t == TFloat4 {
		r = float64(float32(r))
	}
	return r, checkFloat(r, fx, fy)
}

// toFloat converts a number to float8 (numerics beyond its range become ±Infinity).
func toFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case int64:
		return float64(x), true
	case float64:
		return x, true
	case *apd.Decimal:
		f, err := numToFloat(x, TFloat8)
		if err != nil {
			return math.Inf(x.Sign()), true
		}
		return f, true
	}
	return 0, false
}

func kindName(v any) string {
	switch v.(type) {
	case int64:
		return "integer"
	case float64:
		return "double precision"
	case *apd.Decimal:
		return "numeric"
	case string:
		return "text"
	case bool:
		return "boolean"
	}
	return "unknown"
}

// likeMatch matches s against a LIKE pattern: % any run, _ one character, \ escapes.
func likeMatch(s, pat string) (bool, error) {
	// Iterative matcher with backtracking on the last %: linear in practice, never
	// exponential.
	si, pi := 0, 0
	starP, starS := -1, 0
	for si < len(s) {
		if pi < len(pat) {
			pc, pw := utf8.DecodeRuneInString(pat[pi:])
			switch pc {
			case '%':
				starP, starS = pi+pw, si
				pi += pw
				continue
			case '_':
				_, sw := utf8.DecodeRuneInString(s[si:])
				si += sw
				pi += pw
				continue
			case '\\':
				if pi+pw >= len(pat) {
					return false, errf("22025", "LIKE pattern must not end with escape character")
				}
				pc2, pw2 := utf8.DecodeRuneInString(pat[pi+pw:])
				sc, sw := utf8.DecodeRuneInString(s[si:])
				if sc == pc2 {
					si += sw
					pi += pw + pw2
					continue
				}
			default:
				sc, sw := utf8.DecodeRuneInString(s[si:])
				if sc == pc {
					si += sw
					pi += pw
					continue
				}
			}
		}
		if starP < 0 {
			return false, nil
		}
		_, sw := utf8.DecodeRuneInString(s[starS:])
		starS += sw
		si, pi = starS, starP
	}
	for pi < len(pat) && pat[pi] == '%' {
		pi++
	}
	if pi < len(pat) && pat[pi] == '\\' && pi+1 >= len(pat) {
		return false, errf("22025", "LIKE pattern must not end with escape character")
	}
	return pi == len(pat), nil
}

// callFunc applies a scalar function to evaluated arguments.
func callFunc(name string, t Type, args []any) (any, error) {
	switch name {
	case "lower", "upper", "length", "abs", "trim", "round", "ceil", "floor", "sqrt", "trunc":
		if len(args) < 1 {
			return nil, errf(StateProtocol, "%s needs an argument", name)
		}
		if args[0] == nil {
			return nil, nil
		}
	}
	switch name {
	case "lower", "upper", "length", "trim":
		s, ok := args[0].(string)
		if !ok {
			return nil, errf(StateUndefinedFunction, "function %s needs text", name)
		}
		switch name {
		case "lower":
			return asciiLower(s), nil
		case "upper":
			return asciiUpper(s), nil
		case "trim":
			return strings.Trim(s, " "), nil
		}
		return int64(utf8.RuneCountInString(s)), nil
	case "abs":
		switch x := args[0].(type) {
		case int64:
			if x == math.MinInt64 {
				return nil, errf(StateOutOfRange, "%s out of range", t)
			}
			if x < 0 {
				x = -x
			}
			return x, checkIntRange(t, x)
		case float64:
			return math.Abs(x), nil
		case *apd.Decimal:
			return checkNumeric(new(apd.Decimal).Abs(x), 0)
		}
	case "round", "ceil", "floor", "sqrt", "trunc":
		return roundingFunc(name, t, args)
	case "power":
		return power(args)
	case "concat":
		var b strings.Builder
		for _, a := range args {
			if a != nil {
				b.WriteString(toText(a, TText))
			}
		}
		return b.String(), nil
	case "greatest", "least":
		var best any
		for _, a := range args {
			if a == nil {
				continue
			}
			if best == nil {
				best = a
				continue
			}
			c, ok := compareValues(a, best)
			if !ok {
				return nil, errf(StateUndefinedFunction, "%s compares incompatible values", name)
			}
			if (name == "greatest" && c > 0) || (name == "least" && c < 0) {
				best = a
			}
		}
		if t.isNumber() && best != nil {
			return castValue(best, kindType(best), t)
		}
		return best, nil
	}
	return nil, errf(StateUndefinedFunction, "function %s does not exist", name)
}

// kindType is the widest type of a value's Go representation (for converting it on).
func kindType(v any) Type {
	switch v.(type) {
	case int64:
		return TInt8
	case float64:
		return TFloat8
	case *apd.Decimal:
		return TNumeric
	case bool:
		return TBool
	}
	return TText
}

// roundingFunc is round, ceil, floor and sqrt: exact on numeric (t), IEEE on floats,
// where round is rint (half to even), as in PostgreSQL.
func roundingFunc(name string, t Type, args []any) (any, error) {
	if t == TNumeric {
		d, ok, err := toNumeric(args[0], TFloat8)
		if err != nil || !ok {
			return nil, errors.Join(err, errf(StateUndefinedFunction, "function %s needs a number", name))
		}
		switch name {
		case "round", "trunc":
			places := int64(0)
			if len(args) == 2 {
				if args[1] == nil {
					return nil, nil
				}
				p, ok := args[1].(int64)
				if !ok {
					return nil, errf(StateInvalidParameter, "round: bad number of digits")
				}
				places = p
			}
			if name == "trunc" {
				return numTrunc(d, places)
			}
			return numRound(d, places)
		case "ceil", "floor":
			return numIntegral(d, name == "ceil")
		}
		return numSqrt(d)
	}
	f, ok := toFloat(args[0])
	if !ok || len(args) != 1 {
		return nil, errf(StateUndefinedFunction, "function %s needs one number", name)
	}
	switch name {
	case "round":
		return math.RoundToEven(f), nil
	case "trunc":
		return math.Trunc(f), nil
	case "ceil":
		return math.Ceil(f), nil
	case "floor":
		return math.Floor(f), nil
	}
	if f < 0 {
		return nil, errf(StateInvalidPowerArgument, "cannot take square root of a negative number")
	}
	return math.Sqrt(f), nil
}
