-- ORDER BY (directions, NULLS FIRST/LAST, several keys, ordinals, aliases, expressions),
-- LIMIT and OFFSET, and the filters applications page with: CASE, BETWEEN, IN.

CREATE TABLE products (id int PRIMARY KEY, name text NOT NULL, category text, price int, stock int, added timestamp);
INSERT INTO products VALUES
  (1, 'apple', 'fruit', 3, 100, '2024-01-05 09:00:00'),
  (2, 'banana', 'fruit', 2, NULL, '2024-01-03 10:30:00'),
  (3, 'carrot', 'vegetable', 1, 50, '2024-02-01 08:00:00'),
  (4, 'donut', 'bakery', 5, 0, NULL),
  (5, 'eclair', 'bakery', NULL, 12, '2024-01-05 09:00:00'),
  (6, 'fig', 'fruit', 8, 7, '2023-12-31 23:59:59'),
  (7, 'garlic', NULL, 4, 30, '2024-03-10 12:00:00'),
  (8, 'honey', NULL, 12, NULL, NULL),
  (9, 'icing', 'bakery', 5, 3, '2024-02-14 14:00:00'),
  (10, 'jam', 'pantry', 7, 25, '2024-01-20 16:45:00');

-- directions and NULL placement
SELECT id, price FROM products ORDER BY price, id;
SELECT id, price FROM products ORDER BY price ASC, id;
SELECT id, price FROM products ORDER BY price DESC, id;
SELECT id, price FROM products ORDER BY price NULLS FIRST, id;
SELECT id, price FROM products ORDER BY price ASC NULLS LAST, id DESC;
SELECT id, price FROM products ORDER BY price DESC NULLS FIRST, id;
SELECT id, price FROM products ORDER BY price DESC NULLS LAST, id;
SELECT id, stock FROM products ORDER BY stock DESC NULLS LAST, id;
SELECT id, added FROM products ORDER BY added, id;
SELECT id, added FROM products ORDER BY added DESC, id;
SELECT name FROM products ORDER BY name DESC;
SELECT id FROM products ORDER BY id DESC;

-- several keys, ordinals, aliases and expressions
SELECT category, name FROM products ORDER BY category, name;
SELECT category, name FROM products ORDER BY category DESC, name DESC;
SELECT category, name FROM products ORDER BY category NULLS FIRST, name DESC;
SELECT category, price, name FROM products ORDER BY 1, 2 DESC, 3;
SELECT name, price * coalesce(stock, 0) AS value FROM products ORDER BY value DESC, name;
SELECT name, price * coalesce(stock, 0) AS value FROM products ORDER BY 2, 1;
SELECT name FROM products ORDER BY length(name), name;
SELECT name FROM products ORDER BY price - stock, name;
SELECT name FROM products ORDER BY coalesce(category, 'zzz'), id;
SELECT name, stock FROM products ORDER BY stock IS NULL, stock, name;
SELECT name FROM products ORDER BY CASE WHEN category = 'fruit' THEN 0 ELSE 1 END, name;
SELECT id AS price FROM products ORDER BY price;
SELECT name FROM products ORDER BY 2;
SELECT name FROM products ORDER BY 0;
SELECT name FROM products ORDER BY nosuch;

-- LIMIT and OFFSET
SELECT id, name FROM products ORDER BY id LIMIT 3;
SELECT id, name FROM products ORDER BY id LIMIT 3 OFFSET 3;
SELECT id, name FROM products ORDER BY id OFFSET 8;
SELECT id, name FROM products ORDER BY id LIMIT 5 OFFSET 20;
SELECT id FROM products ORDER BY id DESC LIMIT 2;
SELECT id FROM products ORDER BY price DESC NULLS LAST, id LIMIT 4;
SELECT id FROM products ORDER BY stock NULLS FIRST, id LIMIT 3 OFFSET 1;
SELECT id FROM products ORDER BY id LIMIT 0;
SELECT id FROM products ORDER BY id LIMIT ALL;
SELECT id FROM products ORDER BY id LIMIT NULL;
SELECT id FROM products ORDER BY id LIMIT 2 + 1;
SELECT id FROM products ORDER BY id LIMIT -1;
SELECT id FROM products ORDER BY id OFFSET -1;
SELECT id FROM products ORDER BY id LIMIT 'x';
SELECT id FROM products ORDER BY id FETCH FIRST 2 ROWS ONLY;
SELECT id FROM products ORDER BY id OFFSET 2 ROWS FETCH NEXT 2 ROWS ONLY;
SELECT count(*) FROM products LIMIT 1;
SELECT category, count(*) FROM products GROUP BY category ORDER BY count(*) DESC, category LIMIT 2;
SELECT DISTINCT category FROM products ORDER BY category LIMIT 2 OFFSET 1;

-- CASE
SELECT name, CASE WHEN price < 3 THEN 'cheap' WHEN price < 8 THEN 'fair' ELSE 'dear' END AS band FROM products ORDER BY id;
SELECT name, CASE category WHEN 'fruit' THEN 'F' WHEN 'bakery' THEN 'B' ELSE '?' END FROM products ORDER BY id;
SELECT name, CASE WHEN stock IS NULL THEN 'unknown' WHEN stock = 0 THEN 'out' ELSE 'in' END FROM products ORDER BY id;
SELECT CASE WHEN price > 5 THEN price ELSE 0 END AS p FROM products ORDER BY id;
SELECT sum(CASE WHEN category = 'fruit' THEN 1 ELSE 0 END), sum(CASE WHEN category IS NULL THEN 1 END) FROM products;
SELECT CASE WHEN 1 > 0 THEN 'a' ELSE 1 END;
SELECT CASE WHEN false THEN 1 / 0 ELSE 2 END;
SELECT CASE 3 WHEN 1 THEN 'one' WHEN 3 THEN 'three' END, CASE 4 WHEN 1 THEN 'one' END;

-- BETWEEN and IN
SELECT id FROM products WHERE price BETWEEN 3 AND 5 ORDER BY id;
SELECT id FROM products WHERE price NOT BETWEEN 3 AND 5 ORDER BY id;
SELECT id FROM products WHERE price BETWEEN 5 AND 3 ORDER BY id;
SELECT id FROM products WHERE price BETWEEN SYMMETRIC 5 AND 3 ORDER BY id;
SELECT id FROM products WHERE name BETWEEN 'b' AND 'e' ORDER BY id;
SELECT id FROM products WHERE added BETWEEN '2024-01-01' AND '2024-01-31' ORDER BY id;
SELECT id FROM products WHERE id IN (2, 4, 6, 99) ORDER BY id;
SELECT id FROM products WHERE id NOT IN (2, 4, 6) ORDER BY id;
SELECT id FROM products WHERE category IN ('fruit', 'pantry') ORDER BY id;
SELECT id FROM products WHERE category NOT IN ('fruit', 'pantry') ORDER BY id;
SELECT id FROM products WHERE price IN (stock, 5) ORDER BY id;
SELECT id FROM products WHERE (price > 4 OR stock > 40) AND category IS NOT NULL ORDER BY id;
SELECT id FROM products WHERE price > 4 OR stock > 40 AND category IS NOT NULL ORDER BY id;
SELECT id FROM products WHERE id IN (1, 'x');
SELECT id FROM products WHERE id > 3 AND id < 7 AND id <> 5 ORDER BY id;
SELECT id FROM products WHERE id >= 9 OR id <= 1 ORDER BY id;
SELECT id FROM products WHERE added > '2024-01-05 09:00:00' ORDER BY added, id;
SELECT id FROM products WHERE added >= '2024-01-05 09:00:00' ORDER BY added, id LIMIT 3;
