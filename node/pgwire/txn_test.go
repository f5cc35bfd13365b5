package pgwire_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/raftplay/raftplay/node/pgwire"
	"github.com/raftplay/raftplay/web/clustertest"
)

// Each transaction statement answers PostgreSQL's command tag.
func TestTransactionTags(t *testing.T) {
	c := connect(t, singleNode(t))
	x := ctx(t)
	for _, tc := range []struct{ sql, tag string }{
		{"BEGIN", "BEGIN"},
		{"COMMIT", "COMMIT"},
		{"START TRANSACTION", "START TRANSACTION"},
		{"END", "COMMIT"},
		{"BEGIN ISOLATION LEVEL SERIALIZABLE", "BEGIN"},
		{"SAVEPOINT a", "SAVEPOINT"},
		{"RELEASE SAVEPOINT a", "RELEASE"},
		{"SAVEPOINT b", "SAVEPOINT"},
		{"ROLLBACK TO SAVEPOINT b", "ROLLBACK"},
		{"ROLLBACK TO b", "ROLLBACK"},
		{"RELEASE b", "RELEASE"},
		{"ABORT", "ROLLBACK"},
		{"start transaction read write", "START TRANSACTION"},
		{"ROLLBACK", "ROLLBACK"},
	} {
		tag, err := c.Exec(x, tc.sql)
		if err != nil || tag.String() != tc.tag {
			t.Errorf("%s: tag %q, %v; want %q", tc.sql, tag, err, tc.tag)
		}
	}
	for _, tc := range []struct{ sql, code string }{
		{"SAVEPOINT a", "25P01"},
		{"ROLLBACK TO a", "25P01"},
		{"RELEASE a", "25P01"},
	} {
		if _, err := c.Exec(x, tc.sql); sqlState(err) != tc.code {
			t.Errorf("%s outside a block: %v, want %s", tc.sql, err, tc.code)
		}
	}
}

// pgCluster is a three-node cluster with a Postgres server in front of every node; the
// targets are the leader's and a follower's.
func pgCluster(t *testing.T) (*clustertest.Cluster, map[string]string) {
	cl := clustertest.Start(t, 3)
	targets := map[string]string{}
	for _, n := range cl.Nodes() {
		_, a := serve(t, n, pgwire.Options{})
		switch n {
		case cl.Leader():
			targets["leader"] = a
		case cl.Followers()[0]:
			targets["follower"] = a
		}
	}
	return cl, targets
}

// TestInteractiveTransaction: inside a block every statement runs at once on the block's
// view, with its real result, on the leader and on a follower alike.
func TestInteractiveTransaction(t *testing.T) {
	cl, targets := pgCluster(t)
	for name, addr := range targets {
		t.Run(name, func(t *testing.T) {
			x := ctx(t)
			c, other := connect(t, addr), connect(t, addr)
			table := "acct_" + name
			mustExec(t, c, "CREATE TABLE "+table+" (id serial PRIMARY KEY, owner text UNIQUE, balance int)")
			mustExec(t, c, "INSERT INTO "+table+" (owner, balance) VALUES ('ann', 100), ('bob', 50)")
			cl.WaitConverged() // other sessions' statements are described on the node's own state
			balanceOf := func(q interface {
				QueryRow(context.Context, string, ...any) pgx.Row
			}, owner string) int {
				var b int
				if err := q.QueryRow(x, "SELECT balance FROM "+table+" WHERE owner = $1", owner).Scan(&b); err != nil {
					t.Fatalf("balance of %s: %v", owner, err)
				}
				return b
			}

			tx, err := c.Begin(x)
			if err != nil {
				t.Fatal(err)
			}
			var id int
			var owner string
			if err := tx.QueryRow(x, "INSERT INTO "+table+" (owner, balance) VALUES ($1, $2) RETURNING id, owner", "cat", 7).Scan(&id, &owner); err != nil || id != 3 || owner != "cat" {
				t.Fatalf("INSERT ... RETURNING in a block: %d %q %v", id, owner, err)
			}
			tag, err := tx.Exec(x, "UPDATE "+table+" SET balance = balance + 1 WHERE balance < $1", 100)
			if err != nil || tag.String() != "UPDATE 2" {
				t.Fatalf("UPDATE in a block: %q %v, want UPDATE 2", tag, err)
			}
			if b := balanceOf(tx, "cat"); b != 8 {
				t.Fatalf("the block reads %d for its own row, want 8", b)
			}
			if b := balanceOf(other, "bob"); b != 50 {
				t.Fatalf("another session reads %d of an open block's update, want 50", b)
			}
			var n int
			if err := tx.QueryRow(x, "DELETE FROM "+table+" WHERE owner = 'ann' RETURNING balance").Scan(&n); err != nil || n != 100 {
				t.Fatalf("DELETE ... RETURNING: %d %v", n, err)
			}
			if err := tx.Commit(x); err != nil {
				t.Fatal(err)
			}
			if err := other.QueryRow(x, "SELECT count(*), sum(balance) FROM "+table).Scan(&n, &id); err != nil || n != 2 || id != 59 {
				t.Fatalf("after COMMIT another session sees %d rows summing to %d, %v; want 2, 59", n, id, err)
			}

			t.Run("error at the statement", func(t *testing.T) {
				tx, _ := c.Begin(x)
				mustExec(t, tx, "UPDATE "+table+" SET balance = 0")
				_, err := tx.Exec(x, "INSERT INTO "+table+" (owner, balance) VALUES ('bob', 1)")
				if sqlState(err) != "23505" {
					t.Fatalf("duplicate key in a block: %v, want 23505 at the statement", err)
				}
				if _, err := tx.Exec(x, "SELECT 1"); sqlState(err) != "25P02" {
					t.Fatalf("after the error: %v, want 25P02", err)
				}
				if err := tx.Rollback(x); err != nil {
					t.Fatal(err)
				}
				if b := balanceOf(c, "bob"); b != 51 {
					t.Fatalf("bob has %d after ROLLBACK, want 51", b)
				}
			})

			t.Run("error position", func(t *testing.T) {
				tx, _ := c.Begin(x)
				mustExec(t, tx, "UPDATE "+table+" SET balance = balance WHERE owner = 'bob'")
				_, err := tx.Exec(x, "SELECT nocol FROM "+table)
				var pe *pgconn.PgError
				if !errors.As(err, &pe) || pe.Code != "42703" || pe.Position != 8 {
					t.Fatalf("unknown column in a block: %#v, want 42703 at position 8 of the statement", err)
				}
				tx.Rollback(x)
			})

			t.Run("savepoints", func(t *testing.T) {
				tx, _ := c.Begin(x)
				mustExec(t, tx, "UPDATE "+table+" SET balance = 1 WHERE owner = 'bob'")
				mustExec(t, tx, "SAVEPOINT a")
				mustExec(t, tx, "UPDATE "+table+" SET balance = 2 WHERE owner = 'bob'")
				if b := balanceOf(tx, "bob"); b != 2 {
					t.Fatalf("after the savepoint: %d", b)
				}
				mustExec(t, tx, "ROLLBACK TO SAVEPOINT a")
				if b := balanceOf(tx, "bob"); b != 1 {
					t.Fatalf("after ROLLBACK TO: %d, want 1", b)
				}
				mustExec(t, tx, "SAVEPOINT b")
				if _, err := tx.Exec(x, "INSERT INTO "+table+" (owner) VALUES ('bob')"); sqlState(err) != "23505" {
					t.Fatalf("duplicate: %v", err)
				}
				mustExec(t, tx, "ROLLBACK TO b") // recovers the failed block
				mustExec(t, tx, "RELEASE a")
				if _, err := tx.Exec(x, "ROLLBACK TO b"); sqlState(err) != "3B001" {
					t.Fatalf("ROLLBACK TO a savepoint released with an earlier one: %v, want 3B001", err)
				}
				mustExec(t, tx, "ROLLBACK")
				tx, _ = c.Begin(x)
				mustExec(t, tx, "UPDATE "+table+" SET balance = 1 WHERE owner = 'bob'")
				mustExec(t, tx, "SAVEPOINT a")
				mustExec(t, tx, "UPDATE "+table+" SET balance = 2 WHERE owner = 'bob'")
				mustExec(t, tx, "ROLLBACK TO a")
				if err := tx.Commit(x); err != nil {
					t.Fatal(err)
				}
				if b := balanceOf(other, "bob"); b != 1 {
					t.Fatalf("committed %d, want 1 (the write after the savepoint was rolled back)", b)
				}
			})

			t.Run("schema in a block", func(t *testing.T) {
				tx, _ := c.Begin(x)
				mustExec(t, tx, "CREATE TABLE "+table+"_log (id int PRIMARY KEY, note text)")
				mustExec(t, tx, "INSERT INTO "+table+"_log VALUES (1, 'made in a block')")
				var note string
				if err := tx.QueryRow(x, "SELECT note FROM "+table+"_log WHERE id = $1", 1).Scan(&note); err != nil || note != "made in a block" {
					t.Fatalf("reading a table made in the block: %q %v", note, err)
				}
				if _, err := tx.Exec(x, "CREATE TABLE "+table+"_log (id int)"); sqlState(err) != "42P07" {
					t.Fatalf("existing table in a block: %v, want 42P07 at the statement", err)
				}
				tx.Rollback(x)
				if _, err := other.Exec(x, "SELECT * FROM "+table+"_log"); sqlState(err) != "42P01" {
					t.Fatalf("rolled-back CREATE TABLE: %v", err)
				}
			})
		})
	}
}

func mustExec(t *testing.T, c interface {
	Exec(context.Context, string, ...any) (pgconn.CommandTag, error)
}, q string) {
	t.Helper()
	if _, err := c.Exec(context.Background(), q); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// TestSerializationAnomalies: the classic anomalies of weaker isolation end in 40001 for
// the second committer, never in a wrong state; on the leader and on a follower.
func TestSerializationAnomalies(t *testing.T) {
	cl, targets := pgCluster(t)
	for name, addr := range targets {
		t.Run(name, func(t *testing.T) {
			x := ctx(t)
			a, b := connect(t, addr), connect(t, addr)
			table := "doctors_" + name
			mustExec(t, a, "CREATE TABLE "+table+" (name text PRIMARY KEY, on_call boolean, shifts int)")
			mustExec(t, a, "INSERT INTO "+table+" VALUES ('alice', true, 0), ('bob', true, 0)")
			cl.WaitConverged() // other sessions' statements are described on the node's own state
			for _, tc := range []struct {
				name string
				// each transaction reads, then writes from what it read
				read, write [2]string
				check       string // must give true after both tried
			}{
				{
					name:  "lost update",
					read:  [2]string{"SELECT shifts FROM " + table + " WHERE name = 'alice'", "SELECT shifts FROM " + table + " WHERE name = 'alice'"},
					write: [2]string{"UPDATE " + table + " SET shifts = 1 WHERE name = 'alice'", "UPDATE " + table + " SET shifts = 1 WHERE name = 'alice'"},
					check: "SELECT shifts = 1 FROM " + table + " WHERE name = 'alice'",
				},
				{
					name:  "write skew",
					read:  [2]string{"SELECT count(*) FROM " + table + " WHERE on_call", "SELECT count(*) FROM " + table + " WHERE on_call"},
					write: [2]string{"UPDATE " + table + " SET on_call = false WHERE name = 'alice'", "UPDATE " + table + " SET on_call = false WHERE name = 'bob'"},
					check: "SELECT count(*) = 1 FROM " + table + " WHERE on_call",
				},
			} {
				t.Run(tc.name, func(t *testing.T) {
					ta, _ := a.Begin(x)
					tb, _ := b.Begin(x)
					for i, tx := range []pgx.Tx{ta, tb} {
						var v any
						if err := tx.QueryRow(x, tc.read[i]).Scan(&v); err != nil {
							t.Fatal(err)
						}
						mustExec(t, tx, tc.write[i])
					}
					if err := ta.Commit(x); err != nil {
						t.Fatalf("first commit: %v", err)
					}
					if err := tb.Commit(x); sqlState(err) != "40001" {
						t.Fatalf("second commit: %v, want 40001", err)
					}
					var ok bool
					if err := a.QueryRow(x, tc.check).Scan(&ok); err != nil || !ok {
						t.Fatalf("%s: %v %v", tc.check, ok, err)
					}
				})
			}

			t.Run("read after a concurrent commit", func(t *testing.T) {
				tb, _ := b.Begin(x)
				var shifts int
				if err := tb.QueryRow(x, "SELECT shifts FROM "+table+" WHERE name = 'bob'").Scan(&shifts); err != nil {
					t.Fatal(err)
				}
				mustExec(t, a, "UPDATE "+table+" SET shifts = shifts + 1 WHERE name = 'bob'")
				// What the block already read no longer holds: its next statement fails.
				if _, err := tb.Exec(x, "SELECT 1"); sqlState(err) != "40001" {
					t.Fatalf("statement after a concurrent change: %v, want 40001", err)
				}
				tb.Rollback(x)
			})
		})
	}
}

// TestConcurrentIncrements: clients that read a counter and write back what they read
// plus one, retrying on 40001, lose no increment.
func TestConcurrentIncrements(t *testing.T) {
	cl, targets := pgCluster(t)
	x := ctx(t)
	setup := connect(t, targets["leader"])
	mustExec(t, setup, "CREATE TABLE counter (id int PRIMARY KEY, n int)")
	mustExec(t, setup, "INSERT INTO counter VALUES (1, 0)")
	cl.WaitConverged() // statements are described on the follower's own state
	const clients, each = 4, 10
	var wg sync.WaitGroup
	var mu sync.Mutex
	conflicts := 0
	for i := 0; i < clients; i++ {
		addr := targets["leader"]
		if i%2 == 1 {
			addr = targets["follower"]
		}
		c := connect(t, addr)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for done := 0; done < each; {
				err := pgx.BeginFunc(x, c, func(tx pgx.Tx) error {
					var n int
					if err := tx.QueryRow(x, "SELECT n FROM counter WHERE id = 1").Scan(&n); err != nil {
						return err
					}
					_, err := tx.Exec(x, "UPDATE counter SET n = $1 WHERE id = 1", n+1)
					return err
				})
				switch {
				case err == nil:
					done++
				case sqlState(err) == "40001":
					mu.Lock()
					conflicts++
					mu.Unlock()
				default:
					t.Errorf("increment: %v", err)
					return
				}
			}
		}()
	}
	wg.Wait()
	var n int
	if err := setup.QueryRow(x, "SELECT n FROM counter WHERE id = 1").Scan(&n); err != nil || n != clients*each {
		t.Fatalf("counter %d, %v; want %d", n, err, clients*each)
	}
	t.Logf("%d increments, %d retried after 40001", n, conflicts)
}

// TestTransactionBlockLimit: a block that grows past the engine's request limits gets the
// limit error at the statement that does, and nothing of it is applied.
func TestTransactionBlockLimit(t *testing.T) {
	c := connect(t, singleNode(t))
	x := ctx(t)
	mustExec(t, c, "CREATE TABLE lim (id int PRIMARY KEY)")
	tx, _ := c.Begin(x)
	var err error
	n := 0
	for ; n < 1000 && err == nil; n++ {
		_, err = tx.Exec(x, "INSERT INTO lim VALUES ($1)", n)
	}
	if sqlState(err) != "54000" || n != 101 {
		t.Fatalf("statement %d of the block: %v, want 54000 at statement 101 (the engine's 100-statement limit)", n, err)
	}
	if _, err := tx.Exec(x, "SELECT 1"); sqlState(err) != "25P02" {
		t.Fatalf("after the limit: %v", err)
	}
	tx.Rollback(x)
	if err := c.QueryRow(x, "SELECT count(*) FROM lim").Scan(&n); err != nil || n != 0 {
		t.Fatalf("%d rows of the refused block, %v", n, err)
	}
}
