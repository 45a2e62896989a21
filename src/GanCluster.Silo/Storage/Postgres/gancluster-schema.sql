-- GanCluster: the control plane's own tables in the shared PostgreSQL database, beside the Orleans ones.
-- Idempotent, applied by every silo at start in the same locked transaction as orleans-schema.sql.
--
-- Row sets (IRowStorage): state too large to rewrite whole on each change (a sweep's trials and inputs, the
-- scheduler's run index). A header per owner with a version that fences stale activations, and rows keyed by
-- (collection, key); a write updates the header and upserts its rows in one transaction.

CREATE TABLE IF NOT EXISTS gancluster_row_owner
(
    owner   text        NOT NULL PRIMARY KEY,
    version bigint      NOT NULL,
    header  text        NOT NULL,
    updated timestamptz NOT NULL
);

CREATE TABLE IF NOT EXISTS gancluster_row_item
(
    owner      text   NOT NULL,
    collection text   NOT NULL,
    key        bigint NOT NULL,
    payload    text   NOT NULL,
    PRIMARY KEY (owner, collection, key)
);
