package sql

import (
	"sort"
	"strconv"
	"strings"

	"github.com/cockroachdb/apd/v3"
	"github.com/tidwall/gjson"

	"github.com/raftplay/raftplay/node/store"
)

// keyValue converts a bound to the representation of column type t; ok is false when no
// row can equal it (NULL, or a fraction against an integer column).
func keyValue(v any, t Type, round int) (any, bool) {
	if v == nil {
		return nil, false
	}
	switch {
	case t.isInt():
		switch x := v.(type) {
		case int64:
			return x, true
		case float64:
			f := x
			switch round {
			case 1:
				f = ceil(x)
			case -1:
				f = floor(x)
			}
			if f != x && round == 0 || f < -9.2e18 || f > 9.2e18 {
				return nil, false
			}
			return int64(f), true
		}
	case t.isFloat():
		if f, ok := toFloat(v); ok {
			return f, true
		}
	case t == TNumeric:
		switch x := v.(type) {
		case int64:
			return numFromInt(x), true
		case *apd.Decimal:
			return x, true
		}
	case t.storedAsText():
		if s, ok := v.(string); ok {
			return s, true
		}
	case t == TBool:
		if b, ok := v.(bool); ok {
			return b, true
		}
	}
	return nil, false
}

func ceil(f float64) float64 {
	i := float64(int64(f))
	if i < f {
		return i + 1
	}
	return i
}

func floor(f float64) float64 {
	i := float64(int64(f))
	if i > f {
		return i - 1
	}
	return i
}

// scanFn receives a row's key and stored value; returning false stops the scan.
type scanFn func(key, raw string) (bool, error)

// scan runs an access path over a table's rows. en supplies outer rows for join lookups.
func (x *executor) scan(t *Table, acc *Access, en *env, fn scanFn) error {
	if acc == nil {
		acc = &Access{Kind: accSeq}
	}
	var ferr error
	wrap := func(k, v string) bool {
		x.visited++
		if err := x.m.examine(); err != nil {
			ferr = err
			return false
		}
		ok, err := fn(k, v)
		if err != nil {
			ferr = err
			return false
		}
		return ok
	}
	prefix := rowKeyPrefix(t.Name)
	if acc.Col < 0 || acc.Col >= len(t.Cols) {
		return errf(StateProtocol, "access path on column %d of %q", acc.Col, t.Name)
	}
	colType := t.Cols[acc.Col].Type
	var err error
	switch acc.Kind {
	case accSeq:
		// The keys under prefix are exactly [prefix, prefixEnd(prefix)); checking the
		// prefix here is cheaper than AscendRange's per-row bound check through BuntDB's
		// generic item comparison.
		err = x.tx.Bunt().AscendGreaterOrEqual("", prefix, func(k, v string) bool {
			return strings.HasPrefix(k, prefix) && wrap(k, v)
		})
	case accPK:
		if len(t.PK) == 0 || t.PK[0] != acc.Col {
			return errf(StateSerialization, "primary key of %q changed since the statement was checked", t.Name)
		}
		err = x.scanPK(t, acc, en, prefix, colType, wrap)
	case accIndex:
		ix := t.index(acc.Index)
		if ix == nil || ix.Cols[0] != acc.Col {
			return errf(StateSerialization, "index %q of %q changed since the statement was checked", acc.Index, t.Name)
		}
		err = x.scanIndex(t, acc, en, colType, wrap)
	default:
		return errf(StateProtocol, "unknown access path %q", acc.Kind)
	}
	if ferr != nil {
		return ferr
	}
	return err
}

func (t *Table) index(name string) *Index {
	for i := range t.Indexes {
		if t.Indexes[i].Name == name {
			return &t.Indexes[i]
		}
	}
	return nil
}

// eqValues evaluates = / IN values, converted, deduplicated and sorted in scan order.
func (x *executor) eqValues(acc *Access, en *env, t Type) ([]any, error) {
	var vals []any
	for _, e := range acc.Eq {
		v, err := eval(e, en)
		if err != nil {
			return nil, err
		}
		if kv, ok := keyValue(v, t, 0); ok {
			vals = append(vals, kv)
		}
	}
	sort.SliceStable(vals, func(i, j int) bool {
		c := sortCompare(vals[i], vals[j])
		if acc.Desc {
			return c > 0
		}
		return c < 0
	})
	out := vals[:0]
	for i, v := range vals {
		if i == 0 || sortCompare(v, vals[i-1]) != 0 {
			out = append(out, v)
		}
	}
	return out, nil
}

// bounds evaluates range bounds; empty is true when no row can match.
func (x *executor) bounds(acc *Access, en *env, t Type) (lo, hi any, empty bool, err error) {
	if acc.Lo != nil {
		v, err := eval(acc.Lo, en)
		if err != nil {
			return nil, nil, false, err
		}
		kv, ok := keyValue(v, t, 1)
		if !ok {
			return nil, nil, true, nil
		}
		lo = kv
	}
	if acc.Hi != nil {
		v, err := eval(acc.Hi, en)
		if err != nil {
			return nil, nil, false, err
		}
		kv, ok := keyValue(v, t, -1)
		if !ok {
			return nil, nil, true, nil
		}
		hi = kv
	}
	return lo, hi, false, nil
}

func (x *executor) scanPK(t *Table, acc *Access, en *env, prefix string, ct Type, fn func(k, v string) bool) error {
	bt := x.tx.Bunt()
	if len(acc.Eq) > 0 {
		vals, err := x.eqValues(acc, en, ct)
		if err != nil {
			return err
		}
		for _, v := range vals {
			kp := string(encodeKeyPart([]byte(prefix), v))
			if len(t.PK) == 1 {
				raw, ok, err := x.tx.Get(kp)
				if err != nil {
					return err
				}
				if ok && !fn(kp, raw) {
					return nil
				}
				continue
			}
			stop := false
			if err := ascendOrDescend(bt, kp, prefixEnd(kp), acc.Desc, func(k, v string) bool {
				if !fn(k, v) {
					stop = true
					return false
				}
				return true
			}); err != nil || stop {
				return err
			}
		}
		return nil
	}
	lo, hi, empty, err := x.bounds(acc, en, ct)
	if err != nil || empty {
		return err
	}
	start, end := prefix, prefixEnd(prefix)
	if lo != nil {
		start = string(encodeKeyPart([]byte(prefix), lo))
	}
	if hi != nil {
		end = prefixEnd(string(encodeKeyPart([]byte(prefix), hi)))
	}
	return ascendOrDescend(bt, start, end, acc.Desc, fn)
}

// ascendOrDescend iterates keys in [start, end) of the key tree, in either direction.
func ascendOrDescend(bt store.BuntView, start, end string, desc bool, fn func(k, v string) bool) error {
	if !desc {
		return bt.AscendRange("", start, end, fn)
	}
	// DescendRange is (gt, le]; walk from just below end, stopping below start.
	return bt.DescendRange("", end, startMinus(start), func(k, v string) bool {
		if k >= end {
			return true
		}
		if k < start {
			return false
		}
		return fn(k, v)
	})
}

// startMinus is a string just below s in byte order, for an exclusive lower bound that
// still includes s.
func startMinus(s string) string {
	if s == "" {
		return ""
	}
	b := []byte(s)
	if b[len(b)-1] == 0 {
		return string(b[:len(b)-1])
	}
	b[len(b)-1]--
	return string(b) + "\xff\xff\xff\xff"
}

func (x *executor) scanIndex(t *Table, acc *Access, en *env, ct Type, fn func(k, v string) bool) error {
	bt := x.tx.Bunt()
	name := buntIndexName(acc.Index)
	path := strconv.Itoa(acc.Col)
	pos := []int{acc.Col}
	valueAt := func(raw string) (any, error) {
		return jsonToValue(gjson.Get(raw, path), ct)
	}
	var ferr error
	if len(acc.Eq) > 0 {
		vals, err := x.eqValues(acc, en, ct)
		if err != nil {
			return err
		}
		for _, v := range vals {
			stop := false
			visit := func(k, raw string) bool {
				rv, err := valueAt(raw)
				if err != nil {
					ferr = err
					return false
				}
				if c, ok := compareValues(rv, v); rv == nil || !ok || c != 0 {
					return false
				}
				if !fn(k, raw) {
					stop = true
					return false
				}
				return true
			}
			if acc.Desc {
				err = bt.DescendLessOrEqual(name, indexPivot(pos, []any{v}, true), visit)
			} else {
				err = bt.AscendGreaterOrEqual(name, indexPivot(pos, []any{v}, false), visit)
			}
			if err != nil || ferr != nil {
				return firstErr(ferr, err)
			}
			if stop {
				return nil
			}
		}
		return nil
	}
	lo, hi, empty, err := x.bounds(acc, en, ct)
	if err != nil || empty {
		return err
	}
	inRange := func(raw string) (bool, bool) { // (in range, keep going)
		rv, err := valueAt(raw)
		if err != nil {
			ferr = err
			return false, false
		}
		if rv == nil {
			if lo == nil && hi == nil && acc.Lo == nil && acc.Hi == nil {
				return true, true // a pure ordered scan returns every row
			}
			return false, acc.Desc // NULLs sort last: the end ascending, the start descending
		}
		if lo != nil {
			c, _ := compareValues(rv, lo)
			if c < 0 || c == 0 && !acc.LoInc {
				return false, !acc.Desc || c == 0
			}
		}
		if hi != nil {
			c, _ := compareValues(rv, hi)
			if c > 0 || c == 0 && !acc.HiInc {
				return false, acc.Desc || c == 0
			}
		}
		return true, true
	}
	visit := func(k, raw string) bool {
		in, more := inRange(raw)
		if in {
			return fn(k, raw)
		}
		return more
	}
	if acc.Desc {
		if hi != nil {
			err = bt.DescendLessOrEqual(name, indexPivot(pos, []any{hi}, true), visit)
		} else {
			err = bt.Descend(name, visit)
		}
	} else {
		if lo != nil {
			err = bt.AscendGreaterOrEqual(name, indexPivot(pos, []any{lo}, false), visit)
		} else {
			err = bt.Ascend(name, visit)
		}
	}
	return firstErr(ferr, err)
}

func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

// explainAccess describes an access path for EXPLAIN.
func explainAccess(t *Table, acc *Access, alias string, outer bool) string {
	name := t.Name
	if alias != "" && alias != t.Name {
		name += " " + alias
	}
	if acc == nil || acc.Kind == accSeq {
		return "Seq Scan on " + name
	}
	col := "?"
	if acc.Col >= 0 && acc.Col < len(t.Cols) {
		col = t.Cols[acc.Col].Name
	}
	var cond string
	switch {
	case len(acc.Eq) == 1:
		cond = col + " = " + exprText(acc.Eq[0])
	case len(acc.Eq) > 1:
		var vs []string
		for _, e := range acc.Eq {
			vs = append(vs, exprText(e))
		}
		cond = col + " IN (" + strings.Join(vs, ", ") + ")"
	default:
		var parts []string
		if acc.Lo != nil {
			op := " > "
			if acc.LoInc {
				op = " >= "
			}
			parts = append(parts, col+op+exprText(acc.Lo))
		}
		if acc.Hi != nil {
			op := " < "
			if acc.HiInc {
				op = " <= "
			}
			parts = append(parts, col+op+exprText(acc.Hi))
		}
		cond = strings.Join(parts, " AND ")
	}
	var s string
	if acc.Kind == accPK {
		s = "Primary Key Scan on " + name
		if len(acc.Eq) > 0 && len(t.PK) == 1 {
			s = "Primary Key Lookup on " + name
		}
	} else {
		s = "Index Scan using " + acc.Index + " on " + name
	}
	if acc.Desc {
		s = strings.Replace(s, " Scan ", " Scan Backward ", 1)
	}
	if cond != "" {
		s += " (" + cond + ")"
	} else if acc.Order {
		s += " (ordered)"
	}
	return s
}

// exprText renders a bound for EXPLAIN: constants as literals, outer columns as $colN.
func exprText(e *Expr) string {
	if e == nil {
		return "?"
	}
	switch e.K {
	case kConst:
		if e.V == nil {
			return "NULL"
		}
		if e.T.storedAsText() {
			return "'" + strings.ReplaceAll(toText(e.V, e.T), "'", "''") + "'"
		}
		return toText(e.V, e.T)
	case kCol:
		return "outer." + strconv.Itoa(e.I+1)
	}
	return "(expression)"
}
