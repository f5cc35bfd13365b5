package ui

// V is one node of the view description: an element (Tag set) or a text node (Tag empty).
// Key, when set on every child of a parent, lets the renderer keep an element across
// re-renders as siblings come and go (the timeline and the rpc flights rely on it).
type V struct {
	Tag   string
	NS    string // "svg" for SVG elements; children inherit it
	Key   string
	Text  string
	Attrs map[string]string
	// Value, when not nil, is forced into the element's value property whenever its Rev
	// changes: the model owns an input only at the moments it decides to (history recall),
	// so a render never overwrites what the user is typing.
	Value *Value
	Kids  []*V
}

// Value is a value the model sets on an input.
type Value struct {
	Text string
	Rev  int
}

// A is the attributes of an element.
type A map[string]string

// El makes an HTML element.
func El(tag string, attrs A, kids ...*V) *V {
	return &V{Tag: tag, Attrs: attrs, Kids: compact(kids)}
}

// S makes an SVG element.
func S(tag string, attrs A, kids ...*V) *V {
	return &V{Tag: tag, NS: "svg", Attrs: attrs, Kids: compact(kids)}
}

// T makes a text node.
func T(text string) *V { return &V{Text: text} }

// Keyed sets the element's key and returns it.
func (v *V) Keyed(key string) *V {
	v.Key = key
	return v
}

// compact drops nil children so views can write optional parts inline.
func compact(kids []*V) []*V {
	n := 0
	for _, k := range kids {
		if k != nil {
			kids[n] = k
			n++
		}
	}
	return kids[:n]
}

// Find returns the elements under v (v included) whose attributes include all of want,
// in document order. Tests and the fake DOM use it like querySelectorAll.
func (v *V) Find(want A) []*V {
	var out []*V
	var walk func(*V)
	walk = func(n *V) {
		if n.Tag != "" && matches(n.Attrs, want) {
			out = append(out, n)
		}
		for _, k := range n.Kids {
			walk(k)
		}
	}
	walk(v)
	return out
}

func matches(have, want A) bool {
	for k, w := range want {
		h, ok := have[k]
		if !ok || (w != "" && h != w) {
			return false
		}
	}
	return true
}

// TextContent is the concatenated text under v.
func (v *V) TextContent() string {
	if v.Tag == "" {
		return v.Text
	}
	s := ""
	for _, k := range v.Kids {
		s += k.TextContent()
	}
	return s
}
