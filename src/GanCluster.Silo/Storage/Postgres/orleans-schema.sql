-- GanCluster: PostgreSQL schema for the Orleans ADO.NET providers (invariant "Npgsql").
--
-- Prepares one database for Microsoft.Orleans.Clustering.AdoNet, Microsoft.Orleans.Persistence.AdoNet
-- and Microsoft.Orleans.Reminders.AdoNet, and follows the contract of the Orleans 10.4.2 providers:
-- they read their SQL from OrleansQuery(QueryKey, QueryText), bind named parameters (@DeploymentId,
-- @GrainStateVersion, ...) and read result columns by name. Only OrleansQuery and the key names,
-- parameter names and result column names are fixed by Orleans; the tables and functions behind them
-- are this project's own.
--
-- Idempotent: every silo applies it on every start, inside one transaction that holds a
-- pg_advisory_xact_lock. Plain statements only (no psql meta-commands). A later change to a function's
-- parameter list or return type needs a DROP FUNCTION IF EXISTS first: CREATE OR REPLACE cannot do that.
--
-- Timestamps are timestamptz: the providers bind DateTime values as DbType.DateTime with Kind=Utc, which
-- Npgsql sends as timestamp with time zone, and read them back as UTC.

CREATE TABLE IF NOT EXISTS OrleansQuery
(
    QueryKey  varchar(64) NOT NULL,
    QueryText text        NOT NULL,
    CONSTRAINT OrleansQuery_Key PRIMARY KEY (QueryKey)
);

-- Versions (membership table version, grain state etags, reminder etags) are int32 on the .NET side.
-- Grain state and reminder versions wrap to 1 instead of overflowing; only "different from the last
-- one" matters for them.
CREATE OR REPLACE FUNCTION orleans_next_version(current_version integer)
RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $fn$
    SELECT CASE WHEN current_version >= 2147483647 THEN 1 ELSE current_version + 1 END
$fn$;

---------------------------------------------------------------------------------------------------
-- Clustering: one version row per cluster (DeploymentId = ClusterId) and one row per silo incarnation.
-- Every change to a silo row (insert, status/suspicion update) must present the table version the
-- caller last read and moves it on by one; heartbeats (UpdateIAmAlivetimeKey) do not touch it.
---------------------------------------------------------------------------------------------------

CREATE TABLE IF NOT EXISTS orleans_cluster_version
(
    deployment_id text        NOT NULL,
    version       integer     NOT NULL DEFAULT 0,
    changed_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT orleans_cluster_version_pk PRIMARY KEY (deployment_id),
    CONSTRAINT orleans_cluster_version_nonnegative CHECK (version >= 0)
);

CREATE TABLE IF NOT EXISTS orleans_cluster_member
(
    deployment_id   text        NOT NULL,
    address         text        NOT NULL,
    port            integer     NOT NULL,
    generation      integer     NOT NULL,
    silo_name       text        NOT NULL,
    host_name       text        NOT NULL,
    status          integer     NOT NULL,   -- Orleans SiloStatus: 3 = Active, 6 = Dead
    proxy_port      integer     NOT NULL,   -- gateway port, 0 when the silo is no gateway
    suspect_times   text        NULL,       -- "silo-address,date|silo-address,date", owned by Orleans
    start_time      timestamptz NOT NULL,
    i_am_alive_time timestamptz NOT NULL,
    CONSTRAINT orleans_cluster_member_pk PRIMARY KEY (deployment_id, address, port, generation),
    CONSTRAINT orleans_cluster_member_cluster FOREIGN KEY (deployment_id)
        REFERENCES orleans_cluster_version (deployment_id) ON DELETE CASCADE
);

-- Locks the cluster's version row, which serialises every versioned change of the cluster until the
-- transaction ends, and tells whether the cluster is still at expected_version and may move on.
CREATE OR REPLACE FUNCTION orleans_cluster_lock_version(p_deployment_id text, p_expected_version integer)
RETURNS boolean
LANGUAGE plpgsql
AS $fn$
DECLARE
    current_version integer;
BEGIN
    SELECT version INTO current_version
    FROM orleans_cluster_version
    WHERE deployment_id = p_deployment_id
    FOR UPDATE;
    RETURN FOUND AND p_expected_version IS NOT NULL AND current_version = p_expected_version
       AND current_version < 2147483647;
END
$fn$;

-- Moves the cluster's version on by one, after a versioned change (the row is locked by the above).
CREATE OR REPLACE FUNCTION orleans_cluster_advance_version(p_deployment_id text)
RETURNS void
LANGUAGE sql
AS $fn$
    UPDATE orleans_cluster_version
    SET version = version + 1, changed_at = now()
    WHERE deployment_id = p_deployment_id;
$fn$;

-- Adds a silo row if the cluster is still at expected_version and the silo is not there yet;
-- true only when both held, and then the version has moved on by one.
CREATE OR REPLACE FUNCTION orleans_cluster_insert_member(
    p_deployment_id    text,
    p_address          text,
    p_port             integer,
    p_generation       integer,
    p_silo_name        text,
    p_host_name        text,
    p_status           integer,
    p_proxy_port       integer,
    p_start_time       timestamptz,
    p_i_am_alive_time  timestamptz,
    p_expected_version integer)
RETURNS boolean
LANGUAGE plpgsql
AS $fn$
BEGIN
    IF NOT orleans_cluster_lock_version(p_deployment_id, p_expected_version) THEN
        RETURN false;
    END IF;

    INSERT INTO orleans_cluster_member
        (deployment_id, address, port, generation, silo_name, host_name, status, proxy_port,
         suspect_times, start_time, i_am_alive_time)
    VALUES
        (p_deployment_id, p_address, p_port, p_generation, p_silo_name, p_host_name, p_status,
         COALESCE(p_proxy_port, 0), NULL, p_start_time, p_i_am_alive_time)
    ON CONFLICT ON CONSTRAINT orleans_cluster_member_pk DO NOTHING;

    IF NOT FOUND THEN
        RETURN false;  -- that silo incarnation is already a member: nothing changed
    END IF;

    PERFORM orleans_cluster_advance_version(p_deployment_id);
    RETURN true;
END
$fn$;

-- Changes a silo row's status and suspicions if the cluster is still at expected_version;
-- true only then, and the version has moved on by one. A heartbeat never moves backwards.
CREATE OR REPLACE FUNCTION orleans_cluster_update_member(
    p_deployment_id    text,
    p_address          text,
    p_port             integer,
    p_generation       integer,
    p_status           integer,
    p_suspect_times    text,
    p_i_am_alive_time  timestamptz,
    p_expected_version integer)
RETURNS boolean
LANGUAGE plpgsql
AS $fn$
BEGIN
    IF NOT orleans_cluster_lock_version(p_deployment_id, p_expected_version) THEN
        RETURN false;
    END IF;

    UPDATE orleans_cluster_member
    SET status          = p_status,
        suspect_times   = p_suspect_times,
        i_am_alive_time = GREATEST(i_am_alive_time, p_i_am_alive_time)
    WHERE deployment_id = p_deployment_id
      AND address = p_address AND port = p_port AND generation = p_generation;

    IF NOT FOUND THEN
        RETURN false;
    END IF;

    PERFORM orleans_cluster_advance_version(p_deployment_id);
    RETURN true;
END
$fn$;

---------------------------------------------------------------------------------------------------
-- Grain storage: one row per (service, grain type, grain id). Version is the etag: the first write
-- (no etag) inserts version 1, every later write or clear must present the current version and bumps
-- it. A conflict is answered with NULL / no row, which Orleans turns into InconsistentStateException.
---------------------------------------------------------------------------------------------------

CREATE TABLE IF NOT EXISTS orleans_grain_state
(
    service_id      text        NOT NULL,
    grain_type      text        NOT NULL,
    grain_type_hash integer     NOT NULL,
    grain_id_hash   integer     NOT NULL,
    grain_id_n0     bigint      NOT NULL,   -- guid/integer keys; 0 for string keys
    grain_id_n1     bigint      NOT NULL,
    grain_id_ext    text        NULL,       -- key extension, or the whole key of a string-keyed grain
    payload         bytea       NULL,       -- NULL once the state has been cleared
    version         integer     NOT NULL,
    modified_at     timestamptz NOT NULL DEFAULT now()
);

-- Identity of a state row, also the lookup path (the two hashes lead). The strings are hashed so that
-- long grain types or string keys stay within btree limits; NULL extensions compare equal.
CREATE UNIQUE INDEX IF NOT EXISTS orleans_grain_state_identity
    ON orleans_grain_state (grain_id_hash, grain_type_hash, grain_id_n0, grain_id_n1, service_id,
                            md5(grain_type), md5(grain_id_ext))
    NULLS NOT DISTINCT;

-- Returns the new version, or NULL when expected_version does not match what is stored (or, with no
-- expected version, when a row already exists).
CREATE OR REPLACE FUNCTION orleans_grain_state_write(
    p_service_id       text,
    p_grain_type       text,
    p_grain_type_hash  integer,
    p_grain_id_hash    integer,
    p_grain_id_n0      bigint,
    p_grain_id_n1      bigint,
    p_grain_id_ext     text,
    p_expected_version integer,
    p_payload          bytea)
RETURNS integer
LANGUAGE plpgsql
AS $fn$
DECLARE
    written_version integer;
BEGIN
    IF p_expected_version IS NULL THEN
        -- First write of this grain's state; the unique index settles a race between two writers.
        INSERT INTO orleans_grain_state
            (service_id, grain_type, grain_type_hash, grain_id_hash, grain_id_n0, grain_id_n1,
             grain_id_ext, payload, version, modified_at)
        VALUES
            (p_service_id, p_grain_type, p_grain_type_hash, p_grain_id_hash, p_grain_id_n0,
             p_grain_id_n1, p_grain_id_ext, p_payload, 1, now())
        ON CONFLICT DO NOTHING
        RETURNING version INTO written_version;
        RETURN written_version;
    END IF;

    UPDATE orleans_grain_state
    SET payload = p_payload,
        version = orleans_next_version(version),
        modified_at = now()
    WHERE grain_id_hash = p_grain_id_hash
      AND grain_type_hash = p_grain_type_hash
      AND grain_id_n0 = p_grain_id_n0
      AND grain_id_n1 = p_grain_id_n1
      AND service_id = p_service_id
      AND grain_type = p_grain_type
      AND grain_id_ext IS NOT DISTINCT FROM p_grain_id_ext
      AND version = p_expected_version
    RETURNING version INTO written_version;

    RETURN written_version;
END
$fn$;

---------------------------------------------------------------------------------------------------
-- Reminders: one row per (service, grain, reminder name). grain_hash is the grain's uniform hash as
-- a signed int32, the same cast the provider applies to the ring bounds it queries with. Version is
-- the etag: a fresh row starts at 0 and every upsert bumps it; deletes must present it.
---------------------------------------------------------------------------------------------------

CREATE TABLE IF NOT EXISTS orleans_reminder
(
    service_id    text        NOT NULL,
    grain_id      text        NOT NULL,
    reminder_name text        NOT NULL,
    start_time    timestamptz NOT NULL,
    period_ms     bigint      NOT NULL,
    grain_hash    integer     NOT NULL,
    version       integer     NOT NULL,
    CONSTRAINT orleans_reminder_pk PRIMARY KEY (service_id, grain_id, reminder_name)
);

CREATE INDEX IF NOT EXISTS orleans_reminder_ring ON orleans_reminder (service_id, grain_hash);

---------------------------------------------------------------------------------------------------
-- The queries. Result columns are aliased (quoted) to the exact names the providers read.
---------------------------------------------------------------------------------------------------

INSERT INTO OrleansQuery (QueryKey, QueryText)
VALUES
-- ---- clustering: silos -------------------------------------------------------------------------
(
    'InsertMembershipVersionKey',  -- one bool: true when this call created the cluster's version row
    $sql$
    WITH created AS (
        INSERT INTO orleans_cluster_version (deployment_id, version, changed_at)
        VALUES (@DeploymentId, 0, now())
        ON CONFLICT (deployment_id) DO NOTHING
        RETURNING 1
    )
    SELECT EXISTS (SELECT 1 FROM created) AS "Created";
    $sql$
),
(
    'InsertMembershipKey',  -- one bool: inserted and version bumped
    $sql$
    SELECT orleans_cluster_insert_member(@DeploymentId, @Address, @Port, @Generation, @SiloName,
        @HostName, @Status, @ProxyPort, @StartTime, @IAmAliveTime, @Version) AS "Inserted";
    $sql$
),
(
    'UpdateMembershipKey',  -- one bool: updated and version bumped
    $sql$
    SELECT orleans_cluster_update_member(@DeploymentId, @Address, @Port, @Generation, @Status,
        @SuspectTimes, @IAmAliveTime, @Version) AS "Updated";
    $sql$
),
(
    'UpdateIAmAlivetimeKey',  -- heartbeat, not versioned; the result is not read
    $sql$
    UPDATE orleans_cluster_member
    SET i_am_alive_time = GREATEST(i_am_alive_time, @IAmAliveTime)
    WHERE deployment_id = @DeploymentId
      AND address = @Address AND port = @Port AND generation = @Generation;
    $sql$
),
(
    -- Always yields the version row (so the table version is known), joined with the silo row if any.
    'MembershipReadRowKey',
    $sql$
    SELECT v.version         AS "Version",
           m.address         AS "Address",
           m.port            AS "Port",
           m.generation      AS "Generation",
           m.silo_name       AS "SiloName",
           m.host_name       AS "HostName",
           m.status          AS "Status",
           m.proxy_port      AS "ProxyPort",
           m.suspect_times   AS "SuspectTimes",
           m.start_time      AS "StartTime",
           m.i_am_alive_time AS "IAmAliveTime"
    FROM orleans_cluster_version v
    LEFT JOIN orleans_cluster_member m
           ON m.deployment_id = v.deployment_id
          AND m.address = @Address AND m.port = @Port AND m.generation = @Generation
    WHERE v.deployment_id = @DeploymentId;
    $sql$
),
(
    'MembershipReadAllKey',
    $sql$
    SELECT v.version         AS "Version",
           m.address         AS "Address",
           m.port            AS "Port",
           m.generation      AS "Generation",
           m.silo_name       AS "SiloName",
           m.host_name       AS "HostName",
           m.status          AS "Status",
           m.proxy_port      AS "ProxyPort",
           m.suspect_times   AS "SuspectTimes",
           m.start_time      AS "StartTime",
           m.i_am_alive_time AS "IAmAliveTime"
    FROM orleans_cluster_version v
    LEFT JOIN orleans_cluster_member m ON m.deployment_id = v.deployment_id
    WHERE v.deployment_id = @DeploymentId;
    $sql$
),
(
    'DeleteMembershipTableEntriesKey',
    $sql$
    DELETE FROM orleans_cluster_member WHERE deployment_id = @DeploymentId;
    DELETE FROM orleans_cluster_version WHERE deployment_id = @DeploymentId;
    $sql$
),
(
    -- Bulk pruning, used by the provider only when CleanupDefunctSiloEntryKey is absent: Dead rows
    -- whose start and last heartbeat precede the cutoff and that carry no suspicion votes.
    'CleanupDefunctSiloEntriesKey',
    $sql$
    DELETE FROM orleans_cluster_member
    WHERE deployment_id = @DeploymentId
      AND status = 6
      AND i_am_alive_time < @IAmAliveTime
      AND start_time < @IAmAliveTime
      AND COALESCE(suspect_times, '') = '';
    $sql$
),
(
    -- Per-row pruning: the provider decided eligibility from a row it read; delete that row only if it
    -- is still Dead and unchanged (same start, heartbeat and suspicions; NULL and '' are the same).
    'CleanupDefunctSiloEntryKey',
    $sql$
    DELETE FROM orleans_cluster_member
    WHERE deployment_id = @DeploymentId
      AND address = @Address AND port = @Port AND generation = @Generation
      AND status = 6
      AND start_time = @StartTime
      AND i_am_alive_time = @IAmAliveTime
      AND COALESCE(suspect_times, '') = COALESCE(@SuspectTimes, '');
    $sql$
),
-- ---- clustering: gateway list for clients ------------------------------------------------------
(
    'GatewaysQueryKey',  -- @Status is SiloStatus.Active
    $sql$
    SELECT address    AS "Address",
           proxy_port AS "ProxyPort",
           generation AS "Generation"
    FROM orleans_cluster_member
    WHERE deployment_id = @DeploymentId
      AND status = @Status
      AND proxy_port > 0;
    $sql$
),
-- ---- grain storage -----------------------------------------------------------------------------
(
    'ReadFromStorageKey',  -- zero or one row; PayloadBinary NULL means cleared (Version still counts)
    $sql$
    SELECT payload AS "PayloadBinary",
           version AS "Version"
    FROM orleans_grain_state
    WHERE grain_id_hash = @GrainIdHash
      AND grain_type_hash = @GrainTypeHash
      AND grain_id_n0 = @GrainIdN0
      AND grain_id_n1 = @GrainIdN1
      AND service_id = @ServiceId
      AND grain_type = @GrainTypeString
      AND grain_id_ext IS NOT DISTINCT FROM @GrainIdExtensionString;
    $sql$
),
(
    'WriteToStorageKey',  -- one row; NULL = version conflict
    $sql$
    SELECT orleans_grain_state_write(@ServiceId, @GrainTypeString, @GrainTypeHash, @GrainIdHash,
        @GrainIdN0, @GrainIdN1, @GrainIdExtensionString, @GrainStateVersion, @PayloadBinary)
        AS "NewGrainStateVersion";
    $sql$
),
(
    'ClearStorageKey',  -- keeps the row with a NULL payload and a new version; no row = conflict
    $sql$
    UPDATE orleans_grain_state
    SET payload = NULL,
        version = orleans_next_version(version),
        modified_at = now()
    WHERE grain_id_hash = @GrainIdHash
      AND grain_type_hash = @GrainTypeHash
      AND grain_id_n0 = @GrainIdN0
      AND grain_id_n1 = @GrainIdN1
      AND service_id = @ServiceId
      AND grain_type = @GrainTypeString
      AND grain_id_ext IS NOT DISTINCT FROM @GrainIdExtensionString
      AND version = @GrainStateVersion
    RETURNING version AS "NewGrainStateVersion";
    $sql$
),
(
    'DeleteStorageKey',  -- used with DeleteStateOnClear = true; answers a value unlike the old etag
    $sql$
    DELETE FROM orleans_grain_state
    WHERE grain_id_hash = @GrainIdHash
      AND grain_type_hash = @GrainTypeHash
      AND grain_id_n0 = @GrainIdN0
      AND grain_id_n1 = @GrainIdN1
      AND service_id = @ServiceId
      AND grain_type = @GrainTypeString
      AND grain_id_ext IS NOT DISTINCT FROM @GrainIdExtensionString
      AND version = @GrainStateVersion
    RETURNING orleans_next_version(version) AS "NewGrainStateVersion";
    $sql$
),
-- ---- reminders ---------------------------------------------------------------------------------
(
    'UpsertReminderRowKey',  -- returns the row's new etag as "Version"; @Period is milliseconds
    $sql$
    INSERT INTO orleans_reminder AS r
        (service_id, grain_id, reminder_name, start_time, period_ms, grain_hash, version)
    VALUES
        (@ServiceId, @GrainId, @ReminderName, @StartTime, @Period, @GrainHash, 0)
    ON CONFLICT ON CONSTRAINT orleans_reminder_pk DO UPDATE
    SET start_time = EXCLUDED.start_time,
        period_ms  = EXCLUDED.period_ms,
        grain_hash = EXCLUDED.grain_hash,
        version    = orleans_next_version(r.version)
    RETURNING r.version AS "Version";
    $sql$
),
(
    'ReadReminderRowKey',
    $sql$
    SELECT grain_id AS "GrainId", reminder_name AS "ReminderName", start_time AS "StartTime",
           period_ms AS "Period", version AS "Version"
    FROM orleans_reminder
    WHERE service_id = @ServiceId AND grain_id = @GrainId AND reminder_name = @ReminderName;
    $sql$
),
(
    'ReadReminderRowsKey',
    $sql$
    SELECT grain_id AS "GrainId", reminder_name AS "ReminderName", start_time AS "StartTime",
           period_ms AS "Period", version AS "Version"
    FROM orleans_reminder
    WHERE service_id = @ServiceId AND grain_id = @GrainId;
    $sql$
),
(
    -- Ring range (@BeginHash, @EndHash] that does not wrap in signed order (begin < end).
    'ReadRangeRows1Key',
    $sql$
    SELECT grain_id AS "GrainId", reminder_name AS "ReminderName", start_time AS "StartTime",
           period_ms AS "Period", version AS "Version"
    FROM orleans_reminder
    WHERE service_id = @ServiceId
      AND grain_hash > @BeginHash AND grain_hash <= @EndHash;
    $sql$
),
(
    -- Ring range that wraps (begin >= end in signed order; begin = end is the whole ring).
    'ReadRangeRows2Key',
    $sql$
    SELECT grain_id AS "GrainId", reminder_name AS "ReminderName", start_time AS "StartTime",
           period_ms AS "Period", version AS "Version"
    FROM orleans_reminder
    WHERE service_id = @ServiceId
      AND (grain_hash > @BeginHash OR grain_hash <= @EndHash);
    $sql$
),
(
    'DeleteReminderRowKey',  -- one bool: deleted because the etag (@Version) matched
    $sql$
    WITH removed AS (
        DELETE FROM orleans_reminder
        WHERE service_id = @ServiceId AND grain_id = @GrainId AND reminder_name = @ReminderName
          AND version = @Version
        RETURNING 1
    )
    SELECT EXISTS (SELECT 1 FROM removed) AS "Deleted";
    $sql$
),
(
    'DeleteReminderRowsKey',
    $sql$
    DELETE FROM orleans_reminder WHERE service_id = @ServiceId;
    $sql$
)
ON CONFLICT (QueryKey) DO UPDATE
SET QueryText = EXCLUDED.QueryText
WHERE OrleansQuery.QueryText IS DISTINCT FROM EXCLUDED.QueryText;
