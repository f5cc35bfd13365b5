package sql

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/raftplay/raftplay/node/wire"
	"github.com/tidwall/buntdb"
)

func BenchmarkPrepareInsert(b *testing.B) {
	e := NewEngine(DefaultLimits())
	db := openDB(b)
	mustExec(b, e, db, "CREATE TABLE people (id serial PRIMARY KEY, name text NOT NULL, age integer)")
	b.ReportAllocs()
	b.ResetTimer()
	db.View(func(tx *buntdb.Tx) error {
		for i := 0; i < b.N; i++ {
			if _, err := e.Prepare(buntTx{tx}, "INSERT INTO people (name, age) VALUES ('garry', 14)", nil, testNow); err != nil {
				b.Fatal(err)
			}
		}
		return nil
	})
}

func benchExecute(b *testing.B, rows int) {
	e := NewEngine(DefaultLimits())
	db := openDB(b)
	mustExec(b, e, db, "CREATE TABLE people (id serial PRIMARY KEY, name text NOT NULL, age integer)")
	var sb strings.Builder
	sb.WriteString("INSERT INTO people (name, age) VALUES ")
	for i := 0; i < rows; i++ {
		if i > 0 {
			sb.WriteString(", ")
		}
		fmt.Fprintf(&sb, "('name%d', %d)", i, i%90)
	}
	batch, err := prepare(e, db, sb.String())
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		err := db.Update(func(tx *buntdb.Tx) error {
			_, err := e.Execute(buntTx{tx}, batch)
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkExecuteInsert1(b *testing.B)   { benchExecute(b, 1) }
func BenchmarkExecuteInsert100(b *testing.B) { benchExecute(b, 100) }

// 100k rows shared by the lookup benchmarks.
func lookupDB(b *testing.B) (*Engine, *buntdb.DB) {
	e := NewEngine(DefaultLimits())
	db := openDB(b)
	loadNumbers(b, e, db, 100000)
	mustExec(b, e, db, "CREATE INDEX nums_v ON nums (v)")
	return e, db
}

func benchQuery(b *testing.B, e *Engine, db *buntdb.DB, q string, want int) {
	batch, err := prepare(e, db, q)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	db.View(func(tx *buntdb.Tx) error {
		for i := 0; i < b.N; i++ {
			res, err := e.Execute(buntTx{tx}, batch)
			if err != nil {
				b.Fatal(err)
			}
			if len(res[0].Rows) != want {
				b.Fatalf("%d rows", len(res[0].Rows))
			}
		}
		return nil
	})
}

func BenchmarkLookup100k(b *testing.B) {
	e, db := lookupDB(b)
	b.Run("indexed", func(b *testing.B) { benchQuery(b, e, db, "SELECT * FROM nums WHERE v = 7919", 1) })
	b.Run("primary_key", func(b *testing.B) { benchQuery(b, e, db, "SELECT * FROM nums WHERE id = 4242", 1) })
	b.Run("full_scan", func(b *testing.B) { benchQuery(b, e, db, "SELECT * FROM nums WHERE s = 's07919'", 1) })
}

func BenchmarkSelectAll10k(b *testing.B) {
	e := NewEngine(DefaultLimits())
	db := openDB(b)
	loadNumbers(b, e, db, 10000)
	benchQuery(b, e, db, "SELECT * FROM nums", 10000)
}

// BenchmarkSelectAll10kJSON is what POST /v1/sql does for a whole-table SELECT: execute,
// then encode the response, with encoding/json (what the handler falls back to) and with
// AppendResponseJSON into a reused buffer.
func BenchmarkSelectAll10kJSON(b *testing.B) {
	e := NewEngine(DefaultLimits())
	db := openDB(b)
	loadNumbers(b, e, db, 10000)
	batch, err := prepare(e, db, "SELECT * FROM nums")
	if err != nil {
		b.Fatal(err)
	}
	encoders := []struct {
		name string
		enc  func(buf []byte, resp wire.SQLResponse) []byte
	}{
		{"encoding_json", func(buf []byte, resp wire.SQLResponse) []byte {
			w := bytes.NewBuffer(buf)
			if err := json.NewEncoder(w).Encode(resp); err != nil {
				b.Fatal(err)
			}
			return w.Bytes()
		}},
		{"append", func(buf []byte, resp wire.SQLResponse) []byte {
			out, ok := AppendResponseJSON(buf, resp)
			if !ok {
				b.Fatal("not encodable")
			}
			return out
		}},
	}
	for _, enc := range encoders {
		b.Run(enc.name, func(b *testing.B) {
			var buf []byte
			b.ReportAllocs()
			db.View(func(tx *buntdb.Tx) error {
				for b.Loop() {
					res, err := e.Execute(buntTx{tx}, batch)
					if err != nil {
						b.Fatal(err)
					}
					buf = enc.enc(buf[:0], wire.SQLResponse{Results: res, Node: "n1"})
				}
				return nil
			})
			b.SetBytes(int64(len(buf)))
		})
	}
}

// BenchmarkDecodeRow decodes one stored row of the benchmark table.
func BenchmarkDecodeRow(b *testing.B) {
	cols := []Column{{Name: "id", Type: TInt4}, {Name: "v", Type: TInt4}, {Name: "s", Type: TText}, {Name: "f", Type: TFloat8}}
	raw := `[4242,7919,"s07919",42.5]`
	row := make([]any, len(cols))
	dec := newRowDecoder(cols)
	b.Run("fast", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := dec.decodeInto(row, raw); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("gjson", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := decodeRowGJSON(row, raw, cols); err != nil {
				b.Fatal(err)
			}
		}
	})
}
