package sql

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/tidwall/buntdb"
)

func TestBatchIsAtomic(t *testing.T) {
	e := NewEngine(DefaultLimits())
	db := openDB(t)
	mustExec(t, e, db, "CREATE TABLE t (id int PRIMARY KEY, v text)")
	before := dump(t, db)
	_, err := execSQL(e, db, "INSERT INTO t VALUES (1, 'a'); CREATE TABLE u (x int); INSERT INTO t VALUES (1, 'dup')")
	if sqlState(err) != StateUniqueViolation {
		t.Fatalf("want unique violation, got %v", err)
	}
	if after := dump(t, db); !reflect.DeepEqual(before, after) {
		t.Fatalf("failed batch left changes:\nbefore %v\nafter  %v", before, after)
	}
	// The same holds inside BEGIN ... COMMIT.
	_, err = execSQL(e, db, "BEGIN; INSERT INTO t VALUES (2, 'b'); INSERT INTO t VALUES (3, NULL); UPDATE t SET id = 2 WHERE id = 3; COMMIT")
	if sqlState(err) != StateUniqueViolation {
		t.Fatalf("want unique violation, got %v", err)
	}
	if after := dump(t, db); !reflect.DeepEqual(before, after) {
		t.Fatalf("failed transaction left changes")
	}
	var ix []string
	db.View(func(tx *buntdb.Tx) error { ix, _ = tx.Indexes(); return nil })
	if len(ix) != 0 {
		t.Fatalf("rolled back batch left indexes %v", ix)
	}
}

func TestResultsAndTags(t *testing.T) {
	e := NewEngine(DefaultLimits())
	db := openDB(t)
	res := mustExec(t, e, db, "BEGIN; CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t VALUES (1),(2); CREATE INDEX ti ON t (id); SELECT * FROM t; EXPLAIN SELECT * FROM t; DROP INDEX ti; ALTER TABLE t ADD COLUMN x int; UPDATE t SET x = 1; DELETE FROM t; DROP TABLE t; COMMIT")
	var tags []string
	for _, r := range res {
		tags = append(tags, r.Command)
	}
	want := "BEGIN,CREATE TABLE,INSERT 0 2,CREATE INDEX,SELECT 2,EXPLAIN,DROP INDEX,ALTER TABLE,UPDATE 2,DELETE 2,DROP TABLE,COMMIT"
	if got := strings.Join(tags, ","); got != want {
		t.Fatalf("tags\n got %s\nwant %s", got, want)
	}
}

func TestReadOnlyAndSummary(t *testing.T) {
	e := NewEngine(DefaultLimits())
	db := openDB(t)
	mustExec(t, e, db, "CREATE TABLE people (id int PRIMARY KEY, name text)")
	for _, c := range []struct {
		sql      string
		readOnly bool
		summary  string
	}{
		{"SELECT * FROM people", true, "SELECT FROM people"},
		{"EXPLAIN SELECT 1", true, "EXPLAIN"},
		{"INSERT INTO people VALUES (1, 'a'), (2, 'b')", false, "INSERT INTO people (2 rows)"},
		{"BEGIN; UPDATE people SET name = 'x'; COMMIT", false, "UPDATE people"},
		{"BEGIN; DELETE FROM people; ROLLBACK", true, "BEGIN; ROLLBACK"},
	} {
		b, err := prepare(e, db, c.sql)
		if err != nil {
			t.Fatalf("%s: %v", c.sql, err)
		}
		if b.ReadOnly() != c.readOnly {
			t.Errorf("%s: ReadOnly = %v", c.sql, b.ReadOnly())
		}
		if s := b.Summary(); s != c.summary {
			t.Errorf("%s: Summary = %q, want %q", c.sql, s, c.summary)
		}
	}
}

func TestDeterminism(t *testing.T) {
	e := NewEngine(DefaultLimits())
	script := []string{
		"CREATE TABLE t (id serial PRIMARY KEY, v text, r double precision, at timestamptz DEFAULT now())",
		"CREATE TABLE k (a text, b int)",
		"CREATE INDEX kb ON k (b)",
		"INSERT INTO t (v, r) VALUES ('a', random()), ('b', random())",
		"INSERT INTO k VALUES ('x', 1), ('y', 2), ('x', 3)",
		"INSERT INTO k SELECT v, id * 10 FROM t",
		"UPDATE k SET b = b + 1 WHERE a = 'x'",
		"DELETE FROM k WHERE b > 15",
		"ALTER TABLE k ADD COLUMN c serial",
		"INSERT INTO t (v, r) SELECT a, random() FROM k",
	}
	// Prepare once (on the "leader"), apply the encoded entries on two fresh nodes.
	leader := openDB(t)
	var log [][]byte
	for _, s := range script {
		b, err := prepare(e, leader, s)
		if err != nil {
			t.Fatalf("%s: %v", s, err)
		}
		if _, err := apply(e, leader, b); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
		p, err := b.Encode()
		if err != nil {
			t.Fatal(err)
		}
		log = append(log, p)
	}
	var dumps []map[string]string
	for n := 0; n < 2; n++ {
		db := openDB(t)
		for _, p := range log {
			b, err := DecodeBatch(p)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := apply(e, db, b); err != nil {
				t.Fatal(err)
			}
		}
		dumps = append(dumps, dump(t, db))
	}
	if !reflect.DeepEqual(dumps[0], dumps[1]) || !reflect.DeepEqual(dumps[0], dump(t, leader)) {
		t.Fatalf("nodes diverged:\n%v\n%v", dumps[0], dumps[1])
	}
	if len(dumps[0]) < 8 {
		t.Fatalf("suspiciously small state: %v", dumps[0])
	}
}

func TestExecuteRevalidates(t *testing.T) {
	e := NewEngine(DefaultLimits())
	db := openDB(t)
	mustExec(t, e, db, "CREATE TABLE t (id int PRIMARY KEY, v text)")
	ins, err := prepare(e, db, "INSERT INTO t VALUES (1, 'a')")
	if err != nil {
		t.Fatal(err)
	}
	// Another batch drops the table before this one is applied.
	mustExec(t, e, db, "DROP TABLE t")
	if _, err := apply(e, db, ins); sqlState(err) != StateUndefinedTable {
		t.Fatalf("want 42P01, got %v", err)
	}
	// ... or recreates it with other columns.
	mustExec(t, e, db, "CREATE TABLE t (id int PRIMARY KEY, v int)")
	if _, err := apply(e, db, ins); !errors.Is(err, ErrSchemaChanged) {
		t.Fatalf("want schema changed, got %v", err)
	}
	// CREATE TABLE prepared twice: the second apply fails deterministically.
	ct, err := prepare(e, db, "CREATE TABLE n (x int)")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := apply(e, db, ct); err != nil {
		t.Fatal(err)
	}
	if _, err := apply(e, db, ct); sqlState(err) != StateDuplicateTable {
		t.Fatalf("want 42P07, got %v", err)
	}
}

func TestEncodeDecodeRoundTrip(t *testing.T) {
	e := NewEngine(DefaultLimits())
	db := openDB(t)
	mustExec(t, e, db, fixture)
	for _, s := range []string{
		"SELECT p.name, count(*) FROM people p LEFT JOIN pets k ON k.owner = p.id WHERE p.age BETWEEN 1 AND 100 GROUP BY p.name HAVING count(*) > 0 ORDER BY 2 DESC LIMIT 3",
		"INSERT INTO people (name, age) VALUES ('x', 9223372036854775807 / 4294967296), ('y', NULL) RETURNING *",
		"UPDATE people SET age = CASE WHEN age IS NULL THEN 0 ELSE age END WHERE name LIKE 'g%' OR id IN (1, 2)",
		"CREATE TABLE z (a bigint PRIMARY KEY, b varchar(3) DEFAULT 'q', c numeric DEFAULT 1.5, d boolean DEFAULT false)",
	} {
		b, err := prepare(e, db, s)
		if err != nil {
			t.Fatalf("%s: %v", s, err)
		}
		p1, err := b.Encode()
		if err != nil {
			t.Fatal(err)
		}
		d, err := DecodeBatch(p1)
		if err != nil {
			t.Fatal(err)
		}
		p2, err := d.Encode()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(p1, p2) {
			t.Fatalf("round trip differs:\n%s\n%s", p1, p2)
		}
		if !reflect.DeepEqual(b, d) {
			t.Fatalf("decoded batch differs for %s", s)
		}
		if !bytes.Contains(p1, []byte(`"sql":`)) || !bytes.Contains(p1, []byte(`"v":2`)) {
			t.Fatalf("log form lacks text or version: %s", p1)
		}
	}
}

func TestDecodeGarbage(t *testing.T) {
	e := NewEngine(DefaultLimits())
	db := openDB(t)
	inputs := []string{"", "{", "null", "[]", `{"v":3}`, `{"v":1,"stmts":[null]}`, `{"v":1,"stmts":[{"kind":"select"}]}`,
		`{"v":1,"stmts":[{"kind":"select","query":{"out":[{"k":"col","i":99}],"cols":[{"name":"x","type":"integer"}]}}]}`,
		`{"v":1,"stmts":[{"kind":"insert","insert":{"table":{"name":"t"},"cols":[5]}}]}`,
		`{"v":1,"stmts":[{"kind":"select","query":{"out":[{"k":"const","t":"integer","v":"x"}]}}]}`,
		`{"v":1,"stmts":[{"kind":"select","query":{"out":[{"k":"bin","op":"+","t":"integer","a":[{"k":"const","t":"integer","v":1}]}],"cols":[{"name":"x","type":"integer"}]}}]}`,
		`{"v":1,"stmts":[{"kind":"create_table","create_table":{"table":{"name":"a*b","cols":[{"name":"x","type":"nope"}]}}}]}`,
		`{"v":1,"stmts":[{"kind":"create_table","create_table":{"table":{"name":"ab","cols":[{"name":"x","type":"integer"}],"pk":[3]}}}]}`,
	}
	for _, in := range inputs {
		b, err := DecodeBatch([]byte(in))
		if err != nil {
			continue
		}
		err = db.Update(func(tx *buntdb.Tx) error {
			_, err := e.Execute(buntTx{tx}, b)
			return err
		})
		if err == nil && strings.Contains(in, "stmts\":[{") {
			t.Errorf("malformed batch %s executed without error", in)
		}
	}
}

func FuzzDecodeBatch(f *testing.F) {
	f.Add([]byte(`{"v":1,"stmts":[{"kind":"select","tag":"SELECT","query":{"out":[{"k":"const","t":"integer","v":1}],"cols":[{"name":"x","type":"integer"}]}}]}`))
	e := NewEngine(DefaultLimits())
	db := openDB(f)
	mustExec(f, e, db, fixture)
	for _, s := range []string{
		"CREATE TABLE t (a int PRIMARY KEY, b text UNIQUE); CREATE INDEX ta ON t (b); INSERT INTO t VALUES (1, 'x') RETURNING *",
		"SELECT p.name, count(*) FROM people p LEFT JOIN pets k ON k.owner = p.id WHERE p.id IN (1, 2) GROUP BY p.name ORDER BY 2 DESC LIMIT 1",
		"UPDATE people SET age = age + 1 WHERE id BETWEEN 1 AND 3 RETURNING id; DELETE FROM pets WHERE kind LIKE 'c%'",
		"ALTER TABLE pets ADD COLUMN z serial; DROP INDEX IF EXISTS nope; DROP TABLE pets",
	} {
		b, err := prepare(e, db, s)
		if err != nil {
			f.Fatal(err)
		}
		p, _ := b.Encode()
		f.Add(p)
	}
	f.Fuzz(func(t *testing.T, p []byte) {
		b, err := DecodeBatch(p)
		if err != nil {
			return
		}
		db.Update(func(tx *buntdb.Tx) error {
			_, err := e.Execute(buntTx{tx}, b)
			if sqlState(err) == StateInternal {
				t.Errorf("recovered panic: %v", err)
			}
			return errRollback
		})
	})
}

func TestSyntaxErrorPosition(t *testing.T) {
	e := NewEngine(DefaultLimits())
	db := openDB(t)
	for _, c := range []struct {
		sql string
		pos int
	}{
		{"SELECT 1 FROM", 14},
		{"SELECT * FORM people", 10},
		{"SELECT 1; SELECT 1 1", 20},
		{"SELECT 1, 2 FROM FROM", 18},
		{"SELECT nope", 8},
	} {
		_, err := prepare(e, db, c.sql)
		var se *Error
		if !errors.As(err, &se) {
			t.Fatalf("%s: want *Error, got %v", c.sql, err)
		}
		if se.Position != c.pos {
			t.Errorf("%q: position %d, want %d (%v)", c.sql, se.Position, c.pos, err)
		}
	}
}

func TestParamsAreValues(t *testing.T) {
	e := NewEngine(DefaultLimits())
	db := openDB(t)
	mustExec(t, e, db, "CREATE TABLE t (id int PRIMARY KEY, v text)")
	mustExec(t, e, db, "INSERT INTO t VALUES ($1, $2)", 1, "x'); DROP TABLE t; --")
	res := mustExec(t, e, db, "SELECT v FROM t WHERE id = $1", "1")
	if got := rowsJSON(res[0].Rows); got != `[["x'); DROP TABLE t; --"]]` {
		t.Fatalf("got %s", got)
	}
	if _, err := execSQL(e, db, "SELECT $2"); sqlState(err) != StateUndefinedParameter {
		t.Fatalf("want 42P02, got %v", err)
	}
}

func TestDescribe(t *testing.T) {
	e := NewEngine(DefaultLimits())
	db := openDB(t)
	mustExec(t, e, db, fixture)
	db.View(func(tx *buntdb.Tx) error {
		params, cols, err := e.Describe(buntTx{tx}, "SELECT id, name, age * 2 AS dbl FROM people WHERE age > $1 AND name = $2 LIMIT $3")
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(params) != "[integer text bigint]" {
			t.Errorf("params %v", params)
		}
		if fmt.Sprint(cols) != "[{id integer} {name text} {dbl integer}]" {
			t.Errorf("cols %v", cols)
		}
		params, cols, err = e.Describe(buntTx{tx}, "INSERT INTO pets VALUES ($1, $2, $3) RETURNING pid")
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(params) != "[integer integer text]" || fmt.Sprint(cols) != "[{pid integer}]" {
			t.Errorf("insert: params %v cols %v", params, cols)
		}
		return nil
	})
}

func TestTablesListing(t *testing.T) {
	e := NewEngine(DefaultLimits())
	db := openDB(t)
	mustExec(t, e, db, fixture+"; CREATE INDEX pets_kind ON pets (kind)")
	db.View(func(tx *buntdb.Tx) error {
		ts, err := Tables(buntTx{tx})
		if err != nil {
			t.Fatal(err)
		}
		got := fmt.Sprintf("%+v", ts)
		want := "[{Name:people Columns:[{Name:id Type:serial Nullable:false Default:} {Name:name Type:text Nullable:false Default:} {Name:age Type:integer Nullable:true Default:} {Name:city Type:varchar(20) Nullable:true Default:'Paris'}] PrimaryKey:[id] Rows:4 Indexes:[]} {Name:pets Columns:[{Name:pid Type:integer Nullable:false Default:} {Name:owner Type:integer Nullable:true Default:} {Name:kind Type:text Nullable:true Default:}] PrimaryKey:[pid] Rows:4 Indexes:[{Name:pets_kind Columns:[kind] Unique:false}]}]"
		if got != want {
			t.Errorf("Tables:\n got %s\nwant %s", got, want)
		}
		return nil
	})
}

func TestStorageLayout(t *testing.T) {
	e := NewEngine(DefaultLimits())
	db := openDB(t)
	mustExec(t, e, db, "CREATE TABLE people (id int PRIMARY KEY, name text, age int); INSERT INTO people VALUES (1, 'garry', 14), (-2, NULL, 3)")
	d := dump(t, db)
	if v := d["sql/r/people/8000000000000001"]; v != `[1,"garry",14]` {
		t.Fatalf("row 1 stored as %q; keys %v", v, d)
	}
	if v := d["sql/r/people/7ffffffffffffffe"]; v != `[-2,null,3]` {
		t.Fatalf("row -2 stored as %q", v)
	}
	if _, ok := d["sql/c/people"]; !ok {
		t.Fatal("no catalog entry")
	}
	for k := range d {
		if !strings.HasPrefix(k, "sql/") {
			t.Fatalf("key outside sql/: %q", k)
		}
	}
}
