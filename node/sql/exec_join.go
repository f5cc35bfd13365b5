package sql

import "sort"

// joinPlan is how one execution runs a query's FROM items as nested loops: the order of
// the loops and what each level decides. It is derived from the checked query on every
// node alike; it is not part of the batch.
//
// Each conjunct of WHERE filters at the first level that has all its columns, so a join
// drops a combination as soon as it fails instead of building every combination first;
// one on a single materialized inner or cross table filters that table's rows once, as
// they are read. random() stays for the complete row: it is drawn once per joined row, in
// the same order, on every node. A chain of inner and comma joins is also run in an order
// that reaches each table through a condition on the tables already joined, where it has
// one: the order written is PostgreSQL's to choose, and FROM t9, t56, t53 ... WHERE a9 = b14
// ... would otherwise multiply unrelated tables. The first FROM item stays first (its scan
// may be the query's ORDER BY), and the joined row keeps the columns where the query has
// them, whatever the order.
type joinPlan struct {
	order  []int   // level -> source
	conds  []*Expr // per level: the conjuncts decided there, or nil
	merged bool    // the inner joins' ON conjuncts are among conds (reordered joins)
	probes []*probe
	rest   *Expr // evaluated on complete rows
}

// planJoin plans the join of srcs under where. Only reads are planned as above. A write batch joins as written, in the order written, with
// WHERE on complete rows, as every release before did: Apply must find the same rows in
// the same order (serial values follow it) and count the same rows examined against the
// entry's budget on every node, whichever release applies or replays the entry.
func planJoin(srcs []*source, where *Expr, write bool) *joinPlan {
	n := len(srcs)
	p := &joinPlan{order: make([]int, n), conds: make([]*Expr, n), probes: make([]*probe, n)}
	for i := range p.order {
		p.order[i] = i
	}
	if n < 2 || write {
		p.rest = where
		return p
	}
	var conjs []*Expr
	if p.merged = reorderable(srcs); p.merged {
		for _, s := range srcs[1:] {
			conjs = append(conjs, conjuncts(s.On)...)
		}
	}
	conjs = append(conjs, conjuncts(where)...)
	refs := make([][]int, len(conjs))
	for i, cj := range conjs {
		refs[i] = sourcesOf(cj, srcs)
	}
	if p.merged {
		p.order = joinOrder(srcs, conjs, refs)
	}
	p.place(srcs, conjs, refs)
	bound := make([]bool, n)
	bound[p.order[0]] = true
	for l := 1; l < n; l++ {
		s := srcs[p.order[l]]
		var cands []*Expr
		if !p.merged {
			cands = conjuncts(s.On)
		}
		if s.Join != "left" {
			cands = append(cands, conjuncts(p.conds[l])...)
		}
		p.probes[l] = probeFor(srcs, p.order[l], cands, bound)
		bound[p.order[l]] = true
	}
	return p
}

// place assigns each conjunct to the level that decides it, or to a table's own filter.
func (p *joinPlan) place(srcs []*source, conjs []*Expr, refs [][]int) {
	level := make([]int, len(srcs))
	for l, s := range p.order {
		level[s] = l
	}
	at := make([][]*Expr, len(srcs))
	own := make([][]*Expr, len(srcs))
	var rest []*Expr
	for i, cj := range conjs {
		l := 0
		for _, s := range refs[i] {
			l = max(l, level[s])
		}
		switch {
		case hasKind(cj, kRandom):
			rest = append(rest, cj)
		case len(refs[i]) == 1 && l > 0 && materialized(srcs[refs[i][0]]):
			own[refs[i][0]] = append(own[refs[i][0]], cj)
		default:
			at[l] = append(at[l], cj)
		}
	}
	for i := range srcs {
		p.conds[i] = andOf(at[i])
		srcs[i].own = andOf(own[i])
	}
	p.rest = andOf(rest)
}

// reorderable: three or more FROM items joined by inner and comma joins only, none of
// them found through a key lookup on the ones before it.
func reorderable(srcs []*source) bool {
	if len(srcs) < 3 {
		return false
	}
	for _, s := range srcs[1:] {
		if s.Join != "cross" && s.Join != "inner" || s.Scan != nil {
			return false
		}
	}
	return true
}

// joinOrder starts with the first FROM item and adds, each time, the first of the others
// that an equality it can be probed by joins to those taken, else the first that any
// condition on it and those taken filters, else the first left.
func joinOrder(srcs []*source, conjs []*Expr, refs [][]int) []int {
	n := len(srcs)
	order := []int{0}
	bound := make([]bool, n)
	bound[0] = true
	for len(order) < n {
		best, score := -1, -1
		for j := 1; j < n; j++ {
			if bound[j] {
				continue
			}
			if sc := joinScore(srcs, j, conjs, refs, bound); sc > score {
				best, score = j, sc
			}
		}
		order = append(order, best)
		bound[best] = true
	}
	return order
}

func joinScore(srcs []*source, j int, conjs []*Expr, refs [][]int, bound []bool) int {
	score := 0
	for i, cj := range conjs {
		if !decidedBy(refs[i], j, bound) {
			continue
		}
		if probeOn(cj, srcs, j, bound) != nil {
			return 2
		}
		score = 1
	}
	return score
}

// decidedBy: the conjunct uses source j and otherwise only bound ones.
func decidedBy(refs []int, j int, bound []bool) bool {
	uses := false
	for _, s := range refs {
		if s == j {
			uses = true
		} else if !bound[s] {
			return false
		}
	}
	return uses
}

// materialized: a joined table read once for all outer rows, whose rows a filter may drop
// (not those of a LEFT JOIN, whose missing rows make NULL-extended ones).
func materialized(s *source) bool {
	return s.t != nil && s.Scan == nil && s.Join != "left"
}

// sourcesOf lists the FROM items whose columns e uses, in order.
func sourcesOf(e *Expr, srcs []*source) []int {
	seen := map[int]bool{}
	var walk func(*Expr)
	walk = func(e *Expr) {
		if e == nil {
			return
		}
		if e.K == kCol {
			seen[colSource(srcs, e.I)] = true
		}
		if e.K == kSub && e.C {
			for i := range srcs { // it may read any column: decided on complete rows
				seen[i] = true
			}
		}
		for _, a := range e.A {
			walk(a)
		}
	}
	walk(e)
	out := make([]int, 0, len(seen))
	for s := range seen {
		out = append(out, s)
	}
	sort.Ints(out)
	return out
}

// colSource is the FROM item a joined-row column belongs to (len(srcs) if none).
func colSource(srcs []*source, col int) int {
	return sort.Search(len(srcs), func(i int) bool { return srcs[i].start+srcs[i].Width > col })
}

func andOf(es []*Expr) *Expr {
	switch len(es) {
	case 0:
		return nil
	case 1:
		return es[0]
	}
	return &Expr{K: kAnd, T: TBool, A: es}
}

// probeFor finds, among cands, an equality that probes source j by the bound sources.
func probeFor(srcs []*source, j int, cands []*Expr, bound []bool) *probe {
	s := srcs[j]
	if s.Scan != nil || s.t == nil && s.rows == nil {
		return nil
	}
	for _, cj := range cands {
		if p := probeOn(cj, srcs, j, bound); p != nil {
			return p
		}
	}
	return nil
}

// probeOn is a probe of source j for cj if cj is "column of j = expression of bound
// sources" with hashable types.
func probeOn(cj *Expr, srcs []*source, j int, bound []bool) *probe {
	if cj.K != kBin || cj.Op != "=" || len(cj.A) != 2 {
		return nil
	}
	s := srcs[j]
	for k := 0; k < 2; k++ {
		col, key := cj.A[k], cj.A[1-k]
		if col.K == kCol && col.I >= s.start && col.I < s.start+s.Width && hashable(col.T, key.T) && keyBound(key, srcs, bound) {
			return &probe{col: col.I - s.start, key: key}
		}
	}
	return nil
}

// keyBound: e can be evaluated on the bound sources' columns alone, and as often as
// wanted (no random(), aggregate or parameter).
func keyBound(e *Expr, srcs []*source, bound []bool) bool {
	switch e.K {
	case kCol:
		s := colSource(srcs, e.I)
		return s < len(bound) && bound[s]
	case kAgg, kRandom, kParam:
		return false
	case kSub:
		if e.C {
			return false
		}
	}
	for _, a := range e.A {
		if !keyBound(a, srcs, bound) {
			return false
		}
	}
	return true
}

// join produces the joined rows by nested loops in the plan's order.
func (x *executor) join(srcs []*source, p *joinPlan, width int, emit func([]any) (bool, error)) error {
	if len(srcs) == 0 {
		_, err := emit([]any{})
		return err
	}
	j := &joiner{x: x, srcs: srcs, p: p, emit: emit, row: make([]any, width), en: x.env(nil)}
	_, err := j.step(0)
	return err
}

// joiner runs one nested-loop join. Nothing downstream keeps the joined row past the call
// that receives it (emit copies what it keeps), so every level writes its columns into one
// row instead of allocating one per combination: a join of millions of combinations would
// otherwise spend its time in the allocator and the collector.
type joiner struct {
	x    *executor
	srcs []*source
	p    *joinPlan
	emit func([]any) (bool, error)
	row  []any // the joined row: each source's columns at its start
	en   *env
}

// step runs level l; it returns false when the consumer wants no more rows.
func (j *joiner) step(l int) (bool, error) {
	if l == len(j.srcs) {
		return j.emit(j.row)
	}
	s := j.srcs[j.p.order[l]]
	cols := j.row[s.start : s.start+s.Width]
	matched, more := false, true
	visit := func(r []any) (bool, error) {
		copy(cols, r) // r is only valid during this call (scans reuse it)
		if !j.p.merged {
			if ok, err := j.test(s.On); !ok || err != nil {
				return err == nil, err
			}
		}
		matched = true
		if ok, err := j.test(j.p.conds[l]); !ok || err != nil {
			return err == nil, err
		}
		m, err := j.step(l + 1)
		more = m
		return m, err
	}
	if err := j.rows(l, visit); err != nil {
		return false, err
	}
	if !matched && more && s.Join == "left" {
		clear(cols)
		if ok, err := j.test(j.p.conds[l]); !ok || err != nil {
			return err == nil, err
		}
		return j.step(l + 1)
	}
	return more, nil
}

// test evaluates a condition on the row joined so far; nil passes.
func (j *joiner) test(e *Expr) (bool, error) {
	if e == nil {
		return true, nil
	}
	j.en.row = j.row
	v, err := eval(e, j.en)
	b, _ := v.(bool)
	return b, err
}

// rows feeds the rows of level l: through its probe, if it has one.
func (j *joiner) rows(l int, fn func([]any) (bool, error)) error {
	s, p := j.srcs[j.p.order[l]], j.p.probes[l]
	if p == nil {
		return j.x.sourceRows(s, l, j.row, fn)
	}
	if p.rows == nil {
		if err := j.x.materialize(s); err != nil {
			return err
		}
		p.build(s.rows)
	}
	j.en.row = j.row
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
