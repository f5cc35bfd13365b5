package sql

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tidwall/buntdb"
)

// smallBudget makes over-budget batches cheap to build in tests.
var smallBudget = Budget{RowsExamined: 5_000, RowsWritten: 500, ValueBytes: 4 << 10, WriteBytes: 256 << 10, HeldBytes: 1 << 20}

// budgetDB is a table a of n rows and a table g of one short text row.
func budgetDB(t *testing.T, e *Engine, n int) *buntdb.DB {
	t.Helper()
	db := openDB(t)
	mustExec(t, e, db, "CREATE TABLE a (id int PRIMARY KEY, v text); CREATE TABLE b (id bigint PRIMARY KEY, v text); CREATE TABLE g (id int PRIMARY KEY, v text)")
	for lo := 1; lo <= n; lo += 500 {
		var vals []string
		for i := lo; i <= n && i < lo+500; i++ {
			vals = append(vals, fmt.Sprintf("(%d, 'v%d')", i, i))
		}
		mustExec(t, e, db, "INSERT INTO a VALUES "+strings.Join(vals, ", "))
	}
	mustExec(t, e, db, "INSERT INTO g VALUES (1, 'ab')")
	return db
}

func dryRunOn(db *buntdb.DB) func(fn func(Tx) error) error {
	return func(fn func(Tx) error) error {
		err := db.Update(func(tx *buntdb.Tx) error {
			if err := fn(buntTx{tx}); err != nil {
				return err
			}
			return errors.New("rolled back")
		})
		if err != nil && err.Error() == "rolled back" {
			return nil
		}
		return err
	}
}

func TestBudgetRefusesRunawayWrites(t *testing.T) {
	e := NewEngine(Limits{Budget: smallBudget})
	doubling := strings.Repeat("UPDATE g SET v = v || v; ", 40)
	cases := []struct {
		name, sql, limit string
	}{
		{"cross join insert", "INSERT INTO b SELECT x.id*1000000+y.id*1000+z.id, x.v FROM a x, a y, a z", "rows_examined"},
		{"rows written", "INSERT INTO b SELECT id, v FROM a; INSERT INTO b SELECT id+1000, v FROM a", "rows_written"},
		{"doubling update", doubling, "value_bytes"},
		{"concat in one expression", "UPDATE g SET v = '" + strings.Repeat("x", 100) + "'; INSERT INTO b SELECT 1, " + strings.Repeat("v || ", 100) + "v FROM g", "value_bytes"},
		{"update every row", "UPDATE a SET v = v || 'x'; UPDATE a SET v = v || 'y'", "rows_written"},
		{"write bytes", "UPDATE g SET v = '" + strings.Repeat("x", 4000) + "'; " + strings.Repeat("UPDATE g SET v = v || '';", 70), "write_bytes"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			db := budgetDB(t, e, 300)
			before := dump(t, db)
			b, err := prepare(e, db, tc.sql)
			if err != nil {
				t.Fatal(err)
			}
			// The leader refuses it before it enters the log...
			aerr := e.Admit(b, dryRunOn(db))
			if sqlState(aerr) != StateLimitExceeded || !strings.Contains(aerr.Error(), tc.limit) {
				t.Fatalf("Admit: got %v, want 54000 naming %s", aerr, tc.limit)
			}
			// ...and Apply, given the entry anyway, fails it the same way from its log form,
			// under the budget the batch carries even on an engine with larger limits.
			_, xerr := apply(NewEngine(Limits{}), db, b)
			if sqlState(xerr) != StateLimitExceeded || xerr.Error() != aerr.Error() {
				t.Fatalf("Execute: got %v, want the same error as Admit (%v)", xerr, aerr)
			}
			if got := dump(t, db); fmt.Sprint(got) != fmt.Sprint(before) {
				t.Fatal("a refused batch changed the state")
			}
		})
	}
}

func TestBudgetAdmitsWhatFits(t *testing.T) {
	e := NewEngine(Limits{Budget: smallBudget})
	db := budgetDB(t, e, 50)
	for _, q := range []string{
		"INSERT INTO b SELECT x.id*1000+y.id, x.v FROM a x, a y WHERE y.id <= 4",
		"UPDATE g SET v = v || v",
		"INSERT INTO b VALUES (1, 'x'), (2, 'y')",
		"DELETE FROM a WHERE id > 40",
	} {
		b, err := prepare(e, db, q)
		if err != nil {
			t.Fatal(err)
		}
		if err := e.Admit(b, dryRunOn(db)); err != nil {
			t.Fatalf("%s: Admit: %v", q, err)
		}
		if _, err := apply(e, db, b); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

func TestStaticCostNeedsNoDryRun(t *testing.T) {
	e := NewEngine(Limits{Budget: smallBudget})
	db := budgetDB(t, e, 3)
	never := func(func(Tx) error) error { return errors.New("dry run not expected") }
	var rows []string
	for i := 0; i < 501; i++ {
		rows = append(rows, fmt.Sprintf("(%d, 'x')", 1000+i))
	}
	cases := []struct {
		sql, state string
	}{
		{"INSERT INTO b VALUES (1, 'x'), (2, $1)", ""},
		{"CREATE TABLE c (id int); CREATE INDEX c_id ON c (id); DROP TABLE c", ""},
		{"INSERT INTO b VALUES " + strings.Join(rows, ", "), StateLimitExceeded},
		{"INSERT INTO b VALUES (1, '" + strings.Repeat("x", 5000) + "')", StateLimitExceeded},
	}
	for _, tc := range cases {
		b, err := prepare(e, db, tc.sql, "y")
		if err != nil {
			t.Fatal(err)
		}
		if err := e.Admit(b, never); sqlState(err) != tc.state {
			t.Errorf("%.60s: got %v, want state %q", tc.sql, err, tc.state)
		}
	}
}

func TestBatchWithoutBudgetGetsTheCeiling(t *testing.T) {
	if got := (Budget{}).capped(); got != ceilingBudget() {
		t.Fatalf("empty budget capped to %+v", got)
	}
	huge := Budget{RowsExamined: 1 << 62, RowsWritten: 1, ValueBytes: -1, WriteBytes: 1 << 62, HeldBytes: 1}
	got := huge.capped()
	c := ceilingBudget()
	want := Budget{RowsExamined: c.RowsExamined, RowsWritten: 1, ValueBytes: c.ValueBytes, WriteBytes: c.WriteBytes, HeldBytes: 1}
	if got != want {
		t.Fatalf("capped %+v, want %+v", got, want)
	}
}

func viewOn(db *buntdb.DB) ViewFunc {
	return func(fn func(Tx) error) error {
		return db.View(func(tx *buntdb.Tx) error { return fn(buntTx{tx}) })
	}
}

// TestRunawayReadLeavesTheLockAndStopsOnCancel: a cross join that would run for hours
// copies its table, lets writers in while it runs, and stops soon after its context ends.
func TestRunawayReadLeavesTheLockAndStopsOnCancel(t *testing.T) {
	e := NewEngine(Limits{})
	db := budgetDB(t, e, 2000)
	b, err := prepare(e, db, "SELECT count(*) FROM a x, a y, a z")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := e.Read(ctx, viewOn(db), b)
		done <- err
	}()
	// Writes go through while the read runs: Update waits for the read lock to be free,
	// so a read that kept it would keep them out until the test gave up.
	wrote := make(chan error, 1)
	go func() {
		for i := 0; i < 20; i++ {
			if _, err := execSQL(e, db, "UPDATE g SET v = $1 WHERE id = 1", fmt.Sprint(i)); err != nil {
				wrote <- err
				return
			}
		}
		wrote <- nil
	}()
	select {
	case err := <-wrote:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("writes waited behind the read")
	}
	select {
	case err := <-done:
		t.Fatalf("the runaway read ended by itself: %v", err)
	default:
	}
	cancel()
	err = <-done
	if sqlState(err) != StateQueryCanceled || !errors.Is(err, ErrCanceled) {
		t.Fatalf("got %v, want 57014", err)
	}
}

func TestReadTimeoutIsStatementTimeout(t *testing.T) {
	e := NewEngine(Limits{})
	db := budgetDB(t, e, 500)
	b, err := prepare(e, db, "SELECT count(*) FROM a x, a y, a z")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err = e.Read(ctx, viewOn(db), b)
	if sqlState(err) != StateQueryCanceled || !strings.Contains(err.Error(), "statement timeout") {
		t.Fatalf("got %v, want 57014 statement timeout", err)
	}
}

func TestReadAnswersAlikeUnderAndOffTheLock(t *testing.T) {
	e := NewEngine(Limits{})
	db := budgetDB(t, e, 300)
	mustExec(t, e, db, "CREATE INDEX a_v ON a (v)")
	for _, q := range []string{
		"SELECT count(*), min(x.v), max(y.id) FROM a x, a y WHERE x.id < y.id",
		"SELECT x.v FROM a x JOIN a y ON y.id = x.id + 1 WHERE x.v > 'v2' ORDER BY x.v DESC LIMIT 5",
		"SELECT x.v, count(*) FROM a x, a y WHERE x.v > 'v29' AND y.v < x.v GROUP BY x.v ORDER BY x.v DESC",
		"SELECT name, rows FROM raftplay_tables ORDER BY 1",
		// Tables read only by a subquery, a derived table or a WITH item are copied too.
		"SELECT g.v, (SELECT count(*) FROM a x, a y WHERE x.id < y.id) FROM g",
		"SELECT count(*) FROM g WHERE g.id IN (SELECT x.id FROM a x, a y WHERE x.id < y.id)",
		"SELECT count(*) FROM (SELECT x.id FROM a x, a y WHERE x.id < y.id) d",
		"WITH p AS (SELECT x.id FROM a x, a y WHERE x.id < y.id) SELECT count(*) FROM p UNION ALL SELECT count(*) FROM g",
	} {
		b, err := prepare(e, db, q)
		if err != nil {
			t.Fatal(err)
		}
		want, err := apply(e, db, b) // all under the lock, as Apply would
		if err != nil {
			t.Fatal(err)
		}
		got, err := e.Read(context.Background(), viewOn(db), b)
		if err != nil {
			t.Fatal(err)
		}
		if rowsJSON(got[0].Rows) != rowsJSON(want[0].Rows) {
			t.Errorf("%s: read %s, under the lock %s", q, rowsJSON(got[0].Rows), rowsJSON(want[0].Rows))
		}
	}
}

func TestReadHoldsBoundedMemory(t *testing.T) {
	e := NewEngine(Limits{Budget: Budget{HeldBytes: 64 << 10}})
	db := budgetDB(t, e, 2000)
	b, err := prepare(e, db, "SELECT x.v, y.v FROM a x, a y ORDER BY 1, 2")
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.Read(context.Background(), viewOn(db), b)
	if sqlState(err) != StateLimitExceeded || !strings.Contains(err.Error(), "held_bytes") {
		t.Fatalf("got %v, want 54000 held_bytes", err)
	}
}

// TestLongReadsPace: past paceAfter, a read sleeps as long as it worked since its last
// pause; before it, and under the lock or in Apply, it never sleeps.
func TestLongReadsPace(t *testing.T) {
	clock := time.Unix(0, 0)
	var slept []time.Duration
	m := newMeter(context.Background(), DefaultBudget(), false)
	m.paceAfter = 100 * time.Millisecond
	m.now = func() time.Time { return clock }
	m.sleep = func(_ context.Context, d time.Duration) { slept = append(slept, d); clock = clock.Add(d) }
	for i := 0; i < 6*cancelEvery; i++ {
		if i%cancelEvery == 0 {
			clock = clock.Add(40 * time.Millisecond) // each 1,024 rows take 40 ms
		}
		if err := m.examine(); err != nil {
			t.Fatal(err)
		}
	}
	// Six checks, 40 ms of work apart: the first starts the clock; the second and third
	// are within 100 ms of it; each later one sleeps the 40 ms worked since the last.
	if fmt.Sprint(slept) != "[40ms 40ms 40ms]" {
		t.Fatalf("slept %v", slept)
	}
	for _, m := range []*meter{newMeter(context.Background(), DefaultBudget(), false), newMeter(nil, DefaultBudget(), true)} {
		m.sleep = func(context.Context, time.Duration) { t.Fatal("a read without paceAfter, or Apply, slept") }
		for i := 0; i < 4*cancelEvery; i++ {
			if err := m.examine(); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// TestHugeNumericsCountAsTheyPrint: a numeric of 131,072 digits is a few bytes stored
// and in a row, but its answer is as long as its digits; rows of them stop at the held
// bytes, before an answer of gigabytes is built.
func TestHugeNumericsCountAsTheyPrint(t *testing.T) {
	e := NewEngine(Limits{Budget: Budget{HeldBytes: 1 << 20}})
	db := openDB(t)
	mustExec(t, e, db, "CREATE TABLE big (id int PRIMARY KEY, n numeric)")
	for i := 0; i < 20; i++ {
		mustExec(t, e, db, fmt.Sprintf("INSERT INTO big VALUES (%d, 1e99000)", i))
	}
	b, err := prepare(e, db, "SELECT n FROM big")
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.Read(context.Background(), viewOn(db), b)
	if sqlState(err) != StateLimitExceeded || !strings.Contains(err.Error(), "held_bytes") {
		t.Fatalf("got %v, want 54000 held_bytes", err)
	}
}
