package sql

// PostgreSQL folds constant subexpressions at plan time and reports their errors, but it
// simplifies CASE, COALESCE, AND and OR from left to right and drops what a constant makes
// unreachable without evaluating it: CASE WHEN false THEN 1/0 ELSE 2 END is 2, and so is
// CASE WHEN $1 = 0 THEN 0 ELSE 10 / $1 END with 0 bound. The checker binds bottom-up, so
// while one of those is being bound a failing fold leaves its node unfolded, and the
// outermost one settles its tree the way eval_const_expressions does.

// fold is fold, except that inside a CASE, COALESCE, AND or OR an error is left for
// settle to report if the expression is reachable.
func (c *checker) fold(e *Expr) (*Expr, error) {
	f, err := fold(e)
	if err != nil && c.lazy > 0 {
		return e, nil
	}
	return f, err
}

// lazily binds a CASE, COALESCE, AND or OR and, outside any other, settles it.
func (c *checker) lazily(bind func() (*Expr, error)) (*Expr, error) {
	c.lazy++
	e, err := bind()
	c.lazy--
	if err != nil || c.lazy > 0 {
		return e, err
	}
	return settle(e)
}

// settle folds what is left unfolded in e, dropping without evaluating the CASE arms whose
// condition is a constant false or NULL and those after one that is constant true, the
// operands of AND after a constant false (of OR after a constant true) and those of
// COALESCE after a constant that is not NULL. Errors of what it evaluates are returned.
func settle(e *Expr) (*Expr, error) {
	if e == nil {
		return nil, nil
	}
	switch e.K {
	case kConst, kCol, kParam, kAgg, kNow, kRandom, kOuter, kSub:
		return e, nil
	case kCase:
		return settleCase(e)
	case kCoalesce:
		return settleCoalesce(e)
	case kAnd, kOr:
		return settleLogic(e)
	}
	out := *e
	out.A = make([]*Expr, len(e.A))
	for i, a := range e.A {
		s, err := settle(a)
		if err != nil {
			return nil, err
		}
		out.A[i] = s
	}
	return fold(&out)
}

func settleCase(e *Expr) (*Expr, error) {
	n := len(e.A)
	if e.I == 1 {
		n--
	}
	if n < 0 || n%2 != 0 {
		return nil, errf(StateProtocol, "malformed CASE")
	}
	var arms []*Expr
	for i := 0; i < n; i += 2 {
		cond, err := settle(e.A[i])
		if err != nil {
			return nil, err
		}
		if cond.K == kConst {
			if b, _ := cond.V.(bool); b {
				return caseOf(e, arms, e.A[i+1]) // the arm is taken whenever it is reached
			}
			continue // never taken
		}
		res, err := settle(e.A[i+1])
		if err != nil {
			return nil, err
		}
		arms = append(arms, cond, res)
	}
	var def *Expr
	if e.I == 1 {
		def = e.A[n]
	}
	return caseOf(e, arms, def)
}

// caseOf is the CASE of e reduced to arms and def (nil: NULL) for the rest.
func caseOf(e *Expr, arms []*Expr, def *Expr) (*Expr, error) {
	if def == nil {
		def = constExpr(nil, e.T)
	}
	def, err := settle(def)
	if err != nil {
		return nil, err
	}
	if len(arms) == 0 && def.T == e.T {
		return def, nil
	}
	return fold(&Expr{K: kCase, T: e.T, A: append(arms, def), I: 1})
}

func settleCoalesce(e *Expr) (*Expr, error) {
	var args []*Expr
	for _, a := range e.A {
		s, err := settle(a)
		if err != nil {
			return nil, err
		}
		if s.K == kConst && s.V == nil {
			continue
		}
		args = append(args, s)
		if s.K == kConst {
			break // what follows a value is never reached
		}
	}
	if len(args) == 0 {
		return constExpr(nil, e.T), nil
	}
	return fold(&Expr{K: kCoalesce, T: e.T, A: args})
}

func settleLogic(e *Expr) (*Expr, error) {
	decides := e.K == kOr // true decides OR, false decides AND
	var args []*Expr
	for _, a := range e.A {
		s, err := settle(a)
		if err != nil {
			return nil, err
		}
		if b, ok := s.V.(bool); ok && s.K == kConst {
			if b == decides {
				return constExpr(b, TBool), nil
			}
			continue // true in AND, false in OR: no effect
		}
		args = append(args, s)
	}
	if len(args) == 0 {
		return constExpr(!decides, TBool), nil
	}
	return fold(&Expr{K: e.K, T: TBool, A: args})
}
