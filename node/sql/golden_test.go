package sql

import (
	"strings"
	"testing"
)

const fixture = `
CREATE TABLE people (id serial PRIMARY KEY, name text NOT NULL, age integer, city varchar(20) DEFAULT 'Paris');
INSERT INTO people (name, age, city) VALUES ('garry', 14, 'Oslo'), ('ann', 31, 'Rome'), ('bob', NULL, 'Oslo'), ('cy', 45, NULL);
CREATE TABLE pets (pid integer PRIMARY KEY, owner integer, kind text);
INSERT INTO pets VALUES (1, 1, 'cat'), (2, 1, 'dog'), (3, 2, 'fish'), (4, 99, 'bird');
`

type golden struct {
	name  string
	setup string // extra statements after the fixture
	sql   string
	cols  string // "name:type,..." (optional)
	rows  string // JSON rows of the last result (optional)
	tag   string // command tag of the last result (optional)
	state string // expected SQLSTATE of the error
}

func TestGolden(t *testing.T) {
	cases := []golden{
		// basics
		{name: "select all", sql: "SELECT * FROM people ORDER BY id", cols: "id:integer,name:text,age:integer,city:varchar",
			rows: `[[1,"garry",14,"Oslo"],[2,"ann",31,"Rome"],[3,"bob",null,"Oslo"],[4,"cy",45,null]]`, tag: "SELECT 4"},
		{name: "no from", sql: "SELECT 1 AS one, 'a' || 'b', 7 / 2, 7 % 3, 7.0 / 2, -2 * 3", cols: "one:integer,?column?:text,?column?:integer,?column?:integer,?column?:numeric,?column?:integer",
			rows: `[[1,"ab",3,1,"3.5000000000000000",-6]]`},
		{name: "division by zero", sql: "SELECT age / 0 FROM people", state: "22012"},
		{name: "const division by zero at prepare", sql: "SELECT 1/0", state: "22012"},
		{name: "int overflow", sql: "SELECT 2147483647 + 1", state: "22003"},
		{name: "bigint ok", sql: "SELECT 2147483647::bigint + 1", rows: `[[2147483648]]`},
		{name: "where and", sql: "SELECT name FROM people WHERE age > 20 AND city = 'Rome'", rows: `[["ann"]]`},
		{name: "null comparison drops row", sql: "SELECT name FROM people WHERE age <> 14 ORDER BY name", rows: `[["ann"],["cy"]]`},
		{name: "three valued or", sql: "SELECT name FROM people WHERE age > 40 OR age IS NULL ORDER BY name", rows: `[["bob"],["cy"]]`},
		{name: "null logic", sql: "SELECT NULL AND false, NULL AND true, NULL OR true, NULL OR false, NOT NULL::boolean", rows: `[[false,null,true,null,null]]`},
		{name: "is null", sql: "SELECT name FROM people WHERE city IS NULL", rows: `[["cy"]]`},
		{name: "is not null count", sql: "SELECT count(*), count(age), count(city) FROM people", cols: "count:bigint,count:bigint,count:bigint", rows: `[[4,3,3]]`},
		{name: "in list", sql: "SELECT name FROM people WHERE id IN (1, 3, 7) ORDER BY id", rows: `[["garry"],["bob"]]`},
		{name: "not in with null", sql: "SELECT name FROM people WHERE id NOT IN (1, NULL)", rows: `[]`},
		{name: "between", sql: "SELECT name FROM people WHERE age BETWEEN 14 AND 31 ORDER BY age", rows: `[["garry"],["ann"]]`},
		{name: "not between", sql: "SELECT name FROM people WHERE age NOT BETWEEN 14 AND 31", rows: `[["cy"]]`},
		{name: "like", sql: "SELECT name FROM people WHERE name LIKE '%a%' ORDER BY name", rows: `[["ann"],["garry"]]`},
		{name: "like underscore", sql: "SELECT name FROM people WHERE name LIKE '_o_'", rows: `[["bob"]]`},
		{name: "ilike", sql: "SELECT name FROM people WHERE name ILIKE 'GA%'", rows: `[["garry"]]`},
		{name: "not like", sql: "SELECT count(*) FROM people WHERE name NOT LIKE 'g%'", rows: `[[3]]`},
		{name: "case", sql: "SELECT name, CASE WHEN age < 18 THEN 'minor' WHEN age >= 18 THEN 'adult' ELSE 'unknown' END FROM people ORDER BY id",
			cols: "name:text,case:text", rows: `[["garry","minor"],["ann","adult"],["bob","unknown"],["cy","adult"]]`},
		{name: "simple case", sql: "SELECT CASE id WHEN 1 THEN 'one' WHEN 2 THEN 'two' END FROM people ORDER BY id", rows: `[["one"],["two"],[null],[null]]`},
		{name: "coalesce", sql: "SELECT coalesce(city, 'nowhere'), coalesce(age, 0) FROM people ORDER BY id", rows: `[["Oslo",14],["Rome",31],["Oslo",0],["nowhere",45]]`},
		{name: "nullif", sql: "SELECT nullif(city, 'Oslo') FROM people ORDER BY id", rows: `[[null],["Rome"],[null],[null]]`},
		{name: "casts", sql: "SELECT '42'::int, CAST('3.5' AS double precision), 7::text, 2.6::integer, 'true'::boolean, '2024-01-02'::timestamp, 1::numeric",
			cols: "int4:integer,float8:double precision,text:text,int4:integer,bool:boolean,timestamp:timestamp,numeric:numeric",
			rows: `[[42,3.5,"7",3,true,"2024-01-02 00:00:00","1"]]`},
		{name: "bad cast text", sql: "SELECT 'abc'::integer", state: "22P02"},
		{name: "numeric to int rounds half away from zero", sql: "SELECT 2.5::int, (-2.5)::int, 0.5::int, 1.5::bigint, (-0.5)::smallint", rows: `[[3,-3,1,2,-1]]`},
		{name: "numeric assigned to int rounds half away from zero", setup: "INSERT INTO pets VALUES (10.5, 1, 'x'), (12.5, 1, 'y')",
			sql: "SELECT pid FROM pets WHERE kind IN ('x', 'y') ORDER BY pid", rows: `[[11],[13]]`},
		{name: "varchar keeps trailing spaces that fit", setup: "CREATE TABLE vc (id int PRIMARY KEY, v varchar(5)); INSERT INTO vc VALUES (1, 'abc    '), (2, 'ab  ')",
			sql: "SELECT v, length(v) FROM vc ORDER BY id", rows: `[["abc  ",5],["ab  ",4]]`},
		{name: "varchar refuses what does not fit", setup: "CREATE TABLE vc (id int PRIMARY KEY, v varchar(3))", sql: "INSERT INTO vc VALUES (1, 'abcd')", state: "22001"},
		{name: "explicit varchar cast truncates", sql: "SELECT 'abcdef'::varchar(3), 'héllo'::varchar(2), 'ab'::varchar(5)", rows: `[["abc","hé","ab"]]`},
		{name: "char ignores its padding", sql: "SELECT 'ab'::char(4) = 'ab', length('ab'::char(4)), 'ab'::char(4) || 'x', 'ab'::char(4), 'ab'::char(4) LIKE 'ab', 'ab'::char(4) IN ('ab')",
			rows: `[[true,2,"abx","ab  ",true,true]]`},
		{name: "char column lookups ignore padding", setup: "CREATE TABLE ch (c char(4) PRIMARY KEY, n int); INSERT INTO ch VALUES ('ab', 1), ('abc', 2)",
			sql: "SELECT c, n, c = 'ab', length(c) FROM ch WHERE c = 'ab'", rows: `[["ab  ",1,true,2]]`},
		{name: "char text cast drops padding", setup: "CREATE TABLE ch (c char(4) PRIMARY KEY)", sql: "INSERT INTO ch VALUES ('ab') RETURNING c::text || '|', c::varchar || '|'", rows: `[["ab|","ab|"]]`},
		{name: "real with another number is double precision", sql: "SELECT 2::real/3, 1.5::real + 1, 2::real/3::real", cols: "?column?:double precision,?column?:double precision,?column?:real",
			rows: `[[0.6666666666666666,2.5,0.6666666865348816]]`},
		{name: "null in case takes the other branch's type", sql: "SELECT CASE 1 WHEN 2 THEN NULL ELSE 14 END, CASE WHEN true THEN NULL END, CASE WHEN false THEN 1 ELSE NULL END",
			cols: "case:integer,case:text,case:integer", rows: `[[14,null,null]]`},
		{name: "null between", sql: "SELECT 1 WHERE NULL BETWEEN NULL AND 39", rows: `[]`},
		{name: "null in arithmetic and comparisons", sql: "SELECT NULL + 1, 1 - NULL, NULL = 1, NULL < 'a', NULL IN (1, 2), coalesce(NULL, 3), NULL::int IS NULL",
			cols: "?column?:integer,?column?:integer,?column?:boolean,?column?:boolean,?column?:boolean,coalesce:integer,?column?:boolean", rows: `[[null,null,null,null,null,3,true]]`},
		{name: "float to int rounds half to even", sql: "SELECT 2.5::float8::int, (-2.5)::float8::int, 0.5::real::int, 1.5::float8::bigint", rows: `[[2,-2,0,2]]`},
		{name: "bad literal for column", sql: "SELECT * FROM people WHERE age = 'x'", state: "22P02"},
		{name: "string functions", sql: "SELECT lower('AbC'), upper('AbC'), length('héllo'), abs(-4), abs(-2.5)", rows: `[["abc","ABC",5,4,"2.5"]]`},
		{name: "now fixed", sql: "SELECT now(), current_timestamp", cols: "now:timestamptz,current_timestamp:timestamptz", rows: `[["2024-05-06 07:08:09.123456+00","2024-05-06 07:08:09.123456+00"]]`},
		{name: "concat null", sql: "SELECT 'a' || NULL", rows: `[[null]]`},
		// ORDER BY
		{name: "order nulls last default", sql: "SELECT name FROM people ORDER BY age", rows: `[["garry"],["ann"],["cy"],["bob"]]`},
		{name: "order desc nulls first default", sql: "SELECT name FROM people ORDER BY age DESC", rows: `[["bob"],["cy"],["ann"],["garry"]]`},
		{name: "order nulls first", sql: "SELECT name FROM people ORDER BY age ASC NULLS FIRST", rows: `[["bob"],["garry"],["ann"],["cy"]]`},
		{name: "order desc nulls last", sql: "SELECT name FROM people ORDER BY age DESC NULLS LAST", rows: `[["cy"],["ann"],["garry"],["bob"]]`},
		{name: "order by position and alias", sql: "SELECT name AS n, age FROM people ORDER BY 2 DESC NULLS LAST, n", rows: `[["cy",45],["ann",31],["garry",14],["bob",null]]`},
		{name: "order by expression", sql: "SELECT name FROM people ORDER BY length(name) DESC, name", rows: `[["garry"],["ann"],["bob"],["cy"]]`},
		{name: "order position out of range", sql: "SELECT name FROM people ORDER BY 3", state: "42P10"},
		{name: "limit offset", sql: "SELECT id FROM people ORDER BY id LIMIT 2 OFFSET 1", rows: `[[2],[3]]`},
		{name: "limit all", sql: "SELECT id FROM people ORDER BY id DESC LIMIT ALL", rows: `[[4],[3],[2],[1]]`},
		{name: "negative limit", sql: "SELECT id FROM people LIMIT -1", state: "2201W"},
		{name: "limit 0 without from", sql: "SELECT 1 LIMIT 0", rows: `[]`, tag: "SELECT 0"},
		{name: "limit 0 ordered scan", sql: "SELECT id FROM people ORDER BY id LIMIT 0", rows: `[]`, tag: "SELECT 0"},
		{name: "limit 0 unordered", sql: "SELECT id FROM people LIMIT 0 OFFSET 1", rows: `[]`, tag: "SELECT 0"},
		{name: "distinct", sql: "SELECT DISTINCT city FROM people ORDER BY city", rows: `[["Oslo"],["Rome"],[null]]`},
		{name: "distinct order by non-selected", sql: "SELECT DISTINCT city FROM people ORDER BY age", state: "42P10"},
		// GROUP BY
		{name: "group by", sql: "SELECT city, count(*), sum(age), avg(age), min(name), max(age) FROM people GROUP BY city ORDER BY city NULLS FIRST",
			cols: "city:varchar,count:bigint,sum:bigint,avg:numeric,min:text,max:integer",
			rows: `[[null,1,45,"45.0000000000000000","cy",45],["Oslo",2,14,"14.0000000000000000","bob",14],["Rome",1,31,"31.0000000000000000","ann",31]]`},
		{name: "having", sql: "SELECT city, count(*) AS n FROM people GROUP BY city HAVING count(*) > 1", rows: `[["Oslo",2]]`},
		{name: "group by position", sql: "SELECT city, count(*) FROM people GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1", rows: `[["Oslo",2]]`},
		{name: "aggregate empty", sql: "SELECT count(*), sum(age), max(name) FROM people WHERE false", rows: `[[0,null,null]]`},
		{name: "group by empty", sql: "SELECT city, count(*) FROM people WHERE false GROUP BY city", rows: `[]`},
		{name: "ungrouped column", sql: "SELECT name, count(*) FROM people", state: "42803"},
		{name: "aggregate in where", sql: "SELECT name FROM people WHERE count(*) > 1", state: "42803"},
		{name: "count distinct", sql: "SELECT count(DISTINCT city) FROM people", rows: `[[2]]`},
		{name: "derived table column", sql: "SELECT avg(x) FROM (SELECT 1) AS s", state: "42703"},
		{name: "group expression", sql: "SELECT age / 10 AS decade, count(*) FROM people WHERE age IS NOT NULL GROUP BY age / 10 ORDER BY decade", rows: `[[1,1],[3,1],[4,1]]`},
		// joins
		{name: "inner join", sql: "SELECT p.name, pets.kind FROM people p JOIN pets ON pets.owner = p.id ORDER BY pets.pid", rows: `[["garry","cat"],["garry","dog"],["ann","fish"]]`},
		{name: "left join", sql: "SELECT p.name, k.kind FROM people p LEFT JOIN pets k ON k.owner = p.id ORDER BY p.id, k.pid", rows: `[["garry","cat"],["garry","dog"],["ann","fish"],["bob",null],["cy",null]]`},
		{name: "join count", sql: "SELECT p.name, count(k.pid) FROM people p LEFT JOIN pets k ON k.owner = p.id GROUP BY p.name ORDER BY p.name", rows: `[["ann",1],["bob",0],["cy",0],["garry",2]]`},
		{name: "cross join", sql: "SELECT count(*) FROM people, pets", rows: `[[16]]`},
		{name: "join star", sql: "SELECT pets.* FROM people JOIN pets ON owner = id WHERE name = 'ann'", cols: "pid:integer,owner:integer,kind:text", rows: `[[3,2,"fish"]]`},
		{name: "ambiguous column", setup: "CREATE TABLE a (id int); CREATE TABLE b (id int)", sql: "SELECT id FROM a, b", state: "42702"},
		{name: "unknown column", sql: "SELECT nope FROM people", state: "42703"},
		{name: "unknown table", sql: "SELECT * FROM nope", state: "42P01"},
		{name: "unknown qualifier", sql: "SELECT x.name FROM people", state: "42P01"},
		{name: "type mismatch compare", sql: "SELECT * FROM people WHERE name = 1", state: "42883"},
		{name: "type mismatch where", sql: "SELECT * FROM people WHERE age", state: "42804"},
		{name: "syntax error", sql: "SELEC 1", state: "42601"},
		{name: "in subquery", sql: "SELECT name FROM people WHERE id IN (SELECT owner FROM pets) ORDER BY id", rows: `[["garry"],["ann"]]`},
		{name: "unsupported lateral", sql: "SELECT * FROM people p, LATERAL (SELECT kind FROM pets WHERE owner = p.id) k", state: "0A000"},
		// DML
		{name: "insert tag", sql: "INSERT INTO pets VALUES (10, 1, 'ant'), (11, 2, 'bee')", tag: "INSERT 0 2"},
		{name: "insert returning", sql: "INSERT INTO people (name) VALUES ('dan') RETURNING id, name, city", cols: "id:integer,name:text,city:varchar", rows: `[[5,"dan","Paris"]]`, tag: "INSERT 0 1"},
		{name: "insert default keyword", sql: "INSERT INTO people (name, city) VALUES ('eve', DEFAULT) RETURNING city, age", rows: `[["Paris",null]]`},
		{name: "insert duplicate pk", sql: "INSERT INTO pets VALUES (1, 1, 'x')", state: "23505"},
		{name: "insert on conflict do nothing", sql: "INSERT INTO pets VALUES (1, 1, 'x'), (12, 1, 'y') ON CONFLICT DO NOTHING RETURNING pid", rows: `[[12]]`, tag: "INSERT 0 1"},
		{name: "insert not null", sql: "INSERT INTO people (age) VALUES (3)", state: "23502"},
		{name: "insert wrong type", sql: "INSERT INTO pets VALUES ('a', 1, 'x')", state: "22P02"},
		{name: "insert wrong expr type", sql: "INSERT INTO pets VALUES (true, 1, 'x')", state: "42804"},
		{name: "insert too many values", sql: "INSERT INTO pets (pid) VALUES (1, 2)", state: "42601"},
		{name: "insert varchar too long", sql: "INSERT INTO people (name, city) VALUES ('x', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa')", state: "22001"},
		{name: "insert select", setup: "CREATE TABLE names (n text, a int)", sql: "INSERT INTO names SELECT name, age FROM people WHERE age > 20; SELECT * FROM names ORDER BY n", rows: `[["ann",31],["cy",45]]`},
		{name: "insert select self", sql: "INSERT INTO pets SELECT pid + 100, owner, kind FROM pets; SELECT count(*) FROM pets", rows: `[[8]]`},
		{name: "update", sql: "UPDATE people SET age = age + 1 WHERE city = 'Oslo'", tag: "UPDATE 2"},
		{name: "update returning", sql: "UPDATE people SET age = age + 1, city = upper(city) WHERE id = 1 RETURNING name, age, city", rows: `[["garry",15,"OSLO"]]`, tag: "UPDATE 1"},
		{name: "update all", sql: "UPDATE pets SET kind = kind || '!'; SELECT kind FROM pets ORDER BY pid", rows: `[["cat!"],["dog!"],["fish!"],["bird!"]]`},
		{name: "update pk", sql: "UPDATE pets SET pid = 40 WHERE pid = 4; SELECT pid FROM pets ORDER BY pid", rows: `[[1],[2],[3],[40]]`},
		{name: "update pk conflict", sql: "UPDATE pets SET pid = 1 WHERE pid = 4", state: "23505"},
		{name: "update not null", sql: "UPDATE people SET name = NULL", state: "23502"},
		{name: "delete", sql: "DELETE FROM pets WHERE owner = 1", tag: "DELETE 2"},
		{name: "delete returning", sql: "DELETE FROM pets WHERE pid > 2 RETURNING kind", rows: `[["fish"],["bird"]]`, tag: "DELETE 2"},
		{name: "delete all", sql: "DELETE FROM pets; SELECT count(*) FROM pets", rows: `[[0]]`},
		// DDL
		{name: "serial sequence", setup: "CREATE TABLE s (id bigserial PRIMARY KEY, v text); INSERT INTO s (v) VALUES ('a'), ('b'); DELETE FROM s",
			sql: "INSERT INTO s (v) VALUES ('c') RETURNING id", rows: `[[3]]`},
		{name: "defaults", setup: "CREATE TABLE d (id int PRIMARY KEY, n int DEFAULT 7, b boolean DEFAULT true, t timestamptz DEFAULT now(), s text DEFAULT 'x')",
			sql: "INSERT INTO d (id) VALUES (1); SELECT * FROM d", rows: `[[1,7,true,"2024-05-06 07:08:09.123456+00","x"]]`},
		{name: "composite pk", setup: "CREATE TABLE cp (a int, b text, v int, PRIMARY KEY (a, b)); INSERT INTO cp VALUES (2, 'x', 1), (1, 'z', 2), (1, 'y', 3)",
			sql: "SELECT * FROM cp", rows: `[[1,"y",3],[1,"z",2],[2,"x",1]]`},
		{name: "composite pk duplicate", setup: "CREATE TABLE cp (a int, b text, PRIMARY KEY (a, b)); INSERT INTO cp VALUES (1, 'x')",
			sql: "INSERT INTO cp VALUES (1, 'x')", state: "23505"},
		{name: "composite pk lookup", setup: "CREATE TABLE cp (a int, b text, v int, PRIMARY KEY (a, b)); INSERT INTO cp VALUES (2, 'x', 1), (1, 'z', 2), (1, 'y', 3)",
			sql: "SELECT v FROM cp WHERE a = 1 ORDER BY b DESC", rows: `[[2],[3]]`},
		{name: "unique constraint", setup: "CREATE TABLE u (id int PRIMARY KEY, email text UNIQUE); INSERT INTO u VALUES (1, 'a'), (2, NULL), (3, NULL)",
			sql: "INSERT INTO u VALUES (4, 'a')", state: "23505"},
		{name: "unique update", setup: "CREATE TABLE u (id int PRIMARY KEY, email text UNIQUE); INSERT INTO u VALUES (1, 'a'), (2, 'b')",
			sql: "UPDATE u SET email = 'a' WHERE id = 2", state: "23505"},
		{name: "unique update same row", setup: "CREATE TABLE u (id int PRIMARY KEY, email text UNIQUE); INSERT INTO u VALUES (1, 'a')",
			sql: "UPDATE u SET email = 'a' WHERE id = 1", tag: "UPDATE 1"},
		{name: "create unique index dup data", sql: "CREATE UNIQUE INDEX pc ON people (city)", state: "23505"},
		{name: "create index", sql: "CREATE INDEX people_age ON people (age)", tag: "CREATE INDEX"},
		{name: "create index twice", setup: "CREATE INDEX ia ON people (age)", sql: "CREATE INDEX ia ON pets (kind)", state: "42P07"},
		{name: "create index if not exists", setup: "CREATE INDEX ia ON people (age)", sql: "CREATE INDEX IF NOT EXISTS ia ON people (age)", tag: "CREATE INDEX"},
		{name: "drop index", setup: "CREATE INDEX ia ON people (age)", sql: "DROP INDEX ia; DROP INDEX IF EXISTS ia", tag: "DROP INDEX"},
		{name: "drop missing index", sql: "DROP INDEX nope", state: "42704"},
		{name: "duplicate table", sql: "CREATE TABLE people (x int)", state: "42P07"},
		{name: "create if not exists", sql: "CREATE TABLE IF NOT EXISTS people (x int)", tag: "CREATE TABLE"},
		{name: "drop table", sql: "DROP TABLE pets; SELECT * FROM pets", state: "42P01"},
		{name: "drop table if exists", sql: "DROP TABLE IF EXISTS nope", tag: "DROP TABLE"},
		{name: "drop then recreate", sql: "DROP TABLE pets; CREATE TABLE pets (x text); INSERT INTO pets VALUES ('a'); SELECT * FROM pets", rows: `[["a"]]`},
		{name: "alter add column", sql: "ALTER TABLE pets ADD COLUMN legs int DEFAULT 4; SELECT pid, legs FROM pets WHERE pid < 3 ORDER BY pid", rows: `[[1,4],[2,4]]`},
		{name: "alter add not null without default", sql: "ALTER TABLE pets ADD COLUMN legs int NOT NULL", state: "23502"},
		{name: "alter add unique", sql: "ALTER TABLE pets ADD COLUMN tag text UNIQUE; UPDATE pets SET tag = 'x' WHERE pid < 3", state: "23505"},
		{name: "unsupported type", sql: "CREATE TABLE j (x json)", state: "0A000"},
		{name: "unsupported constraint", sql: "CREATE TABLE j (x int CHECK (x > 0))", state: "0A000"},
		{name: "rowid table", setup: "CREATE TABLE r (v text); INSERT INTO r VALUES ('b'), ('a'), ('b')", sql: "SELECT v FROM r", rows: `[["b"],["a"],["b"]]`},
		{name: "timestamps", setup: "CREATE TABLE ev (at timestamptz, t timestamp); INSERT INTO ev VALUES ('2024-01-02 03:04:05+02', '2024-01-02T03:04:05.5')",
			sql: "SELECT at, t FROM ev WHERE at < now()", rows: `[["2024-01-02 01:04:05+00","2024-01-02 03:04:05.5"]]`},
		{name: "float columns", setup: "CREATE TABLE f (r real, d double precision, n numeric); INSERT INTO f VALUES (1.5, 2.25, 3.125)",
			sql: "SELECT r, d, n, d * 2, n + 1 FROM f", cols: "r:real,d:double precision,n:numeric,?column?:double precision,?column?:numeric", rows: `[[1.5,2.25,"3.125",4.5,"4.125"]]`},
		{name: "char padding", setup: "CREATE TABLE c (x char(3)); INSERT INTO c VALUES ('a')", sql: "SELECT x, length(x) FROM c", rows: `[["a  ",1]]`},
		// transactions and batches
		{name: "begin commit", sql: "BEGIN; INSERT INTO pets VALUES (9, 1, 'owl'); COMMIT", tag: "COMMIT"},
		{name: "begin rollback", sql: "BEGIN; INSERT INTO pets VALUES (9, 1, 'owl'); ROLLBACK; SELECT count(*) FROM pets", rows: `[[4]]`},
		{name: "create and use in one batch", sql: "CREATE TABLE t1 (a int PRIMARY KEY); INSERT INTO t1 VALUES (1), (2); SELECT sum(a) FROM t1", rows: `[[3]]`},
		{name: "catalog view", sql: "SELECT name, columns, rows, primary_key FROM raftplay_tables", rows: `[["people",4,4,"id"],["pets",3,4,"pid"]]`},
		{name: "catalog columns", sql: "SELECT column_name, type, nullable, default_value FROM raftplay_columns WHERE table_name = 'people' ORDER BY position",
			rows: `[["id","serial",false,null],["name","text",false,null],["age","integer",true,null],["city","varchar(20)",true,"'Paris'"]]`},
		{name: "information schema", sql: "SELECT table_name FROM information_schema.tables ORDER BY 1", rows: `[["people"],["pets"]]`},
		{name: "information schema columns", sql: "SELECT column_name, data_type, is_nullable FROM information_schema.columns WHERE table_name = 'pets' ORDER BY ordinal_position",
			rows: `[["pid","integer","NO"],["owner","integer","YES"],["kind","text","YES"]]`},
		{name: "catalog read only", sql: "DELETE FROM raftplay_tables", state: "0A000"},
		{name: "params", sql: "SELECT name FROM people WHERE age > $1 AND city = $2", rows: `[["ann"]]`},
	}
	params := map[string][]any{"params": {float64(20), "Rome"}}
	e := NewEngine(DefaultLimits())
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			db := openDB(t)
			mustExec(t, e, db, fixture)
			if c.setup != "" {
				mustExec(t, e, db, c.setup)
			}
			res, err := execSQL(e, db, c.sql, params[c.name]...)
			if c.state != "" {
				if got := sqlState(err); got != c.state {
					t.Fatalf("want SQLSTATE %s, got %v (%s)", c.state, err, got)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			last := res[len(res)-1]
			if c.cols != "" {
				var got []string
				for _, col := range last.Columns {
					got = append(got, col.Name+":"+col.Type)
				}
				if g := strings.Join(got, ","); g != c.cols {
					t.Errorf("columns:\n got %s\nwant %s", g, c.cols)
				}
			}
			if c.rows != "" {
				if g := rowsJSON(last.Rows); g != c.rows {
					t.Errorf("rows:\n got %s\nwant %s", g, c.rows)
				}
			}
			if c.tag != "" && last.Command != c.tag {
				t.Errorf("tag: got %q want %q", last.Command, c.tag)
			}
		})
	}
}
