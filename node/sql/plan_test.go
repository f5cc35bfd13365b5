package sql

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/tidwall/buntdb"
)

func explainText(t *testing.T, e *Engine, db *buntdb.DB, q string) string {
	t.Helper()
	res := mustExec(t, e, db, "EXPLAIN "+q)
	var lines []string
	for _, r := range res[0].Rows {
		lines = append(lines, r[0].(string))
	}
	return strings.Join(lines, "\n")
}

// visitedRows runs a read-only query and reports its result and the rows it touched.
func visitedRows(t testing.TB, e *Engine, db *buntdb.DB, q string) (string, int) {
	t.Helper()
	b, err := prepare(e, db, q)
	if err != nil {
		t.Fatal(err)
	}
	var out string
	var visited int
	db.View(func(tx *buntdb.Tx) error {
		x := newExecutor(buntTx{tx}, b, newMeter(nil, DefaultBudget(), false))
		r, err := x.run(b.Stmts[0])
		if err != nil {
			t.Fatal(err)
		}
		out, visited = rowsJSON(r.Rows), x.visited
		return nil
	})
	return out, visited
}

func sortedJSON(rows string) string {
	var r [][]any
	json.Unmarshal([]byte(rows), &r)
	sort.Slice(r, func(i, j int) bool { return fmt.Sprint(r[i]) < fmt.Sprint(r[j]) })
	return rowsJSON(r)
}

func loadNumbers(t testing.TB, e *Engine, db *buntdb.DB, n int) {
	t.Helper()
	mustExec(t, e, db, "CREATE TABLE nums (id int PRIMARY KEY, v int, s text, f double precision)")
	for i := 0; i < n; i += 500 {
		var b strings.Builder
		b.WriteString("INSERT INTO nums VALUES ")
		for j := i; j < i+500 && j < n; j++ {
			if j > i {
				b.WriteString(",")
			}
			// v is a permutation of 0..n-1; every 10th row has a NULL s
			s := fmt.Sprintf("'s%05d'", (j*7919)%n)
			if j%10 == 0 {
				s = "NULL"
			}
			fmt.Fprintf(&b, "(%d, %d, %s, %d.5)", j, (j*7919)%n, s, j%100)
		}
		mustExec(t, e, db, b.String())
	}
}

func TestPlanner(t *testing.T) {
	e := NewEngine(DefaultLimits())
	db := openDB(t)
	const n = 2000
	loadNumbers(t, e, db, n)
	mustExec(t, e, db, "CREATE INDEX nums_v ON nums (v); CREATE INDEX nums_s ON nums (s); CREATE INDEX nums_f ON nums (f)")
	mustExec(t, e, db, "CREATE TABLE plain (id int, v int, s text, f double precision); INSERT INTO plain SELECT * FROM nums")
	cases := []struct {
		q       string
		plan    string // substring of EXPLAIN
		maxSeen int
	}{
		{"SELECT id FROM nums WHERE id = 42", "Primary Key Lookup on nums (id = 42)", 1},
		{"SELECT id FROM nums WHERE id IN (3, 1, 2, 3)", "Primary Key Lookup on nums (id IN (3, 1, 2, 3))", 3},
		{"SELECT id FROM nums WHERE id BETWEEN 10 AND 19", "Primary Key Scan on nums (id >= 10 AND id <= 19)", 10},
		{"SELECT id FROM nums WHERE id > 1990", "Primary Key Scan on nums (id > 1990)", 10},
		{"SELECT id FROM nums WHERE id < 5 ORDER BY id DESC", "Primary Key Scan Backward on nums (id < 5)", 6},
		{"SELECT id FROM nums WHERE v = 7919 % 2000", "Index Scan using nums_v on nums (v = 1919)", 1},
		{"SELECT id FROM nums WHERE v >= 100 AND v < 110", "Index Scan using nums_v on nums (v >= 100 AND v < 110)", 11},
		{"SELECT id FROM nums WHERE v IN (5, 6)", "Index Scan using nums_v on nums (v IN (5, 6))", 2},
		{"SELECT id FROM nums WHERE s = 's00042'", "Index Scan using nums_s on nums (s = 's00042')", 1},
		{"SELECT id FROM nums WHERE f = 3.5", "Index Scan using nums_f on nums (f = 3.5)", 20},
		{"SELECT v FROM nums ORDER BY v LIMIT 3", "Index Scan using nums_v on nums (ordered)", 3},
		{"SELECT v FROM nums ORDER BY v DESC LIMIT 3", "Index Scan Backward using nums_v on nums (ordered)", 3},
		{"SELECT id FROM nums ORDER BY id LIMIT 5 OFFSET 5", "Primary Key Scan on nums (ordered)", 10},
		{"SELECT id FROM nums WHERE v + 0 = 5", "Seq Scan on nums", n},
		{"SELECT count(*) FROM nums WHERE s IS NULL", "Seq Scan on nums", n},
	}
	for _, c := range cases {
		plan := explainText(t, e, db, c.q)
		if !strings.Contains(plan, c.plan) {
			t.Errorf("%s:\nplan %q\nwant %q", c.q, plan, c.plan)
		}
		got, seen := visitedRows(t, e, db, c.q)
		if seen > c.maxSeen {
			t.Errorf("%s: visited %d rows, want <= %d", c.q, seen, c.maxSeen)
		}
		// The same query on an unindexed copy gives the same rows.
		plain, _ := visitedRows(t, e, db, strings.Replace(c.q, "FROM nums", "FROM plain", 1))
		if !strings.Contains(c.q, "ORDER BY") {
			got, plain = sortedJSON(got), sortedJSON(plain)
		}
		if got != plain {
			t.Errorf("%s:\nindexed %s\nplain   %s", c.q, got, plain)
		}
	}
	// Index and sequential answers agree, including NULL placement.
	for _, q := range []string{
		"SELECT s FROM nums ORDER BY s LIMIT 20",
		"SELECT s FROM nums ORDER BY s DESC LIMIT 20",
		"SELECT s FROM nums ORDER BY s",
		"SELECT s FROM nums ORDER BY s DESC",
		"SELECT id FROM nums WHERE s >= 's01990' ORDER BY s, id",
		"SELECT id FROM nums WHERE s < 's00010' ORDER BY s DESC",
		"SELECT id FROM nums WHERE v BETWEEN 10 AND 20 ORDER BY v DESC",
		"SELECT id FROM nums WHERE f > 98 AND f <= 99.5 ORDER BY id",
		"SELECT id FROM nums WHERE v IN (1, 2, 3) ORDER BY v DESC",
	} {
		withIdx, _ := visitedRows(t, e, db, q)
		seq, _ := visitedRows(t, e, db, strings.Replace(q, "FROM nums", "FROM plain", 1))
		if withIdx != seq {
			t.Errorf("%s:\nindex %s\nseq   %s", q, withIdx, seq)
		}
	}
}

func TestJoinLookupPlan(t *testing.T) {
	e := NewEngine(DefaultLimits())
	db := openDB(t)
	loadNumbers(t, e, db, 1000)
	mustExec(t, e, db, "CREATE TABLE refs (rid int PRIMARY KEY, num int); INSERT INTO refs VALUES (1, 10), (2, 20), (3, 999), (4, 5000)")
	q := "SELECT r.rid, n.v FROM refs r JOIN nums n ON n.id = r.num ORDER BY r.rid"
	plan := explainText(t, e, db, q)
	if !strings.Contains(plan, "Primary Key Lookup on nums n (id = outer.2)") {
		t.Fatalf("plan:\n%s", plan)
	}
	got, seen := visitedRows(t, e, db, q)
	if got != `[[1,9790],[2,8580],[3,8081]]` && seen > 10 {
		t.Fatalf("got %s visited %d", got, seen)
	}
	if seen > 10 {
		t.Fatalf("join visited %d rows", seen)
	}
	left, _ := visitedRows(t, e, db, "SELECT r.rid, n.v FROM refs r LEFT JOIN nums n ON n.id = r.num ORDER BY r.rid")
	if !strings.HasSuffix(left, `[4,null]]`) {
		t.Fatalf("left join lookup: %s", left)
	}
}

func TestPointLookup100k(t *testing.T) {
	if testing.Short() {
		t.Skip("loads 100k rows")
	}
	e := NewEngine(DefaultLimits())
	db := openDB(t)
	loadNumbers(t, e, db, 100000)
	mustExec(t, e, db, "CREATE INDEX nums_v ON nums (v)")
	got, seen := visitedRows(t, e, db, "SELECT id FROM nums WHERE v = 7919")
	if got != `[[1]]` || seen != 1 {
		t.Fatalf("indexed lookup: %s after visiting %d rows", got, seen)
	}
	_, seen = visitedRows(t, e, db, "SELECT id FROM nums WHERE s = 's07919'")
	if seen != 100000 {
		t.Fatalf("unindexed lookup visited %d rows", seen)
	}
}

func TestRestoreIndexes(t *testing.T) {
	e := NewEngine(DefaultLimits())
	db := openDB(t)
	loadNumbers(t, e, db, 3000)
	mustExec(t, e, db, "CREATE INDEX nums_v ON nums (v); CREATE TABLE u (id int PRIMARY KEY, email text UNIQUE); INSERT INTO u VALUES (1, 'a')")
	queries := []string{
		"SELECT id, v FROM nums WHERE v BETWEEN 100 AND 120 ORDER BY v",
		"SELECT count(*) FROM nums WHERE v < 1000",
		"SELECT * FROM nums WHERE v = 7919 % 3000",
	}
	var before []string
	for _, q := range queries {
		r, _ := visitedRows(t, e, db, q)
		before = append(before, r)
	}
	var buf bytes.Buffer
	if err := db.Save(&buf); err != nil {
		t.Fatal(err)
	}
	fresh := openDB(t)
	if err := fresh.Load(&buf); err != nil {
		t.Fatal(err)
	}
	if err := fresh.Update(func(tx *buntdb.Tx) error { return RestoreIndexes(buntTx{tx}) }); err != nil {
		t.Fatal(err)
	}
	var idx []string
	fresh.View(func(tx *buntdb.Tx) error { idx, _ = tx.Indexes(); return nil })
	if !reflect.DeepEqual(idx, []string{"sql:nums_v", "sql:u_email_key"}) {
		t.Fatalf("indexes after restore: %v", idx)
	}
	if plan := explainText(t, e, fresh, queries[0]); !strings.Contains(plan, "Index Scan using nums_v") {
		t.Fatalf("plan after restore: %s", plan)
	}
	for i, q := range queries {
		r, seen := visitedRows(t, e, fresh, q)
		if r != before[i] {
			t.Errorf("%s: before %s after %s", q, before[i], r)
		}
		if i == 2 && seen != 1 {
			t.Errorf("lookup after restore visited %d rows", seen)
		}
	}
	// Unique constraints are enforced after restore too.
	if _, err := execSQL(e, fresh, "INSERT INTO u VALUES (2, 'a')"); sqlState(err) != StateUniqueViolation {
		t.Fatalf("want 23505 after restore, got %v", err)
	}
	if !reflect.DeepEqual(dump(t, db), dump(t, fresh)) {
		t.Fatal("restored state differs")
	}
}
