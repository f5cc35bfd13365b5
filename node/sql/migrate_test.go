package sql

import (
	"maps"
	"strings"
	"testing"

	"github.com/tidwall/buntdb"
)

// TestMigrateEarlierNumericTables writes a table as the float64-numeric release stored it
// (a double's shortest text, float-encoded keys, a numeric default as a JSON number) and
// requires that restoring it leaves exactly the bytes this release writes for the same
// statements, so nodes that restored an old snapshot and nodes that replayed the entries
// agree; and that it is found by value afterwards.
func TestMigrateEarlierNumericTables(t *testing.T) {
	e := NewEngine(DefaultLimits())
	want := openDB(t)
	mustExec(t, e, want, `CREATE TABLE m (k numeric PRIMARY KEY, v numeric DEFAULT 0.25, n text);
		INSERT INTO m VALUES (12.5, 1e21, 'a'), (-0.1, 0.000001, 'b'), (0.30000000000000004, NULL, 'c');
		INSERT INTO m (k, n) VALUES (7, 'd');
		CREATE TABLE plain (id int PRIMARY KEY, n text); INSERT INTO plain VALUES (1, 'x')`)

	old := openDB(t)
	oldRows := map[float64]string{12.5: `[12.5,1e+21,"a"]`, -0.1: `[-0.1,1e-06,"b"]`, 0.30000000000000004: `[0.30000000000000004,null,"c"]`, 7: `[7,0.25,"d"]`}
	wantPlain := dump(t, want)
	err := old.Update(func(tx *buntdb.Tx) (err error) {
		set := func(k, v string) {
			if err == nil {
				_, _, err = tx.Set(k, v, nil)
			}
		}
		set(catalogKey("m"), `{"name":"m","cols":[{"name":"k","type":"numeric","notnull":true},{"name":"v","type":"numeric","default":{"k":"const","t":"numeric","v":0.25}},{"name":"n","type":"text"}],"pk":[0]}`)
		for k, raw := range oldRows {
			set(string(encodeKeyPart([]byte(rowKeyPrefix("m")), k)), raw)
		}
		set(catalogKey("plain"), wantPlain[catalogKey("plain")])
		set(string(encodeKeyPart([]byte(rowKeyPrefix("plain")), int64(1))), `[1,"x"]`)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := old.Update(func(tx *buntdb.Tx) error { return RestoreIndexes(buntTx{tx}) }); err != nil {
		t.Fatal(err)
	}
	got, wantDump := dump(t, old), dump(t, want)
	if !maps.Equal(got, wantDump) {
		t.Fatalf("migrated state:\n%s\nwant:\n%s", dumpText(got), dumpText(wantDump))
	}
	res := mustExec(t, e, old, "SELECT n FROM m WHERE k = 0.30000000000000004; SELECT n FROM m WHERE k = 12.50")
	if rowsJSON(res[0].Rows) != `[["c"]]` || rowsJSON(res[1].Rows) != `[["a"]]` {
		t.Fatalf("lookups by value after the migration: %s %s", rowsJSON(res[0].Rows), rowsJSON(res[1].Rows))
	}
	// Restoring again changes nothing.
	if err := old.Update(func(tx *buntdb.Tx) error { return RestoreIndexes(buntTx{tx}) }); err != nil {
		t.Fatal(err)
	}
	if again := dump(t, old); !maps.Equal(again, got) {
		t.Fatal("a second restore changed the migrated state")
	}
}

func dumpText(m map[string]string) string {
	var b strings.Builder
	for k, v := range m {
		b.WriteString(k + " = " + v + "\n")
	}
	return b.String()
}
