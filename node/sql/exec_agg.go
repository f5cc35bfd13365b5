package sql

import "math"

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
	isum  int64
	fsum  float64
	float bool // sum/avg carried as float
	best  any
	seen  map[string]bool // DISTINCT
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
		switch x := v.(type) {
		case int64:
			if !s.float {
				r := s.isum + x
				if (r > s.isum) == (x > 0) || x == 0 {
					s.isum = r
					return nil
				}
				// int64 overflow: numeric sums continue in floating point
				if s.def.T != TNumeric && s.def.Fn == "sum" {
					return errf(StateOutOfRange, "bigint out of range")
				}
				s.float, s.fsum = true, float64(s.isum)
			}
			s.fsum += float64(x)
		case float64:
			if !s.float {
				s.float, s.fsum = true, float64(s.isum)
			}
			s.fsum += x
		default:
			return errf(StateUndefinedFunction, "%s of a non-number", s.def.Fn)
		}
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

func (gr *group) result() []any {
	out := make([]any, len(gr.aggs))
	for i, s := range gr.aggs {
		out[i] = s.value()
	}
	return out
}

func (s *aggState) value() any {
	switch s.def.Fn {
	case "count":
		return s.count
	case "sum":
		if s.count == 0 {
			return nil
		}
		if s.def.T.isInt() {
			return s.isum
		}
		if s.float {
			return s.fsum
		}
		return float64(s.isum)
	case "avg":
		if s.count == 0 {
			return nil
		}
		sum := float64(s.isum)
		if s.float {
			sum = s.fsum
		}
		avg := sum / float64(s.count)
		if s.def.T == TNumeric {
			// numeric division prints a bounded number of digits, as PostgreSQL's does
			return math.Round(avg*1e16) / 1e16
		}
		return avg
	}
	return s.best
}
