package sql

import (
	"context"
	"strings"
	"testing"
)

// TestSubqueriesAndCompounds checks answers the PostgreSQL oracle corpus also covers,
// here with the errors and limits that only raftplay has.
func TestSubqueriesAndCompounds(t *testing.T) {
	e := NewEngine(DefaultLimits())
	db := openDB(t)
	mustExec(t, e, db, "CREATE TABLE t (a int, b int); INSERT INTO t VALUES (1, 10), (2, 20), (3, NULL), (NULL, 30)")
	cases := []struct{ name, sql, rows, state string }{
		{"scalar", "SELECT (SELECT max(a) FROM t)", `[[3]]`, ""},
		{"scalar empty is null", "SELECT (SELECT a FROM t WHERE false)", `[[null]]`, ""},
		{"scalar many rows", "SELECT (SELECT a FROM t)", "", "21000"},
		{"scalar two columns", "SELECT (SELECT a, b FROM t)", "", "42601"},
		{"correlated", "SELECT a, (SELECT count(*) FROM t x WHERE x.a < t.a) FROM t ORDER BY 1", `[[1,0],[2,1],[3,2],[null,0]]`, ""},
		{"correlated where", "SELECT a FROM t WHERE b > (SELECT min(b) FROM t x WHERE x.a <> t.a) ORDER BY 1", `[[2]]`, ""},
		{"not in with null", "SELECT a FROM t WHERE a NOT IN (SELECT a FROM t WHERE a > 2)", `[[1],[2]]`, ""},
		{"not in null set", "SELECT count(*) FROM t WHERE a NOT IN (SELECT b FROM t)", `[[0]]`, ""},
		{"exists", "SELECT a FROM t WHERE EXISTS (SELECT 1 FROM t x WHERE x.a = t.a + 1) ORDER BY 1", `[[1],[2]]`, ""},
		{"all", "SELECT 4 > ALL (SELECT a FROM t WHERE a IS NOT NULL), 4 > ALL (SELECT a FROM t)", `[[true,null]]`, ""},
		{"any", "SELECT 2 = ANY (SELECT a FROM t), 9 < SOME (SELECT b FROM t)", `[[true,true]]`, ""},
		{"grouped correlated", "SELECT a, count(*), (SELECT count(*) FROM t x WHERE x.a < t.a) FROM t WHERE a IS NOT NULL GROUP BY a HAVING (SELECT t.a) > 1 ORDER BY 1", `[[2,1,1],[3,1,2]]`, ""},
		{"ungrouped outer", "SELECT (SELECT t.b) FROM t GROUP BY a", "", "42803"},
		{"derived", "SELECT s.x FROM (SELECT a + 1 FROM t) s(x) WHERE s.x > 2 ORDER BY 1", `[[3],[4]]`, ""},
		{"union", "SELECT a FROM t UNION SELECT 1 ORDER BY 1", `[[1],[2],[3],[null]]`, ""},
		{"intersect all", "SELECT 1 UNION ALL SELECT 1 INTERSECT ALL SELECT 1", `[[1],[1]]`, ""},
		{"except", "(SELECT a FROM t EXCEPT SELECT 2) ORDER BY 1 DESC LIMIT 2", `[[null],[3]]`, ""},
		{"union types", "SELECT 1 UNION SELECT 'x'", "", "22P02"},
		{"union width", "SELECT 1 UNION SELECT 1, 2", "", "42601"},
		{"values", "VALUES (1, 'a'), (2, NULL) ORDER BY 1 DESC", `[[2,null],[1,"a"]]`, ""},
		{"with twice", "WITH w AS (SELECT a FROM t WHERE a < 3) SELECT count(*) FROM w x, w y", `[[4]]`, ""},
		{"recursive", "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 100) SELECT count(*), sum(n) FROM r", `[[100,5050]]`, ""},
		{"recursive union stops", "WITH RECURSIVE r(n) AS (SELECT 1 UNION SELECT n % 3 + 1 FROM r) SELECT n FROM r ORDER BY 1", `[[1],[2],[3]]`, ""},
		{"series", "SELECT g FROM generate_series(5, 1, -2) g", `[[5],[3],[1]]`, ""},
		{"series step zero", "SELECT * FROM generate_series(1, 5, 0)", "", "22023"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res, err := execSQL(e, db, c.sql)
			if got := sqlState(err); got != c.state {
				t.Fatalf("%s: SQLSTATE %q (%v), want %q", c.sql, got, err, c.state)
			}
			if c.state == "" && rowsJSON(res[0].Rows) != c.rows {
				t.Fatalf("%s: rows %s, want %s", c.sql, rowsJSON(res[0].Rows), c.rows)
			}
		})
	}
}

// TestRunawayRecursionStops: a recursion that never ends, or a series too long, stops at
// the rows-examined limit, in a read as in a write, instead of running until memory is gone.
func TestRunawayRecursionStops(t *testing.T) {
	e := NewEngine(Limits{Budget: smallBudget})
	db := budgetDB(t, e, 10)
	for _, q := range []string{
		"WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r",
		"SELECT count(*) FROM generate_series(1, 1000000000)",
		"INSERT INTO g WITH RECURSIVE r(n) AS (SELECT 2 UNION ALL SELECT n + 1 FROM r) SELECT n, 'x' FROM r",
	} {
		b, err := prepare(e, db, q)
		if err != nil {
			t.Fatal(err)
		}
		if b.Write {
			err = e.Admit(b, dryRunOn(db))
		} else {
			_, err = e.Read(context.Background(), viewOn(db), b)
		}
		if sqlState(err) != StateLimitExceeded || !strings.Contains(err.Error(), "rows_examined") {
			t.Errorf("%s: got %v, want 54000 rows_examined", q, err)
		}
	}
}

// TestCorrelatedReadCancels: a read whose cost is a correlated subquery per row still
// stops on cancellation.
func TestCorrelatedReadCancels(t *testing.T) {
	e := NewEngine(Limits{})
	db := budgetDB(t, e, 3000)
	b, err := prepare(e, db, "SELECT x.id, (SELECT count(*) FROM a y WHERE y.id < x.id) FROM a x")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := e.Read(ctx, viewOn(db), b); sqlState(err) != StateQueryCanceled {
		t.Fatalf("got %v, want 57014", err)
	}
}

func TestAggregateFilterOrderAndBool(t *testing.T) {
	checkAnswers(t, "CREATE TABLE g (k int, s text, b boolean); INSERT INTO g VALUES (1, 'b', true), (1, 'a', NULL), (1, NULL, false), (2, 'c', true), (2, 'c', true)", []answer{
		{sql: "SELECT k, string_agg(s, ',' ORDER BY s DESC), bool_and(b), bool_or(b), every(b) FROM g GROUP BY k ORDER BY k", types: "integer,text,boolean,boolean,boolean",
			rows: `[[1,"b,a",false,true,false],[2,"c,c",true,true,true]]`},
		{sql: "SELECT string_agg(DISTINCT s, '-' ORDER BY s), count(*) FILTER (WHERE b), sum(k) FILTER (WHERE s > 'a') FROM g", rows: `[["a-b-c",3,5]]`},
		{sql: "SELECT string_agg(s, ',') FROM g WHERE false", rows: `[[null]]`},
		{sql: "SELECT bool_and(k) FROM g", state: StateUndefinedFunction},
		{sql: "SELECT string_agg(k, ',') FROM g", state: StateUndefinedFunction},
		{sql: "SELECT count(*) FILTER (WHERE count(*) > 1) FROM g", state: StateGrouping},
		{sql: "SELECT string_agg(DISTINCT s, ',' ORDER BY k) FROM g", state: StateInvalidColumnRef},
		{sql: "SELECT sum(k ORDER BY k) FROM g", state: StateUnsupported},
	})
}

// TestQuantifiedComparisonsCancel: x IN (SELECT ...) compares each outer row with every
// value of the set; a read doing many of those stops on cancellation even when it reads
// fewer rows than the cancellation check's interval (500 + 500 < 1,024).
func TestQuantifiedComparisonsCancel(t *testing.T) {
	e := NewEngine(Limits{})
	db := budgetDB(t, e, 500)
	b, err := prepare(e, db, "SELECT count(*) FROM a x WHERE x.id + 5000 IN (SELECT id FROM a)")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := e.Read(ctx, viewOn(db), b); sqlState(err) != StateQueryCanceled {
		t.Fatalf("got %v, want 57014", err)
	}
}
