-- Text: concatenation, lower/upper, length, trim, concat, LIKE and ILIKE with their
-- wildcards and escapes, comparison in the C collation, and functions the engine lacks
-- (refused).

SELECT 'foo' || 'bar', 'a' || 1, 1 || 'a', 'x' || true;
SELECT 'abc' || '' || 'def';
SELECT lower('Hello World'), upper('Hello World'), lower('ÀÉÎ'), upper('straße');
SELECT length('hello'), length(''), length('héllo'), char_length('abc'), character_length('abcd');
SELECT length('  spaced  '), length(trim('  spaced  '));
SELECT trim('  both  ') || '|', btrim('  both  ') || '|';
SELECT trim('') || '|', trim('   ') || '|';
SELECT concat('a', 'b', 'c'), concat('n=', 42), concat(true, '/', false), concat();
SELECT concat('x', NULL, 'y', NULL);
SELECT upper(lower('MiXeD')), length(upper('abc') || lower('DEF'));
SELECT 'abc' = 'abc', 'abc' < 'abd', 'B' < 'a', 'abc' > 'ab', '' < 'a';
SELECT 'Z' < 'a', 'a' < 'aa', 'Apple' < 'apple';
SELECT greatest('pear', 'apple', 'fig'), least('pear', 'apple', 'fig');
SELECT lower(42);
SELECT length(12345);

-- LIKE
SELECT 'hello' LIKE 'h%', 'hello' LIKE '%lo', 'hello' LIKE '%ll%', 'hello' LIKE 'hello';
SELECT 'hello' LIKE 'h_llo', 'hello' LIKE 'h__lo', 'hello' LIKE '_____', 'hello' LIKE '____';
SELECT 'hello' LIKE 'H%', 'hello' ILIKE 'H%', 'HELLO' ILIKE '%ell%';
SELECT 'hello' NOT LIKE 'h%', 'hello' NOT ILIKE 'X%';
SELECT '' LIKE '', '' LIKE '%', 'a' LIKE '';
SELECT '100%' LIKE '100\%', '100x' LIKE '100\%', 'a_b' LIKE 'a\_b', 'axb' LIKE 'a\_b';
SELECT 'héllo' LIKE 'h_llo', 'naïve' ILIKE 'NAÏVE';
SELECT NULL LIKE 'a', 'a' LIKE NULL;
SELECT 'abc' LIKE 'a%' AND 'abc' LIKE '%c';
SELECT 'abc' ~~ 'a%', 'abc' !~~ 'a%', 'ABC' ~~* 'a%', 'ABC' !~~* 'a%';
SELECT 'a%b' LIKE 'a\%b' ESCAPE '\';
SELECT 'abc' LIKE 'ab\';

-- functions the engine does not have
SELECT substring('hello' from 2 for 3);
SELECT replace('hello', 'l', 'L');
SELECT position('l' in 'hello');
SELECT left('hello', 2);
SELECT trim(both 'x' from 'xxhixx');
SELECT trim(leading from '  hi  ') || '|';
SELECT ltrim('  hi') || '|';
SELECT 'abc' ~ 'b';

-- a table of names
CREATE TABLE people (id int PRIMARY KEY, first text NOT NULL, last text, email varchar(40), code char(4));
INSERT INTO people VALUES (1, 'Ada', 'Lovelace', 'ada@example.com', 'AL');
INSERT INTO people VALUES (2, 'alan', 'Turing', 'alan@example.org', 'AT01');
INSERT INTO people VALUES (3, 'Grace', 'Hopper', NULL, 'GH');
INSERT INTO people VALUES (4, 'Edsger', 'Dijkstra', 'ewd@example.nl', NULL);
INSERT INTO people VALUES (5, 'barbara', NULL, 'bl@example.com', 'BL');
INSERT INTO people VALUES (6, '  Ken  ', 'Thompson', '', 'KT');
SELECT first || ' ' || last FROM people ORDER BY id;
SELECT concat(first, ' ', last) FROM people ORDER BY id;
SELECT id, upper(first), lower(last) FROM people ORDER BY id;
SELECT id, length(first), length(last), length(email), length(code) FROM people ORDER BY id;
SELECT id, trim(first) FROM people WHERE id = 6;
SELECT id FROM people WHERE email LIKE '%.com' ORDER BY id;
SELECT id FROM people WHERE email NOT LIKE '%.com' ORDER BY id;
SELECT id FROM people WHERE first ILIKE 'a%' ORDER BY id;
SELECT id FROM people WHERE first LIKE 'a%' ORDER BY id;
SELECT id FROM people WHERE lower(first) = 'grace';
SELECT id FROM people WHERE upper(code) = 'AL';
SELECT id, code, code || '|' FROM people ORDER BY id;
SELECT id FROM people WHERE code = 'GH  ';
SELECT id FROM people WHERE code LIKE 'A%' ORDER BY id;
SELECT id FROM people WHERE email = '' ORDER BY id;
SELECT id FROM people WHERE last IS NULL OR email IS NULL ORDER BY id;
SELECT first FROM people ORDER BY first;
SELECT first FROM people ORDER BY lower(first);
SELECT first FROM people ORDER BY length(first) DESC, first;
SELECT last FROM people ORDER BY last NULLS FIRST;
SELECT upper(substring(first from 1 for 1)) FROM people;
SELECT count(*) FROM people WHERE first LIKE '%a%';
SELECT min(first), max(first), min(last), max(last) FROM people;
SELECT count(DISTINCT lower(first)) FROM people;
UPDATE people SET email = lower(first) || '@example.com' WHERE email IS NULL RETURNING email;
UPDATE people SET first = trim(first) WHERE first LIKE ' %' RETURNING first, length(first);
UPDATE people SET code = 'TOOLONG' WHERE id = 1;
UPDATE people SET code = 'abcd' WHERE id = 4 RETURNING code;
INSERT INTO people VALUES (7, NULL, 'Nobody', NULL, NULL);
INSERT INTO people VALUES (8, 'Linus', 'Torvalds', 'linus@example.com-this-address-is-too-long', 'LT');
SELECT id, first, last, email, code FROM people ORDER BY id;

-- the type of an expression over text, varchar and char(n)
CREATE TABLE strs (id int PRIMARY KEY, v varchar(10), c char(4), t text);
INSERT INTO strs VALUES (1, 'ab', 'x', 'tt'), (2, 'b', 'yy', 'a'), (3, NULL, NULL, NULL);
SELECT v || 'x', c || 'x', t || v FROM strs ORDER BY id;
SELECT coalesce(v, 'z'), coalesce(c, 'z'), coalesce(v, t), coalesce(t, v), coalesce(c, v) FROM strs ORDER BY id;
SELECT CASE WHEN id = 1 THEN v ELSE t END, CASE WHEN id = 1 THEN t ELSE v END, CASE WHEN id = 1 THEN c ELSE v END || '|' FROM strs ORDER BY id;
SELECT greatest(v, t), least(t, v) FROM strs ORDER BY id;
SELECT nullif(v, 'ab'), nullif(c, 'x'), nullif(t, 'a') FROM strs ORDER BY id;
SELECT min(v), max(v), min(c), max(c), min(t), max(t) FROM strs;
SELECT v, count(*) FROM strs GROUP BY v ORDER BY v;
SELECT id FROM strs WHERE c = 'x' OR c = 'yy  ' ORDER BY id;
SELECT id FROM strs WHERE v = t OR c = t ORDER BY id;
SELECT c::text || '|', c::varchar || '|', v::char(3) || '|', t::varchar(1) FROM strs ORDER BY id;
