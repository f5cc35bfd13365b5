//go:build js && wasm

package dom

import (
	"sort"
	"strconv"
	"syscall/js"

	"github.com/raftplay/raftplay/wasm/ui"
)

// The page's two composite widgets take the keyboard here, in the page, because moving
// focus is the page's business and not the model's:
//
//   - a roving group ([data-rove], the cluster picture): its items ([data-rove-item], in
//     the order the attribute's number gives) share one tab stop; the arrow keys, Home and
//     End move focus between them, and Enter or Space acts as a click;
//   - a listbox ([data-listbox], a node's log): one tab stop whose active option
//     (aria-activedescendant) the arrow keys, Home and End move; Enter or Space clicks it.
//
// The renderer never writes the attributes changed here (tabindex of an item after the
// first render aside, which the view keeps in step), so a render does not undo them.

// navigate handles a key for a widget and reports whether it did.
func (e *Events) navigate(ev js.Value) bool {
	t := ev.Get("target")
	if t.IsNull() || t.IsUndefined() || t.Get("closest").Type() != js.TypeFunction {
		return false
	}
	key := ev.Get("key").String()
	if ev.Get("ctrlKey").Bool() || ev.Get("metaKey").Bool() || ev.Get("altKey").Bool() {
		return false
	}
	if t.Call("hasAttribute", "data-listbox").Bool() {
		return e.listbox(t, key)
	}
	if item := t.Call("closest", "[data-rove-item]"); !item.IsNull() && item.Equal(t) {
		return e.rove(item, key)
	}
	return false
}

// step is where a key moves from position i of n (-1: the key does not move).
func step(key string, i, n int) int {
	switch key {
	case "ArrowRight", "ArrowDown":
		return min(i+1, n-1)
	case "ArrowLeft", "ArrowUp":
		return max(i-1, 0)
	case "Home":
		return 0
	case "End":
		return n - 1
	}
	return -1
}

func activates(key string) bool { return key == "Enter" || key == " " }

func (e *Events) rove(item js.Value, key string) bool {
	if activates(key) {
		e.clickOn(item)
		return true
	}
	group := item.Call("closest", "[data-rove]")
	if group.IsNull() {
		return false
	}
	items := roveItems(group)
	at := -1
	for i, it := range items {
		if it.Equal(item) {
			at = i
		}
	}
	next := step(key, at, len(items))
	if at < 0 || next < 0 {
		return false
	}
	focusItem(items, items[next])
	return true
}

// roveItems are a group's items in their order.
func roveItems(group js.Value) []js.Value {
	list := group.Call("querySelectorAll", "[data-rove-item]")
	items := make([]js.Value, list.Length())
	order := make([]int, len(items))
	for i := range items {
		items[i] = list.Index(i)
		order[i], _ = strconv.Atoi(items[i].Call("getAttribute", "data-rove-item").String())
	}
	idx := make([]int, len(items))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return order[idx[a]] < order[idx[b]] })
	out := make([]js.Value, len(items))
	for i, j := range idx {
		out[i] = items[j]
	}
	return out
}

// focusItem makes it the group's one tab stop and focuses it.
func focusItem(items []js.Value, it js.Value) {
	for _, o := range items {
		o.Call("setAttribute", "tabindex", "-1")
	}
	it.Call("setAttribute", "tabindex", "0")
	it.Call("focus")
}

// focusIn keeps a roving group's tab stop on the item last focused (by a click too), and
// gives a listbox that gains focus an active option: its newest entry.
func (e *Events) focusIn(ev js.Value) {
	t := ev.Get("target")
	if t.IsNull() || t.IsUndefined() || t.Get("closest").Type() != js.TypeFunction {
		return
	}
	if t.Call("hasAttribute", "data-listbox").Bool() {
		if opts := options(t); len(opts) > 0 && activeIndex(t, opts) < 0 {
			setActive(t, opts, lastEnabled(opts))
		}
		return
	}
	if item := t.Call("closest", "[data-rove-item]"); !item.IsNull() && item.Equal(t) {
		if group := item.Call("closest", "[data-rove]"); !group.IsNull() {
			focusItem(roveItems(group), item)
		}
	}
}

func options(lb js.Value) []js.Value {
	list := lb.Call("querySelectorAll", `[role="option"]`)
	out := make([]js.Value, list.Length())
	for i := range out {
		out[i] = list.Index(i)
	}
	return out
}

func activeIndex(lb js.Value, opts []js.Value) int {
	id := lb.Call("getAttribute", "aria-activedescendant")
	if id.IsNull() {
		return -1
	}
	for i, o := range opts {
		if o.Get("id").String() == id.String() {
			return i
		}
	}
	return -1
}

func lastEnabled(opts []js.Value) int {
	for i := len(opts) - 1; i >= 0; i-- {
		if opts[i].Call("getAttribute", "aria-disabled").IsNull() {
			return i
		}
	}
	return len(opts) - 1
}

func setActive(lb js.Value, opts []js.Value, i int) {
	for _, o := range opts {
		o.Call("removeAttribute", "data-active")
	}
	o := opts[i]
	o.Call("setAttribute", "data-active", "")
	lb.Call("setAttribute", "aria-activedescendant", o.Get("id").String())
	o.Call("scrollIntoView", map[string]any{"block": "nearest", "inline": "nearest"})
}

func (e *Events) listbox(lb js.Value, key string) bool {
	opts := options(lb)
	if len(opts) == 0 {
		return false
	}
	at := activeIndex(lb, opts)
	if at < 0 {
		at = lastEnabled(opts) // the window moved past the active one
	}
	if activates(key) {
		e.clickOn(opts[at])
		return true
	}
	next := step(key, at, len(opts))
	if next < 0 {
		return false
	}
	setActive(lb, opts, next)
	return true
}

// clickOn sends the click of el's action, as a pointer click on it would.
func (e *Events) clickOn(el js.Value) {
	a := el.Call("getAttribute", eventAttr["click"])
	if a.IsNull() {
		return
	}
	e.send(ui.Msg{Kind: "click", Action: a.String(), Fields: e.fields()})
}
