package sql

// probe is a hash lookup into a joined table whose rows are materialized: its rows by the
// value of one of its columns, found for each outer row by the other side of an equality
// of the ON clause or of WHERE. The equality is still evaluated on every row found, so a
// probe only saves looking at the rows that cannot match.
type probe struct {
	col  int   // column of the source, 0-based within it
	key  *Expr // over the outer row
	rows map[any][][]any
}

// probeFor finds an equality "column of s = expression of earlier columns" in s's ON
// clause or, unless s is LEFT JOINed, in its share of WHERE; nil if there is none.
func probeFor(s *source, where *Expr) *probe {
	if s.Scan != nil || s.t == nil && s.Virtual == "" {
		return nil
	}
	cands := conjuncts(s.On)
	if s.Join != "left" {
		cands = append(cands, conjuncts(where)...)
	}
	for _, cj := range cands {
		if cj.K != kBin || cj.Op != "=" || len(cj.A) != 2 {
			continue
		}
		for k := 0; k < 2; k++ {
			col, key := cj.A[k], cj.A[1-k]
			if col.K == kCol && col.I >= s.start && col.I < s.start+s.Width && isConstFor(key, s.start) && hashable(col.T, key.T) {
				return &probe{col: col.I - s.start, key: key}
			}
		}
	}
	return nil
}

// hashable: equal values of the two types are equal Go values. Floats are left out (0 and
// -0 are equal), and so is char(n), whose stored values carry their padding.
func hashable(a, b Type) bool {
	switch {
	case a.isInt() && b.isInt():
		return true
	case a == TChar || b == TChar:
		return false
	case a.isString() && b.isString():
		return true
	}
	return a == b && (a == TBool || a.isTime())
}

// rows feeds the rows of level i for the outer row: through its probe, if it has one.
func (j *joiner) rows(i int, outer []any, fn func([]any) (bool, error)) error {
	p := j.probes[i]
	if p == nil {
		return j.x.sourceRows(j.srcs[i], i, outer, fn)
	}
	if p.rows == nil {
		if err := j.build(i); err != nil {
			return err
		}
	}
	j.en.row = outer
	k, err := eval(p.key, j.en)
	if err != nil || k == nil {
		return err
	}
	for _, r := range p.rows[k] {
		if err := j.x.m.examine(); err != nil {
			return err
		}
		more, err := fn(r)
		if err != nil || !more {
			return err
		}
	}
	return nil
}

// build hashes the materialized rows of level i by the probe's column, keeping their order.
func (j *joiner) build(i int) error {
	s, p := j.srcs[i], j.probes[i]
	if err := j.x.materialize(s); err != nil {
		return err
	}
	p.rows = map[any][][]any{}
	for _, r := range s.rows {
		if p.col < len(r) && r[p.col] != nil {
			p.rows[r[p.col]] = append(p.rows[r[p.col]], r)
		}
	}
	return nil
}
