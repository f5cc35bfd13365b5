//go:build !(js && wasm)

package dom

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/raftplay/raftplay/node/wire"
	"github.com/raftplay/raftplay/wasm/ui"
)

func render(f *Fake, v *ui.V) *Renderer {
	r := NewRenderer(f, f.Root)
	r.Render(v)
	return r
}

// same checks that the fake page has exactly the structure v describes.
func sameTree(t *testing.T, n *FakeNode, v *ui.V, path string) {
	t.Helper()
	if n.Tag != v.Tag || (v.Tag == "" && n.Text != v.Text) {
		t.Fatalf("%s: page has <%s>%q, view <%s>%q", path, n.Tag, n.Text, v.Tag, v.Text)
	}
	if v.Tag == "" {
		return
	}
	if len(n.Attrs) != len(v.Attrs) {
		t.Fatalf("%s: page attrs %v, view %v", path, n.Attrs, v.Attrs)
	}
	for k, val := range v.Attrs {
		if n.Attrs[k] != val {
			t.Fatalf("%s: %s=%q, view %q", path, k, n.Attrs[k], val)
		}
	}
	if len(n.Kids) != len(v.Kids) {
		t.Fatalf("%s: %d children, view %d", path, len(n.Kids), len(v.Kids))
	}
	for i := range v.Kids {
		sameTree(t, n.Kids[i], v.Kids[i], fmt.Sprintf("%s/%d", path, i))
	}
}

func list(keys ...string) *ui.V {
	kids := make([]*ui.V, len(keys))
	for i, k := range keys {
		kids[i] = ui.El("li", ui.A{"data-k": k}, ui.T(k)).Keyed(k)
	}
	return ui.El("div", ui.A{"id": "app"}, ui.El("ul", nil, kids...))
}

func TestFirstRenderReplacesLoadingContent(t *testing.T) {
	f := NewFake()
	v := list("a", "b")
	render(f, v)
	sameTree(t, f.Root, v, "app")
}

func TestKeyedPrependCostsOneInsert(t *testing.T) {
	f := NewFake()
	r := render(f, list("3", "2", "1"))
	f.ResetOps()
	r.Render(list("4", "3", "2"))
	sameTree(t, f.Root, list("4", "3", "2"), "app")
	if got := strings.Count(strings.Join(f.Ops, "\n"), "create"); got != 1 {
		t.Fatalf("prepending one row created %d elements: %v", got, f.Ops)
	}
}

func TestKeyedShufflesMatchTheView(t *testing.T) {
	f := NewFake()
	r := render(f, list())
	rnd := rand.New(rand.NewPCG(1, 2))
	for round := 0; round < 200; round++ {
		var keys []string
		for i := 0; i < 12; i++ {
			if rnd.IntN(3) > 0 {
				keys = append(keys, fmt.Sprint(i))
			}
		}
		rnd.Shuffle(len(keys), func(i, j int) { keys[i], keys[j] = keys[j], keys[i] })
		v := list(keys...)
		r.Render(v)
		sameTree(t, f.Root, v, fmt.Sprintf("round %d", round))
	}
}

func TestUnchangedViewTouchesNothing(t *testing.T) {
	f := NewFake()
	s := ui.New()
	s.SetConn(ui.ConnLive, "")
	r := render(f, s.View())
	f.ResetOps()
	r.Render(s.View())
	if len(f.Ops) != 0 {
		t.Fatalf("re-rendering the same view did %v", f.Ops)
	}
}

func TestValueIsSetOnlyWhenTheModelChangesIt(t *testing.T) {
	f := NewFake()
	box := func(text string, rev int) *ui.V {
		in := ui.El("textarea", ui.A{"data-field": "sql"})
		in.Value = &ui.Value{Text: text, Rev: rev}
		return ui.El("div", ui.A{"id": "app"}, in)
	}
	r := render(f, box("", 0))
	el := f.Find(ui.A{"data-field": "sql"})[0]
	el.Value = "typed by the user"
	r.Render(box("", 0))
	if el.Value != "typed by the user" {
		t.Fatal("a render overwrote the user's typing")
	}
	r.Render(box("SELECT 1", 1))
	if el.Value != "SELECT 1" {
		t.Fatalf("recall not applied: %q", el.Value)
	}
}

func TestWholeAppRendersAndClicksBecomeCommands(t *testing.T) {
	f := NewFake()
	s := ui.New()
	s.SetConn(ui.ConnLive, "")
	h := wire.HelloData{Seq: 5, Cluster: wire.ClusterStatus{Leader: "n1", Term: 2, Nodes: []wire.NodeStatus{
		{ID: "n1", Role: "leader", Term: 2}, {ID: "n2", Role: "follower", Term: 2}}}}
	hello := wire.NewEvent("", wire.EventHello, wire.Event{}.Time, h)
	s.Apply(hello, hello.Time)
	r := render(f, s.View())
	sameTree(t, f.Root, s.View(), "app")

	if got := f.Find(ui.A{"id": "app", "data-ready": "true"}); len(got) != 1 {
		t.Fatal("no ready root")
	}
	f.Find(ui.A{"data-testid": "sql-input"})[0].Value = "SELECT 1"
	m, ok := f.Event("click", f.Find(ui.A{"data-testid": "sql-run"})[0])
	if !ok {
		t.Fatal("run button has no action")
	}
	cmds := s.Handle(m, hello.Time)
	if len(cmds) != 1 || cmds[0].SQL != "SELECT 1" {
		t.Fatalf("commands %+v", cmds)
	}
	kill := f.Find(ui.A{"data-testid": "node-action", "data-action": "kill", "data-node-id": "n2"})[0]
	// A click on the button's text lands on the text node's parent chain.
	m, ok = f.Event("click", kill.Kids[0])
	if !ok {
		t.Fatal("kill button has no action")
	}
	if cmds := s.Handle(m, hello.Time); len(cmds) != 1 || cmds[0].Op != "control.kill" {
		t.Fatalf("kill gave %+v", cmds)
	}
	r.Render(s.View())
	sameTree(t, f.Root, s.View(), "app")
}

// The page keeps every node in a table until the renderer releases it: whatever leaves the
// page is released, text nodes included, and nothing still on it.
func TestRemovedNodesAreReleased(t *testing.T) {
	f := NewFake()
	r := render(f, list("a", "b", "c", "d"))
	ul := f.Root.Kids[0]
	gone := []*FakeNode{ul.Kids[1], ul.Kids[1].Kids[0], ul.Kids[3]}
	r.Render(list("a", "c"))
	for _, n := range gone {
		if !n.Released {
			t.Fatalf("removed node %q not released", n.TextContent())
		}
	}
	for _, n := range ul.Kids {
		if n.Released || n.Kids[0].Released {
			t.Fatalf("node %q on the page was released", n.TextContent())
		}
	}
}
