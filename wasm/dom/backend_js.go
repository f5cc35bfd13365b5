//go:build js && wasm

package dom

import "syscall/js"

const svgNS = "http://www.w3.org/2000/svg"

// Page is the Backend over the browser's document.
type Page struct {
	doc js.Value
}

// NewPage returns the backend for the current document.
func NewPage() *Page { return &Page{doc: js.Global().Get("document")} }

// ByID returns the element with id (null when there is none).
func (p *Page) ByID(id string) js.Value { return p.doc.Call("getElementById", id) }

func (p *Page) CreateElement(ns, tag string) Handle {
	if ns == "svg" {
		return p.doc.Call("createElementNS", svgNS, tag)
	}
	return p.doc.Call("createElement", tag)
}

func (p *Page) CreateText(text string) Handle { return p.doc.Call("createTextNode", text) }

func (p *Page) SetAttr(h Handle, name, value string) { h.(js.Value).Call("setAttribute", name, value) }

func (p *Page) RemoveAttr(h Handle, name string) { h.(js.Value).Call("removeAttribute", name) }

func (p *Page) SetText(h Handle, text string) { h.(js.Value).Set("nodeValue", text) }

func (p *Page) SetValue(h Handle, value string) {
	el := h.(js.Value)
	if el.Get("value").String() != value {
		el.Set("value", value)
	}
}

func (p *Page) InsertBefore(parent, child, before Handle) {
	b := js.Null()
	if before != nil {
		b = before.(js.Value)
	}
	parent.(js.Value).Call("insertBefore", child.(js.Value), b)
}

func (p *Page) Remove(parent, child Handle) { parent.(js.Value).Call("removeChild", child.(js.Value)) }

func (p *Page) Clear(h Handle) { h.(js.Value).Set("textContent", "") }
