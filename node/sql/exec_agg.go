package sql

import "github.com/cockroachdb/apd/v3"

// grouper accumulates aggregate state per group, groups in order of first appearance.
type grouper struct {
	q     *Query
	index map[string]*group
	order []*group
}

type group struct {
	key  []any
	aggs []*aggState
}

type aggState struct {
	def   *Agg
	count int64
	isum  int64        // integer sum while it fits
	nsum  *apd.Decimal // exact sum: numeric input, or integers past int64
	fsum  float64      // float4/float8 input
	float bool         // sum/avg carried as float
	best  any
	seen  map[string]bool // DISTINCT
	parts []aggPart       // string_agg's values, in input order until sorted
}

func newGrouper(q *Query) *grouper {
	return &grouper{q: q, index: map[string]*group{}}
}

func (g *grouper) add(en *env) error {
	key := make([]any, len(g.q.Group))
	for i, e := range g.q.Group {
		v, err := eval(e, en)
		if err != nil {
			return err
		}
		key[i] = v
	}
	id := rowIdentity(key)
	gr := g.index[id]
	if gr == nil {
		gr = &group{key: key, aggs: make([]*aggState, len(g.q.Aggs))}
		for i, a := range g.q.Aggs {
			if a == nil {
				return errf(StateProtocol, "malformed aggregate")
			}
			gr.aggs[i] = &aggState{def: a}
		}
		g.index[id] = gr
		g.order = append(g.order, gr)
		if en.m != nil {
			if err := en.m.hold(rowBytes(key) + int64(len(id)) + 64*int64(len(gr.aggs))); err != nil {
				return err
			}
		}
	}
	for _, st := range gr.aggs {
		if err := st.add(en); err != nil {
			return err
		}
	}
	return nil
}

// groups returns the groups; an aggregate query without GROUP BY has exactly one, even
// over no rows.
func (g *grouper) groups() []*group {
	if len(g.order) == 0 && len(g.q.Group) == 0 {
		gr := &group{aggs: make([]*aggState, len(g.q.Aggs))}
		for i, a := range g.q.Aggs {
			gr.aggs[i] = &aggState{def: a}
		}
		return []*group{gr}
	}
	return g.order
}

func (s *aggState) add(en *env) error {
	if s.def.Filter != nil {
		v, err := eval(s.def.Filter, en)
		if b, _ := v.(bool); !b || err != nil {
			return err
		}
	}
	if s.def.Star {
		s.count++
		return nil
	}
	v, err := eval(s.def.Arg, en)
	if err != nil {
		return err
	}
	if v == nil {
		return nil
	}
	if s.def.Distinct {
		if s.seen == nil {
			s.seen = map[string]bool{}
		}
		id := rowIdentity([]any{v})
		if s.seen[id] {
			return nil
		}
		s.seen[id] = true
	}
	s.count++
	switch s.def.Fn {
	case "sum", "avg":
		return s.addNumber(v)
	case "bool_and", "bool_or":
		b, ok := v.(bool)
		if !ok {
			return errf(StateUndefinedFunction, "%s of a non-boolean", s.def.Fn)
		}
		if prev, seen := s.best.(bool); seen {
			b = s.def.Fn == "bool_and" && prev && b || s.def.Fn == "bool_or" && (prev || b)
		}
		s.best = b
	case "string_agg":
		return s.addPart(v, en)
	case "min", "max":
		if s.best == nil {
			s.best = v
			return nil
		}
		c, ok := compareValues(v, s.best)
		if !ok {
			return errf(StateUndefinedFunction, "%s of incompatible values", s.def.Fn)
		}
		if s.def.Fn == "min" && c < 0 || s.def.Fn == "max" && c > 0 {
			s.best = v
		}
	}
	return nil
}

func (gr *group) result() ([]any, error) {
	out := make([]any, len(gr.aggs))
	for i, s := range gr.aggs {
		v, err := s.value()
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

// addNumber adds to a sum: integers in int64 until they overflow (then exactly, when
// the result is numeric: sum(bigint) and every avg), numerics exactly, floats as floats.
func (s *aggState) addNumber(v any) error {
	switch x := v.(type) {
	case int64:
		if s.nsum == nil {
			r := s.isum + x
			if (r > s.isum) == (x > 0) || x == 0 {
				s.isum = r
				return nil
			}
			if s.def.T != TNumeric {
				return errf(StateOutOfRange, "bigint out of range")
			}
			s.nsum = numFromInt(s.isum)
		}
		return s.addNumeric(numFromInt(x))
	case *apd.Decimal:
		if s.nsum == nil {
			s.nsum = numFromInt(s.isum)
		}
		return s.addNumeric(x)
	case float64:
		s.float = true
		prev := s.fsum
		s.fsum += x
		if s.def.T == TFloat4 {
			s.fsum = float64(float32(s.fsum))
		}
		return checkFloat(s.fsum, prev, x)
	}
	return errf(StateUndefinedFunction, "%s of a non-number", s.def.Fn)
}

// addNumeric adds in place: the sum is this state's own value until value() hands it out.
func (s *aggState) addNumeric(d *apd.Decimal) error {
	if s.nsum.Form != apd.Finite || d.Form != apd.Finite {
		sum, err := numArith("+", s.nsum, d)
		s.nsum = sum
		return err
	}
	cond, err := exact.Add(s.nsum, s.nsum, d)
	if err != nil || cond.Inexact() || cond.Overflow() {
		_, err := checkNumeric(s.nsum, cond|apd.Inexact)
		return err
	}
	return nil
}

func (s *aggState) value() (any, error) {
	switch s.def.Fn {
	case "count":
		return s.count, nil
	case "sum", "avg":
		if s.count == 0 {
			return nil, nil
		}
		return s.sumOrAvg()
	case "string_agg":
		return s.joinParts()
	}
	return s.best, nil
}

func (s *aggState) sumOrAvg() (any, error) {
	avg := s.def.Fn == "avg"
	switch {
	case s.float && avg:
		return s.fsum / float64(s.count), nil
	case s.float:
		return s.fsum, nil
	case s.def.T.isInt():
		return s.isum, nil
	}
	sum := s.nsum
	if sum == nil {
		sum = numFromInt(s.isum)
	}
	if avg {
		return numArith("/", sum, numFromInt(s.count))
	}
	return checkNumeric(sum, 0)
}
