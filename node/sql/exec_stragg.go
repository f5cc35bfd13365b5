package sql

import (
	"sort"
	"strings"
)

// aggPart is one value string_agg keeps: the delimiter its row gave and its ORDER BY keys.
type aggPart struct {
	v, sep string
	keys   []any
}

// addPart keeps one string_agg value, counted against the held bytes.
func (s *aggState) addPart(v any, en *env) error {
	str, ok := v.(string)
	if !ok {
		return errf(StateUndefinedFunction, "string_agg of a non-text value")
	}
	p := aggPart{v: str}
	if s.def.Sep != nil {
		sep, err := eval(s.def.Sep, en)
		if err != nil {
			return err
		}
		p.sep, _ = sep.(string)
	}
	for _, k := range s.def.Order {
		if k == nil || k.E == nil {
			return errf(StateProtocol, "malformed aggregate ORDER BY")
		}
		kv, err := eval(k.E, en)
		if err != nil {
			return err
		}
		p.keys = append(p.keys, kv)
	}
	if en.m != nil {
		if err := en.m.hold(int64(len(p.v)+len(p.sep)) + rowBytes(p.keys)); err != nil {
			return err
		}
	}
	s.parts = append(s.parts, p)
	return nil
}

// joinParts is string_agg's result: the values in ORDER BY order (stable, so equal keys
// keep input order), each after the delimiter of its own row but the first; NULL if none.
func (s *aggState) joinParts() (any, error) {
	if len(s.parts) == 0 {
		return nil, nil
	}
	if len(s.def.Order) > 0 {
		q := &Query{Sort: s.def.Order}
		sort.SliceStable(s.parts, func(a, b int) bool {
			return compareKeys(q, s.parts[a].keys, s.parts[b].keys) < 0
		})
	}
	var b strings.Builder
	for i, p := range s.parts {
		if i > 0 {
			b.WriteString(p.sep)
		}
		b.WriteString(p.v)
	}
	return b.String(), nil
}
