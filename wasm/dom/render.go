package dom

import "github.com/raftplay/raftplay/wasm/ui"

// Handle is a backend's reference to one node of the page.
type Handle any

// Backend is what the renderer needs from a document.
type Backend interface {
	CreateElement(ns, tag string) Handle
	CreateText(text string) Handle
	SetAttr(h Handle, name, value string)
	RemoveAttr(h Handle, name string)
	SetText(h Handle, text string)
	// SetValue sets the value property (what an input shows), not the attribute.
	SetValue(h Handle, value string)
	// InsertBefore moves or inserts child under parent before before (nil: at the end).
	InsertBefore(parent, child, before Handle)
	Remove(parent, child Handle)
	// Clear removes every child of h (what the page had before the first render).
	Clear(h Handle)
	// Release says that h, removed from the page, will not be used again.
	Release(h Handle)
	// Flush makes the page show every change made so far; a backend may hold them until
	// then (the page sends one render's changes to the browser at once).
	Flush()
}

// Renderer keeps a mounted view and patches the page to match each new one, touching only
// what changed.
type Renderer struct {
	b    Backend
	root *mounted
}

// mounted is a rendered node: its description and its handle.
type mounted struct {
	v    *ui.V
	h    Handle
	kids []*mounted
}

// NewRenderer renders into the element root; the first Render replaces its children.
func NewRenderer(b Backend, root Handle) *Renderer {
	return &Renderer{b: b, root: &mounted{h: root}}
}

// Render makes the page match v. v describes the root element itself: its attributes and
// children are applied to root (its tag is not changed).
func (r *Renderer) Render(v *ui.V) {
	if r.root.v == nil {
		r.b.Clear(r.root.h)
		r.root.v = &ui.V{Tag: v.Tag}
	}
	r.patch(r.root, v)
	r.b.Flush()
}

func (r *Renderer) create(v *ui.V) *mounted {
	if v.Tag == "" {
		return &mounted{v: v, h: r.b.CreateText(v.Text)}
	}
	m := &mounted{v: v, h: r.b.CreateElement(v.NS, v.Tag)}
	for k, val := range v.Attrs {
		r.b.SetAttr(m.h, k, val)
	}
	for _, kv := range v.Kids {
		c := r.create(kv)
		r.b.InsertBefore(m.h, c.h, nil)
		m.kids = append(m.kids, c)
	}
	if v.Value != nil {
		r.b.SetValue(m.h, v.Value.Text)
	}
	return m
}

func same(a, b *ui.V) bool { return a.Tag == b.Tag && a.NS == b.NS && a.Key == b.Key }

// patch updates m (which has the same tag as v) to v. A view that reuses an unchanged
// part (the same *ui.V as last time) costs nothing below it: views are never changed once
// built.
func (r *Renderer) patch(m *mounted, v *ui.V) {
	old := m.v
	if old == v {
		return
	}
	m.v = v
	if v.Tag == "" {
		if old.Text != v.Text {
			r.b.SetText(m.h, v.Text)
		}
		return
	}
	for k, val := range v.Attrs {
		if ov, ok := old.Attrs[k]; !ok || ov != val {
			r.b.SetAttr(m.h, k, val)
		}
	}
	for k := range old.Attrs {
		if _, ok := v.Attrs[k]; !ok {
			r.b.RemoveAttr(m.h, k)
		}
	}
	if keyed(v.Kids) && keyedM(m.kids) {
		r.patchKeyed(m, v.Kids)
	} else {
		r.patchPositional(m, v.Kids)
	}
	// The value goes in after the children: a select's value needs its options.
	if v.Value != nil && (old.Value == nil || *old.Value != *v.Value) {
		r.b.SetValue(m.h, v.Value.Text)
	}
}

func keyed(vs []*ui.V) bool {
	for _, v := range vs {
		if v.Key == "" {
			return false
		}
	}
	return len(vs) > 0
}

func keyedM(ms []*mounted) bool {
	for _, m := range ms {
		if m.v.Key == "" {
			return false
		}
	}
	return true
}

func sameKeys(ms []*mounted, vs []*ui.V) bool {
	if len(ms) != len(vs) {
		return false
	}
	for i, m := range ms {
		if m.v.Key != vs[i].Key {
			return false
		}
	}
	return true
}

// replace puts a new element for v in place of m's child i.
func (r *Renderer) replace(m *mounted, i int, v *ui.V) {
	o := m.kids[i]
	n := r.create(v)
	r.b.InsertBefore(m.h, n.h, o.h)
	r.remove(m, o)
	m.kids[i] = n
}

// remove takes o, a child of m, off the page and releases it and everything under it.
func (r *Renderer) remove(m, o *mounted) {
	r.b.Remove(m.h, o.h)
	r.release(o)
}

func (r *Renderer) release(o *mounted) {
	for _, k := range o.kids {
		r.release(k)
	}
	r.b.Release(o.h)
}

func (r *Renderer) patchPositional(m *mounted, vs []*ui.V) {
	n := min(len(vs), len(m.kids))
	for i, v := range vs[:n] {
		if same(m.kids[i].v, v) {
			r.patch(m.kids[i], v)
		} else {
			r.replace(m, i, v)
		}
	}
	for _, o := range m.kids[n:] {
		r.remove(m, o)
	}
	m.kids = m.kids[:n]
	for _, v := range vs[n:] {
		c := r.create(v)
		r.b.InsertBefore(m.h, c.h, nil)
		m.kids = append(m.kids, c)
	}
}

// patchKeyed keeps each keyed child's element, moving only the ones out of order; new rows
// at the top of a list cost one insert each, not a rewrite of every row.
func (r *Renderer) patchKeyed(m *mounted, vs []*ui.V) {
	if sameKeys(m.kids, vs) { // the usual case, and it needs no maps
		for i, v := range vs {
			if !same(m.kids[i].v, v) {
				r.replace(m, i, v)
				continue
			}
			r.patch(m.kids[i], v)
		}
		return
	}
	byKey := make(map[string]*mounted, len(m.kids))
	for _, o := range m.kids {
		byKey[o.v.Key] = o
	}
	used := make(map[*mounted]bool, len(vs))
	next := make([]*mounted, len(vs))
	for i, v := range vs {
		if o := byKey[v.Key]; o != nil && !used[o] && same(o.v, v) {
			r.patch(o, v)
			used[o] = true
			next[i] = o
		} else {
			next[i] = r.create(v)
		}
	}
	var cur []*mounted // the kept children, in their current page order
	for _, o := range m.kids {
		if used[o] {
			cur = append(cur, o)
		} else {
			r.remove(m, o)
		}
	}
	j := 0
	for _, n := range next {
		if j < len(cur) && cur[j] == n {
			j++
			continue
		}
		var before Handle
		if j < len(cur) {
			before = cur[j].h
		}
		r.b.InsertBefore(m.h, n.h, before)
		if used[n] {
			for k := j + 1; k < len(cur); k++ {
				if cur[k] == n {
					cur = append(cur[:k], cur[k+1:]...)
					break
				}
			}
		}
	}
	m.kids = next
}
