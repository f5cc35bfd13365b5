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

// build hashes rows by the probe's column, keeping their order.
func (p *probe) build(rows [][]any) {
	p.rows = map[any][][]any{}
	for _, r := range rows {
		if p.col < len(r) && r[p.col] != nil {
			p.rows[r[p.col]] = append(p.rows[r[p.col]], r)
		}
	}
}
