package sql

import (
	"math"
	"reflect"
	"strings"
	"unicode/utf8"

	"github.com/cockroachdb/apd/v3"
	pg "github.com/pganalyze/pg_query_go/v2"
)

// textFuncs are the string functions of PostgreSQL the engine has beyond lower, upper,
// length and trim: argument kinds ('t' text, 'i' integer), the fewest arguments, and the
// result type. NULL in any argument makes NULL.
var textFuncs = map[string]struct {
	args string
	min  int
	t    Type
}{
	"substring": {"tii", 2, TText}, "substr": {"tii", 2, TText}, "replace": {"ttt", 3, TText},
	"left": {"ti", 2, TText}, "right": {"ti", 2, TText}, "repeat": {"ti", 2, TText},
	"ltrim": {"tt", 1, TText}, "rtrim": {"tt", 1, TText}, "btrim": {"tt", 1, TText},
	"split_part": {"tti", 3, TText}, "strpos": {"tt", 2, TInt4}, "position": {"tt", 2, TInt4},
}

// textFunc checks one of textFuncs: strings for text arguments (untyped literals become
// text, other types have no such function), int4 for integer ones.
func (c *checker) textFunc(fc *pg.FuncCall, name string, args []*Expr) (*Expr, error) {
	spec := textFuncs[name]
	if len(args) < spec.min || len(args) > len(spec.args) {
		return nil, errAt(c.pos(fc.Location), StateUndefinedFunction, "function %s with %d arguments does not exist", name, len(args))
	}
	if name == "substring" && len(args) >= 2 && args[1].T.isString() {
		return nil, unsupported(c.pos(fc.Location), "substring with a regular expression")
	}
	out := make([]*Expr, len(args))
	for i, a := range args {
		want := TText
		ok := a.T.isString()
		if spec.args[i] == 'i' {
			want = TInt4
			ok = a.T == TInt2 || a.T == TInt4 || a.T == TUnknown
		}
		if !ok {
			return nil, errAt(c.pos(fc.Location), StateUndefinedFunction, "function %s(%s) does not exist", name, argTypes(args))
		}
		e, err := c.coerceTo(a, want, fc.Args[i], "argument of "+name)
		if err != nil {
			return nil, err
		}
		out[i] = e
	}
	op := name
	if op == "substr" {
		op = "substring"
	}
	if op == "position" {
		op = "strpos" // POSITION(b IN a) is position(a, b)
	}
	e, err := c.fold(&Expr{K: kFunc, Op: op, T: spec.t, A: out})
	return e, withPosErr(err, c.pos(fc.Location))
}

func argTypes(args []*Expr) string {
	ts := make([]string, len(args))
	for i, a := range args {
		ts[i] = string(a.T)
	}
	return strings.Join(ts, ", ")
}

// textFits checks a computed text's length against the budget; while constants are
// folded at Prepare, where no batch budget applies yet, against the default one.
func textFits(m *meter, n int) error {
	if m == nil {
		m = &meter{b: DefaultBudget()}
	}
	return m.text(n)
}

// callTextFunc evaluates one of textFuncs (NULL if any argument is).
func callTextFunc(name string, args []any, m *meter) (any, error) {
	for _, a := range args {
		if a == nil {
			return nil, nil
		}
	}
	str := func(i int) string { s, _ := args[i].(string); return s }
	num := func(i int) int64 { n, _ := args[i].(int64); return n }
	switch name {
	case "substring":
		r := []rune(str(0))
		from := num(1)
		to := int64(math.MaxInt64)
		if len(args) == 3 {
			if num(2) < 0 {
				return nil, errf("22011", "negative substring length not allowed")
			}
			to = from + num(2)
			if to < from {
				to = math.MaxInt64
			}
		}
		lo, hi := max(from, 1)-1, min(to-1, int64(len(r)))
		if lo >= hi {
			return "", nil
		}
		return string(r[lo:hi]), nil
	case "replace":
		if str(1) == "" {
			return str(0), nil
		}
		n := strings.Count(str(0), str(1))
		if err := textFits(m, len(str(0))+n*(len(str(2))-len(str(1)))); err != nil {
			return nil, err
		}
		return strings.ReplaceAll(str(0), str(1), str(2)), nil
	case "left", "right":
		r := []rune(str(0))
		n := num(1)
		if n < 0 {
			n = max(int64(len(r))+n, 0)
		}
		n = min(n, int64(len(r)))
		if name == "left" {
			return string(r[:n]), nil
		}
		return string(r[int64(len(r))-n:]), nil
	case "repeat":
		n := max(num(1), 0)
		if n > 0 && int64(len(str(0))) > math.MaxInt32/n {
			return nil, errf(StateLimitExceeded, "repeat: result too long")
		}
		if err := textFits(m, len(str(0))*int(n)); err != nil {
			return nil, err
		}
		return strings.Repeat(str(0), int(n)), nil
	case "ltrim", "rtrim", "btrim":
		cut := " "
		if len(args) == 2 {
			cut = str(1)
		}
		s := str(0)
		if name != "rtrim" {
			s = strings.TrimLeft(s, cut)
		}
		if name != "ltrim" {
			s = strings.TrimRight(s, cut)
		}
		return s, nil
	case "split_part":
		return splitPart(str(0), str(1), num(2))
	case "strpos":
		i := strings.Index(str(0), str(1))
		if i < 0 {
			return int64(0), nil
		}
		return int64(utf8.RuneCountInString(str(0)[:i]) + 1), nil
	}
	return nil, errf(StateUndefinedFunction, "function %s does not exist", name)
}

// splitPart is split_part: field n (from the end when negative) of s split on delim.
func splitPart(s, delim string, n int64) (any, error) {
	if n == 0 {
		return nil, errf(StateInvalidParameter, "field position must not be zero")
	}
	var parts []string
	if delim == "" {
		parts = []string{s}
	} else {
		parts = strings.Split(s, delim)
	}
	if n < 0 {
		n += int64(len(parts)) + 1
	}
	if n < 1 || n > int64(len(parts)) {
		return "", nil
	}
	return parts[n-1], nil
}

// concatWS is concat_ws(sep, args...): the non-NULL arguments joined by sep.
func concatWS(args []any, m *meter) (any, error) {
	if len(args) == 0 || args[0] == nil {
		return nil, nil
	}
	sep := toText(args[0], TText)
	var parts []string
	n := 0
	for _, a := range args[1:] {
		if a != nil {
			p := toText(a, TText)
			parts = append(parts, p)
			n += len(p) + len(sep)
		}
	}
	if err := textFits(m, n); err != nil {
		return nil, err
	}
	return strings.Join(parts, sep), nil
}

// numTrunc truncates toward zero at places digits after the point (before, if negative).
func numTrunc(d *apd.Decimal, places int64) (*apd.Decimal, error) {
	if d.Form != apd.Finite {
		return d, nil
	}
	places = max(min(places, numericMaxDisplay), -numericMaxWeight)
	ctx := exact
	ctx.Rounding = apd.RoundDown
	r := new(apd.Decimal)
	if _, err := ctx.Quantize(r, d, int32(-places)); err != nil {
		return nil, errf(StateOutOfRange, "value overflows numeric format")
	}
	if places < 0 {
		out := new(apd.Decimal)
		if _, err := ctx.Quantize(out, r, 0); err != nil {
			return nil, errf(StateOutOfRange, "value overflows numeric format")
		}
		r = out
	}
	return checkNumeric(r, 0)
}

// power is power(x, y) in double precision, with PostgreSQL's errors.
func power(args []any) (any, error) {
	if len(args) != 2 || args[0] == nil || args[1] == nil {
		return nil, nil
	}
	x, ok1 := toFloat(args[0])
	y, ok2 := toFloat(args[1])
	if !ok1 || !ok2 {
		return nil, errf(StateUndefinedFunction, "function power needs numbers")
	}
	switch {
	case x == 0 && y < 0:
		return nil, errf(StateInvalidPowerArgument, "zero raised to a negative power is undefined")
	case x < 0 && y != math.Trunc(y) && !math.IsInf(y, 0):
		return nil, errf(StateInvalidPowerArgument, "a negative number raised to a non-integer power yields a complex result")
	}
	r := math.Pow(x, y)
	switch {
	case math.IsInf(r, 0) && !math.IsInf(x, 0) && !math.IsInf(y, 0):
		return nil, errf(StateOutOfRange, "value out of range: overflow")
	case r == 0 && x != 0 && !math.IsInf(y, 0):
		return nil, errf(StateOutOfRange, "value out of range: underflow")
	}
	return r, nil
}

// mathOrJoin checks mod (the % operator's types, integers and numeric only), power
// (double precision; numeric is not supported) and concat_ws.
func (c *checker) mathOrJoin(fc *pg.FuncCall, name string, args []*Expr, nargs func(lo, hi int) error) (*Expr, error) {
	if name == "concat_ws" {
		if err := nargs(2, math.MaxInt); err != nil {
			return nil, err
		}
		for i, a := range args {
			if a.T == TUnknown {
				args[i] = &Expr{K: a.K, T: TText, V: a.V, I: a.I}
			}
		}
		return c.fold(&Expr{K: kFunc, Op: "concat_ws", T: TText, A: args})
	}
	if err := nargs(2, 2); err != nil {
		return nil, err
	}
	for _, a := range args {
		if !a.T.isNumber() && a.T != TUnknown || name == "mod" && a.T.isFloat() {
			return nil, errAt(c.pos(fc.Location), StateUndefinedFunction, "function %s(%s) does not exist", name, argTypes(args))
		}
		if name != "mod" && a.T == TNumeric {
			return nil, unsupported(c.pos(fc.Location), "power of numeric")
		}
	}
	if name == "mod" {
		return c.binop("%", args[0], args[1], fc.Args[0], fc.Args[1], fc.Location)
	}
	out := make([]*Expr, 2)
	for i, a := range args {
		e, err := c.coerceTo(a, TFloat8, fc.Args[i], "argument of power")
		if err != nil {
			return nil, err
		}
		out[i] = e
	}
	e, err := c.fold(&Expr{K: kFunc, Op: "power", T: TFloat8, A: out})
	return e, withPosErr(err, c.pos(fc.Location))
}

// aggExtras binds an aggregate's FILTER (WHERE ...) and ORDER BY, over the input row:
// aggregates inside either are not allowed, as inside the argument.
func (c *checker) aggExtras(ag *Agg, fc *pg.FuncCall, x *exprCtx) error {
	inner := *x
	inner.inAgg = true
	if fc.AggFilter != nil {
		f, err := c.expr(fc.AggFilter, &exprCtx{sc: x.sc, clause: "FILTER"})
		if err != nil {
			return err
		}
		if ag.Filter, err = c.coerceTo(f, TBool, fc.AggFilter, "argument of FILTER"); err != nil {
			return err
		}
	}
	for _, n := range fc.AggOrder {
		sb := n.GetSortBy()
		if sb == nil || sb.SortbyDir == pg.SortByDir_SORTBY_USING {
			return unsupported(c.pos(fc.Location), "this aggregate ORDER BY")
		}
		e, err := c.expr(sb.Node, &inner)
		if err != nil {
			return err
		}
		if e.T == TUnknown {
			e, _ = c.coerceTo(e, TText, sb.Node, "")
		}
		k := &SortKey{E: e, Desc: sb.SortbyDir == pg.SortByDir_SORTBY_DESC}
		k.NullsFirst = k.Desc
		switch sb.SortbyNulls {
		case pg.SortByNulls_SORTBY_NULLS_FIRST:
			k.NullsFirst = true
		case pg.SortByNulls_SORTBY_NULLS_LAST:
			k.NullsFirst = false
		}
		ag.Order = append(ag.Order, k)
	}
	return nil
}

// stringAggArgs types string_agg(value, delimiter): both text (untyped literals become
// text; PostgreSQL has no implicit cast from other types).
func (c *checker) stringAggArgs(ag *Agg, fc *pg.FuncCall, x *exprCtx) error {
	inner := *x
	inner.inAgg = true
	sep, err := c.expr(fc.Args[1], &inner)
	if err != nil {
		return err
	}
	if !ag.Arg.T.isString() || !sep.T.isString() {
		return errAt(c.pos(fc.Location), StateUndefinedFunction, "function string_agg(%s, %s) does not exist", ag.Arg.T, sep.T)
	}
	if ag.Arg, err = c.coerceTo(ag.Arg, TText, fc.Args[0], ""); err != nil {
		return err
	}
	if ag.Sep, err = c.coerceTo(sep, TText, fc.Args[1], ""); err != nil {
		return err
	}
	if ag.Distinct && len(ag.Order) > 0 && (len(ag.Order) != 1 || !reflect.DeepEqual(ag.Order[0].E, ag.Arg)) {
		return errAt(c.pos(fc.Location), StateInvalidColumnRef, "in an aggregate with DISTINCT, ORDER BY expressions must appear in argument list")
	}
	ag.T = TText
	return nil
}
