package node

import (
	"errors"
	"testing"
	"time"

	"github.com/hashicorp/raft"

	"github.com/raftplay/raftplay/node/sql"
	"github.com/raftplay/raftplay/node/store"
)

// TestCheckedTransactionEntries: a transaction block's COMMIT entry applies on every
// replica when its results still hold and fails as a whole with 40001, identically
// everywhere, when they do not; a malformed one fails without a panic.
func TestCheckedTransactionEntries(t *testing.T) {
	eng := sql.NewEngine(sql.Limits{})
	var replicas []*store.FSM
	for i := 0; i < 2; i++ {
		f, err := store.New(store.Options{SQL: sqlExtension{eng: eng}})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		replicas = append(replicas, f)
	}
	index := uint64(0)
	applyAll := func(c store.Command) []*store.Result {
		t.Helper()
		data, err := c.Encode()
		if err != nil {
			t.Fatal(err)
		}
		index++
		var out []*store.Result
		for _, f := range replicas {
			out = append(out, f.Apply(&raft.Log{Index: index, Term: 1, Type: raft.LogCommand, Data: data}).(*store.Result))
		}
		if replicas[0].Digest() != replicas[1].Digest() {
			t.Fatalf("replicas differ after entry %d", index)
		}
		return out
	}
	now := time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)
	prepare := func(text string) *sql.Batch {
		t.Helper()
		var b *sql.Batch
		err := replicas[0].View(func(tx *store.Tx) error {
			var e error
			b, e = eng.Prepare(tx, text, nil, now)
			return e
		})
		if err != nil {
			t.Fatalf("prepare %q: %v", text, err)
		}
		return b
	}
	encode := func(b *sql.Batch) []byte {
		p, err := b.Encode()
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, r := range applyAll(store.Command{Op: store.OpSQL, SQL: encode(prepare("CREATE TABLE t (id int PRIMARY KEY, n int); INSERT INTO t VALUES (1, 0)"))}) {
		if r.Err != nil {
			t.Fatal(r.Err)
		}
	}

	// The block as a session runs it: read, then write what it read plus one.
	dryRun := func(fn func(sql.Tx) error) error {
		return replicas[0].DryRun(func(tx *store.Tx) error { return fn(tx) })
	}
	read := "SELECT n FROM t WHERE id = 1"
	block := read + ";\nUPDATE t SET n = 1 WHERE id = 1 RETURNING n"
	_, d1, err := eng.TxnWrite(t.Context(), prepare(read), nil, dryRun)
	if err != nil {
		t.Fatal(err)
	}
	last, d2, err := eng.TxnWrite(t.Context(), prepare(block), []string{d1}, dryRun)
	if err != nil || len(last.Rows) != 1 {
		t.Fatalf("UPDATE ... RETURNING in the block: %+v %v", last, err)
	}
	entry := store.Command{Op: store.OpSQLTxn, SQL: encode(prepare(block)), Expect: sql.CombineDigests([]string{d1, d2})}

	for _, r := range applyAll(entry) {
		if r.Err != nil {
			t.Fatalf("commit whose results hold: %v", r.Err)
		}
	}
	before := replicas[0].Digest()
	// The same entry again: its SELECT now reads 1, not the 0 its client saw.
	for _, r := range applyAll(entry) {
		var se *sql.Error
		if !errors.As(r.Err, &se) || se.SQLState != sql.StateSerialization {
			t.Fatalf("commit whose read changed: %v, want 40001", r.Err)
		}
	}
	if replicas[0].Digest() != before {
		t.Fatal("a failed checked entry changed the state")
	}
	for _, c := range []store.Command{
		{Op: store.OpSQLTxn, SQL: []byte(`{"v":2,"stmts":[null]}`), Expect: "x"},
		{Op: store.OpSQLTxn, SQL: []byte(`"not a batch"`), Expect: "x"},
		{Op: store.OpSQLTxn, SQL: entry.SQL, Expect: "wrong"},
	} {
		for _, r := range applyAll(c) {
			if r.Err == nil {
				t.Fatalf("%s applied", c.SQL)
			}
		}
	}
	if replicas[0].Digest() != before {
		t.Fatal("a bad entry changed the state")
	}
}
