-- Subqueries: scalar, IN / NOT IN, EXISTS, ANY/SOME/ALL, correlated (WHERE, SELECT,
-- HAVING), and subqueries in FROM, with NULLs, empty sets, duplicates and mixed types.

CREATE TABLE sq_t (a int, b int, s text);
INSERT INTO sq_t VALUES (1, 10, 'x'), (2, 20, 'y'), (2, 20, 'y'), (3, NULL, NULL), (NULL, 30, 'z');
CREATE TABLE sq_u (k bigint PRIMARY KEY, v numeric, w varchar(5));
INSERT INTO sq_u VALUES (1, 1.5, 'x'), (2, 2.0, 'yy'), (4, NULL, NULL);
CREATE TABLE sq_e (a int);

-- scalar subqueries
SELECT (SELECT max(a) FROM sq_t);
SELECT (SELECT a FROM sq_t WHERE false);
SELECT (SELECT a FROM sq_e);
SELECT (SELECT a FROM sq_t);
SELECT (SELECT a, b FROM sq_t LIMIT 1);
SELECT (SELECT count(*) FROM sq_e), (SELECT sum(a) FROM sq_e);
SELECT (SELECT v FROM sq_u WHERE k = 1) + 1, (SELECT w FROM sq_u WHERE k = 2) || '!';
SELECT a, (SELECT k FROM sq_u WHERE k = sq_t.a) FROM sq_t ORDER BY 1, 2;
SELECT (SELECT 1 UNION SELECT 2);
SELECT (SELECT 'lit');
SELECT 1 + (SELECT 2);

-- IN and NOT IN, NULL semantics
SELECT a FROM sq_t WHERE a IN (SELECT k FROM sq_u) ORDER BY a;
SELECT a FROM sq_t WHERE a NOT IN (SELECT k FROM sq_u) ORDER BY a;
SELECT a FROM sq_t WHERE a NOT IN (SELECT a FROM sq_t WHERE a > 2);
SELECT count(*) FROM sq_t WHERE a NOT IN (SELECT b FROM sq_t);
SELECT count(*) FROM sq_t WHERE a NOT IN (SELECT a FROM sq_e);
SELECT count(*) FROM sq_t WHERE a IN (SELECT a FROM sq_e);
SELECT 1 IN (SELECT NULL::int), 1 NOT IN (SELECT NULL::int), NULL IN (SELECT 1), NULL IN (SELECT 1 WHERE false);
SELECT NULL NOT IN (SELECT a FROM sq_e), 2 IN (SELECT a FROM sq_t), 5 IN (SELECT a FROM sq_t);
SELECT s FROM sq_t WHERE s IN (SELECT w FROM sq_u) ORDER BY 1;
SELECT k FROM sq_u WHERE v IN (SELECT a FROM sq_t) ORDER BY 1;
SELECT 'x' IN (SELECT s FROM sq_t), '1' IN (SELECT a FROM sq_t);
SELECT a FROM sq_t WHERE a IN (SELECT s FROM sq_t);
SELECT a FROM sq_t WHERE (a, b) IN (SELECT a, b FROM sq_t);
SELECT a, a IN (SELECT k FROM sq_u) FROM sq_t ORDER BY 1;
SELECT DISTINCT a FROM sq_t WHERE a IN (SELECT a FROM sq_t) ORDER BY 1;

-- EXISTS
SELECT EXISTS (SELECT 1 FROM sq_e), NOT EXISTS (SELECT 1 FROM sq_e), EXISTS (SELECT NULL);
SELECT a FROM sq_t WHERE EXISTS (SELECT 1 FROM sq_u WHERE k = sq_t.a) ORDER BY 1;
SELECT a FROM sq_t WHERE NOT EXISTS (SELECT 1 FROM sq_u WHERE k = sq_t.a) ORDER BY 1;
SELECT count(*) FROM sq_t WHERE EXISTS (SELECT * FROM sq_t x WHERE x.a > sq_t.a);

-- ANY, SOME, ALL
SELECT 2 = ANY (SELECT a FROM sq_t), 9 < SOME (SELECT b FROM sq_t), 0 > ANY (SELECT a FROM sq_t);
SELECT 4 > ALL (SELECT a FROM sq_t WHERE a IS NOT NULL), 4 > ALL (SELECT a FROM sq_t), 0 > ALL (SELECT a FROM sq_t);
SELECT 1 = ALL (SELECT a FROM sq_e), 1 = ANY (SELECT a FROM sq_e), NULL::int < ALL (SELECT a FROM sq_e);
SELECT a FROM sq_t WHERE a >= ALL (SELECT a FROM sq_t WHERE a IS NOT NULL);
SELECT a FROM sq_t WHERE a <> ALL (SELECT k FROM sq_u) ORDER BY 1;
SELECT a FROM sq_t WHERE b <= ANY (SELECT b FROM sq_t x WHERE x.a > sq_t.a) ORDER BY 1;
SELECT 1.5 = ANY (SELECT v FROM sq_u), 2 = ANY (SELECT v FROM sq_u);

-- correlated, in SELECT, WHERE and HAVING
SELECT a, (SELECT count(*) FROM sq_t x WHERE x.a < sq_t.a) FROM sq_t ORDER BY 1, 2;
SELECT a, b FROM sq_t WHERE b > (SELECT min(b) FROM sq_t x WHERE x.a <> sq_t.a) ORDER BY 1;
SELECT a, (SELECT max(v) FROM sq_u WHERE sq_u.k <= sq_t.a) FROM sq_t ORDER BY 1;
SELECT a, count(*) FROM sq_t GROUP BY a HAVING count(*) > (SELECT count(*) FROM sq_u WHERE k = sq_t.a) ORDER BY 1;
SELECT a, (SELECT count(*) FROM sq_u WHERE k < sq_t.a) FROM sq_t WHERE a IS NOT NULL GROUP BY a ORDER BY 1;
SELECT (SELECT sq_t.b) FROM sq_t GROUP BY a;
SELECT a, (SELECT (SELECT sq_t.a + sq_u.k) FROM sq_u WHERE k = 1) FROM sq_t ORDER BY 1;
SELECT a FROM sq_t WHERE a = (SELECT k FROM sq_u WHERE k = sq_t.a);
SELECT a FROM sq_t WHERE (SELECT count(*) FROM sq_u WHERE k > sq_t.a) = 1;
SELECT k, (SELECT string_agg_missing FROM sq_t) FROM sq_u;
SELECT a, b, (SELECT count(*) FROM sq_t x WHERE x.b = sq_t.b) AS same FROM sq_t ORDER BY 1, 2, 3;

-- subqueries in FROM
SELECT * FROM (SELECT a, b FROM sq_t WHERE a > 1) AS d ORDER BY 1, 2;
SELECT x, y FROM (SELECT a, b FROM sq_t) AS d(x, y) WHERE x IS NOT NULL ORDER BY 1, 2;
SELECT d.x FROM (SELECT a + 1 FROM sq_t) d(x) ORDER BY 1;
SELECT count(*), sum(n) FROM (SELECT a, count(*) AS n FROM sq_t GROUP BY a) g;
SELECT * FROM (SELECT DISTINCT a FROM sq_t) d, sq_u WHERE d.a = sq_u.k ORDER BY 1;
SELECT * FROM sq_u JOIN (SELECT a, max(b) AS m FROM sq_t GROUP BY a) g ON g.a = sq_u.k ORDER BY 1;
SELECT * FROM sq_u LEFT JOIN (SELECT a FROM sq_t WHERE a > 1) g ON g.a = sq_u.k ORDER BY 1, 4;
SELECT * FROM (SELECT 1) AS d;
SELECT * FROM (SELECT a FROM sq_e) d;
SELECT * FROM (SELECT a FROM sq_t LIMIT 2) d(a, extra);
SELECT * FROM (SELECT a FROM sq_t) AS d, (SELECT a FROM sq_t) AS d;
SELECT d.* FROM (SELECT * FROM (SELECT a, s FROM sq_t ORDER BY a LIMIT 3) i WHERE a > 1) d ORDER BY 1;
SELECT a, (SELECT count(*) FROM (SELECT k FROM sq_u WHERE k < sq_t.a) d) FROM sq_t ORDER BY 1;

-- subqueries in DML
CREATE TABLE sq_w (a int, b int);
INSERT INTO sq_w SELECT a, b FROM sq_t WHERE a IN (SELECT k FROM sq_u);
INSERT INTO sq_w VALUES ((SELECT max(a) FROM sq_t), (SELECT count(*) FROM sq_u));
UPDATE sq_w SET b = (SELECT max(b) FROM sq_t) WHERE a IN (SELECT k FROM sq_u WHERE k > 1);
DELETE FROM sq_w WHERE a NOT IN (SELECT a FROM sq_t WHERE a IS NOT NULL);
SELECT * FROM sq_w ORDER BY 1, 2;
