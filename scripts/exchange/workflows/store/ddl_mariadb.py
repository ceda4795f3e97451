"""The engine's tables on MariaDB, in MariaDB's own DDL.

No MariaDB database predates this dialect, so a new one is created at
schema version BASE_VERSION in one go (CREATE), instead of replaying the
PostgreSQL/SQLite steps 1..BASE_VERSION of store.schema.MIGRATIONS; every
later version N has its own list MIGRATIONS[N] here, written beside step N
there (tests/unit/test_dialect_mariadb.py fails while one is missing).

What differs from the PostgreSQL tables:
- Text is utf8mb4 with a binary collation that does not pad
  (``utf8mb4_nopad_bin``): ids, keys and names compare byte for byte, as on
  PostgreSQL, instead of ignoring case and trailing spaces.
- JSON and free text are LONGTEXT (TEXT holds only 64 KB); times are BIGINT
  milliseconds, as everywhere.
- MariaDB has no partial indexes. The two uniqueness rules that are partial
  on PostgreSQL (one owned run per partition key, one active run per
  deduplication id in a queue) are unique indexes on generated columns that
  hold the key while the rule applies and NULL otherwise (a unique index
  admits any number of NULLs). The other partial indexes become plain ones.
- Indexes are declared inside CREATE TABLE, which is idempotent as a whole
  (``IF NOT EXISTS``): DDL commits at once on MariaDB, so a migration cut
  short is run again from its first statement and must not fail on what it
  already did.

Statements are written with the same ``{status}``-style placeholders as the
others (store.dialects fills them in). Append only, like MIGRATIONS.
"""
from exchange.workflows.store import frozen

# Frozen copies of the status groups at BASE_VERSION (see store.statuses):
# later versions that change a group redefine the generated columns.
_OWNED_9 = "('PENDING','RUNNING','HELD')"
_ACTIVE_9 = "('ENQUEUED','PENDING','RUNNING','HELD')"

_TABLE = " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin"

BASE_VERSION = 9

CREATE = [
    """CREATE TABLE IF NOT EXISTS {status} (
        workflow_id VARCHAR(64) NOT NULL PRIMARY KEY,
        workflow_name VARCHAR(200) NOT NULL,
        status VARCHAR(20) NOT NULL,
        queue_name VARCHAR(100) NOT NULL,
        partition_key VARCHAR(200),
        priority INTEGER NOT NULL DEFAULT 0,
        deduplication_id VARCHAR(200),
        application_version VARCHAR(100),
        inputs LONGTEXT,
        output LONGTEXT,
        error LONGTEXT,
        progress LONGTEXT,
        timeout_ms BIGINT,
        deadline_ms BIGINT,
        executor_id VARCHAR(200),
        claim_epoch INTEGER NOT NULL DEFAULT 0,
        cmd_seq INTEGER NOT NULL DEFAULT 0,
        recovery_attempts INTEGER NOT NULL DEFAULT 0,
        created_by VARCHAR(200),
        created_ms BIGINT NOT NULL,
        updated_ms BIGINT NOT NULL,
        started_ms BIGINT,
        finished_ms BIGINT,
        retention_hold INTEGER NOT NULL DEFAULT 0,
        retention_hold_by VARCHAR(200),
        retention_hold_reason LONGTEXT,
        retention_hold_ms BIGINT,
        resumed_count INTEGER NOT NULL DEFAULT 0,
        forked_from VARCHAR(64),
        forked_from_step INTEGER,
        param_source LONGTEXT,
        held_ms BIGINT NOT NULL DEFAULT 0,
        held_since_ms BIGINT,
        -- The partial unique indexes of PostgreSQL, as generated columns:
        -- the key while the rule applies, else NULL.
        partition_owned VARCHAR(200) AS (CASE WHEN status IN """ + _OWNED_9 + """
            THEN partition_key END) STORED,
        dedup_active VARCHAR(200) AS (CASE WHEN status IN """ + _ACTIVE_9 + """
            THEN deduplication_id END) STORED,
        UNIQUE KEY {ix}ws_partition (partition_owned),
        UNIQUE KEY {ix}ws_dedup (queue_name, dedup_active),
        KEY {ix}ws_claim (status, queue_name, priority, created_ms, workflow_id),
        -- The claim's busy-partition check and the deduplication lookup
        -- read the keys themselves, not the generated columns.
        KEY {ix}ws_partition_key (partition_key, status),
        KEY {ix}ws_dedup_key (queue_name, deduplication_id, status),
        KEY {ix}ws_owned (queue_name, executor_id, status),
        KEY {ix}ws_executor_owned (executor_id, status),
        KEY {ix}ws_created (created_ms),
        KEY {ix}ws_status_created (status, created_ms),
        KEY {ix}ws_name_created (workflow_name, created_ms),
        KEY {ix}ws_finished (finished_ms))""" + _TABLE,
    """CREATE TABLE IF NOT EXISTS {ops} (
        workflow_id VARCHAR(64) NOT NULL,
        function_id INTEGER NOT NULL,
        function_name VARCHAR(200) NOT NULL,
        output LONGTEXT,
        error LONGTEXT,
        attempts INTEGER NOT NULL DEFAULT 1,
        started_ms BIGINT,
        finished_ms BIGINT,
        PRIMARY KEY (workflow_id, function_id))""" + _TABLE,
    """CREATE TABLE IF NOT EXISTS {mail} (
        workflow_id VARCHAR(64) NOT NULL,
        seq INTEGER NOT NULL,
        topic VARCHAR(100) NOT NULL,
        payload LONGTEXT NOT NULL,
        sender VARCHAR(200),
        reason LONGTEXT,
        created_ms BIGINT NOT NULL,
        consumed_ms BIGINT,
        consumed_by VARCHAR(40),
        PRIMARY KEY (workflow_id, seq))""" + _TABLE,
    """CREATE TABLE IF NOT EXISTS {events} (
        workflow_id VARCHAR(64) NOT NULL,
        event_key VARCHAR(200) NOT NULL,
        value LONGTEXT,
        updated_ms BIGINT NOT NULL,
        PRIMARY KEY (workflow_id, event_key))""" + _TABLE,
    """CREATE TABLE IF NOT EXISTS {streams} (
        workflow_id VARCHAR(64) NOT NULL,
        stream_key VARCHAR(200) NOT NULL,
        stream_offset INTEGER NOT NULL,
        sub_offset INTEGER NOT NULL DEFAULT 0,
        value LONGTEXT,
        created_ms BIGINT NOT NULL,
        PRIMARY KEY (workflow_id, stream_key, stream_offset, sub_offset))""" + _TABLE,
    """CREATE TABLE IF NOT EXISTS {queues} (
        queue_name VARCHAR(100) NOT NULL PRIMARY KEY,
        concurrency INTEGER,
        worker_concurrency INTEGER,
        last_claim_ms BIGINT)""" + _TABLE,
    """CREATE TABLE IF NOT EXISTS {settings} (
        setting_key VARCHAR(100) NOT NULL PRIMARY KEY,
        value LONGTEXT,
        updated_by VARCHAR(200),
        updated_ms BIGINT NOT NULL)""" + _TABLE,
    """CREATE TABLE IF NOT EXISTS {executors} (
        executor_id VARCHAR(200) NOT NULL PRIMARY KEY,
        state VARCHAR(10) NOT NULL,
        application_version VARCHAR(100),
        lease_ms BIGINT NOT NULL,
        started_ms BIGINT NOT NULL,
        heartbeat_ms BIGINT NOT NULL)""" + _TABLE,
    """CREATE TABLE IF NOT EXISTS {audit} (
        audit_id VARCHAR(64) NOT NULL PRIMARY KEY,
        at_ms BIGINT NOT NULL,
        user_name VARCHAR(200),
        roles LONGTEXT,
        source VARCHAR(40) NOT NULL,
        session_id VARCHAR(200),
        action VARCHAR(60) NOT NULL,
        target VARCHAR(200),
        workflow_id VARCHAR(64),
        allowed INTEGER NOT NULL,
        code VARCHAR(60),
        reason LONGTEXT,
        detail LONGTEXT,
        KEY {ix}wa_at (at_ms),
        KEY {ix}wa_workflow (workflow_id, at_ms))""" + _TABLE,
    """CREATE TABLE IF NOT EXISTS {parked} (
        workflow_id VARCHAR(64) NOT NULL PRIMARY KEY,
        request LONGTEXT NOT NULL,
        reason LONGTEXT NOT NULL,
        executor_id VARCHAR(200),
        parked_ms BIGINT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 1)""" + _TABLE,
    """CREATE TABLE IF NOT EXISTS {eventHistory} (
        workflow_id VARCHAR(64) NOT NULL,
        function_id INTEGER NOT NULL,
        sub_offset INTEGER NOT NULL DEFAULT 0,
        event_key VARCHAR(200) NOT NULL,
        value LONGTEXT,
        created_ms BIGINT NOT NULL,
        PRIMARY KEY (workflow_id, function_id, sub_offset))""" + _TABLE,
    """CREATE TABLE IF NOT EXISTS {templates} (
        workflow_name VARCHAR(200) NOT NULL,
        template_name VARCHAR(200) NOT NULL,
        template_version INTEGER NOT NULL,
        schema_doc LONGTEXT NOT NULL,
        status VARCHAR(20) NOT NULL,
        description LONGTEXT,
        created_by VARCHAR(200),
        created_ms BIGINT NOT NULL,
        updated_by VARCHAR(200),
        updated_ms BIGINT NOT NULL,
        PRIMARY KEY (workflow_name, template_name, template_version),
        KEY {ix}wt_status (workflow_name, status, template_name, template_version))""" + _TABLE,
    """CREATE TABLE IF NOT EXISTS {enums} (
        enum_name VARCHAR(200) NOT NULL,
        enum_version INTEGER NOT NULL,
        values_doc LONGTEXT NOT NULL,
        status VARCHAR(20) NOT NULL,
        description LONGTEXT,
        created_by VARCHAR(200),
        created_ms BIGINT NOT NULL,
        updated_by VARCHAR(200),
        updated_ms BIGINT NOT NULL,
        PRIMARY KEY (enum_name, enum_version))""" + _TABLE,
]

_OWNED_11 = "('PENDING','RUNNING','HELD','HOLDING','RESTARTING','STOPPING','ABORTING')"
_ACTIVE_11 = "('ENQUEUED','PENDING','RUNNING','HELD','HOLDING','RESTARTING','STOPPING','ABORTING')"

# Version N (> BASE_VERSION) -> its statements, beside store.schema.MIGRATIONS[N - 1].
MIGRATIONS = {
    # Operator prompts (issue 12).
    10: [
        """CREATE TABLE IF NOT EXISTS {prompts} (
            workflow_id VARCHAR(64) NOT NULL,
            function_id INTEGER NOT NULL,
            prompt_key VARCHAR(200) NOT NULL,
            prompt LONGTEXT,
            choices LONGTEXT,
            default_value LONGTEXT,
            status VARCHAR(20) NOT NULL,
            created_ms BIGINT NOT NULL,
            expires_ms BIGINT,
            answer LONGTEXT,
            answered_by VARCHAR(200),
            answered_source VARCHAR(40),
            answer_reason LONGTEXT,
            answered_ms BIGINT,
            PRIMARY KEY (workflow_id, function_id),
            KEY {ix}wp_key (workflow_id, prompt_key, status),
            KEY {ix}wp_status (status, created_ms))""" + _TABLE,
    ],
    # Command handlers (issue 12): their transitions, and the transitional
    # statuses owned like RUNNING, in the two generated columns too (the
    # plain indexes that stand for the partial ones hold every status).
    11: [
        """CREATE TABLE IF NOT EXISTS {transitions} (
            workflow_id VARCHAR(64) NOT NULL,
            seq INTEGER NOT NULL,
            from_status VARCHAR(20) NOT NULL,
            to_status VARCHAR(20) NOT NULL,
            handler VARCHAR(20),
            cause VARCHAR(20) NOT NULL,
            command VARCHAR(20),
            sender VARCHAR(200),
            reason LONGTEXT,
            detail LONGTEXT,
            state VARCHAR(20) NOT NULL,
            started_ms BIGINT NOT NULL,
            finished_ms BIGINT,
            error LONGTEXT,
            PRIMARY KEY (workflow_id, seq))""" + _TABLE,
        "ALTER TABLE {status} ADD COLUMN IF NOT EXISTS transition_seq INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE {status} ADD COLUMN IF NOT EXISTS handler_error LONGTEXT",
        "ALTER TABLE {status} MODIFY COLUMN partition_owned VARCHAR(200) AS (CASE WHEN status IN "
        + _OWNED_11 + " THEN partition_key END) STORED",
        "ALTER TABLE {status} MODIFY COLUMN dedup_active VARCHAR(200) AS (CASE WHEN status IN "
        + _ACTIVE_11 + " THEN deduplication_id END) STORED",
    ],
    # Schedules.
    12: [
        """CREATE TABLE IF NOT EXISTS {schedules} (
            schedule_name VARCHAR(200) NOT NULL PRIMARY KEY,
            cron VARCHAR(200) NOT NULL,
            timezone VARCHAR(64) NOT NULL,
            workflow_name VARCHAR(200) NOT NULL,
            inputs LONGTEXT,
            queue_name VARCHAR(100) NOT NULL,
            overlap VARCHAR(10) NOT NULL,
            catch_up VARCHAR(10) NOT NULL,
            enabled INTEGER NOT NULL,
            next_slot_ms BIGINT,
            last_slot_ms BIGINT,
            last_run_id VARCHAR(64),
            last_fired_ms BIGINT,
            skipped_slots INTEGER NOT NULL DEFAULT 0,
            last_error LONGTEXT,
            created_by VARCHAR(200),
            created_ms BIGINT NOT NULL,
            updated_by VARCHAR(200),
            updated_ms BIGINT NOT NULL,
            KEY {ix}wsch_due (enabled, next_slot_ms))""" + _TABLE,
    ],
    # Queue rate limits.
    13: [
        "ALTER TABLE {queues} ADD COLUMN IF NOT EXISTS rate_limit INTEGER",
        "ALTER TABLE {queues} ADD COLUMN IF NOT EXISTS rate_period_ms BIGINT",
        "CREATE INDEX IF NOT EXISTS {ix}ws_queue_started ON {status} (queue_name, started_ms)",
    ],
    # Child runs.
    14: [
        "ALTER TABLE {status} ADD COLUMN IF NOT EXISTS parent_id VARCHAR(64)",
        "ALTER TABLE {status} ADD COLUMN IF NOT EXISTS propagate INTEGER NOT NULL DEFAULT 0",
        "CREATE INDEX IF NOT EXISTS {ix}ws_parent ON {status} (parent_id, status)",
    ],
    # Waits that hold no thread (plain indexes for the partial ones).
    15: [
        "ALTER TABLE {status} ADD COLUMN IF NOT EXISTS wake_ms BIGINT",
        "ALTER TABLE {status} ADD COLUMN IF NOT EXISTS wait_kind VARCHAR(20)",
        "ALTER TABLE {status} ADD COLUMN IF NOT EXISTS wait_detail LONGTEXT",
        "ALTER TABLE {status} ADD COLUMN IF NOT EXISTS wait_checker VARCHAR(200)",
        "ALTER TABLE {status} ADD COLUMN IF NOT EXISTS released_ms BIGINT",
        "CREATE INDEX IF NOT EXISTS {ix}ws_wake ON {status} (wake_ms)",
        "CREATE INDEX IF NOT EXISTS {ix}ws_wait_kind ON {status} (wait_kind, wait_checker)",
    ],
}


def steps(fromVersion, toVersion):
    """The statements that bring a database at ``fromVersion`` (0: none of
    our tables) to ``toVersion`` (see store.frozen)."""
    return frozen.steps("MariaDB", "store/ddl_mariadb.py", (CREATE, BASE_VERSION, MIGRATIONS),
                        fromVersion, toVersion)
