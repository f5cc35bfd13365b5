//go:build !(js && wasm)

package dom

import (
	"fmt"
	"strings"

	"github.com/raftplay/raftplay/wasm/ui"
)

// FakeNode is one node of a Fake document.
type FakeNode struct {
	Tag    string // "" for text
	NS     string
	Text   string
	Attrs  map[string]string
	Value  string
	Kids   []*FakeNode
	Parent *FakeNode
	// Released: the renderer said it is done with this node.
	Released bool
}

// Fake is an in-memory document that records every operation the renderer makes, so tests
// can check both the resulting page and how much work producing it took.
type Fake struct {
	Root *FakeNode
	Ops  []string
}

// NewFake returns a document whose root is <div id="app"> holding a loading message, like
// index.html.
func NewFake() *Fake {
	root := &FakeNode{Tag: "div", Attrs: map[string]string{"id": "app"}}
	root.Kids = []*FakeNode{{Tag: "div", Parent: root, Attrs: map[string]string{"class": "loading"}}}
	return &Fake{Root: root}
}

func (f *Fake) op(format string, args ...any) { f.Ops = append(f.Ops, fmt.Sprintf(format, args...)) }

func (f *Fake) CreateElement(ns, tag string) Handle {
	f.op("create %s", tag)
	return &FakeNode{Tag: tag, NS: ns, Attrs: map[string]string{}}
}

func (f *Fake) CreateText(text string) Handle {
	f.op("text %q", text)
	return &FakeNode{Text: text}
}

// use returns the node of h, and panics on a released one: the page reuses the numbers of
// released nodes, so a renderer that touched one would change another element.
func use(h Handle) *FakeNode {
	n := h.(*FakeNode)
	if n.Released {
		panic("fake dom: a released node is used")
	}
	return n
}

func (f *Fake) SetAttr(h Handle, name, value string) {
	use(h)
	f.op("set %s=%q", name, value)
	h.(*FakeNode).Attrs[name] = value
}

func (f *Fake) RemoveAttr(h Handle, name string) {
	use(h)
	f.op("unset %s", name)
	delete(h.(*FakeNode).Attrs, name)
}

func (f *Fake) SetText(h Handle, text string) {
	use(h)
	f.op("settext %q", text)
	h.(*FakeNode).Text = text
}

func (f *Fake) SetValue(h Handle, value string) {
	use(h)
	f.op("value %q", value)
	h.(*FakeNode).Value = value
}

func (f *Fake) InsertBefore(parent, child, before Handle) {
	p, c := use(parent), use(child)
	f.op("insert")
	if c.Parent != nil {
		c.Parent.detach(c)
	}
	c.Parent = p
	if before == nil {
		p.Kids = append(p.Kids, c)
		return
	}
	b := before.(*FakeNode)
	for i, k := range p.Kids {
		if k == b {
			p.Kids = append(p.Kids[:i], append([]*FakeNode{c}, p.Kids[i:]...)...)
			return
		}
	}
	panic("fake dom: insert before a node that is not a child")
}

func (f *Fake) Remove(parent, child Handle) {
	f.op("remove")
	use(parent).detach(use(child))
}

func (f *Fake) Clear(h Handle) {
	f.op("clear")
	n := h.(*FakeNode)
	for _, k := range n.Kids {
		k.Parent = nil
	}
	n.Kids = nil
}

// Flush does nothing: the fake applies each change at once.
func (f *Fake) Flush() {}

// Release marks h as released; a released node must never be used again.
func (f *Fake) Release(h Handle) { h.(*FakeNode).Released = true }

func (n *FakeNode) detach(c *FakeNode) {
	for i, k := range n.Kids {
		if k == c {
			n.Kids = append(n.Kids[:i], n.Kids[i+1:]...)
			c.Parent = nil
			return
		}
	}
	panic("fake dom: remove of a node that is not a child")
}

// ResetOps forgets the recorded operations.
func (f *Fake) ResetOps() { f.Ops = nil }

// Find returns the elements whose attributes include want (an empty wanted value only
// requires the attribute), in document order, like querySelectorAll.
func (f *Fake) Find(want ui.A) []*FakeNode {
	var out []*FakeNode
	var walk func(*FakeNode)
	walk = func(n *FakeNode) {
		if n.Tag != "" && has(n.Attrs, want) {
			out = append(out, n)
		}
		for _, k := range n.Kids {
			walk(k)
		}
	}
	walk(f.Root)
	return out
}

func has(attrs map[string]string, want ui.A) bool {
	for k, w := range want {
		v, ok := attrs[k]
		if !ok || (w != "" && v != w) {
			return false
		}
	}
	return true
}

// TextContent is the text under n.
func (n *FakeNode) TextContent() string {
	if n.Tag == "" {
		return n.Text
	}
	var b strings.Builder
	for _, k := range n.Kids {
		b.WriteString(k.TextContent())
	}
	return b.String()
}

// Event returns the message the page sends when the user does kind ("click", "change",
// "input") on el, built by the same rules as the real page; ok is false when nothing
// handles it.
func (f *Fake) Event(kind string, el *FakeNode) (ui.Msg, bool) {
	attr := eventAttr[kind]
	for n := el; n != nil; n = n.Parent {
		if a, ok := n.Attrs[attr]; ok && n.Tag != "" {
			m := ui.Msg{Kind: kind, Action: a, Value: el.Value, Fields: map[string]string{}}
			for _, in := range f.Find(ui.A{"data-field": ""}) {
				m.Fields[in.Attrs["data-field"]] = in.Value
			}
			return m, true
		}
	}
	return ui.Msg{}, false
}
