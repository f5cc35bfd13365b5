-- Joins (inner, left, cross, self, comma joins with WHERE) and aggregates (count, sum,
-- min, max, avg, DISTINCT, GROUP BY, HAVING), with the forms the engine refuses.

CREATE TABLE customers (id int PRIMARY KEY, name text NOT NULL, city text);
CREATE TABLE orders (id int PRIMARY KEY, customer_id int, amount int NOT NULL, status text);
CREATE TABLE items (order_id int, line int, product text, qty int, PRIMARY KEY (order_id, line));
INSERT INTO customers VALUES (1, 'Ann', 'Oslo'), (2, 'Bob', 'Rome'), (3, 'Cy', 'Oslo'), (4, 'Dee', NULL), (5, 'Eve', 'Lima');
INSERT INTO orders VALUES (10, 1, 100, 'paid'), (11, 1, 250, 'paid'), (12, 2, 75, 'open'), (13, 3, 300, 'paid'), (14, 3, 20, 'void'), (15, NULL, 40, 'open'), (16, 9, 10, 'paid');
INSERT INTO items VALUES (10, 1, 'pen', 3), (10, 2, 'ink', 1), (11, 1, 'pen', 10), (12, 1, 'pad', 2), (13, 1, 'ink', 5), (13, 2, 'pad', 1), (13, 3, 'pen', 1);

-- inner joins
SELECT c.name, o.id, o.amount FROM customers c JOIN orders o ON o.customer_id = c.id ORDER BY o.id;
SELECT c.name, o.amount FROM customers AS c INNER JOIN orders AS o ON c.id = o.customer_id WHERE o.status = 'paid' ORDER BY o.amount DESC;
SELECT customers.name, orders.amount FROM customers, orders WHERE customers.id = orders.customer_id AND orders.amount > 90 ORDER BY 2;
SELECT c.name, o.id, i.product, i.qty FROM customers c JOIN orders o ON o.customer_id = c.id JOIN items i ON i.order_id = o.id ORDER BY o.id, i.line;
SELECT c.name, i.product FROM customers c, orders o, items i WHERE o.customer_id = c.id AND i.order_id = o.id AND i.qty > 1 ORDER BY c.name, i.product;
SELECT o.id, i.line FROM orders o JOIN items i ON i.order_id = o.id AND i.line > 1 ORDER BY 1, 2;
SELECT name, amount FROM customers JOIN orders ON customer_id = customers.id WHERE city = 'Oslo' ORDER BY amount;
SELECT id FROM customers JOIN orders ON customer_id = customers.id;

-- left joins
SELECT c.name, o.id FROM customers c LEFT JOIN orders o ON o.customer_id = c.id ORDER BY c.id, o.id;
SELECT c.name, o.id FROM customers c LEFT OUTER JOIN orders o ON o.customer_id = c.id AND o.status = 'paid' ORDER BY c.id, o.id;
SELECT c.name FROM customers c LEFT JOIN orders o ON o.customer_id = c.id WHERE o.id IS NULL ORDER BY c.name;
SELECT o.id, c.name FROM orders o LEFT JOIN customers c ON c.id = o.customer_id ORDER BY o.id;
SELECT o.id, coalesce(c.name, '(unknown)') FROM orders o LEFT JOIN customers c ON c.id = o.customer_id ORDER BY o.id;
SELECT c.name, o.id, i.product FROM customers c LEFT JOIN orders o ON o.customer_id = c.id LEFT JOIN items i ON i.order_id = o.id ORDER BY c.id, o.id, i.line;
SELECT c.name, count(o.id) FROM customers c LEFT JOIN orders o ON o.customer_id = c.id GROUP BY c.name ORDER BY c.name;
SELECT c.name, sum(o.amount) FROM customers c LEFT JOIN orders o ON o.customer_id = c.id GROUP BY c.name ORDER BY c.name;

-- cross and self joins
SELECT a.name, b.name FROM customers a CROSS JOIN customers b WHERE a.id < b.id AND a.city = b.city;
SELECT count(*) FROM customers, orders;
SELECT count(*) FROM customers CROSS JOIN items;
SELECT a.id, b.id FROM orders a JOIN orders b ON a.customer_id = b.customer_id AND a.id < b.id ORDER BY 1, 2;
SELECT a.name AS first, b.name AS second FROM customers a JOIN customers b ON a.id + 1 = b.id ORDER BY a.id;

-- joins the engine refuses
SELECT c.name, o.id FROM customers c RIGHT JOIN orders o ON o.customer_id = c.id ORDER BY o.id;
SELECT c.name, o.id FROM customers c FULL JOIN orders o ON o.customer_id = c.id;
SELECT * FROM customers JOIN orders USING (id);
SELECT * FROM customers NATURAL JOIN orders;

-- aggregates
SELECT count(*), count(customer_id), count(DISTINCT customer_id), sum(amount), min(amount), max(amount) FROM orders;
SELECT min(status), max(status), min(id), max(id) FROM orders;
SELECT count(*) FROM orders WHERE amount > 1000;
SELECT sum(amount), max(amount) FROM orders WHERE amount > 1000;
SELECT count(*) FROM customers WHERE city IS NULL;
SELECT avg(amount) FROM orders WHERE status = 'paid';
SELECT sum(qty), count(DISTINCT product) FROM items;

-- GROUP BY and HAVING
SELECT status, count(*) FROM orders GROUP BY status ORDER BY status;
SELECT status, count(*), sum(amount), min(amount), max(amount) FROM orders GROUP BY status ORDER BY count(*) DESC, status;
SELECT customer_id, sum(amount) FROM orders GROUP BY customer_id ORDER BY customer_id;
SELECT customer_id, sum(amount) AS total FROM orders GROUP BY customer_id HAVING sum(amount) > 100 ORDER BY total DESC;
SELECT customer_id, count(*) FROM orders GROUP BY customer_id HAVING count(*) > 1 ORDER BY 1;
SELECT status FROM orders GROUP BY status HAVING max(amount) >= 100 ORDER BY status;
SELECT city, count(*) FROM customers GROUP BY city ORDER BY city NULLS FIRST;
SELECT city, count(*) FROM customers GROUP BY 1 ORDER BY 2 DESC, 1;
SELECT product, sum(qty) AS total FROM items GROUP BY product ORDER BY total DESC;
SELECT order_id, count(*), sum(qty) FROM items GROUP BY order_id HAVING sum(qty) >= 4 ORDER BY order_id;
SELECT c.city, count(o.id), sum(o.amount) FROM customers c JOIN orders o ON o.customer_id = c.id GROUP BY c.city ORDER BY c.city;
SELECT c.name, count(*) FROM customers c JOIN orders o ON o.customer_id = c.id WHERE o.status = 'paid' GROUP BY c.name HAVING count(*) >= 1 ORDER BY c.name;
SELECT amount > 50 AS big, count(*) FROM orders GROUP BY amount > 50 ORDER BY big;
SELECT status, count(*) FILTER (WHERE amount > 50) FROM orders GROUP BY status;
SELECT upper(status), count(*) FROM orders GROUP BY upper(status) ORDER BY 1;
SELECT status, amount FROM orders GROUP BY status;
SELECT count(*) FROM orders HAVING count(*) > 3;
SELECT count(*) FROM orders HAVING count(*) > 30;
SELECT sum(count(*)) FROM orders;
SELECT id FROM orders WHERE count(*) > 1;
SELECT status, string_agg(id::text, ',') FROM orders GROUP BY status;

-- DISTINCT
SELECT DISTINCT status FROM orders ORDER BY status;
SELECT DISTINCT customer_id FROM orders ORDER BY customer_id NULLS FIRST;
SELECT DISTINCT city FROM customers;
SELECT DISTINCT status, customer_id > 1 FROM orders ORDER BY 1, 2;
SELECT count(DISTINCT status), count(DISTINCT city) FROM orders, customers;
SELECT DISTINCT ON (status) status, id FROM orders ORDER BY status, id;
SELECT DISTINCT status FROM orders ORDER BY amount;

-- subqueries
SELECT name FROM customers WHERE id IN (SELECT customer_id FROM orders WHERE amount > 200) ORDER BY name;
SELECT name FROM customers c WHERE EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.id) ORDER BY name;
SELECT id, (SELECT name FROM customers WHERE customers.id = orders.customer_id) FROM orders ORDER BY id;
SELECT count(*) FROM (SELECT DISTINCT status FROM orders) s;
SELECT status FROM orders UNION SELECT city FROM customers;
WITH paid AS (SELECT * FROM orders WHERE status = 'paid') SELECT count(*) FROM paid;
