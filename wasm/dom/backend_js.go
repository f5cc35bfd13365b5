//go:build js && wasm

package dom

import "syscall/js"

// pageJS keeps the page's nodes in a table on the JavaScript side and hands Go their
// numbers. A js.Value for each node would cost a finalizer apiece, and registering
// finalizers was, at a hundred writes a second, a seventh of the page's time.
const pageJS = `(() => {
  const svg = "http://www.w3.org/2000/svg", nodes = [null], free = [];
  let root = null;
  const put = n => { const id = free.length ? free.pop() : nodes.length; nodes[id] = n; return id; };
  return {
    el: (ns, tag) => put(ns ? document.createElementNS(svg, tag) : document.createElement(tag)),
    text: t => put(document.createTextNode(t)),
    attr: (id, k, v) => nodes[id].setAttribute(k, v),
    unattr: (id, k) => nodes[id].removeAttribute(k),
    settext: (id, t) => { nodes[id].nodeValue = t; },
    value: (id, v) => { const n = nodes[id]; if (n.value !== v) n.value = v; },
    insert: (p, c, b) => { (p < 0 ? root : nodes[p]).insertBefore(nodes[c], b ? nodes[b] : null); },
    remove: (p, c) => { (p < 0 ? root : nodes[p]).removeChild(nodes[c]); },
    release: id => { nodes[id] = null; free.push(id); },
    setRoot: r => { root = r; },
  };
})()`

// Page is the Backend over the browser's document. Its handles are node numbers (int),
// but for the root, which is the element given to NewRenderer (a js.Value).
type Page struct {
	doc     js.Value
	fn      struct{ el, text, attr, unattr, settext, value, insert, remove, release js.Value }
	setRoot js.Value
	root    js.Value
}

// NewPage returns the backend for the current document.
func NewPage() *Page {
	p := &Page{doc: js.Global().Get("document")}
	api := js.Global().Get("Function").New("return " + pageJS).Invoke()
	p.fn.el, p.fn.text, p.fn.attr = api.Get("el"), api.Get("text"), api.Get("attr")
	p.fn.unattr, p.fn.settext, p.fn.value = api.Get("unattr"), api.Get("settext"), api.Get("value")
	p.fn.insert, p.fn.remove, p.fn.release = api.Get("insert"), api.Get("remove"), api.Get("release")
	p.setRoot = api.Get("setRoot")
	return p
}

// ByID returns the element with id (null when there is none).
func (p *Page) ByID(id string) js.Value { return p.doc.Call("getElementById", id) }

// node is the number of a handle; the root is -1.
func node(h Handle) int {
	if id, ok := h.(int); ok {
		return id
	}
	return -1
}

func (p *Page) CreateElement(ns, tag string) Handle {
	return p.fn.el.Invoke(ns == "svg", tag).Int()
}

func (p *Page) CreateText(text string) Handle { return p.fn.text.Invoke(text).Int() }

func (p *Page) SetAttr(h Handle, name, value string) {
	if r, ok := h.(js.Value); ok {
		r.Call("setAttribute", name, value)
		return
	}
	p.fn.attr.Invoke(h.(int), name, value)
}

func (p *Page) RemoveAttr(h Handle, name string) {
	if r, ok := h.(js.Value); ok {
		r.Call("removeAttribute", name)
		return
	}
	p.fn.unattr.Invoke(h.(int), name)
}

func (p *Page) SetText(h Handle, text string) { p.fn.settext.Invoke(h.(int), text) }

func (p *Page) SetValue(h Handle, value string) { p.fn.value.Invoke(h.(int), value) }

func (p *Page) InsertBefore(parent, child, before Handle) {
	p.adopt(parent)
	b := 0
	if before != nil {
		b = before.(int)
	}
	p.fn.insert.Invoke(node(parent), child.(int), b)
}

func (p *Page) Remove(parent, child Handle) {
	p.adopt(parent)
	p.fn.remove.Invoke(node(parent), child.(int))
}

// Release forgets a node that is off the page for good.
func (p *Page) Release(h Handle) {
	if id, ok := h.(int); ok {
		p.fn.release.Invoke(id)
	}
}

func (p *Page) Clear(h Handle) {
	p.adopt(h)
	h.(js.Value).Set("textContent", "")
}

// adopt tells the table which element the root (-1) is.
func (p *Page) adopt(h Handle) {
	if r, ok := h.(js.Value); ok && !r.Equal(p.root) {
		p.root = r
		p.setRoot.Invoke(r)
	}
}
