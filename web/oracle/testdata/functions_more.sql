-- String, math and aggregate functions beyond the basics: substring/substr, replace,
-- left/right, repeat, ltrim/rtrim/btrim, split_part, position/strpos, concat_ws, mod,
-- power, trunc, greatest/least, bool_and/bool_or, string_agg with ORDER BY, FILTER.

CREATE TABLE fm_t (k int, s text, v varchar(10), n numeric, f float8, b boolean);
INSERT INTO fm_t VALUES (1, 'héllo', 'ab', 2.789, 1.5, true), (1, NULL, 'cd', -2.5, NULL, NULL),
  (2, 'world', NULL, NULL, -0.5, false), (2, '', 'ef', 10, 2, true), (3, 'x,y,,z', 'x', 0, 0, NULL);

-- substring and substr
SELECT substring('hello' FROM 2 FOR 3), substring('hello' FROM 4), substring('hello', 0, 3), substring('hello', -2, 5);
SELECT substr('hello', 2), substr('hello', 10), substr('hello', 2, 0), substr(NULL, 1, 2), substr('abc', NULL);
SELECT substring('hello', 1, -1);
SELECT k, substring(s, 2, 3), substr(v, 2) FROM fm_t ORDER BY k, 2, 3;
SELECT substring(k, 1) FROM fm_t;

-- replace, left, right, repeat
SELECT replace('abcabc', 'b', 'XY'), replace('abc', '', 'z'), replace('abc', 'x', 'y'), replace(NULL, 'a', 'b');
SELECT left('héllo', 2), left('hello', -2), left('hi', 10), left('hi', -10), right('héllo', 2), right('hello', -2), right('hi', 0);
SELECT repeat('ab', 3), repeat('x', 0), repeat('x', -1), repeat('', 5), repeat(NULL, 2);
SELECT left(12345, 2);
SELECT k, left(s, 1), right(v, 1), repeat(v, k) FROM fm_t ORDER BY k, 2, 3, 4;

-- trims
SELECT ltrim('  hi  '), rtrim('  hi  '), btrim('  hi  '), trim('  hi  ');
SELECT ltrim('xxhixx', 'x'), rtrim('xxhixx', 'x'), btrim('xyhiyx', 'xy'), btrim('hi', '');
SELECT trim(LEADING 'x' FROM 'xxhixx'), trim(TRAILING 'x' FROM 'xxhixx'), trim(BOTH 'x' FROM 'xxhixx');
SELECT trim(BOTH FROM '  a  '), ltrim(NULL), btrim('abc', NULL);

-- split_part, position, strpos
SELECT split_part('a,b,,c', ',', 1), split_part('a,b,,c', ',', 3), split_part('a,b,,c', ',', 9), split_part('a,b,,c', ',', -1);
SELECT split_part('abc', '', 1), split_part('abc', '', 2), split_part('', ',', 1), split_part('a~~b', '~~', 2);
SELECT split_part('a,b', ',', 0);
SELECT position('lo' IN 'héllo'), position('x' IN 'abc'), position('' IN 'abc'), strpos('héllo', 'l'), strpos(NULL, 'a');
SELECT k, s, split_part(s, ',', 2), strpos(s, 'o') FROM fm_t ORDER BY k, s;

-- concat_ws, concat
SELECT concat_ws(',', 'a', NULL, 'b'), concat_ws(',', 1, 2.5, true), concat_ws(NULL, 'a', 'b'), concat_ws('-');
SELECT k, concat_ws('|', s, v, n) FROM fm_t ORDER BY k, 2;

-- mod, power, trunc, round
SELECT mod(7, 3), mod(-7, 3), mod(7, -3), mod(7.5, 2), mod(-7.5, 2), mod(9223372036854775807, 10);
SELECT mod(5, 0);
SELECT mod(5.5::float8, 2);
SELECT power(2, 10), power(2, -1), power(2.5::float8, 2), pow(9, 0.5::float8), power(-8, 3);
SELECT power(0, -1);
SELECT power(-8, 0.5::float8);
SELECT power(10, 400);
SELECT trunc(2.789, 1), trunc(-2.789, 2), trunc(2.7), trunc(-2.7), trunc(123.4, -1), trunc(5, 2), trunc(-2.7::float8);
SELECT trunc(1.5::real), trunc(n, 1), round(n, 1) FROM fm_t ORDER BY 2;
SELECT trunc('x');

-- greatest, least
SELECT greatest(1, 2.5, NULL), least('b', 'a', NULL), greatest(NULL::int, NULL), least(3, 1, 2);
SELECT k, greatest(n, f::numeric, k), least(v, s) FROM fm_t ORDER BY k, 2, 3;

-- bool_and, bool_or, every
SELECT bool_and(b), bool_or(b), every(b) FROM fm_t;
SELECT k, bool_and(b), bool_or(b) FROM fm_t GROUP BY k ORDER BY k;
SELECT bool_and(b), bool_or(b) FROM fm_t WHERE false;
SELECT bool_and(k > 0), bool_or(s IS NULL) FROM fm_t;
SELECT bool_and(k) FROM fm_t;

-- string_agg with ORDER BY
SELECT string_agg(v, ',') FROM (SELECT v FROM fm_t ORDER BY v LIMIT 2) d;
SELECT string_agg(v, ',' ORDER BY v), string_agg(v, ',' ORDER BY v DESC NULLS FIRST) FROM fm_t;
SELECT k, string_agg(s, '; ' ORDER BY s) FROM fm_t GROUP BY k ORDER BY k;
SELECT string_agg(DISTINCT v, '' ORDER BY v) FROM fm_t;
SELECT string_agg(v, NULL ORDER BY v) FROM fm_t;
SELECT string_agg(s, ',') FROM fm_t WHERE false;
SELECT string_agg(v, ',' ORDER BY k, v DESC) FROM fm_t;
SELECT string_agg(k, ',') FROM fm_t;
SELECT string_agg(DISTINCT v, ',' ORDER BY k) FROM fm_t;

-- FILTER
SELECT count(*) FILTER (WHERE b), count(v) FILTER (WHERE k > 1), sum(n) FILTER (WHERE n > 0), avg(k) FILTER (WHERE false) FROM fm_t;
SELECT k, count(*) FILTER (WHERE s IS NOT NULL), max(v) FILTER (WHERE b) FROM fm_t GROUP BY k ORDER BY k;
SELECT string_agg(v, ',' ORDER BY v) FILTER (WHERE k < 3), bool_or(b) FILTER (WHERE k = 2) FROM fm_t;
SELECT count(*) FILTER (WHERE count(*) > 1) FROM fm_t;
SELECT count(*) FILTER (WHERE k) FROM fm_t;
