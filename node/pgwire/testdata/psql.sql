CREATE TABLE people (id int PRIMARY KEY, name text, age int);
INSERT INTO people VALUES (1,'garry',14),(2,'ted',NULL);
SELECT * FROM people ORDER BY id;
UPDATE people SET age = 15 WHERE id = 1;
DELETE FROM people WHERE id = 2;
SELECT id, name, age, age > 14 AS teen, 1.5::numeric AS n, 2.5::float8 AS f FROM people;
SELECT * FROM nosuch;
BEGIN;
INSERT INTO people VALUES (3,'ann',30);
INSERT INTO people VALUES (4,'bob',40);
COMMIT;
SELECT count(*) FROM people;
BEGIN;
INSERT INTO people VALUES (5,'eve',50);
ROLLBACK;
SELECT count(*) FROM people;
SET raftplay.consistency = 'linearizable';
SHOW raftplay.consistency;
CREATE INDEX people_age ON people (age);
\dt
\d people
;
