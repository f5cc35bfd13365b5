package store

import (
	"reflect"
	"strings"
	"testing"

	"github.com/tidwall/buntdb"
)

// TestBuntViewHasNoDataWrites keeps the view to iteration and index management: a method
// that wrote data (Set, Delete, DeleteAll, ...) would bypass the digest.
func TestBuntViewHasNoDataWrites(t *testing.T) {
	allowed := map[string]bool{
		"Ascend": true, "AscendGreaterOrEqual": true, "AscendRange": true,
		"Descend": true, "DescendLessOrEqual": true, "DescendRange": true,
		"CreateIndex": true, "DropIndex": true,
	}
	ty := reflect.TypeOf(BuntView{})
	for i := range ty.NumMethod() {
		if m := ty.Method(i).Name; !allowed[m] {
			t.Errorf("BuntView.%s: the view offers only iteration and index management", m)
		}
	}
}

// TestBuntViewIndexesLeaveTheDigest iterates the state through the view and builds and
// drops an index on it: the items come out in the asked order and the digest, which
// follows data only, does not move.
func TestBuntViewIndexesLeaveTheDigest(t *testing.T) {
	f := newFSM(t)
	err := f.update(func(tx *Tx) error {
		for _, kv := range [][2]string{{"kv/a", "3"}, {"kv/b", "1"}, {"kv/c", "2"}, {"sql/x", "0"}} {
			if err := tx.Set(kv[0], kv[1]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	before := f.Digest()
	if err := f.update(func(tx *Tx) error { return tx.Bunt().CreateIndex("by_value", "kv/*", buntdb.IndexString) }); err != nil {
		t.Fatal(err)
	}
	if f.Digest() != before {
		t.Fatalf("creating an index moved the digest from %s to %s", before, f.Digest())
	}
	collect := func(walk func(v BuntView, iter func(k, v string) bool) error) string {
		var got []string
		err := f.View(func(tx *Tx) error {
			return walk(tx.Bunt(), func(k, _ string) bool { got = append(got, strings.TrimPrefix(k, "kv/")); return true })
		})
		if err != nil {
			t.Fatal(err)
		}
		return strings.Join(got, " ")
	}
	for _, c := range []struct {
		name string
		walk func(v BuntView, iter func(k, v string) bool) error
		want string
	}{
		{"keys ascending", func(v BuntView, it func(k, v string) bool) error { return v.AscendRange("", "kv/", "kv0", it) }, "a b c"},
		{"keys from b", func(v BuntView, it func(k, v string) bool) error { return v.AscendGreaterOrEqual("", "kv/b", it) }, "b c sql/x"},
		{"keys descending to b", func(v BuntView, it func(k, v string) bool) error { return v.DescendRange("", "kv/c", "kv/a", it) }, "c b"},
		{"index ascending", func(v BuntView, it func(k, v string) bool) error { return v.Ascend("by_value", it) }, "b c a"},
		{"index descending", func(v BuntView, it func(k, v string) bool) error { return v.Descend("by_value", it) }, "a c b"},
		{"index at most 2", func(v BuntView, it func(k, v string) bool) error { return v.DescendLessOrEqual("by_value", "2", it) }, "c b"},
	} {
		if got := collect(c.walk); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
	if err := f.update(func(tx *Tx) error { return tx.Bunt().DropIndex("by_value") }); err != nil {
		t.Fatal(err)
	}
	if f.Digest() != before {
		t.Fatalf("dropping an index moved the digest from %s to %s", before, f.Digest())
	}
}
