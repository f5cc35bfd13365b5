-- Integer arithmetic at the edges of smallint, integer and bigint: results types, overflow
-- (22003), division by zero (22012), integer division and modulo signs, negation of the
-- smallest values, abs.

SELECT 7 / 2, -7 / 2, 7 / -2, -7 / -2;
SELECT 7 % 3, -7 % 3, 7 % -3, -7 % -3;
SELECT 0 / 5, 0 % 5;
SELECT 1 / 0;
SELECT 1 % 0;
SELECT 0 / 0;
SELECT 5::bigint / 0;
SELECT 5::smallint % 0::smallint;

-- integer
SELECT 2147483647 + 0, -2147483647 - 1;
SELECT 2147483647 + 1;
SELECT -2147483648 - 1;
SELECT 65536 * 32768;
SELECT 46341 * 46341;
SELECT 46340 * 46340;
SELECT -2147483648 / -1;
SELECT -2147483648 % -1;
SELECT -(-2147483648);
SELECT abs(-2147483648);
SELECT abs(-2147483647), abs(0), abs(5);

-- bigint
SELECT 9223372036854775807 + 0;
SELECT 9223372036854775807 + 1;
SELECT -9223372036854775807 - 1;
SELECT -9223372036854775808 - 1;
SELECT 4294967296 * 4294967296;
SELECT 3037000499 * 3037000499;
SELECT 3037000500 * 3037000500;
SELECT (-9223372036854775808) / -1;
SELECT (-9223372036854775808) % -1;
SELECT abs(-9223372036854775808);
SELECT 9223372036854775807 / 2, 9223372036854775807 % 10;

-- smallint
SELECT 32767::smallint + 0::smallint;
SELECT 32767::smallint + 1::smallint;
SELECT (-32768)::smallint - 1::smallint;
SELECT 200::smallint * 200::smallint;
SELECT 181::smallint * 181::smallint;
SELECT 32767::smallint + 1;
SELECT (-32768)::smallint / (-1)::smallint;
SELECT -((-32768)::smallint);
SELECT abs((-32768)::smallint);
SELECT 7::smallint / 2::smallint, 7::smallint % 2::smallint;

-- mixed widths resolve to the wider type
SELECT 1::smallint + 1::bigint, 1::int + 1::bigint, 1::smallint * 3;
SELECT 32767::smallint * 2, 2147483647 * 2::bigint;
SELECT 2147483647::bigint * 2147483647;
SELECT 10::bigint / 3::smallint;

-- precedence and unary minus
SELECT 2 + 3 * 4, (2 + 3) * 4, -2 * -3, 2 - -3, - - 4;
SELECT 10 - 2 - 3, 100 / 10 / 5, 2 * 3 % 4;
SELECT -5 % 3, (-5) % 3, -(5 % 3);

-- comparisons across widths
SELECT 1::smallint = 1::bigint, 2147483648 > 2147483647, -1::bigint < 0::smallint;
SELECT 3 BETWEEN 1::bigint AND 5::smallint;
SELECT 2 IN (1::bigint, 2::smallint);
SELECT greatest(1::smallint, 2, 3::bigint), least(5, 4::smallint);

-- in tables
CREATE TABLE counts (id int PRIMARY KEY, small smallint, reg int, big bigint);
INSERT INTO counts VALUES (1, 32767, 2147483647, 9223372036854775807);
INSERT INTO counts VALUES (2, -32768, -2147483648, -9223372036854775808);
INSERT INTO counts VALUES (3, 0, 0, 0);
INSERT INTO counts VALUES (4, 100, 1000, 10000);
SELECT small + 1 FROM counts WHERE id = 1;
SELECT small + small FROM counts WHERE id = 1;
SELECT reg + 1 FROM counts WHERE id = 1;
SELECT reg::bigint + 1 FROM counts WHERE id = 1;
SELECT big + 1 FROM counts WHERE id = 1;
SELECT big - 1 FROM counts WHERE id = 2;
SELECT big * -1 FROM counts WHERE id = 2;
SELECT big * -1 FROM counts WHERE id = 1;
SELECT reg / small FROM counts WHERE id = 3;
SELECT big % small FROM counts WHERE id = 3;
SELECT id, reg / small, reg % small, big / reg FROM counts WHERE id IN (1, 4) ORDER BY id;
SELECT id, -small, -reg FROM counts WHERE id IN (1, 4) ORDER BY id;
SELECT id, abs(small), abs(reg), abs(big) FROM counts WHERE id IN (1, 4) ORDER BY id;
SELECT id FROM counts WHERE big > 2147483647 ORDER BY id;
SELECT id FROM counts WHERE reg * 2 > 0 ORDER BY id;
SELECT id FROM counts WHERE reg::bigint * 2 > 0 ORDER BY id;
SELECT max(big), min(big), max(small), min(small) FROM counts;
SELECT count(*) FROM counts WHERE small BETWEEN -100 AND 100;
UPDATE counts SET small = small + 1 WHERE id = 1;
UPDATE counts SET reg = reg + 1 WHERE id = 4 RETURNING reg;
UPDATE counts SET small = 40000 WHERE id = 3;
UPDATE counts SET small = reg WHERE id = 4 RETURNING small;
UPDATE counts SET small = reg WHERE id = 1;
INSERT INTO counts VALUES (5, 1, 1, 2147483648 * 2) RETURNING big;
INSERT INTO counts VALUES (6, 32767 + 1, 1, 1);
SELECT id, small, reg, big FROM counts ORDER BY id;
