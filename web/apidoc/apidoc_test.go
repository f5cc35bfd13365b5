package apidoc_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/raftplay/raftplay/web/apidoc"
)

// Base is embedded: its fields are the outer type's.
type Base struct {
	Index uint64 `json:"index"`
}

// Sample is a type to describe. Kind is KindA or KindB.
type Sample struct {
	Base
	Kind    string            `json:"kind"`
	Note    string            `json:"note,omitempty"`
	When    time.Time         `json:"when"`
	Raw     json.RawMessage   `json:"raw,omitempty"`
	Ptr     *int              `json:"ptr"`
	OptPtr  *bool             `json:"opt_ptr,omitempty"`
	Child   *Child            `json:"child"`
	List    []Child           `json:"list"`
	ByName  map[string]string `json:"by_name"`
	Bytes   []byte            `json:"bytes,omitempty"`
	Ignored string            `json:"-"`
	hidden  string
}

// Child is nested.
type Child struct {
	Name string `json:"name"`
}

const (
	KindA = "a"
	KindB = "b"
)

// schemaJSON is the JSON of a schema, for comparing.
func schemaJSON(t *testing.T, s *apidoc.Schema) string {
	t.Helper()
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestReflectorFollowsEncodingJSON(t *testing.T) {
	src, err := apidoc.ReadSource("apidoc_test.go")
	if err != nil {
		t.Fatal(err)
	}
	r := &apidoc.Reflector{Source: src, Enums: map[string][]string{"apidoc_test.Sample.Kind": src.Consts("apidoc_test", "Kind")}}
	ref, err := r.Of(Sample{})
	if err != nil {
		t.Fatal(err)
	}
	if ref.Ref != "#/components/schemas/Sample" {
		t.Fatalf("ref %q", ref.Ref)
	}
	s := r.Schemas["Sample"]
	if got, want := s.Properties.Names(), []string{"index", "kind", "note", "when", "raw", "ptr", "opt_ptr", "child", "list", "by_name", "bytes"}; !slices.Equal(got, want) {
		t.Errorf("properties %v, want %v", got, want)
	}
	if got, want := s.Required, []string{"index", "kind", "when", "ptr", "child", "list", "by_name"}; !slices.Equal(got, want) {
		t.Errorf("required %v, want %v", got, want)
	}
	if want := `Sample is a type to describe. kind is "a" or "b".`; s.Description != want {
		t.Errorf("description %q, want %q", s.Description, want)
	}
	for _, tt := range []struct{ field, want string }{
		{"index", `{"type":"integer","minimum":0}`},
		{"kind", `{"type":"string","enum":["a","b"]}`},
		{"when", `{"type":"string","format":"date-time"}`},
		{"raw", `{}`},
		{"ptr", `{"type":["integer","null"],"format":"int64"}`},
		{"opt_ptr", `{"type":"boolean"}`},
		{"child", `{"oneOf":[{"$ref":"#/components/schemas/Child"},{"type":"null"}]}`},
		{"list", `{"type":"array","items":{"$ref":"#/components/schemas/Child"}}`},
		{"by_name", `{"type":"object","additionalProperties":{"type":"string"}}`},
		{"bytes", `{"type":"string","contentEncoding":"base64"}`},
	} {
		if got := schemaJSON(t, s.Properties.Get(tt.field)); got != tt.want {
			t.Errorf("%s: %s, want %s", tt.field, got, tt.want)
		}
	}
	if got := schemaJSON(t, r.Schemas["Child"]); got != `{"description":"Child is nested.","type":"object","properties":{"name":{"type":"string"}},"required":["name"]}` {
		t.Errorf("Child: %s", got)
	}
	if unused := r.Unused(); len(unused) != 0 {
		t.Errorf("unused %v", unused)
	}
}

func TestReadable(t *testing.T) {
	src, err := apidoc.ReadSource("apidoc_test.go")
	if err != nil {
		t.Fatal(err)
	}
	fields := map[string]string{"Note": "note", "ByName": "by_name"}
	for _, tt := range []struct{ in, want string }{
		{"Note is set with ByName.", "note is set with by_name."},
		{"A KindB thing, an KindA one, a KindB one.", `A "b" thing, an "a" one, a "b" one.`},
		{"Notes and KindC stay.", "Notes and KindC stay."},
	} {
		if got := src.Readable("apidoc_test", tt.in, fields); got != tt.want {
			t.Errorf("%q: %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestReflectorRefusesWhatItCannotSay(t *testing.T) {
	type clash struct {
		Name string `json:"name"`
	}
	tests := []struct {
		name string
		r    *apidoc.Reflector
		v    any
	}{
		{"a map with other keys", &apidoc.Reflector{}, map[int]string{}},
		{"a channel", &apidoc.Reflector{}, struct{ C chan int }{}},
		{"an enum on a number", &apidoc.Reflector{Enums: map[string][]string{"apidoc_test.Base.Index": {"1"}}}, Base{}},
		{"an enum without values", &apidoc.Reflector{Enums: map[string][]string{"apidoc_test.Child.Name": nil}}, Child{}},
		{"two types of one name", &apidoc.Reflector{Schemas: map[string]*apidoc.Schema{"Clash": {}}}, clash{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := tt.r.Of(tt.v); err == nil {
				t.Fatal("no error")
			}
		})
	}
	r := &apidoc.Reflector{Enums: map[string][]string{"apidoc_test.Child.Gone": {"x"}}}
	if _, err := r.Of(Child{}); err != nil {
		t.Fatal(err)
	}
	if got := r.Unused(); !slices.Equal(got, []string{"apidoc_test.Child.Gone"}) {
		t.Fatalf("unused %v", got)
	}
}

func TestSwitchCases(t *testing.T) {
	file := filepath.Join(t.TempDir(), "f.go")
	src := "package p\nfunc f(s string) int {\n\tswitch s {\n\tcase \"a\", \"b\":\n\t\treturn 1\n\tcase \"c\":\n\t}\n\treturn 0\n}\n"
	if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := apidoc.SwitchCases(file, "f")
	if err != nil || !reflect.DeepEqual(got, []string{"a", "b", "c"}) {
		t.Fatalf("%v, %v", got, err)
	}
	if _, err := apidoc.SwitchCases(file, "g"); err == nil {
		t.Fatal("no error for a missing function")
	}
}

func TestPropertiesKeepTheirOrder(t *testing.T) {
	var p apidoc.Properties
	p.Set("z", &apidoc.Schema{Type: "string", Description: "a -> b & <c>"})
	p.Set("a", &apidoc.Schema{Type: "integer"})
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf) // as Document.Marshal writes it
	enc.SetEscapeHTML(false)
	if err := enc.Encode(&p); err != nil {
		t.Fatal(err)
	}
	b := bytes.TrimSpace(buf.Bytes())
	if want := `{"z":{"description":"a -> b & <c>","type":"string"},"a":{"type":"integer"}}`; string(b) != want {
		t.Fatalf("%s, want %s", b, want)
	}
	var back apidoc.Properties
	if err := json.Unmarshal(b, &back); err != nil || !slices.Equal(back.Names(), []string{"z", "a"}) {
		t.Fatalf("read back %v, %v", back.Names(), err)
	}
}
