//go:build js && wasm

package dom

import (
	"encoding/binary"
	"syscall/js"
)

// The page's changes are written into one buffer of operations and handed to the browser
// in one call per render (Flush), where pageJS applies them. Every string or node passed
// to JavaScript one call at a time is a js.Value with a finalizer, and at a hundred writes
// a second registering those finalizers alone was a seventh of the page's time, beside the
// cost of crossing into JavaScript for every attribute. Nodes are numbers: pageJS keeps
// them in a table, the number 0 being the root, and Go hands out and takes back the others.
const pageJS = `(() => {
  const svg = "http://www.w3.org/2000/svg", nodes = [null], dec = new TextDecoder();
  let buf, pos;
  const num = () => { let x = 0, m = 1, b; do { b = buf[pos++]; x += (b & 127) * m; m *= 128; } while (b & 128); return x; };
  const str = () => { const n = num(), t = dec.decode(buf.subarray(pos, pos + n)); pos += n; return t; };
  return {
    root: r => { nodes[0] = r; },
    run: (b, len) => {
      buf = b; pos = 0;
      while (pos < len) {
        const op = buf[pos++], id = num();
        switch (op) {
          case 1: { const ns = buf[pos++]; nodes[id] = ns ? document.createElementNS(svg, str()) : document.createElement(str()); break; }
          case 2: nodes[id] = document.createTextNode(str()); break;
          case 3: { const k = str(); nodes[id].setAttribute(k, str()); break; }
          case 4: nodes[id].removeAttribute(str()); break;
          case 5: nodes[id].nodeValue = str(); break;
          case 6: { const v = str(), n = nodes[id]; if (n.value !== v) n.value = v; break; }
          case 7: { const c = num(), b = num(); nodes[id].insertBefore(nodes[c], b ? nodes[b - 1] : null); break; }
          case 8: nodes[id].removeChild(nodes[num()]); break;
          case 9: nodes[id] = null; break;
          case 10: nodes[id].textContent = ""; break;
        }
      }
      buf = null;
    },
  };
})()`

// Operations of the buffer.
const (
	opElement byte = iota + 1
	opText
	opAttr
	opUnattr
	opSetText
	opValue
	opInsert
	opRemove
	opRelease
	opClear
)

// Page is the Backend over the browser's document. Its handles are node numbers (int), but
// for the root given to NewRenderer (a js.Value), which is number 0.
type Page struct {
	doc  js.Value
	api  js.Value
	run  js.Value
	root js.Value
	// buf is the operations since the last Flush; shared is the browser-side copy of it.
	buf    []byte
	shared js.Value
	size   int
	next   int
	free   []int
}

// NewPage returns the backend for the current document.
func NewPage() *Page {
	api := js.Global().Get("Function").New("return " + pageJS).Invoke()
	return &Page{doc: js.Global().Get("document"), api: api, run: api.Get("run"), next: 1}
}

// ByID returns the element with id (null when there is none).
func (p *Page) ByID(id string) js.Value { return p.doc.Call("getElementById", id) }

// node is the number of a handle, telling the page which element the root is the first
// time it sees it.
func (p *Page) node(h Handle) int {
	if id, ok := h.(int); ok {
		return id
	}
	if r := h.(js.Value); !r.Equal(p.root) {
		p.Flush()
		p.root = r
		p.api.Call("root", r)
	}
	return 0
}

func (p *Page) op(op byte, id int) {
	p.buf = append(p.buf, op)
	p.buf = binary.AppendUvarint(p.buf, uint64(id))
}

func (p *Page) str(s string) {
	p.buf = binary.AppendUvarint(p.buf, uint64(len(s)))
	p.buf = append(p.buf, s...)
}

func (p *Page) alloc() int {
	if n := len(p.free); n > 0 {
		id := p.free[n-1]
		p.free = p.free[:n-1]
		return id
	}
	p.next++
	return p.next - 1
}

func (p *Page) CreateElement(ns, tag string) Handle {
	id := p.alloc()
	p.op(opElement, id)
	if ns == "svg" {
		p.buf = append(p.buf, 1)
	} else {
		p.buf = append(p.buf, 0)
	}
	p.str(tag)
	return id
}

func (p *Page) CreateText(text string) Handle {
	id := p.alloc()
	p.op(opText, id)
	p.str(text)
	return id
}

func (p *Page) SetAttr(h Handle, name, value string) {
	p.op(opAttr, p.node(h))
	p.str(name)
	p.str(value)
}

func (p *Page) RemoveAttr(h Handle, name string) {
	p.op(opUnattr, p.node(h))
	p.str(name)
}

func (p *Page) SetText(h Handle, text string) {
	p.op(opSetText, p.node(h))
	p.str(text)
}

func (p *Page) SetValue(h Handle, value string) {
	p.op(opValue, p.node(h))
	p.str(value)
}

func (p *Page) InsertBefore(parent, child, before Handle) {
	p.op(opInsert, p.node(parent))
	p.buf = binary.AppendUvarint(p.buf, uint64(p.node(child)))
	b := 0
	if before != nil {
		b = p.node(before) + 1
	}
	p.buf = binary.AppendUvarint(p.buf, uint64(b))
}

func (p *Page) Remove(parent, child Handle) {
	p.op(opRemove, p.node(parent))
	p.buf = binary.AppendUvarint(p.buf, uint64(p.node(child)))
}

// Release forgets a node that has left the page; its number is given out again.
func (p *Page) Release(h Handle) {
	if id, ok := h.(int); ok {
		p.op(opRelease, id)
		p.free = append(p.free, id)
	}
}

func (p *Page) Clear(h Handle) { p.op(opClear, p.node(h)) }

// Flush applies the operations written since the last one.
func (p *Page) Flush() {
	if len(p.buf) == 0 {
		return
	}
	if p.size < len(p.buf) {
		p.size = max(len(p.buf), 2*p.size, 64<<10)
		p.shared = js.Global().Get("Uint8Array").New(p.size)
	}
	js.CopyBytesToJS(p.shared, p.buf)
	p.run.Invoke(p.shared, len(p.buf))
	p.buf = p.buf[:0]
	if cap(p.buf) > 4<<20 { // one huge render (a large SQL answer) does not stay
		p.buf = nil
	}
}
