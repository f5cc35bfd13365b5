package sql

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/cockroachdb/apd/v3"
	pg "github.com/pganalyze/pg_query_go/v2"
)

// scope is the columns an expression can name: the FROM items in order, each a run of
// columns in the concatenated input row.
type scope struct {
	items []scopeItem
	// parent is the scope of the query a subquery stands in: names not found here are
	// looked up there, as outer references (kOuter).
	parent *scope
}

type scopeItem struct {
	name  string // alias, or table name
	start int
	cols  []Col
}

func (s *scope) width() int {
	n := 0
	for _, it := range s.items {
		n += len(it.cols)
	}
	return n
}

func (s *scope) add(name string, cols []Col) {
	s.items = append(s.items, scopeItem{name: name, start: s.width(), cols: cols})
}

// aggCollector gathers aggregate calls while a select list is bound; nil where
// aggregates are not allowed, with clause naming the place for the error.
type aggCollector struct {
	aggs []*Agg
}

// exprCtx is what binding an expression needs beyond the scope.
type exprCtx struct {
	sc     *scope
	aggs   *aggCollector
	clause string // for "aggregate functions are not allowed in WHERE"
	inAgg  bool
}

func (c *checker) pos(loc int32) int {
	if loc < 0 {
		return 0
	}
	return c.offset + int(loc) + 1
}

// resolve finds a column by (qualifier, name): in sc, else in the scopes of the queries
// sc's query stands in, nearest first, as an outer reference.
func (c *checker) resolve(sc *scope, qual, name string, loc int32) (*Expr, error) {
	for level, s := 0, sc; s != nil; level, s = level+1, s.parent {
		found, known, err := c.resolveIn(s, qual, name, loc)
		if err != nil {
			return nil, err
		}
		if found != nil {
			if level > 0 {
				found.K, found.L = kOuter, level
			}
			return found, nil
		}
		if known {
			return nil, errAt(c.pos(loc), StateUndefinedColumn, "column %s.%s does not exist", qual, name)
		}
	}
	if qual != "" {
		return nil, errAt(c.pos(loc), StateUndefinedTable, "missing FROM-clause entry for table %q", qual)
	}
	return nil, errAt(c.pos(loc), StateUndefinedColumn, "column %q does not exist", name)
}

// resolveIn looks a column up in one scope; known says the qualifier names one of its items.
func (c *checker) resolveIn(sc *scope, qual, name string, loc int32) (found *Expr, known bool, err error) {
	for _, it := range sc.items {
		if qual != "" && it.name != qual {
			continue
		}
		known = true
		for i, col := range it.cols {
			if col.Name != name {
				continue
			}
			if found != nil {
				return nil, true, errAt(c.pos(loc), StateAmbiguousColumn, "column reference %q is ambiguous", name)
			}
			found = &Expr{K: kCol, I: it.start + i, T: col.Type}
		}
	}
	return found, known && qual != "", nil
}

func constExpr(v any, t Type) *Expr { return &Expr{K: kConst, T: t, V: v} }

// expr binds a parse-tree expression.
func (c *checker) expr(n *pg.Node, x *exprCtx) (*Expr, error) {
	if n == nil {
		return nil, errf(StateSyntax, "missing expression")
	}
	switch {
	case n.GetAConst() != nil:
		return c.aconst(n.GetAConst())
	case n.GetColumnRef() != nil:
		return c.columnRefExpr(n, x)
	case n.GetParamRef() != nil:
		return c.param(n.GetParamRef())
	case n.GetAExpr() != nil:
		return c.aexpr(n.GetAExpr(), x)
	case n.GetBoolExpr() != nil:
		return c.lazily(func() (*Expr, error) { return c.boolExpr(n.GetBoolExpr(), x) })
	case n.GetNullTest() != nil:
		return c.nullTestExpr(n, x)
	case n.GetBooleanTest() != nil:
		return c.booleanTestExpr(n, x)
	case n.GetTypeCast() != nil:
		return c.typeCastExpr(n, x)
	case n.GetCaseExpr() != nil:
		return c.lazily(func() (*Expr, error) { return c.caseExpr(n.GetCaseExpr(), x) })
	case n.GetCoalesceExpr() != nil:
		return c.coalesceExpr(n, x)
	case n.GetMinMaxExpr() != nil:
		return c.minMaxExpr(n, x)
	case n.GetFuncCall() != nil:
		return c.funcCall(n.GetFuncCall(), x)
	case n.GetSqlvalueFunction() != nil:
		return c.sqlValueExpr(n, x)
	case n.GetSubLink() != nil:
		return c.subLink(n.GetSubLink(), x)
	}
	return nil, unsupported(0, "expression %s", nodeKind(n))
}

// columnRefExpr resolves a column reference in scope.
func (c *checker) columnRefExpr(n *pg.Node, x *exprCtx) (*Expr, error) {
	cr := n.GetColumnRef()
	var names []string
	for _, f := range cr.Fields {
		if f.GetAStar() != nil {
			return nil, errAt(c.pos(cr.Location), StateSyntax, "* is not allowed here")
		}
		names = append(names, nodeString(f))
	}
	switch len(names) {
	case 1:
		return c.resolve(x.sc, "", names[0], cr.Location)
	case 2:
		return c.resolve(x.sc, names[0], names[1], cr.Location)
	case 3:
		if names[0] == "public" {
			return c.resolve(x.sc, names[1], names[2], cr.Location)
		}
	}
	return nil, unsupported(c.pos(cr.Location), "column reference %q", strings.Join(names, "."))
}

// nullTestExpr checks IS [NOT] NULL.
func (c *checker) nullTestExpr(n *pg.Node, x *exprCtx) (*Expr, error) {
	nt := n.GetNullTest()
	a, err := c.expr(nt.Arg, x)
	if err != nil {
		return nil, err
	}
	if a.T == TUnknown {
		a.T = TText
	}
	return c.fold(&Expr{K: kIsNull, T: TBool, A: []*Expr{a}, N: nt.Nulltesttype == pg.NullTestType_IS_NOT_NULL})
}

// booleanTestExpr checks IS [NOT] TRUE, FALSE and UNKNOWN.
func (c *checker) booleanTestExpr(n *pg.Node, x *exprCtx) (*Expr, error) {
	bt := n.GetBooleanTest()
	a, err := c.expr(bt.Arg, x)
	if err != nil {
		return nil, err
	}
	if a, err = c.coerceTo(a, TBool, bt.Arg, "argument of IS TRUE"); err != nil {
		return nil, err
	}
	e := &Expr{K: kIsBool, T: TBool, A: []*Expr{a}}
	switch bt.Booltesttype {
	case pg.BoolTestType_IS_TRUE:
		e.V = true
	case pg.BoolTestType_IS_NOT_TRUE:
		e.V, e.N = true, true
	case pg.BoolTestType_IS_FALSE:
		e.V = false
	case pg.BoolTestType_IS_NOT_FALSE:
		e.V, e.N = false, true
	case pg.BoolTestType_IS_UNKNOWN:
		return &Expr{K: kIsNull, T: TBool, A: []*Expr{a}}, nil
	case pg.BoolTestType_IS_NOT_UNKNOWN:
		return &Expr{K: kIsNull, T: TBool, A: []*Expr{a}, N: true}, nil
	}
	return c.fold(e)
}

// typeCastExpr checks a cast; a literal is converted now, as its input function runs at parse time.
func (c *checker) typeCastExpr(n *pg.Node, x *exprCtx) (*Expr, error) {
	tc := n.GetTypeCast()
	a, err := c.expr(tc.Arg, x)
	if err != nil {
		return nil, err
	}
	t, length, _, err := c.typeName(tc.TypeName)
	if err != nil {
		return nil, err
	}
	if !canCast(a.T, t) {
		return nil, errAt(c.pos(tc.Location), StateCannotCoerce, "cannot cast type %s to %s", a.T, t)
	}
	if a.K == kParam {
		return c.coerceTo(a, t, tc.Arg, "")
	}
	foldCast := c.fold
	if a.T == TUnknown {
		a.T = TText
		foldCast = fold // a literal's input function runs at parse time, reached or not
	}
	e, err := foldCast(&Expr{K: kCast, T: t, I: length, A: []*Expr{a}})
	if err != nil {
		return nil, withPos(err, c.pos(tc.Location))
	}
	return e, nil
}

// coalesceExpr checks COALESCE over a common type.
func (c *checker) coalesceExpr(n *pg.Node, x *exprCtx) (*Expr, error) {
	return c.lazily(func() (*Expr, error) {
		args, t, err := c.exprsCommon(n.GetCoalesceExpr().Args, x, "COALESCE")
		if err != nil {
			return nil, err
		}
		return c.fold(&Expr{K: kCoalesce, T: t, A: args})
	})
}

// minMaxExpr checks GREATEST and LEAST over a common type.
func (c *checker) minMaxExpr(n *pg.Node, x *exprCtx) (*Expr, error) {
	mm := n.GetMinMaxExpr()
	name := "greatest"
	if mm.Op == pg.MinMaxOp_IS_LEAST {
		name = "least"
	}
	args, t, err := c.exprsCommon(mm.Args, x, strings.ToUpper(name))
	if err != nil {
		return nil, err
	}
	return c.fold(&Expr{K: kFunc, Op: name, T: t, A: args})
}

// sqlValueExpr checks current_timestamp and friends.
func (c *checker) sqlValueExpr(n *pg.Node, x *exprCtx) (*Expr, error) {
	sv := n.GetSqlvalueFunction()
	switch sv.Op {
	case pg.SQLValueFunctionOp_SVFOP_CURRENT_TIMESTAMP, pg.SQLValueFunctionOp_SVFOP_CURRENT_TIMESTAMP_N:
		return constExpr(c.now, TTimestamptz), nil
	case pg.SQLValueFunctionOp_SVFOP_LOCALTIMESTAMP, pg.SQLValueFunctionOp_SVFOP_LOCALTIMESTAMP_N:
		v, _ := castValue(c.now, TTimestamptz, TTimestamp)
		return constExpr(v, TTimestamp), nil
	}
	return nil, unsupported(c.pos(sv.Location), "this SQL value function")
}

func (c *checker) boolExpr(b *pg.BoolExpr, x *exprCtx) (*Expr, error) {
	var args []*Expr
	for _, a := range b.Args {
		e, err := c.expr(a, x)
		if err != nil {
			return nil, err
		}
		if e, err = c.coerceTo(e, TBool, a, "argument of "+boolName(b.Boolop)); err != nil {
			return nil, err
		}
		args = append(args, e)
	}
	switch b.Boolop {
	case pg.BoolExprType_AND_EXPR:
		return c.fold(&Expr{K: kAnd, T: TBool, A: args})
	case pg.BoolExprType_OR_EXPR:
		return c.fold(&Expr{K: kOr, T: TBool, A: args})
	case pg.BoolExprType_NOT_EXPR:
		return c.fold(&Expr{K: kNot, T: TBool, A: args})
	}
	return nil, unsupported(c.pos(b.Location), "this boolean operator")
}

func nodeKind(n *pg.Node) string {
	b, _ := json.Marshal(n.GetNode())
	s := string(b)
	if i := strings.IndexByte(s, ':'); i > 2 {
		return strings.Trim(s[:i], `{"`)
	}
	return "of this kind"
}

func boolName(op pg.BoolExprType) string {
	switch op {
	case pg.BoolExprType_AND_EXPR:
		return "AND"
	case pg.BoolExprType_OR_EXPR:
		return "OR"
	}
	return "NOT"
}

func withPos(err error, pos int) error {
	if e, ok := err.(*Error); ok && e.Position == 0 {
		c := *e
		c.Position = pos
		return &c
	}
	return err
}

func (c *checker) aconst(ac *pg.A_Const) (*Expr, error) {
	v := ac.Val
	switch {
	case v == nil || v.GetNull() != nil:
		return constExpr(nil, TUnknown), nil
	case v.GetInteger() != nil:
		i := int64(v.GetInteger().Ival)
		return constExpr(i, TInt4), nil
	case v.GetFloat() != nil:
		s := v.GetFloat().Str
		if !strings.ContainsAny(s, ".eE") {
			// An integer too big for the grammar's int4 is bigint, but one the grammar
			// negated may fit again: -2147483648 is an integer (make_const).
			if i, err := strconv.ParseInt(s, 10, 64); err == nil {
				if checkIntRange(TInt4, i) == nil {
					return constExpr(i, TInt4), nil
				}
				return constExpr(i, TInt8), nil
			}
		}
		d, err := parseNumeric(s)
		if err != nil {
			return nil, withPos(err, c.pos(ac.Location))
		}
		return constExpr(d, TNumeric), nil
	case v.GetString_() != nil:
		return constExpr(v.GetString_().Str, TUnknown), nil
	}
	return nil, unsupported(c.pos(ac.Location), "this kind of constant")
}

// param binds $n: to the caller's value in Prepare, to a typed placeholder in Describe.
func (c *checker) param(p *pg.ParamRef) (*Expr, error) {
	n := int(p.Number)
	if n < 1 || n > 65535 {
		return nil, errAt(c.pos(p.Location), StateUndefinedParameter, "there is no parameter $%d", n)
	}
	if c.describe {
		for len(c.paramTypes) < n {
			c.paramTypes = append(c.paramTypes, "")
		}
		return &Expr{K: kParam, I: n, T: TUnknown}, nil
	}
	if n > len(c.params) {
		return nil, errAt(c.pos(p.Location), StateUndefinedParameter, "there is no parameter $%d", n)
	}
	return paramConst(c.params[n-1], n)
}

// paramConst turns a caller's parameter value into a constant. Strings are untyped
// (like '...' literals), so they take the type of where they are used.
func paramConst(v any, n int) (*Expr, error) {
	switch x := v.(type) {
	case nil:
		return constExpr(nil, TUnknown), nil
	case string:
		return constExpr(x, TUnknown), nil
	case []byte:
		return constExpr(string(x), TUnknown), nil
	case bool:
		return constExpr(x, TBool), nil
	case int:
		return constExpr(int64(x), TInt8), nil
	case int32:
		return constExpr(int64(x), TInt8), nil
	case int64:
		return constExpr(x, TInt8), nil
	case uint32:
		return constExpr(int64(x), TInt8), nil
	case float32:
		return floatParam(float64(x), n)
	case float64:
		return floatParam(x, n)
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return constExpr(i, TInt8), nil
		}
		d, err := parseNumeric(x.String())
		if err != nil {
			return nil, errf(StateInvalidParameter, "parameter $%d: bad number %q", n, x)
		}
		return constExpr(d, TNumeric), nil // a JSON number is a decimal: keep every digit
	case time.Time:
		return constExpr(formatTimestamp(TTimestamptz, x), TTimestamptz), nil
	}
	return nil, errf(StateInvalidParameter, "parameter $%d has unsupported type %T", n, v)
}

func floatParam(f float64, n int) (*Expr, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return nil, errf(StateInvalidParameter, "parameter $%d is not a finite number", n)
	}
	if f == math.Trunc(f) && math.Abs(f) < 1<<53 {
		return constExpr(int64(f), TInt8), nil
	}
	return constExpr(f, TFloat8), nil
}

// coerceTo makes e usable where type t is required: untyped literals and parameters are
// converted (an invalid literal is 22P02 at Prepare), numbers widen, and anything else
// of the wrong type is a 42804 with what as the context.
func (c *checker) coerceTo(e *Expr, t Type, n *pg.Node, what string) (*Expr, error) {
	if e.T == t {
		return e, nil
	}
	if e.K == kParam {
		if e.I >= 1 && e.I <= len(c.paramTypes) && c.paramTypes[e.I-1] == "" {
			c.paramTypes[e.I-1] = t
		}
		return &Expr{K: kParam, I: e.I, T: t}, nil
	}
	if e.T == TUnknown && e.K == kConst {
		if e.V == nil {
			return constExpr(nil, t), nil
		}
		v, err := parseText(t, e.V.(string))
		if err != nil {
			return nil, withPos(err, c.nodePos(n))
		}
		return constExpr(v, t), nil
	}
	switch {
	case e.T.isNumber() && t.isNumber(), e.T.isString() && t.isString(), e.T.isTime() && t.isTime():
		if e.T.isInt() && t.isInt() && numRank(e.T) <= numRank(t) {
			return &Expr{K: e.K, T: t, V: e.V, I: e.I, Op: e.Op, A: e.A, N: e.N}, nil
		}
		if e.T.isString() && t.isString() && (e.T != TChar || t == TChar) {
			return e, nil // char(n) to another string type drops its padding: a cast
		}
		return c.fold(&Expr{K: kCast, T: t, A: []*Expr{e}})
	case e.T == TUnknown:
		return &Expr{K: e.K, T: t, V: e.V, I: e.I, Op: e.Op, A: e.A, N: e.N}, nil
	}
	if what == "" {
		what = "expression"
	}
	return nil, errAt(c.nodePos(n), StateDatatypeMismatch, "%s must be type %s, not type %s", what, t, e.T)
}

// nodePos is the position of a node that carries a location, or 0.
func (c *checker) nodePos(n *pg.Node) int {
	if n == nil {
		return 0
	}
	switch x := n.GetNode().(type) {
	case *pg.Node_AConst:
		return c.pos(x.AConst.GetLocation())
	case *pg.Node_ColumnRef:
		return c.pos(x.ColumnRef.GetLocation())
	case *pg.Node_AExpr:
		return c.pos(x.AExpr.GetLocation())
	case *pg.Node_FuncCall:
		return c.pos(x.FuncCall.GetLocation())
	case *pg.Node_TypeCast:
		return c.pos(x.TypeCast.GetLocation())
	case *pg.Node_ParamRef:
		return c.pos(x.ParamRef.GetLocation())
	case *pg.Node_BoolExpr:
		return c.pos(x.BoolExpr.GetLocation())
	case *pg.Node_CaseExpr:
		return c.pos(x.CaseExpr.GetLocation())
	case *pg.Node_NullTest:
		return c.pos(x.NullTest.GetLocation())
	}
	return 0
}

// unify brings two operands to a common type for comparison or arithmetic.
func (c *checker) unify(a, b *Expr, na, nb *pg.Node, op string, loc int32) (*Expr, *Expr, Type, error) {
	t, ok := commonType(a.T, b.T)
	if !ok {
		return nil, nil, "", errAt(c.pos(loc), StateUndefinedFunction, "operator does not exist: %s %s %s", a.T, op, b.T)
	}
	var err error
	if a.T != t && !(a.T.isNumber() && t.isNumber()) {
		if a, err = c.coerceTo(a, t, na, ""); err != nil {
			return nil, nil, "", err
		}
	}
	if b.T != t && !(b.T.isNumber() && t.isNumber()) {
		if b, err = c.coerceTo(b, t, nb, ""); err != nil {
			return nil, nil, "", err
		}
	}
	if a.K == kParam && a.T == TUnknown {
		a, _ = c.coerceTo(a, t, na, "")
	}
	if b.K == kParam && b.T == TUnknown {
		b, _ = c.coerceTo(b, t, nb, "")
	}
	return a, b, t, nil
}

// negativeLiteral is a minus sign applied to a number literal, which PostgreSQL's grammar
// folds into the literal: -2147483648 is an integer and -9223372036854775808 a bigint,
// although their digits alone are a bigint and a numeric.
func negativeLiteral(r *Expr) *Expr {
	switch v := r.V.(type) {
	case int64:
		if -v >= math.MinInt32 {
			return constExpr(-v, TInt4)
		}
		return constExpr(-v, TInt8)
	case *apd.Decimal:
		n := numNeg(v)
		if i, err := n.Int64(); err == nil && n.Exponent == 0 {
			return constExpr(i, TInt8)
		}
		return constExpr(n, TNumeric)
	}
	return r
}

func (c *checker) aexpr(ae *pg.A_Expr, x *exprCtx) (*Expr, error) {
	op := ""
	if len(ae.Name) > 0 {
		op = nodeString(ae.Name[len(ae.Name)-1])
	}
	switch ae.Kind {
	case pg.A_Expr_Kind_AEXPR_OP:
		return c.aexprOp(ae, x, op)
	case pg.A_Expr_Kind_AEXPR_IN:
		return c.aexprIn(ae, x, op)
	case pg.A_Expr_Kind_AEXPR_BETWEEN, pg.A_Expr_Kind_AEXPR_NOT_BETWEEN:
		return c.aexprBetween(ae, x, op)
	case pg.A_Expr_Kind_AEXPR_LIKE, pg.A_Expr_Kind_AEXPR_ILIKE:
		return c.aexprLike(ae, x, op)
	case pg.A_Expr_Kind_AEXPR_NULLIF:
		return c.aexprNullIf(ae, x, op)
	case pg.A_Expr_Kind_AEXPR_DISTINCT, pg.A_Expr_Kind_AEXPR_NOT_DISTINCT:
		return c.aexprDistinct(ae, x, op)
	}
	return nil, unsupported(c.pos(ae.Location), "%s", aexprFeature(ae.Kind))
}

// aexprOp checks an operator expression: prefix minus and plus, arithmetic, comparison, ||, LIKE operators.
func (c *checker) aexprOp(ae *pg.A_Expr, x *exprCtx, op string) (*Expr, error) {
	if ae.Lexpr == nil {
		r, err := c.expr(ae.Rexpr, x)
		if err != nil {
			return nil, err
		}
		switch op {
		case "-":
			if r.T == TUnknown {
				if r, err = c.coerceTo(r, TNumeric, ae.Rexpr, ""); err != nil {
					return nil, err
				}
			}
			if !r.T.isNumber() {
				return nil, errAt(c.pos(ae.Location), StateUndefinedFunction, "operator does not exist: - %s", r.T)
			}
			// Fold -2147483648 and friends without overflowing the positive literal.
			if r.K == kConst && r.V != nil {
				if ae.Rexpr.GetAConst() != nil {
					return negativeLiteral(r), nil
				}
				switch v := r.V.(type) {
				case int64:
					if v == math.MinInt64 || checkIntRange(r.T, -v) != nil {
						return nil, errAt(c.pos(ae.Location), StateOutOfRange, "%s out of range", r.T)
					}
					return constExpr(-v, r.T), nil
				case float64:
					return constExpr(-v, r.T), nil
				case *apd.Decimal:
					return constExpr(numNeg(v), r.T), nil
				}
			}
			return c.fold(&Expr{K: kNeg, T: r.T, A: []*Expr{r}})
		case "+":
			return r, nil
		}
		return nil, unsupported(c.pos(ae.Location), "prefix operator %s", op)
	}
	l, r, err := c.operands(ae, x)
	if err != nil {
		return nil, err
	}
	return c.binop(op, l, r, ae.Lexpr, ae.Rexpr, ae.Location)
}

// aexprIn checks [NOT] IN (list).
func (c *checker) aexprIn(ae *pg.A_Expr, x *exprCtx, op string) (*Expr, error) {
	l, err := c.expr(ae.Lexpr, x)
	if err != nil {
		return nil, err
	}
	list := ae.Rexpr.GetList()
	if list == nil {
		return nil, unsupported(c.pos(ae.Location), "IN with a subquery")
	}
	args := []*Expr{l}
	t := l.T
	var items []*Expr
	for _, it := range list.Items {
		e, err := c.expr(it, x)
		if err != nil {
			return nil, err
		}
		items = append(items, e)
		nt, ok := commonType(t, e.T)
		if !ok {
			return nil, errAt(c.pos(ae.Location), StateUndefinedFunction, "operator does not exist: %s = %s", l.T, e.T)
		}
		t = nt
	}
	if t == TUnknown {
		t = TText
	}
	for i, e := range append([]*Expr{l}, items...) {
		if e.T != t && !(e.T.isNumber() && t.isNumber()) {
			var n *pg.Node
			if i == 0 {
				n = ae.Lexpr
			} else {
				n = list.Items[i-1]
			}
			if e, err = c.coerceTo(e, t, n, ""); err != nil {
				return nil, err
			}
		}
		if i == 0 {
			args[0] = e
		} else {
			args = append(args, e)
		}
	}
	return c.fold(&Expr{K: kIn, T: TBool, A: args, N: op == "<>"})
}

// aexprBetween checks [NOT] BETWEEN.
func (c *checker) aexprBetween(ae *pg.A_Expr, x *exprCtx, op string) (*Expr, error) {
	l, err := c.expr(ae.Lexpr, x)
	if err != nil {
		return nil, err
	}
	list := ae.Rexpr.GetList()
	if list == nil || len(list.Items) != 2 {
		return nil, errAt(c.pos(ae.Location), StateSyntax, "malformed BETWEEN")
	}
	lo, err := c.expr(list.Items[0], x)
	if err != nil {
		return nil, err
	}
	hi, err := c.expr(list.Items[1], x)
	if err != nil {
		return nil, err
	}
	if l.T == TUnknown {
		return c.betweenUnknown(l, lo, hi, ae)
	}
	l1, lo, _, err := c.unify(l, lo, ae.Lexpr, list.Items[0], ">=", ae.Location)
	if err != nil {
		return nil, err
	}
	l2, hi, _, err := c.unify(l1, hi, ae.Lexpr, list.Items[1], "<=", ae.Location)
	if err != nil {
		return nil, err
	}
	return c.fold(&Expr{K: kBetween, T: TBool, A: []*Expr{l2, lo, hi}, N: ae.Kind == pg.A_Expr_Kind_AEXPR_NOT_BETWEEN})
}

// aexprLike checks [NOT] LIKE and ILIKE.
func (c *checker) aexprLike(ae *pg.A_Expr, x *exprCtx, op string) (*Expr, error) {
	if fc := ae.Rexpr.GetFuncCall(); fc != nil && lastName(fc.Funcname) == "like_escape" {
		return nil, unsupported(c.pos(ae.Location), "LIKE ... ESCAPE")
	}
	l, r, err := c.operands(ae, x)
	if err != nil {
		return nil, err
	}
	if l, err = c.coerceTo(l, TText, ae.Lexpr, "argument of LIKE"); err != nil {
		return nil, err
	}
	if r, err = c.coerceTo(r, TText, ae.Rexpr, "pattern of LIKE"); err != nil {
		return nil, err
	}
	e := &Expr{K: kLike, T: TBool, A: []*Expr{l, r}, N: strings.HasPrefix(op, "!")}
	if ae.Kind == pg.A_Expr_Kind_AEXPR_ILIKE {
		e.Op = "ilike"
	}
	return c.fold(e)
}

// operands checks both sides of a two-operand expression.
func (c *checker) operands(ae *pg.A_Expr, x *exprCtx) (l, r *Expr, err error) {
	if l, err = c.expr(ae.Lexpr, x); err != nil {
		return nil, nil, err
	}
	if r, err = c.expr(ae.Rexpr, x); err != nil {
		return nil, nil, err
	}
	return l, r, nil
}

// aexprNullIf checks NULLIF(a, b).
func (c *checker) aexprNullIf(ae *pg.A_Expr, x *exprCtx, op string) (*Expr, error) {
	// NULLIF(a, b) is a = b resolved as an operator, and its value has a's type.
	l, r, err := c.operands(ae, x)
	if err != nil {
		return nil, err
	}
	l2, r2, _, err := c.unify(l, r, ae.Lexpr, ae.Rexpr, "=", ae.Location)
	if err != nil {
		return nil, err
	}
	if l.T == TUnknown {
		l = l2
	} else if t := equalityLeft(l.T, r2.T); t != l.T {
		if l, err = c.coerceTo(l, t, ae.Lexpr, ""); err != nil {
			return nil, err
		}
		if l.T != t { // varchar, which is text to texteq
			l = &Expr{K: kCast, T: t, A: []*Expr{l}}
		}
	}
	return c.fold(&Expr{K: kNullIf, T: l.T, A: []*Expr{l, r2}})
}

// aexprDistinct checks IS [NOT] DISTINCT FROM.
func (c *checker) aexprDistinct(ae *pg.A_Expr, x *exprCtx, op string) (*Expr, error) {
	l, r, err := c.operands(ae, x)
	if err != nil {
		return nil, err
	}
	l, r, _, err = c.unify(l, r, ae.Lexpr, ae.Rexpr, "=", ae.Location)
	if err != nil {
		return nil, err
	}
	// a IS NOT DISTINCT FROM b == (a = b AND both non-null) OR (both null)
	eq := &Expr{K: kCoalesce, T: TBool, A: []*Expr{
		{K: kBin, Op: "=", T: TBool, A: []*Expr{l, r}},
		{K: kAnd, T: TBool, A: []*Expr{{K: kIsNull, T: TBool, A: []*Expr{l}}, {K: kIsNull, T: TBool, A: []*Expr{r}}}},
	}}
	if ae.Kind == pg.A_Expr_Kind_AEXPR_DISTINCT {
		return c.fold(&Expr{K: kNot, T: TBool, A: []*Expr{eq}})
	}
	return c.fold(eq)
}

// aexprFeature names an operator form the engine lacks, for its 0A000.
func aexprFeature(k pg.A_Expr_Kind) string {
	switch k {
	case pg.A_Expr_Kind_AEXPR_OP_ANY, pg.A_Expr_Kind_AEXPR_OP_ALL:
		return "ANY, SOME and ALL"
	case pg.A_Expr_Kind_AEXPR_SIMILAR:
		return "SIMILAR TO"
	case pg.A_Expr_Kind_AEXPR_BETWEEN_SYM, pg.A_Expr_Kind_AEXPR_NOT_BETWEEN_SYM:
		return "BETWEEN SYMMETRIC"
	case pg.A_Expr_Kind_AEXPR_OF:
		return "IS OF"
	}
	return "this operator form"
}

// binop binds a binary operator.
func (c *checker) binop(op string, l, r *Expr, nl, nr *pg.Node, loc int32) (*Expr, error) {
	switch op {
	case "=", "<>", "!=", "<", "<=", ">", ">=":
		if op == "!=" {
			op = "<>"
		}
		l, r, _, err := c.unify(l, r, nl, nr, op, loc)
		if err != nil {
			return nil, err
		}
		return c.fold(&Expr{K: kBin, Op: op, T: TBool, A: []*Expr{l, r}})
	case "+", "-", "*", "/", "%":
		if l.T.isTime() || r.T.isTime() {
			return c.timeArith(op, l, r, nl, nr, loc)
		}
		var err error
		if l.T == TUnknown && r.T.isNumber() {
			l, err = c.coerceTo(l, r.T, nl, "")
		} else if r.T == TUnknown && l.T.isNumber() {
			r, err = c.coerceTo(r, l.T, nr, "")
		}
		if err != nil {
			return nil, err
		}
		if !l.T.isNumber() || !r.T.isNumber() {
			return nil, errAt(c.pos(loc), StateUndefinedFunction, "operator does not exist: %s %s %s", l.T, op, r.T)
		}
		t := l.T
		if numRank(r.T) > numRank(t) {
			t = r.T
		}
		if t == TFloat4 && l.T != r.T {
			// real with any other number resolves to the float4/float8 operator: PostgreSQL
			// prefers float8 in the numeric category.
			t = TFloat8
		}
		e, err := c.fold(&Expr{K: kBin, Op: op, T: t, A: []*Expr{l, r}})
		if err != nil {
			return nil, withPos(err, c.pos(loc))
		}
		return e, nil
	case "||":
		if l.T == TUnknown {
			l.T = TText
		}
		if r.T == TUnknown {
			r.T = TText
		}
		if !l.T.isString() && !r.T.isString() {
			return nil, errAt(c.pos(loc), StateUndefinedFunction, "operator does not exist: %s || %s", l.T, r.T)
		}
		return c.fold(&Expr{K: kBin, Op: "||", T: TText, A: []*Expr{l, r}})
	case "~~", "!~~", "~~*", "!~~*":
		var err error
		if l, err = c.coerceTo(l, TText, nl, "argument of LIKE"); err != nil {
			return nil, err
		}
		if r, err = c.coerceTo(r, TText, nr, "pattern of LIKE"); err != nil {
			return nil, err
		}
		e := &Expr{K: kLike, T: TBool, A: []*Expr{l, r}, N: strings.HasPrefix(op, "!")}
		if strings.HasSuffix(op, "*") {
			e.Op = "ilike"
		}
		return c.fold(e)
	}
	return nil, unsupported(c.pos(loc), "operator %s", op)
}

// timeArith is arithmetic on timestamps. PostgreSQL's operators all involve interval,
// which the engine lacks: a timestamp minus a timestamp (an untyped literal taking the other
// side's type) and a timestamp plus an untyped literal (read as an interval) are refused;
// no other operator exists.
func (c *checker) timeArith(op string, l, r *Expr, nl, nr *pg.Node, loc int32) (*Expr, error) {
	var err error
	switch {
	case op == "-" && r.T == TUnknown && l.T.isTime():
		r, err = c.coerceTo(r, l.T, nr, "")
	case op == "-" && l.T == TUnknown && r.T.isTime():
		l, err = c.coerceTo(l, r.T, nl, "")
	}
	if err != nil {
		return nil, err
	}
	if op == "-" && l.T.isTime() && r.T.isTime() || op == "+" && (l.T == TUnknown || r.T == TUnknown) {
		return nil, unsupported(c.pos(loc), "interval (timestamp arithmetic)")
	}
	return nil, errAt(c.pos(loc), StateUndefinedFunction, "operator does not exist: %s %s %s", l.T, op, r.T)
}

// equalityLeft is the type PostgreSQL's = operator takes its left operand in, given both
// operands' types: integers of any width and floats of either width compare as they are
// (int48eq), a float against any number keeps its width (float48eq, float4eq); an integer
// against numeric is promoted to numeric; an integer or numeric against a float, to double
// precision; strings to text, unless both are char(n).
func equalityLeft(l, r Type) Type {
	switch {
	case l.isString() && r.isString():
		if l == TChar && r == TChar {
			return TChar // bpchareq
		}
		return TText // texteq: varchar has no = of its own
	case l == r:
		return l
	case l.isInt() && r.isInt():
		return l
	case (l == TFloat4 || l == TFloat8) && r.isNumber():
		return l // float4eq, float48eq, float8eq: a float keeps its width
	case l.isNumber() && r.isNumber():
		if l == TFloat4 || l == TFloat8 || r == TFloat4 || r == TFloat8 {
			return TFloat8
		}
		return TNumeric
	case l.isString() && r.isString():
		return TText
	}
	return l
}

// betweenUnknown is BETWEEN whose operand has no type yet (NULL, a quoted literal).
// PostgreSQL reads a BETWEEN b AND c as a >= b AND a <= c and resolves each comparison on
// its own, so the operand may take a different type in each.
func (c *checker) betweenUnknown(l, lo, hi *Expr, ae *pg.A_Expr) (*Expr, error) {
	items := ae.Rexpr.GetList().Items
	ge, err := c.binop(">=", l, lo, ae.Lexpr, items[0], ae.Location)
	if err != nil {
		return nil, err
	}
	le, err := c.binop("<=", l, hi, ae.Lexpr, items[1], ae.Location)
	if err != nil {
		return nil, err
	}
	e := &Expr{K: kAnd, T: TBool, A: []*Expr{ge, le}}
	if ae.Kind == pg.A_Expr_Kind_AEXPR_NOT_BETWEEN {
		e = &Expr{K: kNot, T: TBool, A: []*Expr{e}}
	}
	return c.fold(e)
}

// exprsCommon binds a list that must share one type (COALESCE, CASE results, ...).
func (c *checker) exprsCommon(ns []*pg.Node, x *exprCtx, what string) ([]*Expr, Type, error) {
	args := make([]*Expr, len(ns))
	t := TUnknown
	for i, n := range ns {
		e, err := c.expr(n, x)
		if err != nil {
			return nil, "", err
		}
		args[i] = e
		if e.T == TUnknown {
			continue // NULL and untyped literals take the type of the others
		}
		nt, ok := commonType(t, e.T)
		if !ok {
			return nil, "", errAt(c.nodePos(n), StateDatatypeMismatch, "%s types %s and %s cannot be matched", what, t, e.T)
		}
		if t.isString() && t != TUnknown && e.T.isString() {
			// text, varchar and char each convert implicitly to the others, so
			// PostgreSQL's select_common_type keeps the first of them.
			nt = t
		}
		t = nt
	}
	if t == TUnknown {
		t = TText
	}
	for i, e := range args {
		if e.T != t {
			ce, err := c.coerceTo(e, t, ns[i], "")
			if err != nil {
				return nil, "", err
			}
			args[i] = ce
		}
	}
	return args, t, nil
}

func (c *checker) caseExpr(ce *pg.CaseExpr, x *exprCtx) (*Expr, error) {
	var operand *Expr
	var err error
	if ce.Arg != nil {
		if operand, err = c.expr(ce.Arg, x); err != nil {
			return nil, err
		}
	}
	var conds []*Expr
	var results []*pg.Node
	for _, w := range ce.Args {
		cw := w.GetCaseWhen()
		if cw == nil {
			return nil, errAt(c.pos(ce.Location), StateSyntax, "malformed CASE")
		}
		cond, err := c.expr(cw.Expr, x)
		if err != nil {
			return nil, err
		}
		if operand != nil {
			if cond, err = c.binop("=", operand, cond, ce.Arg, cw.Expr, cw.Location); err != nil {
				return nil, err
			}
		} else if cond, err = c.coerceTo(cond, TBool, cw.Expr, "argument of CASE/WHEN"); err != nil {
			return nil, err
		}
		conds = append(conds, cond)
		results = append(results, cw.Result)
	}
	hasElse := ce.Defresult != nil
	if hasElse {
		// PostgreSQL resolves the result type from the ELSE branch first.
		results = append([]*pg.Node{ce.Defresult}, results...)
	}
	vals, t, err := c.exprsCommon(results, x, "CASE")
	if err != nil {
		return nil, err
	}
	if hasElse {
		vals = append(vals[1:], vals[0])
	}
	e := &Expr{K: kCase, T: t}
	for i, cond := range conds {
		e.A = append(e.A, cond, vals[i])
	}
	if hasElse {
		e.A = append(e.A, vals[len(vals)-1])
		e.I = 1
	}
	return c.fold(e)
}

var aggNames = map[string]bool{"count": true, "sum": true, "avg": true, "min": true, "max": true,
	"bool_and": true, "bool_or": true, "every": true, "string_agg": true}

func (c *checker) funcCall(fc *pg.FuncCall, x *exprCtx) (*Expr, error) {
	names := nameList(fc.Funcname)
	name := lastName(fc.Funcname)
	if len(names) > 2 || len(names) == 2 && names[0] != "pg_catalog" && names[0] != "public" {
		return nil, errAt(c.pos(fc.Location), StateUndefinedFunction, "function %s does not exist", strings.Join(names, "."))
	}
	if fc.Over != nil {
		return nil, unsupported(c.pos(fc.Location), "window functions")
	}
	if aggNames[name] {
		return c.aggCall(name, fc, x)
	}
	if fc.AggStar || fc.AggDistinct || len(fc.AggOrder) > 0 || fc.AggFilter != nil {
		return nil, errAt(c.pos(fc.Location), StateSyntax, "%s is not an aggregate function", name)
	}
	var args []*Expr
	for _, a := range fc.Args {
		e, err := c.expr(a, x)
		if err != nil {
			return nil, err
		}
		args = append(args, e)
	}
	nargs := func(lo, hi int) error {
		if len(args) < lo || len(args) > hi {
			return errAt(c.pos(fc.Location), StateUndefinedFunction, "function %s with %d arguments does not exist", name, len(args))
		}
		return nil
	}
	switch name {
	case "now", "transaction_timestamp", "statement_timestamp", "clock_timestamp":
		if err := nargs(0, 0); err != nil {
			return nil, err
		}
		return constExpr(c.now, TTimestamptz), nil
	case "random":
		if err := nargs(0, 0); err != nil {
			return nil, err
		}
		return &Expr{K: kRandom, T: TFloat8}, nil
	case "lower", "upper", "trim":
		if err := nargs(1, 1); err != nil {
			return nil, err
		}
		a, err := c.textArg(name, args[0], fc)
		if err != nil {
			return nil, err
		}
		return c.fold(&Expr{K: kFunc, Op: name, T: TText, A: []*Expr{a}})
	case "length", "char_length", "character_length":
		if err := nargs(1, 1); err != nil {
			return nil, err
		}
		a, err := c.textArg(name, args[0], fc)
		if err != nil {
			return nil, err
		}
		return c.fold(&Expr{K: kFunc, Op: "length", T: TInt4, A: []*Expr{a}})
	case "abs", "round", "ceil", "ceiling", "floor", "sqrt", "trunc":
		return c.numericFunc(fc, name, args, nargs)
	case "mod", "power", "pow", "concat_ws":
		return c.mathOrJoin(fc, name, args, nargs)
	case "concat":
		if err := nargs(1, math.MaxInt); err != nil {
			return nil, err
		}
		for i, a := range args {
			if a.T == TUnknown {
				args[i] = &Expr{K: a.K, T: TText, V: a.V, I: a.I}
			}
		}
		return c.fold(&Expr{K: kFunc, Op: "concat", T: TText, A: args})
	case "coalesce", "greatest", "least", "nullif":
		// Parsed as dedicated nodes; reaching here means a quoted name.
	}
	if _, ok := textFuncs[name]; ok {
		return c.textFunc(fc, name, args)
	}
	if pgOnlyFunctions[name] {
		return nil, unsupported(c.pos(fc.Location), "function %s", name)
	}
	return nil, errAt(c.pos(fc.Location), StateUndefinedFunction, "function %s does not exist", name)
}

// numericFunc checks abs, round, ceil, floor and sqrt, choosing numeric or double
// precision as PostgreSQL's overloads do.
func (c *checker) numericFunc(fc *pg.FuncCall, name string, args []*Expr, nargs func(lo, hi int) error) (*Expr, error) {
	if err := nargs(1, 2); err != nil {
		return nil, err
	}
	if name != "round" && name != "trunc" && len(args) != 1 {
		return nil, nargs(1, 1)
	}
	a := args[0]
	var err error
	if a.T == TUnknown && name == "trunc" {
		return nil, errAt(c.pos(fc.Location), "42725", "function trunc(unknown) is not unique")
	}
	if a.T == TUnknown {
		if a, err = c.coerceTo(a, TFloat8, fc.Args[0], ""); err != nil {
			return nil, err
		}
	}
	if !a.T.isNumber() {
		return nil, errAt(c.pos(fc.Location), StateUndefinedFunction, "function %s(%s) does not exist", name, a.T)
	}
	out := []*Expr{a}
	t := a.T
	switch name {
	case "ceiling":
		name = "ceil"
	}
	// round, ceil, floor and sqrt exist for numeric and double precision; integers
	// and real take the double precision one, but round(x, digits) is numeric only.
	switch {
	case name == "abs":
	case len(args) == 2 && (a.T.isInt() || a.T == TUnknown):
		t = TNumeric
	case len(args) == 2 && a.T != TNumeric:
		return nil, errAt(c.pos(fc.Location), StateUndefinedFunction, "function %s(%s, integer) does not exist", name, a.T)
	case t != TNumeric:
		t = TFloat8
	}
	if len(args) == 2 {
		d, err := c.coerceTo(args[1], TInt4, fc.Args[1], "digits of "+name)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	e, err := c.fold(&Expr{K: kFunc, Op: name, T: t, A: out})
	return e, withPosErr(err, c.pos(fc.Location))
}

// pgOnlyFunctions are PostgreSQL built-in functions (and the functions its grammar turns
// SUBSTRING, POSITION, TRIM(LEADING ...), EXTRACT ... into) that the engine does not have:
// calling one is a missing feature (0A000), not a function that does not exist (42883).
var pgOnlyFunctions = map[string]bool{
	"lpad": true, "rpad": true, "reverse": true, "initcap": true, "translate": true,
	"overlay": true, "octet_length": true, "bit_length": true, "ascii": true, "chr": true,
	"md5": true, "format": true, "starts_with": true, "quote_ident": true, "quote_literal": true,
	"regexp_replace": true, "regexp_match": true, "regexp_matches": true, "regexp_split_to_table": true,
	"to_char": true, "to_number": true, "to_date": true, "to_timestamp": true, "date_trunc": true,
	"date_part": true, "extract": true, "age": true, "make_date": true, "make_timestamp": true,
	"timezone": true, "sign": true,
	"exp": true, "ln": true, "log": true, "log10": true, "pi": true, "cbrt": true, "div": true,
	"gcd": true, "lcm": true, "width_bucket": true, "array_agg": true, "stddev": true, "stddev_pop": true,
	"stddev_samp": true, "variance": true, "var_pop": true, "var_samp": true, "bit_and": true,
	"bit_or": true, "json_agg": true, "jsonb_agg": true,
	"pg_typeof": true, "version": true, "current_database": true, "current_schema": true,
	"gen_random_uuid": true, "nextval": true, "currval": true, "setval": true,
	"current_setting": true, "set_config": true,
}

// pgOnlyTypes are PostgreSQL built-in types (as the grammar names them) the engine does
// not have: using one is a missing feature (0A000), not a type that does not exist (42704).
var pgOnlyTypes = map[string]bool{
	"date": true, "time": true, "timetz": true, "interval": true, "bytea": true, "json": true,
	"jsonb": true, "uuid": true, "inet": true, "cidr": true, "macaddr": true, "money": true,
	"xml": true, "bit": true, "varbit": true, "oid": true, "name": true, "point": true,
	"tsvector": true, "tsquery": true, "int4range": true, "int8range": true, "tsrange": true,
	"tstzrange": true, "daterange": true, "numrange": true,
}

// textArg is the argument of a text function: a string (an untyped literal becomes text);
// any other type has no such function, as PostgreSQL has no implicit cast to text.
func (c *checker) textArg(name string, e *Expr, fc *pg.FuncCall) (*Expr, error) {
	if !e.T.isString() {
		return nil, errAt(c.pos(fc.Location), StateUndefinedFunction, "function %s(%s) does not exist", name, e.T)
	}
	return c.coerceTo(e, TText, fc.Args[0], "argument of "+name)
}

func withPosErr(err error, pos int) error {
	if err == nil {
		return nil
	}
	return withPos(err, pos)
}

func (c *checker) aggCall(name string, fc *pg.FuncCall, x *exprCtx) (*Expr, error) {
	if x.aggs == nil {
		clause := x.clause
		if clause == "" {
			clause = "this context"
		}
		return nil, errAt(c.pos(fc.Location), StateGrouping, "aggregate functions are not allowed in %s", clause)
	}
	if x.inAgg {
		return nil, errAt(c.pos(fc.Location), StateGrouping, "aggregate function calls cannot be nested")
	}
	if len(fc.AggOrder) > 0 && name != "string_agg" {
		return nil, unsupported(c.pos(fc.Location), "ORDER BY in aggregates other than string_agg")
	}
	if name == "every" {
		name = "bool_and"
	}
	ag := &Agg{Fn: name, Distinct: fc.AggDistinct}
	if err := c.aggExtras(ag, fc, x); err != nil {
		return nil, err
	}
	if fc.AggStar {
		if name != "count" {
			return nil, errAt(c.pos(fc.Location), StateSyntax, "%s(*) is not allowed", name)
		}
		ag.Star = true
		ag.T = TInt8
	} else {
		if want := map[bool]int{true: 2, false: 1}[name == "string_agg"]; len(fc.Args) != want {
			return nil, errAt(c.pos(fc.Location), StateUndefinedFunction, "function %s with %d arguments does not exist", name, len(fc.Args))
		}
		inner := *x
		inner.inAgg = true
		a, err := c.expr(fc.Args[0], &inner)
		if err != nil {
			return nil, err
		}
		if c.lazy > 0 {
			// The argument is evaluated per row, not where the call stands: its
			// constants' errors are the statement's, as they were outside CASE.
			if a, err = settle(a); err != nil {
				return nil, err
			}
		}
		if outerAggregate(a) {
			return nil, unsupported(c.pos(fc.Location), "aggregates of outer columns in a subquery")
		}
		if a.T == TUnknown {
			a, _ = c.coerceTo(a, TText, fc.Args[0], "")
		}
		ag.Arg = a
		if (name == "min" || name == "max") && a.T == TBool {
			// PostgreSQL has bool_and and bool_or for that, not min(boolean).
			return nil, errAt(c.pos(fc.Location), StateUndefinedFunction, "function %s(boolean) does not exist", name)
		}
		switch name {
		case "count":
			ag.T = TInt8
		case "bool_and", "bool_or":
			if ag.Arg, err = c.coerceTo(a, TBool, fc.Args[0], "argument of "+name); err != nil {
				return nil, errAt(c.pos(fc.Location), StateUndefinedFunction, "function %s(%s) does not exist", name, a.T)
			}
			ag.T = TBool
		case "string_agg":
			if err := c.stringAggArgs(ag, fc, x); err != nil {
				return nil, err
			}
		case "sum":
			switch {
			case a.T == TInt2 || a.T == TInt4:
				ag.T = TInt8
			case a.T == TInt8:
				ag.T = TNumeric
			case a.T.isFloat() || a.T == TNumeric:
				ag.T = a.T
			default:
				return nil, errAt(c.pos(fc.Location), StateUndefinedFunction, "function sum(%s) does not exist", a.T)
			}
		case "avg":
			switch {
			case a.T.isInt() || a.T == TNumeric:
				ag.T = TNumeric
			case a.T.isFloat():
				ag.T = TFloat8
			default:
				return nil, errAt(c.pos(fc.Location), StateUndefinedFunction, "function avg(%s) does not exist", a.T)
			}
		default:
			ag.T = a.T
			if a.T == TVarchar {
				ag.T = TText // min(text), max(text): varchar has none of its own
			}
		}
	}
	x.aggs.aggs = append(x.aggs.aggs, ag)
	return &Expr{K: kAgg, I: len(x.aggs.aggs) - 1, T: ag.T}, nil
}

// fold evaluates an expression whose operands are all constants, at Prepare, so errors
// such as division by zero in constants surface before the log and plans see values.
func fold(e *Expr) (*Expr, error) {
	for _, a := range e.A {
		if a == nil || a.K != kConst {
			return e, nil
		}
	}
	switch e.K {
	case kRandom, kParam, kCol, kAgg, kNow, kConst, kOuter, kSub:
		return e, nil
	}
	v, err := eval(e, &env{})
	if err != nil {
		return nil, err
	}
	return constExpr(v, e.T), nil
}

// numericTypmod reads numeric(p) or numeric(p, s).
func (c *checker) numericTypmod(tn *pg.TypeName) (int, error) {
	if len(tn.Typmods) > 2 {
		return 0, errAt(c.pos(tn.Location), StateSyntax, "invalid NUMERIC type modifier")
	}
	mods := []int64{0, 0}
	for i, m := range tn.Typmods {
		ac := m.GetAConst()
		if ac == nil || ac.Val.GetInteger() == nil {
			return 0, errAt(c.pos(tn.Location), StateSyntax, "type modifiers must be simple constants or identifiers")
		}
		mods[i] = int64(ac.Val.GetInteger().Ival)
	}
	p, s := mods[0], mods[1]
	if p < 1 || p > numericMaxTypmodP {
		return 0, errAt(c.pos(tn.Location), StateInvalidParameter, "NUMERIC precision %d must be between 1 and %d", p, numericMaxTypmodP)
	}
	if s < -numericMaxTypmodP || s > numericMaxTypmodP {
		return 0, errAt(c.pos(tn.Location), StateInvalidParameter, "NUMERIC scale %d must be between -%d and %d", s, numericMaxTypmodP, numericMaxTypmodP)
	}
	return numericTypmod(int(p), int(s)), nil
}

// typeName resolves a TypeName node: type, length (varchar(n)), serial.
func (c *checker) typeName(tn *pg.TypeName) (Type, int, bool, error) {
	if tn == nil {
		return "", 0, false, errf(StateSyntax, "missing type name")
	}
	names := nameList(tn.Names)
	if len(tn.ArrayBounds) > 0 {
		return "", 0, false, unsupported(c.pos(tn.Location), "array types")
	}
	name := lastName(tn.Names)
	if len(names) > 2 || len(names) == 2 && names[0] != "pg_catalog" {
		return "", 0, false, errAt(c.pos(tn.Location), StateUndefinedObject, "type %q does not exist", strings.Join(names, "."))
	}
	t, serial, ok := typeFromName(name)
	if !ok && pgOnlyTypes[name] {
		return "", 0, false, unsupported(c.pos(tn.Location), "type %s", name)
	}
	if !ok {
		return "", 0, false, errAt(c.pos(tn.Location), StateUndefinedObject, "type %q does not exist", name)
	}
	length := 0
	if t == TVarchar || t == TChar {
		if len(tn.Typmods) > 1 {
			return "", 0, false, errAt(c.pos(tn.Location), StateSyntax, "invalid type modifier")
		}
		if len(tn.Typmods) == 1 {
			ac := tn.Typmods[0].GetAConst()
			if ac == nil || ac.Val.GetInteger() == nil || ac.Val.GetInteger().Ival < 1 || ac.Val.GetInteger().Ival > 10485760 {
				return "", 0, false, errAt(c.pos(tn.Location), StateSyntax, "length for type %s must be between 1 and 10485760", t)
			}
			length = int(ac.Val.GetInteger().Ival)
		} else if t == TChar {
			length = 1
		}
	}
	if t == TNumeric && len(tn.Typmods) > 0 {
		typmod, err := c.numericTypmod(tn)
		if err != nil {
			return "", 0, false, err
		}
		length = typmod
	}
	return t, length, serial, nil
}
