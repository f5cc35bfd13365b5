package sql

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// answer is what PostgreSQL 15 says to one statement, as the oracle in web/oracle found it.
type answer struct {
	sql   string
	types string // result column types, comma-separated (optional)
	rows  string // JSON rows (optional)
	state string // expected SQLSTATE of the error
}

// checkAnswers runs each statement on a fresh database after setup and compares.
func checkAnswers(t *testing.T, setup string, cases []answer) {
	t.Helper()
	e := NewEngine(DefaultLimits())
	for _, c := range cases {
		t.Run(c.sql, func(t *testing.T) {
			db := openDB(t)
			if setup != "" {
				mustExec(t, e, db, setup)
			}
			res, err := execSQL(e, db, c.sql)
			if c.state != "" || err != nil {
				if got := sqlState(err); got != c.state {
					t.Fatalf("want SQLSTATE %q, got %v", c.state, err)
				}
				return
			}
			last := res[len(res)-1]
			if c.types != "" {
				var got []string
				for _, col := range last.Columns {
					got = append(got, col.Type)
				}
				if g := strings.Join(got, ","); g != c.types {
					t.Errorf("types:\n got %s\nwant %s", g, c.types)
				}
			}
			if c.rows != "" {
				if g := rowsJSON(last.Rows); g != c.rows {
					t.Errorf("rows:\n got %s\nwant %s", g, c.rows)
				}
			}
		})
	}
}

func TestIntegerLiteralTypes(t *testing.T) {
	checkAnswers(t, "", []answer{
		{sql: "SELECT 1, 2147483647, 2147483648, -2147483648, -2147483649", types: "integer,integer,bigint,integer,bigint"},
		{sql: "SELECT -2147483648 - 1", state: StateOutOfRange},
		{sql: "SELECT -2147483648 / -1", state: StateOutOfRange},
		{sql: "SELECT -2147483648 % -1", types: "integer", rows: `[[0]]`},
		{sql: "SELECT abs(-2147483648)", state: StateOutOfRange},
		{sql: "SELECT -9223372036854775808", types: "bigint", rows: `[[-9223372036854775808]]`},
	})
}

func TestSmallintArithmetic(t *testing.T) {
	checkAnswers(t, "CREATE TABLE s (id int PRIMARY KEY, v smallint); INSERT INTO s VALUES (1, 32767), (2, -32768), (3, 7)", []answer{
		{sql: "SELECT 32767::smallint + 0::smallint, 7::smallint / 2::smallint, 7::smallint % 2::smallint, 181::smallint * 181::smallint",
			types: "smallint,smallint,smallint,smallint", rows: `[[32767,3,1,32761]]`},
		{sql: "SELECT 32767::smallint + 1::smallint", state: StateOutOfRange},
		{sql: "SELECT (-32768)::smallint - 1::smallint", state: StateOutOfRange},
		{sql: "SELECT 200::smallint * 200::smallint", state: StateOutOfRange},
		{sql: "SELECT (-32768)::smallint / (-1)::smallint", state: StateOutOfRange},
		{sql: "SELECT -((-32768)::smallint)", state: StateOutOfRange},
		{sql: "SELECT -((-9223372036854775808)::bigint)", state: StateOutOfRange},
		{sql: "SELECT 32767::smallint + 1, 1::smallint * 2::bigint", types: "integer,bigint", rows: `[[32768,2]]`},
		{sql: "SELECT v + v FROM s WHERE id = 1", state: StateOutOfRange},
		{sql: "SELECT v + v, -v FROM s WHERE id = 3", types: "smallint,smallint", rows: `[[14,-7]]`},
		{sql: "SELECT -v FROM s WHERE id = 2", state: StateOutOfRange},
	})
}

func TestNegativeLimitAndOffset(t *testing.T) {
	checkAnswers(t, "CREATE TABLE l (id int PRIMARY KEY); INSERT INTO l VALUES (1), (2)", []answer{
		{sql: "SELECT id FROM l LIMIT -1", state: StateInvalidLimit},
		{sql: "SELECT id FROM l OFFSET -1", state: StateInvalidOffset},
		{sql: "SELECT id FROM l ORDER BY id LIMIT 1 OFFSET 1 - 2", state: StateInvalidOffset},
		{sql: "SELECT id FROM l ORDER BY id OFFSET 1", rows: `[[2]]`},
	})
}

func TestCastsThatDoNotExist(t *testing.T) {
	checkAnswers(t, "CREATE TABLE c (id int PRIMARY KEY, at timestamp, ok boolean)", []answer{
		{sql: "SELECT true::bigint", state: StateCannotCoerce},
		{sql: "SELECT 1::timestamp", state: StateCannotCoerce},
		{sql: "SELECT '2024-01-01'::timestamp::int", state: StateCannotCoerce},
		{sql: "SELECT CAST(at AS integer) FROM c", state: StateCannotCoerce},
		{sql: "SELECT ok::int, 1::boolean FROM c", types: "integer,boolean", rows: `[]`},
	})
}

func TestFunctionCallErrors(t *testing.T) {
	checkAnswers(t, "CREATE TABLE f (id int PRIMARY KEY, at timestamp, name varchar(10))", []answer{
		{sql: "SELECT lower(42)", state: StateUndefinedFunction},
		{sql: "SELECT length(12345)", state: StateUndefinedFunction},
		{sql: "SELECT upper(at) FROM f", state: StateUndefinedFunction},
		{sql: "SELECT upper(NULL), length('abc'), trim(name), lower(name) FROM f", types: "text,integer,text,text", rows: `[]`},
		{sql: "SELECT concat()", state: StateUndefinedFunction},
		{sql: "SELECT concat(1)", types: "text", rows: `[["1"]]`},
		{sql: "SELECT substring('hello' from 2 for 3), substr('hello', -1, 3), substring('hello', 4)", types: "text,text,text", rows: `[["ell","h","lo"]]`},
		{sql: "SELECT substring('hello', 1, -1)", state: "22011"},
		{sql: "SELECT substring('hello' from 'l+')", state: StateUnsupported},
		{sql: "SELECT trim(both 'x' from 'xxhixx'), ltrim(' hi'), rtrim('hi!!', '!'), btrim('  a  ')", rows: `[["hi","hi","hi","a"]]`},
		{sql: "SELECT left('héllo', 2), right('héllo', -2), left('ab', -5), repeat('ab', 3), repeat('x', -1)", rows: `[["hé","llo","","ababab",""]]`},
		{sql: "SELECT replace('abcabc', 'b', 'XY'), replace('abc', '', 'z'), split_part('a,b,,c', ',', 3), split_part('a,b', ',', -1)", rows: `[["aXYcaXYc","abc","","b"]]`},
		{sql: "SELECT split_part('a,b', ',', 0)", state: StateInvalidParameter},
		{sql: "SELECT position('lo' in 'héllo'), strpos('abc', 'x'), strpos('abc', '')", types: "integer,integer,integer", rows: `[[4,0,1]]`},
		{sql: "SELECT concat_ws(',', 'a', NULL, 1, true), concat_ws(NULL, 'a')", rows: `[["a,1,true",null]]`},
		{sql: "SELECT left(1234, 2)", state: StateUndefinedFunction},
		{sql: "SELECT repeat('x', 100000000)", state: StateLimitExceeded},
		{sql: "SELECT mod(7, 3), mod(-7, 3), mod(7.5, 2), power(2, 10), trunc(2.789, 1), trunc(-2.7), trunc(123.4, -1), trunc(-2.7::float8)", types: "integer,integer,numeric,double precision,numeric,numeric,numeric,double precision", rows: `[[1,-1,"1.5",1024,"2.7","-2","120",-2]]`},
		{sql: "SELECT mod(5, 0)", state: StateDivisionByZero},
		{sql: "SELECT mod(5.5::float8, 2)", state: StateUndefinedFunction},
		{sql: "SELECT power(0, -1)", state: StateInvalidPowerArgument},
		{sql: "SELECT power(-8, 0.5::float8)", state: StateInvalidPowerArgument},
		{sql: "SELECT id, string_agg(name, ',') FROM f GROUP BY id", types: "integer,text", rows: `[]`},
		{sql: "SELECT no_such_function(1)", state: StateUndefinedFunction},
	})
}

func TestRefusalsNameTheFeature(t *testing.T) {
	e := NewEngine(DefaultLimits())
	for sql, feature := range map[string]string{
		"SELECT 3 BETWEEN SYMMETRIC 5 AND 1": "BETWEEN SYMMETRIC",
		"SELECT 'ab' SIMILAR TO 'a%'":        "SIMILAR TO",
		"SELECT 1 = ANY('{1,2}')":            "ANY, SOME and ALL",
		"SELECT lpad('abc', 5)":              "function lpad",
		"SELECT current_setting('TimeZone')": "function current_setting",
	} {
		_, err := execSQL(e, openDB(t), sql)
		var se *Error
		if !errors.As(err, &se) || se.SQLState != StateUnsupported || !strings.Contains(se.Message, feature) {
			t.Errorf("%s: want 0A000 naming %q, got %v", sql, feature, err)
		}
	}
}

func TestCaseMappingIsASCII(t *testing.T) {
	checkAnswers(t, "", []answer{
		{sql: "SELECT lower('Hello ÀÉÎ'), upper('straße'), upper('héllo')", rows: `[["hello ÀÉÎ","STRAßE","HéLLO"]]`},
		{sql: "SELECT 'naïve' ILIKE 'NAÏVE', 'NAÏVE' ILIKE 'naÏve', 'ABC' ILIKE 'a_c', 'abc' ~~* 'A%'", rows: `[[false,true,true,true]]`},
	})
}

func TestConstantFoldingStopsWhereEvaluationWould(t *testing.T) {
	checkAnswers(t, "CREATE TABLE lz (id int PRIMARY KEY, x int); INSERT INTO lz VALUES (1, 0), (2, 5)", []answer{
		{sql: "SELECT CASE WHEN false THEN 1/0 ELSE 2 END, CASE WHEN true THEN 2 ELSE 1/0 END", types: "integer,integer", rows: `[[2,2]]`},
		{sql: "SELECT CASE WHEN 1 = 1 THEN 'a' WHEN 1/0 = 1 THEN 'b' END, CASE 1 WHEN 2 THEN 1/0 ELSE 3 END", rows: `[["a",3]]`},
		{sql: "SELECT CASE WHEN NULL THEN 1/0 END", types: "integer", rows: `[[null]]`},
		{sql: "SELECT CASE WHEN true THEN CASE WHEN false THEN 1/0 ELSE 5 END END", rows: `[[5]]`},
		{sql: "SELECT CASE WHEN false THEN 2147483647 + 1 ELSE 1 END", rows: `[[1]]`},
		{sql: "SELECT CASE WHEN true THEN 1 ELSE 1::bigint END", types: "bigint", rows: `[[1]]`},
		{sql: "SELECT coalesce(1, 1/0), coalesce(NULL, 2, 1/0)", rows: `[[1,2]]`},
		{sql: "SELECT false AND 1/0 = 1, true OR 1/0 = 1, NOT (false AND 1/0 = 1)", rows: `[[false,true,true]]`},
		{sql: "SELECT id FROM lz WHERE false AND 1/0 = 1", rows: `[]`},
		{sql: "SELECT id, CASE WHEN x = 0 THEN 0 ELSE 10 / x END FROM lz ORDER BY id", rows: `[[1,0],[2,2]]`},
		{sql: "SELECT coalesce(NULL, 1/0)", state: StateDivisionByZero},
		{sql: "SELECT 1/0 = 1 AND false", state: StateDivisionByZero},
		{sql: "SELECT id, CASE WHEN x = 0 THEN 1/0 ELSE 1 END FROM lz", state: StateDivisionByZero},
		{sql: "SELECT CASE WHEN id > 0 THEN 1 ELSE 1/0 END FROM lz", state: StateDivisionByZero},
		{sql: "SELECT coalesce(x, 1/0) FROM lz", state: StateDivisionByZero},
		{sql: "SELECT CASE WHEN false THEN 'x'::int ELSE 1 END", state: StateInvalidText},
		{sql: "INSERT INTO lz VALUES (3, CASE WHEN false THEN 1/0 ELSE 7 END) RETURNING x", rows: `[[7]]`},
	})
}

// A parameter bound to a constant settles the CASE that guards a division by it.
func TestGuardedDivisionByParameter(t *testing.T) {
	e := NewEngine(DefaultLimits())
	db := openDB(t)
	res, err := execSQL(e, db, "SELECT CASE WHEN $1 = 0 THEN 0 ELSE 10 / $1 END", int64(0))
	if err != nil {
		t.Fatal(err)
	}
	if g := rowsJSON(res[0].Rows); g != `[[0]]` {
		t.Errorf("got %s, want [[0]]", g)
	}
}

func TestJoinsFilterAsSoonAsTheyCan(t *testing.T) {
	setup := `CREATE TABLE a (id int PRIMARY KEY, v int); CREATE TABLE b (id int PRIMARY KEY, a_id int, v int); CREATE TABLE c (id int PRIMARY KEY, w int);
		INSERT INTO a VALUES (1, 10), (2, 20), (3, 30); INSERT INTO b VALUES (1, 1, 5), (2, 1, 7), (3, 2, 9); INSERT INTO c VALUES (1, 100), (2, 200)`
	checkAnswers(t, setup, []answer{
		{sql: "SELECT a.id, b.id, c.id FROM a LEFT JOIN b ON b.a_id = a.id, c WHERE b.id IS NULL AND c.id = 1", rows: `[[3,null,1]]`},
		{sql: "SELECT a.id, b.id, c.id FROM a LEFT JOIN b ON b.a_id = a.id AND b.v > 5, c WHERE c.w = 200 ORDER BY 1, 2", rows: `[[1,2,2],[2,3,2],[3,null,2]]`},
		{sql: "SELECT a.id, b.id FROM a LEFT JOIN b ON b.a_id = a.id WHERE coalesce(b.v, 0) < 8 ORDER BY 1, 2", rows: `[[1,1],[1,2],[3,null]]`},
		{sql: "SELECT a.id, b.id, c.id FROM a, b, c WHERE a.id = b.a_id AND c.w = a.v * 10 ORDER BY 1, 2", rows: `[[1,1,1],[1,2,1],[2,3,2]]`},
		{sql: "SELECT count(*) FROM a, b, c WHERE a.v > 10 AND b.v > 5", rows: `[[8]]`},
		{sql: "SELECT a.id, b.id FROM a, b WHERE b.v > 5 AND a.v = 10 ORDER BY 1, 2", rows: `[[1,2],[1,3]]`},
		{sql: "SELECT a.id, b.id FROM a LEFT JOIN b ON b.a_id = a.id WHERE b.v IS NULL", rows: `[[3,null]]`},
	})
}

// Six tables of 61 rows are 5.2e10 combinations: only filtering each level as it joins
// gets through them.
func TestChainOfCommaJoins(t *testing.T) {
	e := NewEngine(DefaultLimits())
	db := openDB(t)
	var b strings.Builder
	for i := 1; i <= 6; i++ {
		fmt.Fprintf(&b, "CREATE TABLE t%d (a%d int PRIMARY KEY, b%d int); INSERT INTO t%d VALUES (0, 0)", i, i, i, i)
		for r := 1; r <= 60; r++ {
			fmt.Fprintf(&b, ", (%d, %d)", r, 61-r)
		}
		b.WriteString(";")
	}
	mustExec(t, e, db, b.String())
	res := mustExec(t, e, db, `SELECT count(*), min(a1), max(a6) FROM t1, t2, t3, t4, t5, t6
		WHERE b1 = a2 AND b2 = a3 AND b3 = a4 AND b4 = a5 AND b5 = a6 AND a1 <= 10`)
	if g := rowsJSON(res[0].Rows); g != `[[11,0,60]]` {
		t.Errorf("got %s", g)
	}
}

func TestJoinsByHashedEquality(t *testing.T) {
	setup := `CREATE TABLE h1 (id int PRIMARY KEY, k bigint, s text, c char(3));
		CREATE TABLE h2 (id int PRIMARY KEY, k smallint, s varchar(5), c char(3));
		INSERT INTO h1 VALUES (1, 1, 'a', 'x'), (2, 2, 'b', 'y '), (3, NULL, NULL, NULL), (4, 2, 'a', 'x');
		INSERT INTO h2 VALUES (10, 2, 'a', 'x  '), (11, 2, 'b', 'y'), (12, NULL, 'c', NULL), (13, 1, 'a', 'x')`
	checkAnswers(t, setup, []answer{
		{sql: "SELECT h1.id, h2.id FROM h1 JOIN h2 ON h2.k = h1.k ORDER BY 1, 2", rows: `[[1,13],[2,10],[2,11],[4,10],[4,11]]`},
		{sql: "SELECT h1.id, h2.id FROM h1 LEFT JOIN h2 ON h2.k = h1.k AND h2.id > 10 ORDER BY 1, 2", rows: `[[1,13],[2,11],[3,null],[4,11]]`},
		{sql: "SELECT h1.id, h2.id FROM h1, h2 WHERE h1.s = h2.s ORDER BY 1, 2", rows: `[[1,10],[1,13],[2,11],[4,10],[4,13]]`},
		{sql: "SELECT h1.id, h2.id FROM h1, h2 WHERE h1.c = h2.c ORDER BY 1, 2", rows: `[[1,10],[1,13],[2,11],[4,10],[4,13]]`},
		{sql: "SELECT h1.id, h2.id FROM h1, h2 WHERE h2.k = h1.k + 1 ORDER BY 1, 2", rows: `[[1,10],[1,11]]`},
		{sql: "SELECT h2.id, h1.id FROM h2, h1 WHERE h1.k = h2.k", rows: `[[10,2],[10,4],[11,2],[11,4],[13,1]]`},
	})
}

// Sixteen tables written in an order that joins unrelated ones first: run in that order,
// the nested loops would build 10^8 combinations and more before any condition applies.
func TestCommaJoinsRunInAConnectedOrder(t *testing.T) {
	e := NewEngine(DefaultLimits())
	db := openDB(t)
	var b strings.Builder
	for i := 1; i <= 16; i++ {
		fmt.Fprintf(&b, "CREATE TABLE t%d (a%d int PRIMARY KEY, b%d int, x%d text); INSERT INTO t%d VALUES ", i, i, i, i, i)
		for r := 0; r < 10; r++ {
			if r > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "(%d, %d, 't%d/%d')", r, (r+1)%10, i, r)
		}
		b.WriteString(";")
	}
	mustExec(t, e, db, b.String())
	order := []int{9, 2, 14, 5, 11, 1, 16, 7, 3, 12, 6, 15, 4, 10, 8, 13}
	var from, where []string
	for _, i := range order {
		from = append(from, fmt.Sprintf("t%d", i))
	}
	for i := 1; i < 16; i++ {
		where = append(where, fmt.Sprintf("b%d = a%d", i, i+1))
	}
	q := fmt.Sprintf("SELECT x1, x16, a9 FROM %s WHERE %s AND a1 = 2", strings.Join(from, ", "), strings.Join(where, " AND "))
	res := mustExec(t, e, db, q)
	if g := rowsJSON(res[0].Rows); g != `[["t1/2","t16/7",0]]` {
		t.Errorf("got %s", g)
	}
	checkAnswers(t, "CREATE TABLE a (id int PRIMARY KEY, v int); CREATE TABLE b (id int PRIMARY KEY, a_id int); CREATE TABLE c (id int PRIMARY KEY, b_id int); "+
		"INSERT INTO a VALUES (1, 10), (2, 20); INSERT INTO b VALUES (1, 2), (2, 1), (3, 1); INSERT INTO c VALUES (1, 3), (2, 3), (3, 9)", []answer{
		{sql: "SELECT a.id, b.id, c.id FROM a, c JOIN b ON c.b_id = b.id WHERE b.a_id = a.id ORDER BY 1, 2, 3", rows: `[[1,3,1],[1,3,2]]`},
		{sql: "SELECT c.id, a.v FROM c, a, b WHERE c.b_id = b.id AND b.a_id = a.id AND a.v > 5 ORDER BY c.id DESC LIMIT 1", rows: `[[2,10]]`},
	})
}

func TestPostgresTypesTheEngineLacks(t *testing.T) {
	checkAnswers(t, "", []answer{
		{sql: "SELECT '2024-01-01'::date", state: StateUnsupported},
		{sql: "SELECT CAST('12:00' AS time)", state: StateUnsupported},
		{sql: "SELECT '1 day'::interval", state: StateUnsupported},
		{sql: "CREATE TABLE q (id uuid PRIMARY KEY)", state: StateUnsupported},
		{sql: "CREATE TABLE q (id int PRIMARY KEY, j jsonb, b bytea)", state: StateUnsupported},
		{sql: "SELECT 1::no_such_type", state: StateUndefinedObject},
		{sql: "SELECT 1::pg_catalog.int4, 'x'::varchar(2)", types: "integer,varchar"},
	})
}

func TestMinMaxOfBoolean(t *testing.T) {
	checkAnswers(t, "CREATE TABLE b (id int PRIMARY KEY, ok boolean)", []answer{
		{sql: "SELECT max(ok) FROM b", state: StateUndefinedFunction},
		{sql: "SELECT id, min(ok) FROM b GROUP BY id", state: StateUndefinedFunction},
		{sql: "SELECT count(ok), min(id) FROM b", types: "bigint,integer", rows: `[[0,null]]`},
	})
}

func TestTimestampArithmetic(t *testing.T) {
	checkAnswers(t, "CREATE TABLE e (id int PRIMARY KEY, at timestamp)", []answer{
		{sql: "SELECT now() - now()", state: StateUnsupported},
		{sql: "SELECT at - '2024-01-01' FROM e", state: StateUnsupported},
		{sql: "SELECT at + '1 day' FROM e", state: StateUnsupported},
		{sql: "SELECT now() - '1 day'", state: StateInvalidDatetime},
		{sql: "SELECT now() + 1", state: StateUndefinedFunction},
		{sql: "SELECT at * 2 FROM e", state: StateUndefinedFunction},
		{sql: "SELECT id FROM e WHERE at > '2024-01-01'", rows: `[]`},
	})
}

func TestGroupByPrimaryKeyDeterminesTheRow(t *testing.T) {
	setup := `CREATE TABLE u (id int PRIMARY KEY, name text, city text); CREATE TABLE o (id int PRIMARY KEY, uid int, amt int);
		CREATE TABLE k2 (a int, b int, v text, PRIMARY KEY (a, b));
		INSERT INTO u VALUES (1, 'ann', 'Oslo'), (2, 'bob', 'Rome'), (3, 'cy', NULL); INSERT INTO o VALUES (10, 1, 5), (11, 1, 7), (12, 2, 1);
		INSERT INTO k2 VALUES (1, 1, 'x'), (1, 2, 'y')`
	checkAnswers(t, setup, []answer{
		{sql: "SELECT u.id, u.name, count(o.id), sum(o.amt) FROM u LEFT JOIN o ON o.uid = u.id GROUP BY u.id ORDER BY u.name",
			rows: `[[1,"ann",2,12],[2,"bob",1,1],[3,"cy",0,null]]`},
		{sql: "SELECT name, city FROM u GROUP BY id HAVING name <> 'bob' ORDER BY 1", rows: `[["ann","Oslo"],["cy",null]]`},
		{sql: "SELECT u.name FROM u JOIN o ON o.uid = u.id GROUP BY u.id ORDER BY u.city DESC", rows: `[["bob"],["ann"]]`},
		{sql: "SELECT o.amt FROM u JOIN o ON o.uid = u.id GROUP BY u.id", state: StateGrouping},
		{sql: "SELECT v FROM k2 GROUP BY a", state: StateGrouping},
		{sql: "SELECT v FROM k2 GROUP BY a, b ORDER BY v", rows: `[["x"],["y"]]`},
	})
}

func TestCommonTypeOfStrings(t *testing.T) {
	checkAnswers(t, "CREATE TABLE s (id int PRIMARY KEY, v varchar(10), c char(4), t text); INSERT INTO s VALUES (1, 'ab', 'x', 'tt')", []answer{
		{sql: "SELECT coalesce(v, t), coalesce(t, v), coalesce(c, v), coalesce(NULL, v, t), coalesce('a', v) FROM s",
			types: "varchar,text,char,varchar,varchar", rows: `[["ab","tt","x   ","ab","a"]]`},
		{sql: "SELECT CASE WHEN true THEN v ELSE t END, CASE WHEN true THEN t ELSE v END, CASE WHEN true THEN v ELSE c END, CASE WHEN true THEN c END, CASE WHEN true THEN v WHEN false THEN t END FROM s",
			types: "text,varchar,char,char,varchar"},
		{sql: "SELECT greatest(v, t), greatest(t, v), least(c, v) FROM s", types: "varchar,text,char"},
		{sql: "SELECT coalesce(c, v) || '|', CASE WHEN true THEN c ELSE v END || '|' FROM s", rows: `[["x|","x|"]]`},
		{sql: "SELECT CASE WHEN id = 1 THEN 1 ELSE 2.5 END, coalesce(NULL, 2, 3::bigint) FROM s", types: "numeric,bigint"},
	})
}

func TestNullIfOfStrings(t *testing.T) {
	checkAnswers(t, "CREATE TABLE s (id int PRIMARY KEY, v varchar(10), c char(4), t text); INSERT INTO s VALUES (1, 'ab', 'x', 'tt')", []answer{
		{sql: "SELECT nullif(v, 'x'), nullif(c, 'x'), nullif(t, v), nullif(v, t), nullif(c, 'y') FROM s",
			types: "text,char,text,text,char", rows: `[["ab",null,"tt","ab","x   "]]`},
		{sql: "SELECT nullif(c, 'x   ') IS NULL, nullif(v, 'ab') IS NULL, nullif(1::smallint, 2) FROM s", types: "boolean,boolean,smallint", rows: `[[true,true,1]]`},
	})
}

func TestMinMaxOfStrings(t *testing.T) {
	checkAnswers(t, "CREATE TABLE s (id int PRIMARY KEY, v varchar(10), c char(4), t text); INSERT INTO s VALUES (1, 'ab', 'x', 'tt'), (2, 'b', 'yy', 'a')", []answer{
		{sql: "SELECT min(v), max(v), min(c), max(c), min(t) FROM s", types: "text,text,char,char,text", rows: `[["ab","b","x   ","yy  ","a"]]`},
		{sql: "SELECT id, max(v) FROM s GROUP BY id ORDER BY id", types: "integer,text", rows: `[[1,"ab"],[2,"b"]]`},
	})
}

// A write joins in the order written, so the rows it inserts, and the serial values they
// get, come in the order every release produced them.
func TestWritesJoinInTheOrderWritten(t *testing.T) {
	e := NewEngine(DefaultLimits())
	db := openDB(t)
	mustExec(t, e, db, `CREATE TABLE a (id int PRIMARY KEY); CREATE TABLE b (id int PRIMARY KEY, a_id int); CREATE TABLE c (id int PRIMARY KEY, b_id int);
		CREATE TABLE out (n serial PRIMARY KEY, a int, b int, c int);
		INSERT INTO a VALUES (1), (2); INSERT INTO b VALUES (1, 2), (2, 1); INSERT INTO c VALUES (1, 2), (2, 1), (3, 2)`)
	mustExec(t, e, db, "INSERT INTO out (a, b, c) SELECT a.id, b.id, c.id FROM c, a, b WHERE b.a_id = a.id AND c.b_id = b.id")
	res := mustExec(t, e, db, "SELECT n, a, b, c FROM out ORDER BY n")
	if g := rowsJSON(res[0].Rows); g != `[[1,1,2,1],[2,2,1,2],[3,1,2,3]]` {
		t.Errorf("got %s", g)
	}
}
