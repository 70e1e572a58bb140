-- The one schema both sides map. The driver creates it with plain SQL, identically for both
-- sides' databases, so neither side's ORM decides what the tables look like.

CREATE TABLE tenants (
    id serial PRIMARY KEY,
    slug varchar(64) NOT NULL UNIQUE,
    name varchar(200) NOT NULL
);

CREATE TABLE users (
    id serial PRIMARY KEY,
    tenant_id integer REFERENCES tenants (id),
    email varchar(255) NOT NULL UNIQUE,
    name varchar(200),
    is_active boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE products (
    id serial PRIMARY KEY,
    tenant_id integer NOT NULL REFERENCES tenants (id),
    sku varchar(64) NOT NULL UNIQUE,
    name varchar(200) NOT NULL,
    price numeric(10, 2) NOT NULL CHECK (price >= 0),
    stock integer CHECK (stock >= 0)
);

CREATE TABLE orders (
    id serial PRIMARY KEY,
    tenant_id integer REFERENCES tenants (id),
    user_id integer NOT NULL REFERENCES users (id),
    product_id integer REFERENCES products (id),
    amount numeric(12, 2) NOT NULL CHECK (amount >= 0),
    status varchar(20) NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'processing', 'shipped', 'cancelled')),
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE order_items (
    id serial PRIMARY KEY,
    order_id integer NOT NULL REFERENCES orders (id),
    product_id integer NOT NULL REFERENCES products (id),
    quantity integer NOT NULL CHECK (quantity > 0),
    unit_price numeric(10, 2) NOT NULL CHECK (unit_price >= 0)
);

CREATE TABLE invoices (
    id serial PRIMARY KEY,
    order_id integer NOT NULL UNIQUE REFERENCES orders (id),
    user_id integer REFERENCES users (id),
    amount numeric(12, 2) NOT NULL CHECK (amount > 0),
    issued_at timestamptz NOT NULL DEFAULT now()
);
