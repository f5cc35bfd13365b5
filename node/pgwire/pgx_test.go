package pgwire_test

import (
	"errors"
	"math"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/raftplay/raftplay/node/pgwire"
	"github.com/raftplay/raftplay/web/clustertest"
)

func sqlState(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

// TestPGXFollower runs pgx against a follower of a three-node cluster: writes are
// forwarded to the leader by the node, reads answered at the session's consistency.
func TestPGXFollower(t *testing.T) {
	cl := clustertest.Start(t, 3)
	var addr string
	for _, n := range cl.Nodes() {
		_, a := serve(t, n, pgwire.Options{})
		if n == cl.Followers()[0] {
			addr = a
		}
	}
	c, other := connect(t, addr), connect(t, addr)
	x := ctx(t)

	var one int
	if err := c.QueryRow(x, "SELECT $1::int", 1).Scan(&one); err != nil || one != 1 {
		t.Fatalf("SELECT $1::int = %d, %v", one, err)
	}
	if _, err := c.Exec(x, `CREATE TABLE t (id int PRIMARY KEY, s smallint, b bigint, r real, d double precision,
		n numeric, tx text, v varchar(20), ok boolean, ts timestamp, tz timestamptz)`); err != nil {
		t.Fatal(err)
	}

	t.Run("types binary", func(t *testing.T) {
		ts := time.Date(2024, 1, 2, 3, 4, 5, 500000000, time.UTC)
		tag, err := c.Exec(x, "INSERT INTO t VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)",
			1, int16(-7), int64(1)<<40, float32(1.5), 2.25, 3.125, "héllo", "var", true, ts, ts)
		if err != nil || tag.String() != "INSERT 0 1" {
			t.Fatalf("insert: %q %v", tag, err)
		}
		var (
			s      int16
			b      int64
			r      float32
			d, n   float64
			tx, v  string
			ok     bool
			t1, t2 time.Time
		)
		err = c.QueryRow(x, "SELECT s, b, r, d, n, tx, v, ok, ts, tz FROM t WHERE id = $1", 1).Scan(&s, &b, &r, &d, &n, &tx, &v, &ok, &t1, &t2)
		if err != nil {
			t.Fatal(err)
		}
		if s != -7 || b != 1<<40 || r != 1.5 || d != 2.25 || n != 3.125 || tx != "héllo" || v != "var" || !ok || !t1.Equal(ts) || !t2.Equal(ts) {
			t.Fatalf("got %v %v %v %v %v %q %q %v %v %v", s, b, r, d, n, tx, v, ok, t1, t2)
		}
	})

	t.Run("types text", func(t *testing.T) {
		// ExecParams with explicit text formats for every parameter and result.
		params := [][]byte{[]byte("2"), []byte("12"), []byte("-5"), []byte("0.5"), []byte("1e-07"), []byte("12.50"),
			[]byte("it's"), []byte("v"), []byte("f"), []byte("2024-05-06 07:08:09"), []byte("2024-05-06 07:08:09+02")}
		oids := []uint32{23, 21, 20, 700, 701, 1700, 25, 1043, 16, 1114, 1184}
		rr := c.PgConn().ExecParams(x, "INSERT INTO t VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)", params, oids, nil, nil).Read()
		if rr.Err != nil {
			t.Fatal(rr.Err)
		}
		rr = c.PgConn().ExecParams(x, "SELECT id, s, b, r, d, n, tx, v, ok, ts, tz FROM t WHERE id = $1", [][]byte{[]byte("2")}, nil, nil, nil).Read()
		if rr.Err != nil || len(rr.Rows) != 1 {
			t.Fatalf("%v %d rows", rr.Err, len(rr.Rows))
		}
		want := []string{"2", "12", "-5", "0.5", "1e-07", "12.50", "it's", "v", "f", "2024-05-06 07:08:09", "2024-05-06 05:08:09+00"}
		for i, w := range want {
			if got := string(rr.Rows[0][i]); got != w {
				t.Errorf("column %s: %q, want %q", rr.FieldDescriptions[i].Name, got, w)
			}
		}
		wantOIDs := []uint32{23, 21, 20, 700, 701, 1700, 25, 1043, 16, 1114, 1184}
		for i, f := range rr.FieldDescriptions {
			if f.DataTypeOID != wantOIDs[i] {
				t.Errorf("column %s: OID %d, want %d", f.Name, f.DataTypeOID, wantOIDs[i])
			}
		}
		// All results in binary.
		rr = c.PgConn().ExecParams(x, "SELECT id, s, b, ok FROM t WHERE id = $1", [][]byte{{0, 0, 0, 2}}, []uint32{23}, []int16{1}, []int16{1}).Read()
		if rr.Err != nil || len(rr.Rows) != 1 || string(rr.Rows[0][1]) != "\x00\x0c" || string(rr.Rows[0][3]) != "\x00" {
			t.Fatalf("binary: %v %q", rr.Err, rr.Rows)
		}
	})

	// A float64 holds integers exactly only up to 2^53: every bigint above it, and both
	// ends of the range, must come back through the follower (which passes the leader's
	// answers on) digit for digit, in binary and in text.
	t.Run("bigints", func(t *testing.T) {
		if _, err := c.Exec(x, "CREATE TABLE big (id int PRIMARY KEY, b bigint)"); err != nil {
			t.Fatal(err)
		}
		for i, v := range []int64{1 << 40, 1 << 53, 1<<53 + 1, -(1<<53 + 1), math.MaxInt64 - 1, math.MaxInt64, math.MinInt64} {
			var back, got int64
			if err := c.QueryRow(x, "INSERT INTO big VALUES ($1, $2) RETURNING b", i, v).Scan(&back); err != nil || back != v {
				t.Errorf("INSERT ... RETURNING %d: got %d, %v", v, back, err)
			}
			if err := c.QueryRow(x, "SELECT b FROM big WHERE id = $1", i).Scan(&got); err != nil || got != v {
				t.Errorf("SELECT %d in binary: got %d, %v", v, got, err)
			}
			rr := c.PgConn().ExecParams(x, "SELECT b FROM big WHERE id = $1", [][]byte{[]byte(strconv.Itoa(i))}, nil, nil, nil).Read()
			want := strconv.FormatInt(v, 10)
			if rr.Err != nil || len(rr.Rows) != 1 || string(rr.Rows[0][0]) != want {
				t.Errorf("SELECT %d in text: %q, %v", v, rr.Rows, rr.Err)
			}
		}
	})

	t.Run("nulls", func(t *testing.T) {
		if _, err := c.Exec(x, "INSERT INTO t (id, s, tx, ts) VALUES ($1, $2, $3, $4)", 3, nil, nil, nil); err != nil {
			t.Fatal(err)
		}
		var s *int16
		var tx *string
		var ts *time.Time
		if err := c.QueryRow(x, "SELECT s, tx, ts FROM t WHERE id = 3").Scan(&s, &tx, &ts); err != nil || s != nil || tx != nil || ts != nil {
			t.Fatalf("%v %v %v %v", s, tx, ts, err)
		}
	})

	t.Run("errors", func(t *testing.T) {
		_, err := c.Exec(x, "INSERT INTO t (id) VALUES (1)")
		if sqlState(err) != "23505" {
			t.Fatalf("duplicate key: %v", err)
		}
		_, err = c.Exec(x, "SELEC 1")
		var pe *pgconn.PgError
		if !errors.As(err, &pe) || pe.Code != "42601" || pe.Position == 0 {
			t.Fatalf("syntax error: %#v", err)
		}
		if _, err := c.Exec(x, "SELECT * FROM nosuch"); sqlState(err) != "42P01" {
			t.Fatalf("undefined table: %v", err)
		}
		if err := c.QueryRow(x, "SELECT count(*) FROM t").Scan(&one); err != nil {
			t.Fatalf("connection unusable after errors: %v", err)
		}
	})

	t.Run("multiple statements", func(t *testing.T) {
		res, err := c.PgConn().Exec(x, "INSERT INTO t (id) VALUES (10); SELECT id FROM t WHERE id = 10; UPDATE t SET s = 1 WHERE id >= 10").ReadAll()
		if err != nil || len(res) != 3 {
			t.Fatalf("%v, %d results", err, len(res))
		}
		if res[0].CommandTag.String() != "INSERT 0 1" || len(res[1].Rows) != 1 || res[2].CommandTag.String() != "UPDATE 1" {
			t.Fatalf("tags %q %d %q", res[0].CommandTag, len(res[1].Rows), res[2].CommandTag)
		}
	})

	count := func() int {
		var n int
		if err := c.QueryRow(x, "SELECT count(*) FROM t WHERE id >= 100").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}

	t.Run("transaction commit", func(t *testing.T) {
		tx, err := c.Begin(x)
		if err != nil {
			t.Fatal(err)
		}
		if c.PgConn().TxStatus() != 'T' {
			t.Fatalf("status %c", c.PgConn().TxStatus())
		}
		for _, id := range []int{100, 101} {
			if _, err := tx.Exec(x, "INSERT INTO t (id, tx) VALUES ($1, $2)", id, "in tx"); err != nil {
				t.Fatal(err)
			}
		}
		if n := count(); n != 2 {
			t.Fatalf("the block sees %d of its own 2 rows", n)
		}
		if err := other.QueryRow(x, "SELECT count(*) FROM t WHERE id >= 100").Scan(&one); err != nil || one != 0 {
			t.Fatalf("another session sees %d rows of an open block, %v", one, err)
		}
		if err := tx.Commit(x); err != nil {
			t.Fatal(err)
		}
		if n := count(); n != 2 {
			t.Fatalf("%d rows after commit", n)
		}
	})

	t.Run("transaction atomic", func(t *testing.T) {
		tx, _ := c.Begin(x)
		if _, err := tx.Exec(x, "INSERT INTO t (id) VALUES (102)"); err != nil {
			t.Fatal(err)
		}
		if _, err := tx.Exec(x, "INSERT INTO t (id) VALUES (100)"); sqlState(err) != "23505" {
			t.Fatalf("duplicate key inside the block: %v, want 23505 at the statement", err)
		}
		if err := tx.Commit(x); !errors.Is(err, pgx.ErrTxCommitRollback) {
			t.Fatalf("commit of a failed block: %v, want a rollback", err)
		}
		if n := count(); n != 2 {
			t.Fatalf("%d rows: the failed block left a write behind", n)
		}
	})

	t.Run("transaction rollback", func(t *testing.T) {
		tx, _ := c.Begin(x)
		if _, err := tx.Exec(x, "INSERT INTO t (id) VALUES (103)"); err != nil {
			t.Fatal(err)
		}
		if err := tx.Rollback(x); err != nil {
			t.Fatal(err)
		}
		if n := count(); n != 2 {
			t.Fatalf("%d rows after rollback", n)
		}
	})

	t.Run("failed transaction", func(t *testing.T) {
		tx, _ := c.Begin(x)
		if _, err := tx.Exec(x, "SELECT * FROM nosuch"); sqlState(err) != "42P01" {
			t.Fatal(err)
		}
		if c.PgConn().TxStatus() != 'E' {
			t.Fatalf("status %c, want E", c.PgConn().TxStatus())
		}
		if _, err := tx.Exec(x, "SELECT 1"); sqlState(err) != "25P02" {
			t.Fatalf("in failed block: %v", err)
		}
		if err := tx.Rollback(x); err != nil {
			t.Fatal(err)
		}
		if c.PgConn().TxStatus() != 'I' {
			t.Fatalf("status %c after rollback", c.PgConn().TxStatus())
		}
	})

	t.Run("one message block", func(t *testing.T) {
		res, err := c.PgConn().Exec(x, "BEGIN; INSERT INTO t (id) VALUES (104); INSERT INTO t (id) VALUES (105); COMMIT").ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if n := count(); n != 4 {
			t.Fatalf("%d rows, results %v", n, res)
		}
	})

	t.Run("session settings", func(t *testing.T) {
		if _, err := c.Exec(x, "SET raftplay.consistency = 'local'"); err != nil {
			t.Fatal(err)
		}
		var v string
		if err := c.QueryRow(x, "SHOW raftplay.consistency").Scan(&v); err != nil || v != "local" {
			t.Fatalf("%q %v", v, err)
		}
		if _, err := c.Exec(x, "SET raftplay.consistency = 'bogus'"); sqlState(err) != "22023" {
			t.Fatalf("bad value: %v", err)
		}
		for _, q := range []string{"SET extra_float_digits = 3", "SET application_name = 'x'", "SET search_path TO public",
			"SET statement_timeout = '5s'", "SET TIME ZONE 'UTC'", "SET client_encoding TO 'UTF8'", "SET DateStyle = ISO"} {
			if _, err := c.Exec(x, q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		if err := c.QueryRow(x, "SHOW statement_timeout").Scan(&v); err != nil || v != "5s" {
			t.Fatalf("%q %v", v, err)
		}
		c.Exec(x, "SET raftplay.consistency = 'linearizable'")
		if err := c.QueryRow(x, "SELECT count(*) FROM t").Scan(&one); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("simple protocol", func(t *testing.T) {
		var s string
		var n int64
		err := c.QueryRow(x, "SELECT tx, b FROM t WHERE id = $1", pgx.QueryExecModeSimpleProtocol, 1).Scan(&s, &n)
		if err != nil || s != "héllo" || n != 1<<40 {
			t.Fatalf("%q %d %v", s, n, err)
		}
	})
}
