-- Constraints and data changes: PRIMARY KEY (23505), NOT NULL (23502), UNIQUE, CHECK
-- (refused), DEFAULT, serial; INSERT/UPDATE/DELETE with WHERE and RETURNING, their
-- command tags, ON CONFLICT DO NOTHING, INSERT ... SELECT, DDL errors.

CREATE TABLE accounts (id int PRIMARY KEY, owner text NOT NULL, email text UNIQUE, balance bigint NOT NULL DEFAULT 0, active boolean DEFAULT true);
CREATE TABLE accounts (id int PRIMARY KEY);
CREATE TABLE IF NOT EXISTS accounts (id int PRIMARY KEY);
INSERT INTO accounts (id, owner, email) VALUES (1, 'ann', 'ann@example.com');
INSERT INTO accounts (id, owner, email, balance) VALUES (2, 'bob', 'bob@example.com', 250), (3, 'cy', NULL, 75);
INSERT INTO accounts VALUES (4, 'dee', 'dee@example.com', 10, false);
SELECT * FROM accounts ORDER BY id;
INSERT INTO accounts (id, owner) VALUES (1, 'again');
INSERT INTO accounts (id, owner, email) VALUES (5, 'eve', 'ann@example.com');
INSERT INTO accounts (id, owner) VALUES (5, NULL);
INSERT INTO accounts (owner) VALUES ('no id');
INSERT INTO accounts (id, owner, balance) VALUES (5, 'eve', NULL);
INSERT INTO accounts (id, owner, email) VALUES (5, 'eve', NULL), (6, 'fay', NULL);
INSERT INTO accounts (id, owner) VALUES (7, 'gus'), (7, 'gus twice');
SELECT count(*) FROM accounts;
INSERT INTO accounts (id, owner, nope) VALUES (8, 'x', 1);
INSERT INTO accounts (id, owner) VALUES (8);
INSERT INTO accounts (id) VALUES (8, 'x');
INSERT INTO accounts (id, owner, id) VALUES (8, 'x', 9);
INSERT INTO accounts (id, owner, balance) VALUES (8, 'hal', 'lots');
INSERT INTO accounts (id, owner, balance) VALUES (8, 'hal', 12.5) RETURNING balance;
INSERT INTO accounts (id, owner) VALUES (9, 'ida') RETURNING id, owner, balance, active;
INSERT INTO accounts (id, owner) VALUES (10, 'jo') RETURNING *;
INSERT INTO accounts (id, owner) VALUES (11, 'kim'), (12, 'lee') RETURNING id * 10 AS tens, upper(owner);
INSERT INTO accounts (id, owner) VALUES (1, 'dup') ON CONFLICT DO NOTHING;
INSERT INTO accounts (id, owner) VALUES (1, 'dup'), (13, 'max') ON CONFLICT DO NOTHING RETURNING id;
INSERT INTO accounts (id, owner) VALUES (1, 'dup') ON CONFLICT (id) DO UPDATE SET owner = accounts.owner;
SELECT id, owner, email, balance, active FROM accounts ORDER BY id;

-- UPDATE
UPDATE accounts SET balance = balance + 100 WHERE id = 1;
UPDATE accounts SET balance = balance - 50 WHERE balance >= 50;
UPDATE accounts SET active = false WHERE id > 100;
UPDATE accounts SET owner = upper(owner), balance = balance * 2 WHERE id IN (2, 3) RETURNING id, owner, balance;
UPDATE accounts SET email = 'bob@example.com' WHERE id = 3;
UPDATE accounts SET owner = NULL WHERE id = 3;
UPDATE accounts SET id = 2 WHERE id = 3;
UPDATE accounts SET id = id + 100 WHERE id = 13 RETURNING id;
UPDATE accounts SET balance = DEFAULT WHERE id = 4 RETURNING balance;
UPDATE accounts SET active = NOT active WHERE active IS NOT NULL AND id < 5;
UPDATE accounts SET nope = 1;
UPDATE accounts SET balance = 'x' WHERE id = 1;
UPDATE accounts SET balance = balance WHERE false;
SELECT id, owner, email, balance, active FROM accounts ORDER BY id;

-- DELETE
DELETE FROM accounts WHERE id = 999;
DELETE FROM accounts WHERE owner = 'jo';
DELETE FROM accounts WHERE balance < 100 AND active RETURNING id, owner;
DELETE FROM accounts WHERE id IN (11, 12) RETURNING *;
SELECT id, owner FROM accounts ORDER BY id;
DELETE FROM accounts WHERE email IS NULL;
SELECT id, owner, email FROM accounts ORDER BY id;

-- composite keys and unique indexes
CREATE TABLE enrolment (student int, course text, grade int, PRIMARY KEY (student, course));
INSERT INTO enrolment VALUES (1, 'math', 90), (1, 'art', 75), (2, 'math', 60);
INSERT INTO enrolment VALUES (1, 'math', 10);
INSERT INTO enrolment VALUES (2, 'art', NULL), (3, 'math', 88);
INSERT INTO enrolment VALUES (NULL, 'math', 1);
SELECT student, course, grade FROM enrolment ORDER BY student, course;
UPDATE enrolment SET course = 'math' WHERE student = 1 AND course = 'art';
UPDATE enrolment SET grade = grade + 5 WHERE course = 'math' RETURNING student, grade;
CREATE TABLE tags (id int PRIMARY KEY, name text, UNIQUE (name));
INSERT INTO tags VALUES (1, 'red'), (2, 'blue'), (3, NULL), (4, NULL);
INSERT INTO tags VALUES (5, 'red');
CREATE UNIQUE INDEX tags_lower ON tags (id, name);
CREATE INDEX tags_name ON tags (name);
CREATE INDEX tags_name ON tags (name);
INSERT INTO tags VALUES (5, 'green');
SELECT id, name FROM tags ORDER BY id;
SELECT id FROM tags WHERE name = 'blue';

-- serial and defaults
CREATE TABLE events (id serial PRIMARY KEY, kind text NOT NULL DEFAULT 'note', level int DEFAULT 1, body text);
INSERT INTO events (body) VALUES ('first') RETURNING id, kind, level;
INSERT INTO events (kind, body) VALUES ('alert', 'second'), ('info', 'third') RETURNING id;
INSERT INTO events DEFAULT VALUES RETURNING id, kind, level, body;
INSERT INTO events (id, body) VALUES (100, 'explicit') RETURNING id;
INSERT INTO events (body, level) VALUES ('fifth', NULL) RETURNING id, level;
INSERT INTO events (kind) VALUES (NULL);
SELECT id, kind, level, body FROM events ORDER BY id;
SELECT count(*), max(id) FROM events;

-- INSERT ... SELECT
CREATE TABLE archive (id int PRIMARY KEY, kind text, body text);
INSERT INTO archive SELECT id, kind, body FROM events WHERE level = 1;
INSERT INTO archive (id, kind) SELECT id + 1000, upper(kind) FROM events WHERE kind <> 'note' RETURNING id, kind;
INSERT INTO archive SELECT id, kind, body FROM events;
SELECT id, kind, body FROM archive ORDER BY id;

-- constraints and DDL the engine refuses or rejects
CREATE TABLE checked (id int PRIMARY KEY, qty int CHECK (qty > 0));
CREATE TABLE checked2 (id int PRIMARY KEY, qty int, CHECK (qty > 0));
CREATE TABLE refs (id int PRIMARY KEY, account int REFERENCES accounts (id));
CREATE TABLE twopk (a int PRIMARY KEY, b int PRIMARY KEY);
CREATE TABLE dupcol (a int, a text);
CREATE TABLE badtype (a money2);
DROP TABLE nosuch;
DROP TABLE IF EXISTS nosuch;
DROP TABLE archive;
SELECT * FROM archive;
ALTER TABLE tags ADD COLUMN color text DEFAULT 'none';
SELECT id, name, color FROM tags ORDER BY id;
ALTER TABLE tags ADD COLUMN color text;
ALTER TABLE tags DROP COLUMN color;
