-- Regression cases for the answers once found to differ from PostgreSQL 15, in the order of
-- the findings; each must agree (or, where raftplay lacks the feature, be refused with 0A000).

-- 1. bigint above 2^53, through a follower
SELECT 9007199254740993::bigint, 9223372036854775807;
SELECT -9223372036854775808::bigint;
CREATE TABLE big (id bigint PRIMARY KEY, v text);
INSERT INTO big VALUES (9007199254740993, 'a'), (9223372036854775807, 'b'), (-9223372036854775807, 'c');
SELECT id, v FROM big ORDER BY id;
SELECT v FROM big WHERE id = 9007199254740993;
SELECT id + 0 FROM big WHERE id > 9007199254740992 ORDER BY 1;

-- 2. LIMIT 0
SELECT 1 LIMIT 0;
SELECT id FROM big ORDER BY id LIMIT 0;
SELECT id FROM big LIMIT 0 OFFSET 1;

-- 3. numeric is exact
CREATE TABLE money (id int PRIMARY KEY, amt numeric);
INSERT INTO money VALUES (1, 0.10), (2, 0.20);
SELECT sum(amt) FROM money;
SELECT 0.1 + 0.2 = 0.3;
SELECT 12345678901234567890.123456789 * 10;
SELECT 1.50::text, 1.50, 2.500 * 2;

-- 4. numeric(p,s)
CREATE TABLE prices (id int PRIMARY KEY, p numeric(10,2));
INSERT INTO prices VALUES (1, 12.125);
SELECT p FROM prices;
INSERT INTO prices VALUES (2, 123456789012);
SELECT 1000::numeric(5,2);

-- 5. casts round half away from zero
SELECT 2.5::int, (-2.5)::int, 0.5::int;
SELECT 2.5::float8::int, (-2.5)::float8::int;

-- 6. sum(bigint) is numeric
CREATE TABLE counters (id int PRIMARY KEY, n bigint);
INSERT INTO counters VALUES (1, 9223372036854775807), (2, 1);
SELECT sum(n) FROM counters;
SELECT sum(id), avg(id), sum(n::int4 * 0) FROM counters;

-- 7. varchar(n) keeps trailing spaces
CREATE TABLE vc (id int PRIMARY KEY, v varchar(5));
INSERT INTO vc VALUES (1, 'abc    ');
SELECT v, length(v) FROM vc;
SELECT 'abcdef'::varchar(3);
INSERT INTO vc VALUES (2, 'abcdef');

-- 8. char(n)
SELECT 'ab'::char(4) = 'ab', length('ab'::char(4)), 'ab'::char(4) || 'x';
CREATE TABLE ch (c char(4) PRIMARY KEY, n int);
INSERT INTO ch VALUES ('ab', 1), ('abc', 2);
SELECT c, n FROM ch WHERE c = 'ab';
SELECT c || '|', length(c) FROM ch ORDER BY n;

-- 9. float text
SELECT 2::real/3;
SELECT 1::float8/3, 2::float8/3, 1e100::float8, 0.1::float8 + 0.2::float8;
SELECT 'NaN'::float8, 'Infinity'::float8, '-Infinity'::float8;
SELECT 1.5::real, 0.1::real;

-- 10. untyped NULL resolved from context
SELECT CASE 1 WHEN 2 THEN NULL ELSE 14 END;
SELECT 1 WHERE NULL BETWEEN NULL AND 39;
SELECT coalesce(NULL, 3), coalesce(NULL, NULL, 'x');
SELECT NULL + 1, NULL = 1;

-- 11. a cancelled read is 57014 (see web/limits_test.go for cancellation itself)
SET statement_timeout = 1;
SET statement_timeout = 10000;
