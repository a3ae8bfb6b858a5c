-- +goose Up
-- Trigram similarity makes town search forgive typos. pg_trgm is a trusted
-- extension, so the database owner may create it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- Municipalities. Imported towns carry a stable key from the import file
-- (re-imports update them); a town a volunteer proposes has none, is
-- 'proposed' until a coordinator confirms it, and remembers who proposed it.
CREATE TABLE towns (
    id          BIGSERIAL PRIMARY KEY,
    key         TEXT UNIQUE CHECK (key <> ''),
    name        TEXT NOT NULL CHECK (name <> '' AND length(name) <= 200),
    country     TEXT NOT NULL CHECK (country ~ '^[A-Z]{2}$'),
    region      TEXT NOT NULL DEFAULT '' CHECK (length(region) <= 200),
    status      TEXT NOT NULL DEFAULT 'confirmed' CHECK (status IN ('confirmed', 'proposed')),
    proposed_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX towns_country_name_idx ON towns (country, lower(name));
CREATE INDEX towns_proposed_idx ON towns (created_at) WHERE status = 'proposed';
CREATE INDEX towns_proposed_by_idx ON towns (proposed_by) WHERE proposed_by IS NOT NULL;

-- Other names and spellings of a town: in Ukrainian Cyrillic, German,
-- English, transliterations ... lang is a BCP 47 tag such as uk, de,
-- uk-Latn, or '' when unknown.
CREATE TABLE town_names (
    town_id BIGINT NOT NULL REFERENCES towns (id) ON DELETE CASCADE,
    name    TEXT NOT NULL CHECK (name <> '' AND length(name) <= 200),
    lang    TEXT NOT NULL DEFAULT '' CHECK (lang ~ '^([a-z]{2,3}(-[A-Z][a-z]{3})?)?$'),
    PRIMARY KEY (town_id, name, lang)
);

-- What town search compares, written by the application whenever a town's
-- names are written (package searchkey): lower-case, Latin accents folded,
-- German umlauts spelled out, Cyrillic names also in every Latin
-- transliteration. Folding in Go keeps one definition of it and lets the
-- database only match: = and LIKE 'prefix%' on the B-tree, similarity on
-- the trigram index.
CREATE TABLE town_search_keys (
    town_id BIGINT NOT NULL REFERENCES towns (id) ON DELETE CASCADE,
    key     TEXT NOT NULL CHECK (key <> ''),
    PRIMARY KEY (town_id, key)
);
CREATE INDEX town_search_keys_prefix_idx ON town_search_keys (key text_pattern_ops);
CREATE INDEX town_search_keys_trgm_idx ON town_search_keys USING gin (key gin_trgm_ops);

-- Partnerships between two towns, stored once per pair and kind: town_a is
-- always the smaller id.
CREATE TABLE partnerships (
    id         BIGSERIAL PRIMARY KEY,
    town_a     BIGINT NOT NULL REFERENCES towns (id) ON DELETE CASCADE,
    town_b     BIGINT NOT NULL REFERENCES towns (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL CHECK (kind IN ('twinning', 'solidarity', 'project')),
    since      DATE,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    CHECK (town_a < town_b),
    UNIQUE (town_a, town_b, kind)
);
CREATE INDEX partnerships_town_b_idx ON partnerships (town_b);

-- +goose Down
DROP TABLE partnerships;
DROP TABLE town_search_keys;
DROP TABLE town_names;
DROP TABLE towns;
