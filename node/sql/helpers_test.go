package sql

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/raftplay/raftplay/node/wire"
	"github.com/tidwall/buntdb"
)

var testNow = time.Date(2024, 5, 6, 7, 8, 9, 123456000, time.UTC)

func openDB(t testing.TB) *buntdb.DB {
	t.Helper()
	db, err := buntdb.Open(":memory:")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// prepare checks text on a read transaction, the way the leader does.
func prepare(e *Engine, db *buntdb.DB, text string, params ...any) (*Batch, error) {
	var b *Batch
	err := db.View(func(tx *buntdb.Tx) error {
		var err error
		b, err = e.Prepare(buntTx{tx}, text, params, testNow)
		return err
	})
	return b, err
}

// apply runs a batch through its log form, on a write tx (rolled back on error) or a
// read tx for read-only batches.
func apply(e *Engine, db *buntdb.DB, b *Batch) ([]wire.SQLResult, error) {
	p, err := b.Encode()
	if err != nil {
		return nil, err
	}
	d, err := DecodeBatch(p)
	if err != nil {
		return nil, err
	}
	var res []wire.SQLResult
	run := func(tx *buntdb.Tx) error {
		var err error
		res, err = e.Execute(buntTx{tx}, d)
		return err
	}
	if d.ReadOnly() {
		err = db.View(run)
	} else {
		err = db.Update(run)
	}
	return res, err
}

func execSQL(e *Engine, db *buntdb.DB, text string, params ...any) ([]wire.SQLResult, error) {
	b, err := prepare(e, db, text, params...)
	if err != nil {
		return nil, err
	}
	return apply(e, db, b)
}

func mustExec(t testing.TB, e *Engine, db *buntdb.DB, text string, params ...any) []wire.SQLResult {
	t.Helper()
	res, err := execSQL(e, db, text, params...)
	if err != nil {
		t.Fatalf("%s: %v", text, err)
	}
	return res
}

func sqlState(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.SQLState
	}
	if err != nil {
		return "not-sql:" + err.Error()
	}
	return ""
}

func rowsJSON(rows [][]any) string {
	if rows == nil {
		rows = [][]any{}
	}
	b, _ := json.Marshal(rows)
	return string(b)
}

// dump returns every key under "sql/" with its value.
func dump(t testing.TB, db *buntdb.DB) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := db.View(func(tx *buntdb.Tx) error {
		return tx.AscendKeys("sql/*", func(k, v string) bool {
			out[k] = v
			return true
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func openChildDB() (*buntdb.DB, error) { return buntdb.Open(":memory:") }
