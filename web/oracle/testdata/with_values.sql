-- WITH (referenced several times), WITH RECURSIVE, VALUES as a query and as a table,
-- generate_series in FROM.

CREATE TABLE wv_t (id int PRIMARY KEY, parent int, name text);
INSERT INTO wv_t VALUES (1, NULL, 'root'), (2, 1, 'a'), (3, 1, 'b'), (4, 2, 'a1'), (5, 4, 'a11'), (6, 9, 'orphan');

WITH w AS (SELECT id FROM wv_t WHERE id < 4) SELECT count(*) FROM w x, w y;
WITH w AS (SELECT id, name FROM wv_t) SELECT name FROM w WHERE id = 2;
WITH a AS (SELECT 1 AS n), b AS (SELECT n + 1 AS n FROM a) SELECT * FROM a, b;
WITH w(k, v) AS (SELECT id, name FROM wv_t WHERE parent = 1) SELECT v, k FROM w ORDER BY k;
WITH w AS (SELECT id FROM wv_t) SELECT * FROM w WHERE id IN (SELECT id + 1 FROM w) ORDER BY 1;
WITH w AS (SELECT 1) SELECT * FROM w, w;
WITH w AS (SELECT 1), w AS (SELECT 2) SELECT * FROM w;
WITH w(a, b) AS (SELECT 1) SELECT * FROM w;
WITH wv_t AS (SELECT 'shadow' AS name) SELECT name FROM wv_t;
SELECT (WITH w AS (SELECT max(id) AS m FROM wv_t) SELECT m FROM w);
WITH e AS (SELECT id FROM wv_t WHERE false) SELECT count(*), max(id) FROM e;

-- recursive
WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 10) SELECT sum(n), count(*) FROM r;
WITH RECURSIVE r(n) AS (SELECT 1 UNION SELECT n % 3 + 1 FROM r) SELECT n FROM r ORDER BY 1;
WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n % 3 + 1 FROM r WHERE n < 3) SELECT n FROM r ORDER BY 1;
WITH RECURSIVE sub(id, name, depth) AS (
  SELECT id, name, 0 FROM wv_t WHERE parent IS NULL
  UNION ALL
  SELECT t.id, t.name, s.depth + 1 FROM wv_t t JOIN sub s ON t.parent = s.id
) SELECT * FROM sub ORDER BY depth, id;
WITH RECURSIVE up(id, parent) AS (
  SELECT id, parent FROM wv_t WHERE id = 5
  UNION
  SELECT t.id, t.parent FROM wv_t t, up WHERE t.id = up.parent
) SELECT id FROM up ORDER BY id;
WITH RECURSIVE f(n, fact) AS (SELECT 1, 1::numeric UNION ALL SELECT n + 1, fact * (n + 1) FROM f WHERE n < 20) SELECT n, fact FROM f WHERE n > 17 ORDER BY n;
WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 0.5 FROM r WHERE n < 3) SELECT * FROM r;
WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT 2) SELECT * FROM r ORDER BY 1;
WITH RECURSIVE s(x) AS (SELECT 'a' UNION ALL SELECT x || 'a' FROM s WHERE length(x) < 3) SELECT x FROM s ORDER BY 1;
WITH RECURSIVE s(x) AS (SELECT 'a'::text UNION ALL SELECT x || 'a' FROM s WHERE length(x) < 3) SELECT x FROM s ORDER BY 1;

-- VALUES as a query and as a table
VALUES (1, 'a'), (2, NULL) ORDER BY 1 DESC;
VALUES (1), (2.5), (NULL);
VALUES ('x'), ('y');
VALUES (1), ('a');
VALUES (1, 2), (3);
VALUES (NULL), (NULL);
VALUES (3), (1), (2) ORDER BY 1 LIMIT 2;
VALUES (3), (1), (2) ORDER BY column1 DESC OFFSET 1;
SELECT * FROM (VALUES (1, 'one'), (2, 'two')) AS v(n, word) ORDER BY n DESC;
SELECT v.column1 + 1 FROM (VALUES (1), (2)) v ORDER BY 1;
SELECT * FROM wv_t JOIN (VALUES (2, 'two'), (3, 'three')) v(k, label) ON v.k = wv_t.id ORDER BY 1;
SELECT * FROM (VALUES (1), (1), (NULL)) v(x) UNION SELECT 2 ORDER BY 1;
SELECT 2 IN (VALUES (1), (2)), (VALUES (7));
WITH w AS (VALUES (1, true), (2, false)) SELECT * FROM w WHERE column2;
INSERT INTO wv_t SELECT * FROM (VALUES (10, 1, 'v1'), (11, 10, 'v2')) v;
SELECT id, name FROM wv_t WHERE id >= 10 ORDER BY 1;

-- generate_series
SELECT * FROM generate_series(1, 5);
SELECT g FROM generate_series(5, 1, -2) g;
SELECT n FROM generate_series(1, 10, 3) AS s(n) ORDER BY n DESC;
SELECT * FROM generate_series(1, 0);
SELECT * FROM generate_series(1, NULL);
SELECT * FROM generate_series(1, 5, 0);
SELECT count(*), sum(g) FROM generate_series(1, 1000) g;
SELECT * FROM generate_series(9223372036854775806, 9223372036854775807);
SELECT * FROM generate_series(2147483646, 2147483647);
SELECT g, name FROM generate_series(1, 3) g LEFT JOIN wv_t ON wv_t.id = g ORDER BY g;
SELECT * FROM generate_series('1', '3');
SELECT * FROM generate_series(1::bigint, 3) g;
