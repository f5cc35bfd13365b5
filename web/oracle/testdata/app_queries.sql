-- Queries of a small shop application: sign-up, catalogue search and pagination, carts,
-- reports by day and customer, and the maintenance statements around them.

CREATE TABLE users (id serial PRIMARY KEY, email varchar(60) NOT NULL UNIQUE, name text NOT NULL, admin boolean NOT NULL DEFAULT false, created timestamp NOT NULL);
CREATE TABLE products (sku varchar(12) PRIMARY KEY, title text NOT NULL, price_cents int NOT NULL, stock int NOT NULL DEFAULT 0, hidden boolean DEFAULT false);
CREATE TABLE carts (user_id int, sku varchar(12), qty smallint NOT NULL, added timestamp NOT NULL, PRIMARY KEY (user_id, sku));
CREATE INDEX carts_sku ON carts (sku);
CREATE INDEX products_price ON products (price_cents);

INSERT INTO users (email, name, created) VALUES ('ann@shop.test', 'Ann', '2024-05-01 10:00:00') RETURNING id;
INSERT INTO users (email, name, created, admin) VALUES ('bob@shop.test', 'Bob', '2024-05-02 11:30:00', true) RETURNING id, admin;
INSERT INTO users (email, name, created) VALUES ('cy@shop.test', 'Cy', '2024-05-02 18:45:10'), ('dee@shop.test', 'Dee', '2024-05-03 08:00:00') RETURNING id, email;
INSERT INTO users (email, name, created) VALUES ('eve@shop.test', 'Eve', '2024-05-04 09:00:00') ON CONFLICT (email) DO NOTHING RETURNING id;
INSERT INTO users (email, name, created) VALUES ('ann@shop.test', 'Ann', '2024-05-04 09:00:00') ON CONFLICT DO NOTHING RETURNING id;
INSERT INTO users (email, name, created) VALUES ('fay@shop.test', 'Fay', '2024-05-04 09:30:00') RETURNING id;
DELETE FROM users WHERE email = 'fay@shop.test' RETURNING name;
-- a duplicate email is refused (its serial value is not observed: raftplay hands it out again)
INSERT INTO users (email, name, created) VALUES ('ann@shop.test', 'Ann again', '2024-05-04 09:00:00');
SELECT id, email, name, admin, created FROM users ORDER BY id;
SELECT id FROM users WHERE email = 'cy@shop.test';
SELECT id, name FROM users WHERE lower(email) = lower('BOB@shop.test');
SELECT count(*) FROM users WHERE admin;
SELECT count(*) AS n FROM users WHERE created >= '2024-05-02' AND created < '2024-05-03';

INSERT INTO products (sku, title, price_cents, stock) VALUES
  ('A-100', 'Red mug', 1200, 10),
  ('A-101', 'Blue mug', 1200, 0),
  ('B-200', 'Tea towel', 650, 25),
  ('B-201', 'Tea pot', 3400, 3),
  ('C-300', 'Coffee beans 1kg', 2199, 40),
  ('C-301', 'Coffee beans 250g', 749, 100),
  ('D-400', 'Gift card', 5000, 999);
UPDATE products SET hidden = true WHERE sku = 'D-400';
SELECT sku, title, price_cents FROM products WHERE NOT hidden ORDER BY price_cents, sku LIMIT 3;
SELECT sku, title, price_cents FROM products WHERE NOT hidden ORDER BY price_cents, sku LIMIT 3 OFFSET 3;
SELECT sku, title, price_cents FROM products WHERE NOT hidden ORDER BY price_cents, sku LIMIT 3 OFFSET 6;
SELECT sku, title FROM products WHERE title ILIKE '%mug%' ORDER BY sku;
SELECT sku, title FROM products WHERE title LIKE 'Tea%' AND stock > 0 ORDER BY title DESC;
SELECT sku FROM products WHERE price_cents BETWEEN 700 AND 2200 ORDER BY price_cents DESC, sku;
SELECT sku, price_cents / 100 AS euros, price_cents % 100 AS cents FROM products ORDER BY sku;
SELECT sku, CASE WHEN stock = 0 THEN 'sold out' WHEN stock < 5 THEN 'few left' ELSE 'in stock' END AS availability FROM products WHERE hidden IS NOT TRUE ORDER BY sku;
SELECT count(*), min(price_cents), max(price_cents), sum(stock) FROM products WHERE hidden = false;
SELECT substring(sku from 1 for 1) AS family, count(*) FROM products GROUP BY 1;
SELECT sku FROM products WHERE sku IN ('A-100', 'C-300', 'Z-999') ORDER BY sku;

INSERT INTO carts VALUES (1, 'A-100', 2, '2024-05-05 10:00:00'), (1, 'C-301', 1, '2024-05-05 10:01:00'), (2, 'B-201', 1, '2024-05-05 12:00:00');
INSERT INTO carts VALUES (3, 'A-100', 1, '2024-05-06 09:00:00'), (3, 'B-200', 4, '2024-05-06 09:05:00'), (4, 'C-300', 2, '2024-05-06 20:00:00');
INSERT INTO carts VALUES (1, 'A-100', 1, '2024-05-06 10:00:00');
INSERT INTO carts VALUES (1, 'A-100', 1, '2024-05-06 10:00:00') ON CONFLICT DO NOTHING;
UPDATE carts SET qty = qty + 1 WHERE user_id = 1 AND sku = 'A-100' RETURNING qty;
UPDATE carts SET qty = 40000 WHERE user_id = 1 AND sku = 'A-100';
SELECT u.name, c.sku, c.qty FROM carts c JOIN users u ON u.id = c.user_id ORDER BY u.name, c.sku;
SELECT u.name, p.title, c.qty, c.qty * p.price_cents AS line_cents FROM carts c JOIN users u ON u.id = c.user_id JOIN products p ON p.sku = c.sku ORDER BY u.name, p.title;
SELECT u.name, sum(c.qty * p.price_cents) AS total FROM users u JOIN carts c ON c.user_id = u.id JOIN products p ON p.sku = c.sku GROUP BY u.name ORDER BY total DESC;
SELECT u.name, count(c.sku) AS lines FROM users u LEFT JOIN carts c ON c.user_id = u.id GROUP BY u.name ORDER BY lines DESC, u.name;
SELECT u.email FROM users u LEFT JOIN carts c ON c.user_id = u.id WHERE c.user_id IS NULL;
SELECT p.sku, coalesce(sum(c.qty), 0) AS reserved FROM products p LEFT JOIN carts c ON c.sku = p.sku GROUP BY p.sku ORDER BY p.sku;
SELECT p.sku, p.stock FROM products p JOIN carts c ON c.sku = p.sku WHERE c.qty > p.stock;
SELECT c.sku, count(*) FROM carts c GROUP BY c.sku HAVING count(*) > 1;
SELECT user_id, max(added) AS last_added FROM carts GROUP BY user_id ORDER BY last_added DESC;
SELECT DISTINCT user_id FROM carts WHERE added >= '2024-05-06' ORDER BY user_id;
SELECT sku, qty FROM carts WHERE user_id = 3 ORDER BY added DESC LIMIT 1;
SELECT count(DISTINCT sku) AS products_in_carts, count(DISTINCT user_id) AS users_with_carts FROM carts;
SELECT u.id, u.name, u.email, count(c.sku) AS lines FROM users u LEFT JOIN carts c ON c.user_id = u.id GROUP BY u.id ORDER BY u.id;
SELECT p.title, sum(c.qty) FROM products p JOIN carts c ON c.sku = p.sku GROUP BY p.sku HAVING p.stock > 5 ORDER BY p.title;
DELETE FROM carts WHERE user_id = 3 AND sku = 'B-200' RETURNING qty;
DELETE FROM carts WHERE added < '2024-05-06' AND user_id <> 1;
SELECT user_id, sku FROM carts ORDER BY user_id, sku;

-- maintenance
UPDATE products SET stock = stock - 1 WHERE sku = 'A-101' AND stock > 0;
UPDATE products SET price_cents = price_cents * 110 / 100 WHERE sku LIKE 'C-%' RETURNING sku, price_cents;
UPDATE users SET name = name || ' (admin)' WHERE admin RETURNING name;
UPDATE users SET email = 'cy@shop.test' WHERE id = 4;
ALTER TABLE users ADD COLUMN last_login timestamp;
UPDATE users SET last_login = '2024-05-07 07:07:07' WHERE id = 1;
SELECT id, last_login FROM users ORDER BY last_login NULLS LAST, id;
SELECT id, name FROM users WHERE last_login IS NULL AND created < '2024-05-03' ORDER BY id;
DELETE FROM users WHERE id = 4 RETURNING email;
SELECT count(*) FROM users;
DROP INDEX carts_sku;
DROP TABLE carts;
SELECT count(*) FROM carts;
