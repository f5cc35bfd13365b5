package main

import (
	"maps"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/raftplay/raftplay/"

// TestTheMapIsTheImportGraph: the arrows block in docs/architecture.md lists, for every
// package, exactly the raftplay packages it imports. A new arrow, a lost one or a new
// package fails here until the map says it.
func TestTheMapIsTheImportGraph(t *testing.T) {
	doc, err := os.ReadFile("../../docs/architecture.md")
	if err != nil {
		t.Fatal(err)
	}
	want := parseArrows(t, string(doc))
	got := importGraph(t, nil, "./...")
	maps.Copy(got, importGraph(t, []string{"GOOS=js", "GOARCH=wasm"}, "./wasm/..."))
	for pkg, imps := range got {
		w, ok := want[pkg]
		switch {
		case !ok:
			t.Errorf("%s is not on the map (it imports %s)", pkg, strings.Join(imps, " "))
		case !slices.Equal(w, imps):
			t.Errorf("%s imports %s; the map says %s", pkg, strings.Join(imps, " "), strings.Join(w, " "))
		}
	}
	for pkg := range want {
		if _, ok := got[pkg]; !ok {
			t.Errorf("the map lists %s, which does not exist", pkg)
		}
	}
}

func parseArrows(t *testing.T, doc string) map[string][]string {
	_, block, ok := strings.Cut(doc, "```arrows\n")
	block, _, ok2 := strings.Cut(block, "```")
	if !ok || !ok2 {
		t.Fatal("docs/architecture.md has no arrows block")
	}
	out := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(block), "\n") {
		pkg, imps, ok := strings.Cut(line, "->")
		if !ok {
			t.Fatalf("arrows line %q has no ->", line)
		}
		list := strings.Fields(imps)
		slices.Sort(list)
		out[strings.TrimSpace(pkg)] = list
	}
	return out
}

// importGraph is go list's view of the non-test imports among raftplay's packages.
func importGraph(t *testing.T, env []string, pattern string) map[string][]string {
	cmd := exec.Command("go", "list", "-f", "{{.ImportPath}} {{join .Imports \" \"}}", pattern)
	cmd.Dir = "../.."
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list %s: %v", pattern, err)
	}
	graph := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		own := []string{}
		for _, imp := range f[1:] {
			if strings.HasPrefix(imp, module) {
				own = append(own, strings.TrimPrefix(imp, module))
			}
		}
		slices.Sort(own)
		graph[strings.TrimPrefix(f[0], module)] = own
	}
	return graph
}
