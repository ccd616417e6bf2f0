/** The demo's sample shop: replica identity variety so every tuple kind shows up in the stream. */
export const DEMO_SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS customers (id serial PRIMARY KEY, name text NOT NULL, email text, city text, created_at timestamptz DEFAULT now());
CREATE TABLE IF NOT EXISTS orders (id bigserial PRIMARY KEY, customer_id int REFERENCES customers(id), status text NOT NULL, total numeric(12,2), note text, created_at timestamptz DEFAULT now());
CREATE TABLE IF NOT EXISTS order_items (order_id bigint, line int, sku text, qty int, price numeric(10,2), PRIMARY KEY (order_id, line));
CREATE TABLE IF NOT EXISTS audit_log (at timestamptz DEFAULT now(), actor text, action text, details jsonb);
ALTER TABLE orders REPLICA IDENTITY FULL;
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_publication WHERE pubname = 'demo_pub') THEN
    CREATE PUBLICATION demo_pub FOR TABLE customers, orders, order_items, audit_log;
  END IF;
END $$;
INSERT INTO customers (name, email, city)
SELECT 'Customer ' || g, 'c' || g || '@example.com', (ARRAY['Lisboa','Zürich','Osaka','Lagos','Québec'])[1 + g % 5]
  FROM generate_series(1, 200) g
 WHERE NOT EXISTS (SELECT 1 FROM customers);
`;

/** One workload transaction: a new order with items, a status change, sometimes a delete or a message. */
export function workloadTransaction(n: number): string {
  const customer = 1 + (n % 200);
  const parts = [
    'BEGIN',
    `WITH o AS (INSERT INTO orders (customer_id, status, total, note) VALUES (${customer}, 'new', ${(n % 997) + 0.5}, ${n % 7 === 0 ? 'NULL' : `'order ${n}'`}) RETURNING id)
     INSERT INTO order_items SELECT o.id, l, 'SKU-' || (${n} + l) % 50, 1 + l, 9.99 * l FROM o, generate_series(1, 2) l`,
    `UPDATE orders SET status = 'paid' WHERE id = (SELECT max(id) - 3 FROM orders)`,
  ];
  if (n % 5 === 0) parts.push(`DELETE FROM orders WHERE id = (SELECT min(id) FROM orders WHERE status = 'paid')`);
  if (n % 10 === 0)
    parts.push(`INSERT INTO audit_log (actor, action, details) VALUES ('demo', 'batch', '{"n": ${n}}')`);
  if (n % 25 === 0) parts.push(`SELECT pg_logical_emit_message(true, 'demo', 'checkpoint ${n}')`);
  parts.push('COMMIT');
  return parts.join(';\n');
}
