-- Transaction blocks as a client library drives them, one statement at a time: what a
-- block sees of its own writes, COMMIT and ROLLBACK, errors inside a block (25P02), and
-- the tags of the transaction statements.

CREATE TABLE ledger (id int PRIMARY KEY, account text NOT NULL, amount int NOT NULL);
INSERT INTO ledger VALUES (1, 'cash', 100), (2, 'bank', 500);

BEGIN;
INSERT INTO ledger VALUES (3, 'cash', -30);
UPDATE ledger SET amount = amount + 30 WHERE id = 2;
COMMIT;
SELECT id, account, amount FROM ledger ORDER BY id;

BEGIN;
DELETE FROM ledger WHERE account = 'cash';
ROLLBACK;
SELECT count(*) FROM ledger;

START TRANSACTION;
INSERT INTO ledger VALUES (4, 'card', 12);
END;
SELECT id FROM ledger ORDER BY id;

BEGIN;
INSERT INTO ledger VALUES (5, 'card', 1);
INSERT INTO ledger VALUES (5, 'card', 2);
SELECT 1;
COMMIT;
SELECT count(*) FROM ledger WHERE id = 5;

BEGIN;
INSERT INTO ledger VALUES (6, 'card', 3);
ROLLBACK;
SELECT count(*) FROM ledger WHERE id = 6;

COMMIT;
ROLLBACK;
BEGIN;
COMMIT;
BEGIN ISOLATION LEVEL SERIALIZABLE;
COMMIT;
BEGIN;
SAVEPOINT s1;
ROLLBACK;
SELECT account, sum(amount) FROM ledger GROUP BY account ORDER BY account;
