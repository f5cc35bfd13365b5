package sql

import (
	"errors"
	"testing"

	"github.com/tidwall/buntdb"
)

var errRollback = errors.New("rollback")

// FuzzPrepareExecute feeds SQL text through Prepare, the log form and Execute against a
// small fixture; any panic or process crash is a failure. Every write is rolled back.
func FuzzPrepareExecute(f *testing.F) {
	for _, s := range []string{
		"SELECT * FROM people ORDER BY age DESC NULLS LAST LIMIT 2",
		"SELECT city, count(*), avg(age) FROM people GROUP BY city HAVING count(*) > 1",
		"INSERT INTO pets VALUES (5, 2, 'yak') ON CONFLICT DO NOTHING RETURNING *",
		"UPDATE people SET age = age * 2 WHERE name LIKE 'a%' RETURNING id",
		"DELETE FROM pets WHERE pid IN (1, 2) RETURNING kind",
		"BEGIN; CREATE TABLE x (a int PRIMARY KEY, b text UNIQUE); INSERT INTO x VALUES (1, 'a'); COMMIT",
		"SELECT p.name, k.kind FROM people p LEFT JOIN pets k ON k.owner = p.id WHERE p.id BETWEEN 1 AND 3",
		"SELECT CASE WHEN age IS NULL THEN 'x' ELSE age::text END, coalesce(city, '?') FROM people",
		"CREATE INDEX pa ON people (age); EXPLAIN SELECT * FROM people WHERE age > 10 ORDER BY age",
		"ALTER TABLE pets ADD COLUMN n serial; SELECT * FROM raftplay_columns",
		"SELECT 1/0", "SELECT 'a' || 1, -9223372036854775808, 9223372036854775807 + 1",
		"SELECT * FROM information_schema.columns WHERE table_name = 'pets'",
	} {
		f.Add(s)
	}
	e := NewEngine(DefaultLimits())
	db, err := buntdb.Open(":memory:")
	if err != nil {
		f.Fatal(err)
	}
	defer db.Close()
	if _, err := execSQL(e, db, fixture+"; CREATE INDEX pets_kind ON pets (kind)"); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, text string) {
		var b *Batch
		db.View(func(tx *buntdb.Tx) error {
			b, _ = e.Prepare(buntTx{tx}, text, []any{int64(1), "a"}, testNow)
			return nil
		})
		if b == nil {
			return
		}
		p, err := b.Encode()
		if err != nil {
			t.Fatalf("encode: %v", err)
		}
		d, err := DecodeBatch(p)
		if err != nil {
			t.Fatalf("decode of an encoded batch: %v", err)
		}
		db.Update(func(tx *buntdb.Tx) error {
			_, err := e.Execute(buntTx{tx}, d)
			var se *Error
			if err != nil && errors.As(err, &se) && se.SQLState == StateInternal {
				t.Errorf("internal error for %q: %v", text, err)
			}
			return errRollback
		})
	})
}
