-- NULL and three-valued logic: AND, OR, NOT, comparisons, IS [NOT] DISTINCT FROM,
-- IS [NOT] NULL, IS TRUE/FALSE/UNKNOWN, coalesce, nullif, IN and BETWEEN with NULLs.

-- truth tables
SELECT true AND true, true AND false, false AND false;
SELECT true OR false, false OR false, true OR true;
SELECT NULL::boolean AND true, NULL::boolean AND false, NULL::boolean AND NULL::boolean;
SELECT NULL::boolean OR true, NULL::boolean OR false, NULL::boolean OR NULL::boolean;
SELECT NOT NULL::boolean, NOT true, NOT false;
SELECT NULL AND true, NULL OR false;
SELECT (NULL = NULL), (NULL <> NULL), (1 = NULL), (NULL < 2);
SELECT NULL IS NULL, NULL IS NOT NULL, 1 IS NULL, 1 IS NOT NULL;
SELECT NULL::boolean IS TRUE, NULL::boolean IS FALSE, NULL::boolean IS UNKNOWN;
SELECT NULL::boolean IS NOT TRUE, NULL::boolean IS NOT FALSE, NULL::boolean IS NOT UNKNOWN;
SELECT true IS TRUE, false IS TRUE, true IS NOT FALSE, false IS NOT FALSE;

-- IS [NOT] DISTINCT FROM
SELECT 1 IS DISTINCT FROM 1, 1 IS DISTINCT FROM 2, 1 IS DISTINCT FROM NULL, NULL IS DISTINCT FROM NULL;
SELECT 1 IS NOT DISTINCT FROM 1, 1 IS NOT DISTINCT FROM NULL, NULL IS NOT DISTINCT FROM NULL;
SELECT 'a' IS DISTINCT FROM 'a', 'a' IS NOT DISTINCT FROM 'b';

-- coalesce and nullif
SELECT coalesce(NULL, NULL, 3, 4), coalesce(1, NULL), coalesce(NULL::int, 0);
SELECT coalesce(NULL, 'fallback'), coalesce('first', 'second');
SELECT coalesce(NULL, NULL);
SELECT coalesce(1, 'x');
SELECT coalesce(1, 2.5);
SELECT nullif(1, 1), nullif(1, 2), nullif(NULL, 1), nullif('a', 'b');
SELECT nullif(5, NULL), nullif('', '');
SELECT coalesce(nullif('', ''), 'empty');
SELECT 10 / nullif(0, 0);

-- NULL in expressions
SELECT NULL + 1, NULL * 0, NULL || 'x', 'x' || NULL;
SELECT length(NULL), upper(NULL), abs(NULL::int);
SELECT concat('a', NULL, 'b'), concat(NULL, NULL);
SELECT greatest(1, NULL, 3), least(NULL, 2, 1), greatest(NULL::int, NULL);

-- IN and BETWEEN with NULLs
SELECT 1 IN (1, NULL), 2 IN (1, NULL), 2 NOT IN (1, NULL), NULL IN (1, 2);
SELECT 1 NOT IN (2, 3), 1 NOT IN (1, 3);
SELECT 5 BETWEEN 1 AND NULL, 5 BETWEEN NULL AND 1, 5 NOT BETWEEN NULL AND 1;
SELECT NULL BETWEEN 1 AND 10;

-- CASE with NULL
SELECT CASE WHEN NULL THEN 'yes' ELSE 'no' END;
SELECT CASE NULL WHEN NULL THEN 'matched' ELSE 'not matched' END;
SELECT CASE WHEN 1 = NULL THEN 1 WHEN NULL IS NULL THEN 2 END;

-- a table with gaps
CREATE TABLE survey (id int PRIMARY KEY, answer boolean, score int, note text);
INSERT INTO survey VALUES (1, true, 10, 'good'), (2, false, NULL, NULL), (3, NULL, 5, 'meh'), (4, NULL, NULL, ''), (5, true, 0, 'zero');
SELECT id FROM survey WHERE answer ORDER BY id;
SELECT id FROM survey WHERE NOT answer ORDER BY id;
SELECT id FROM survey WHERE answer IS NULL ORDER BY id;
SELECT id FROM survey WHERE answer IS NOT TRUE ORDER BY id;
SELECT id FROM survey WHERE answer IS NOT FALSE ORDER BY id;
SELECT id FROM survey WHERE answer OR score > 4 ORDER BY id;
SELECT id FROM survey WHERE answer AND score > 4 ORDER BY id;
SELECT id FROM survey WHERE NOT (answer AND score > 4) ORDER BY id;
SELECT id FROM survey WHERE score <> 10 ORDER BY id;
SELECT id FROM survey WHERE score IS DISTINCT FROM 10 ORDER BY id;
SELECT id FROM survey WHERE score IS NOT DISTINCT FROM NULL ORDER BY id;
SELECT id FROM survey WHERE note = '' ORDER BY id;
SELECT id FROM survey WHERE note IS NULL ORDER BY id;
SELECT id, coalesce(note, '(none)'), coalesce(score, -1) FROM survey ORDER BY id;
SELECT id, nullif(note, '') FROM survey ORDER BY id;
SELECT id, nullif(score, 0) FROM survey ORDER BY id;
SELECT id, score IS NULL, answer IS UNKNOWN FROM survey ORDER BY id;
SELECT count(*), count(answer), count(score), count(note) FROM survey;
SELECT sum(score), min(score), max(score) FROM survey;
SELECT count(*) FROM survey WHERE score IN (5, NULL);
SELECT count(*) FROM survey WHERE score NOT IN (5, NULL);
SELECT count(*) FROM survey WHERE score NOT IN (5, 10);
SELECT id FROM survey WHERE score BETWEEN 0 AND 5 ORDER BY id;
SELECT id, CASE WHEN answer THEN 'yes' WHEN NOT answer THEN 'no' ELSE 'unknown' END FROM survey ORDER BY id;
SELECT id, CASE answer WHEN true THEN 1 WHEN false THEN 0 END FROM survey ORDER BY id;
SELECT answer, count(*) FROM survey GROUP BY answer ORDER BY answer;
SELECT DISTINCT score FROM survey ORDER BY score;
SELECT id, score FROM survey ORDER BY score, id;
SELECT id, score FROM survey ORDER BY score DESC, id;
SELECT id, score FROM survey ORDER BY score NULLS FIRST, id;
SELECT id, score FROM survey ORDER BY score DESC NULLS LAST, id;
UPDATE survey SET note = coalesce(note, 'filled') WHERE note IS NULL;
SELECT id, note FROM survey ORDER BY id;
UPDATE survey SET score = NULL WHERE score = 0 RETURNING id, score;
DELETE FROM survey WHERE answer IS NULL RETURNING id;
SELECT id FROM survey ORDER BY id;
