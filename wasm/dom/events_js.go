//go:build js && wasm

package dom

import (
	"fmt"
	"syscall/js"
	"unicode/utf16"

	"github.com/raftplay/raftplay/wasm/ui"
)

// Events listens at the root element for the user's clicks, changes, inputs and keys and
// sends them as ui.Msg to a channel. It owns its js.Funcs: Release removes the listeners
// and frees them.
type Events struct {
	root  js.Value
	out   chan<- ui.Msg
	funcs map[string]js.Func
}

// Listen starts delegated listeners on root. Messages that find out full are dropped
// rather than blocking the browser's event loop.
func Listen(root js.Value, out chan<- ui.Msg) *Events {
	e := &Events{root: root, out: out, funcs: map[string]js.Func{}}
	e.on("click", e.click)
	e.on("change", func(ev js.Value) { e.simple("change", ev) })
	e.on("input", func(ev js.Value) { e.simple("input", ev) })
	e.on("keydown", e.key)
	e.on("focusin", e.focusIn)
	return e
}

func (e *Events) on(name string, fn func(js.Value)) {
	f := js.FuncOf(func(this js.Value, args []js.Value) any {
		// A panic in a callback would end the whole program; one bad event must not.
		defer func() {
			if r := recover(); r != nil {
				LogError(fmt.Sprintf("%s handler: %v", name, r))
			}
		}()
		if len(args) > 0 {
			fn(args[0])
		}
		return nil
	})
	e.funcs[name] = f
	e.root.Call("addEventListener", name, f)
}

// Release removes the listeners and frees their functions.
func (e *Events) Release() {
	for name, f := range e.funcs {
		e.root.Call("removeEventListener", name, f)
		f.Release()
	}
	e.funcs = nil
}

func (e *Events) send(m ui.Msg) {
	select {
	case e.out <- m:
	default:
	}
}

// closest finds the element handling kind for the event's target.
func closest(ev js.Value, kind string) (js.Value, string, bool) {
	t := ev.Get("target")
	if t.IsNull() || t.IsUndefined() || t.Get("closest").Type() != js.TypeFunction {
		return js.Value{}, "", false
	}
	attr := eventAttr[kind]
	el := t.Call("closest", "["+attr+"]")
	if el.IsNull() {
		return js.Value{}, "", false
	}
	return el, el.Call("getAttribute", attr).String(), true
}

func (e *Events) fields() map[string]string {
	m := map[string]string{}
	list := e.root.Call("querySelectorAll", "[data-field]")
	for i, n := 0, list.Length(); i < n; i++ {
		el := list.Index(i)
		m[el.Call("getAttribute", "data-field").String()] = el.Get("value").String()
	}
	return m
}

func (e *Events) click(ev js.Value) {
	_, action, ok := closest(ev, "click")
	if !ok {
		return
	}
	e.send(ui.Msg{Kind: "click", Action: action, Fields: e.fields()})
}

func (e *Events) simple(kind string, ev js.Value) {
	el, action, ok := closest(ev, kind)
	if !ok {
		return
	}
	v := el.Get("value").String()
	if el.Get("type").String() == "checkbox" {
		v = "false"
		if el.Get("checked").Bool() {
			v = "true"
		}
	}
	e.send(ui.Msg{Kind: kind, Action: action, Value: v})
}

func (e *Events) key(ev js.Value) {
	if e.navigate(ev) {
		ev.Call("preventDefault")
		return
	}
	el, box, ok := closest(ev, "key")
	if !ok || ev.Get("isComposing").Truthy() {
		return
	}
	// The caret is counted in UTF-16 code units, as JavaScript strings are.
	text := utf16.Encode([]rune(el.Get("value").String()))
	start, end := el.Get("selectionStart").Int(), el.Get("selectionEnd").Int()
	start, end = min(max(start, 0), len(text)), min(max(end, start), len(text))
	before := string(utf16.Decode(text[:start]))
	after := string(utf16.Decode(text[end:]))
	mod := ev.Get("ctrlKey").Bool() || ev.Get("metaKey").Bool()
	action := ui.KeyAction(box, ev.Get("key").String(), mod, before, after)
	if action == "" || (start != end && (action == "sql-prev" || action == "sql-next")) {
		return
	}
	// Decided here, synchronously: preventDefault only works before the handler returns.
	ev.Call("preventDefault")
	e.send(ui.Msg{Kind: "key", Action: action, Fields: e.fields()})
}
