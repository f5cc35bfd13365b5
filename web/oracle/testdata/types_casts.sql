-- Types and casts as applications use them: literals, CAST and ::, column types of
-- expressions, input errors (22P02), out-of-range values (22003), integer widths.

-- literals and their types
SELECT 1, 2147483647, 2147483648, -2147483648;
SELECT 'abc', '', ' padded ';
SELECT true, false, NOT true;
SELECT 1.5, -0.25, 1e3;

-- CAST and ::
SELECT CAST('42' AS integer), '42'::int, '42'::int4, '42'::bigint, '42'::smallint;
SELECT CAST(42 AS text), 42::text || '!', (-7)::text;
SELECT '  17  '::int, ' -3'::bigint;
SELECT '+5'::int, '-0'::int;
SELECT 'abc'::int;
SELECT ''::int;
SELECT '1.5'::int;
SELECT '12abc'::bigint;
SELECT '2147483648'::int;
SELECT '-2147483649'::int;
SELECT '9223372036854775807'::bigint, '-9223372036854775808'::bigint;
SELECT '9223372036854775808'::bigint;
SELECT '32767'::smallint, '-32768'::smallint;
SELECT '32768'::smallint;
SELECT 70000::smallint;
SELECT 3000000000::int;
SELECT (-32768)::smallint, 32767::smallint;

-- integer widening and narrowing
SELECT 2147483647::bigint + 1;
SELECT 9223372036854775807::bigint::int;
SELECT 100::bigint::smallint, 100::smallint::bigint;
SELECT CAST(CAST(5 AS smallint) AS bigint) * 2;

-- booleans
SELECT 'true'::boolean, 'false'::boolean, 't'::bool, 'f'::bool;
SELECT 'yes'::boolean, 'no'::boolean, 'on'::boolean, 'off'::boolean, '1'::boolean, '0'::boolean;
SELECT 'TRUE'::boolean, ' false '::boolean;
SELECT 'maybe'::boolean;
SELECT 1::boolean, 0::boolean, 5::boolean;
SELECT true::int, false::int;
SELECT true::text, false::text;
SELECT (1 = 1)::text;

-- text, varchar and char
SELECT 'hello'::varchar, 'hello'::varchar(3), 'hello'::char(3), 'hi'::char(5) || '|';
SELECT length('hi'::char(5)), length('hi   '::varchar), length('hi   '::text);
SELECT 'x'::char, 'xyz'::char;
SELECT 'abc'::varchar(10) = 'abc', 'abc'::char(10) = 'abc   ';
SELECT 12345::varchar(3);

-- timestamps
SELECT '2024-03-01 12:34:56'::timestamp;
SELECT '2024-03-01'::timestamp, '2024-03-01T08:00:00'::timestamp;
SELECT '2024-03-01 12:34:56.789'::timestamp;
SELECT '2024-03-01 10:00:00+00'::timestamptz;
SELECT '2024-02-30'::timestamp;
SELECT '2024-13-01'::timestamp;
SELECT '2024-02-29 25:00:00'::timestamp;
SELECT 'yesterday-ish'::timestamp;
SELECT '2024-03-01 12:00:00'::timestamp < '2024-03-02'::timestamp;
SELECT '2024-03-01 12:00:00'::timestamp::text;

-- casts that do not exist
SELECT true::bigint;
SELECT 1::timestamp;
SELECT '2024-01-01'::timestamp::int;

-- typed columns
CREATE TABLE typed (id int PRIMARY KEY, s smallint, i integer, b bigint, t text, v varchar(8), c char(3), f boolean, ts timestamp);
INSERT INTO typed VALUES (1, 1, 10, 100, 'one', 'uno', 'a', true, '2024-01-01 00:00:00');
INSERT INTO typed VALUES (2, -32768, -2147483648, -9223372036854775808, 'two', 'dos', 'bb', false, '2024-06-15 13:30:00');
INSERT INTO typed VALUES (3, 32767, 2147483647, 9223372036854775807, '', '', '', NULL, NULL);
INSERT INTO typed VALUES (4, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
INSERT INTO typed VALUES (5, 32768, 0, 0, 'x', 'x', 'x', true, NULL);
INSERT INTO typed VALUES (6, 0, 2147483648, 0, 'x', 'x', 'x', true, NULL);
INSERT INTO typed VALUES (7, 0, 0, 0, 'x', 'too long!', 'x', true, NULL);
INSERT INTO typed VALUES (8, 0, 0, 0, 'x', 'x', 'abcd', true, NULL);
INSERT INTO typed VALUES (9, '12', '34', '56', 'x', 'x', 'x', 'yes', '2024-01-01');
INSERT INTO typed VALUES (10, 'a', 0, 0, 'x', 'x', 'x', true, NULL);
INSERT INTO typed VALUES (11, 0, 0, 0, 'x', 'x', 'x', 'perhaps', NULL);
SELECT * FROM typed ORDER BY id;
SELECT id, s + 1, i + 1, b - 1 FROM typed WHERE id = 1;
SELECT s * 2 FROM typed WHERE id = 3;
SELECT i + 1 FROM typed WHERE id = 3;
SELECT b + 1 FROM typed WHERE id = 3;
SELECT b - 1 FROM typed WHERE id = 2;
SELECT -s FROM typed WHERE id = 2;
SELECT -i FROM typed WHERE id = 2;
SELECT -b FROM typed WHERE id = 2;
SELECT s::text, i::text, b::text, f::text FROM typed WHERE id <= 2 ORDER BY id;
SELECT c, length(c), c || '|', v || '|' FROM typed ORDER BY id;
SELECT id FROM typed WHERE c = 'bb';
SELECT id FROM typed WHERE ts > '2024-03-01' ORDER BY id;
SELECT id, f FROM typed WHERE f ORDER BY id;
SELECT id FROM typed WHERE NOT f;
SELECT id FROM typed WHERE f IS NOT TRUE ORDER BY id;
SELECT id FROM typed WHERE f IS UNKNOWN ORDER BY id;
SELECT id, s::bigint * i FROM typed WHERE id IN (1, 9) ORDER BY id;
SELECT i::smallint FROM typed WHERE id = 1;
SELECT i::smallint FROM typed WHERE id = 3;
SELECT b::int FROM typed WHERE id = 1;
SELECT b::int FROM typed WHERE id = 2;
UPDATE typed SET s = s + 1 WHERE id = 3;
UPDATE typed SET i = i * 2 WHERE id = 1 RETURNING i;
UPDATE typed SET v = 'abcdefghij' WHERE id = 1;
UPDATE typed SET v = 'abc     ' WHERE id = 1 RETURNING v, length(v);
SELECT v FROM typed WHERE id = 1;
