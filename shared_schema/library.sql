-- The library service: authors and their books.
CREATE TYPE book_format AS ENUM ('hardcover', 'paperback', 'ebook');

CREATE TABLE authors (
    id serial PRIMARY KEY,
    name varchar(100) NOT NULL,
    mentor_id integer REFERENCES authors (id),          -- self-referencing, nullable
    joined timestamp without time zone NOT NULL
);

CREATE TABLE books (
    id serial PRIMARY KEY,
    author_id integer REFERENCES authors (id),           -- nullable: anonymous works
    title varchar(200) NOT NULL,
    format book_format NOT NULL,
    status varchar(10) NOT NULL DEFAULT 'draft'
        CHECK (status IN ('draft', 'published', 'retired')),
    details jsonb,
    published timestamp without time zone,
    UNIQUE (author_id, title)                            -- a composite unique
);
