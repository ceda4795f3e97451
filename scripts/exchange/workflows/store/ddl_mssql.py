"""The engine's tables on Microsoft SQL Server (T-SQL), at schema version
BASE_VERSION in one go.

No SQL Server database predates this dialect, so a new one is created at
BASE_VERSION (= store.schema.LATEST when this was written) instead of
replaying the PostgreSQL/SQLite steps of store.schema.MIGRATIONS; every later
version N needs its own list MIGRATIONS[N] here, written beside step N
there (tests/unit/test_dialect_mssql.py fails while one is missing).

SQL Server runs DDL inside the migration's transaction (unlike MariaDB), so
a migration cut short leaves nothing behind and the statements need no
``IF NOT EXISTS`` of their own.

What differs from the PostgreSQL tables:
- Text is NVARCHAR with a binary collation (``Latin1_General_100_BIN2``):
  ids, keys and names compare code point by code point, as on PostgreSQL,
  whatever the database's default collation (usually case-insensitive).
  Key columns stay within SQL Server's 1700-byte index key limit.
- JSON and free text are NVARCHAR(MAX); times are BIGINT milliseconds, as
  everywhere.
- The partial indexes of PostgreSQL are filtered indexes (SQL Server 2008+),
  the two unique ones included: one owned run per partition key, one active
  run per deduplication id in a queue.
- ``output`` is a reserved word in T-SQL: the column keeps its name, which
  store.dialects quotes (``[output]``) here as in every statement.

Statements are written with the same ``{status}``-style placeholders as the
others (store.dialects fills them in). Append only, like MIGRATIONS.
"""
from exchange.workflows.store import frozen

BASE_VERSION = 14

# Frozen copies of the status groups at BASE_VERSION (see store.statuses).
_OWNED_14 = "('PENDING','RUNNING','HELD','HOLDING','RESTARTING','STOPPING','ABORTING')"
_ACTIVE_14 = "('ENQUEUED','PENDING','RUNNING','HELD','HOLDING','RESTARTING','STOPPING','ABORTING')"

CREATE = [
    """CREATE TABLE {status} (
        workflow_id NVARCHAR(64) COLLATE Latin1_General_100_BIN2 NOT NULL,
        workflow_name NVARCHAR(200) COLLATE Latin1_General_100_BIN2 NOT NULL,
        status NVARCHAR(20) COLLATE Latin1_General_100_BIN2 NOT NULL,
        queue_name NVARCHAR(100) COLLATE Latin1_General_100_BIN2 NOT NULL,
        partition_key NVARCHAR(200) COLLATE Latin1_General_100_BIN2,
        priority INT NOT NULL DEFAULT 0,
        deduplication_id NVARCHAR(200) COLLATE Latin1_General_100_BIN2,
        application_version NVARCHAR(100) COLLATE Latin1_General_100_BIN2,
        inputs NVARCHAR(MAX),
        output NVARCHAR(MAX),
        error NVARCHAR(MAX),
        progress NVARCHAR(MAX),
        timeout_ms BIGINT,
        deadline_ms BIGINT,
        executor_id NVARCHAR(200) COLLATE Latin1_General_100_BIN2,
        claim_epoch INT NOT NULL DEFAULT 0,
        cmd_seq INT NOT NULL DEFAULT 0,
        recovery_attempts INT NOT NULL DEFAULT 0,
        created_by NVARCHAR(200) COLLATE Latin1_General_100_BIN2,
        created_ms BIGINT NOT NULL,
        updated_ms BIGINT NOT NULL,
        started_ms BIGINT,
        finished_ms BIGINT,
        retention_hold INT NOT NULL DEFAULT 0,
        retention_hold_by NVARCHAR(200) COLLATE Latin1_General_100_BIN2,
        retention_hold_reason NVARCHAR(MAX),
        retention_hold_ms BIGINT,
        resumed_count INT NOT NULL DEFAULT 0,
        forked_from NVARCHAR(64) COLLATE Latin1_General_100_BIN2,
        forked_from_step INT,
        param_source NVARCHAR(MAX),
        held_ms BIGINT NOT NULL DEFAULT 0,
        held_since_ms BIGINT,
        transition_seq INT NOT NULL DEFAULT 0,
        handler_error NVARCHAR(MAX),
        parent_id NVARCHAR(64) COLLATE Latin1_General_100_BIN2,
        propagate INT NOT NULL DEFAULT 0,
        CONSTRAINT {ix}pk_status PRIMARY KEY (workflow_id))""",
    """CREATE TABLE {ops} (
        workflow_id NVARCHAR(64) COLLATE Latin1_General_100_BIN2 NOT NULL,
        function_id INT NOT NULL,
        function_name NVARCHAR(200) COLLATE Latin1_General_100_BIN2 NOT NULL,
        output NVARCHAR(MAX),
        error NVARCHAR(MAX),
        attempts INT NOT NULL DEFAULT 1,
        started_ms BIGINT,
        finished_ms BIGINT,
        CONSTRAINT {ix}pk_ops PRIMARY KEY (workflow_id, function_id))""",
    """CREATE TABLE {mail} (
        workflow_id NVARCHAR(64) COLLATE Latin1_General_100_BIN2 NOT NULL,
        seq INT NOT NULL,
        topic NVARCHAR(100) COLLATE Latin1_General_100_BIN2 NOT NULL,
        payload NVARCHAR(MAX) NOT NULL,
        sender NVARCHAR(200) COLLATE Latin1_General_100_BIN2,
        reason NVARCHAR(MAX),
        created_ms BIGINT NOT NULL,
        consumed_ms BIGINT,
        consumed_by NVARCHAR(40) COLLATE Latin1_General_100_BIN2,
        CONSTRAINT {ix}pk_mail PRIMARY KEY (workflow_id, seq))""",
    """CREATE TABLE {events} (
        workflow_id NVARCHAR(64) COLLATE Latin1_General_100_BIN2 NOT NULL,
        event_key NVARCHAR(200) COLLATE Latin1_General_100_BIN2 NOT NULL,
        value NVARCHAR(MAX),
        updated_ms BIGINT NOT NULL,
        CONSTRAINT {ix}pk_events PRIMARY KEY (workflow_id, event_key))""",
    """CREATE TABLE {streams} (
        workflow_id NVARCHAR(64) COLLATE Latin1_General_100_BIN2 NOT NULL,
        stream_key NVARCHAR(200) COLLATE Latin1_General_100_BIN2 NOT NULL,
        stream_offset INT NOT NULL,
        sub_offset INT NOT NULL DEFAULT 0,
        value NVARCHAR(MAX),
        created_ms BIGINT NOT NULL,
        CONSTRAINT {ix}pk_streams PRIMARY KEY (workflow_id, stream_key, stream_offset, sub_offset))""",
    """CREATE TABLE {queues} (
        queue_name NVARCHAR(100) COLLATE Latin1_General_100_BIN2 NOT NULL,
        concurrency INT,
        worker_concurrency INT,
        last_claim_ms BIGINT,
        rate_limit INT,
        rate_period_ms BIGINT,
        CONSTRAINT {ix}pk_queues PRIMARY KEY (queue_name))""",
    """CREATE TABLE {settings} (
        setting_key NVARCHAR(100) COLLATE Latin1_General_100_BIN2 NOT NULL,
        value NVARCHAR(MAX),
        updated_by NVARCHAR(200) COLLATE Latin1_General_100_BIN2,
        updated_ms BIGINT NOT NULL,
        CONSTRAINT {ix}pk_settings PRIMARY KEY (setting_key))""",
    """CREATE TABLE {executors} (
        executor_id NVARCHAR(200) COLLATE Latin1_General_100_BIN2 NOT NULL,
        state NVARCHAR(10) COLLATE Latin1_General_100_BIN2 NOT NULL,
        application_version NVARCHAR(100) COLLATE Latin1_General_100_BIN2,
        lease_ms BIGINT NOT NULL,
        started_ms BIGINT NOT NULL,
        heartbeat_ms BIGINT NOT NULL,
        CONSTRAINT {ix}pk_executors PRIMARY KEY (executor_id))""",
    """CREATE TABLE {audit} (
        audit_id NVARCHAR(64) COLLATE Latin1_General_100_BIN2 NOT NULL,
        at_ms BIGINT NOT NULL,
        user_name NVARCHAR(200) COLLATE Latin1_General_100_BIN2,
        roles NVARCHAR(MAX),
        source NVARCHAR(40) COLLATE Latin1_General_100_BIN2 NOT NULL,
        session_id NVARCHAR(200) COLLATE Latin1_General_100_BIN2,
        action NVARCHAR(60) COLLATE Latin1_General_100_BIN2 NOT NULL,
        target NVARCHAR(200) COLLATE Latin1_General_100_BIN2,
        workflow_id NVARCHAR(64) COLLATE Latin1_General_100_BIN2,
        allowed INT NOT NULL,
        code NVARCHAR(60) COLLATE Latin1_General_100_BIN2,
        reason NVARCHAR(MAX),
        detail NVARCHAR(MAX),
        CONSTRAINT {ix}pk_audit PRIMARY KEY (audit_id))""",
    """CREATE TABLE {parked} (
        workflow_id NVARCHAR(64) COLLATE Latin1_General_100_BIN2 NOT NULL,
        request NVARCHAR(MAX) NOT NULL,
        reason NVARCHAR(MAX) NOT NULL,
        executor_id NVARCHAR(200) COLLATE Latin1_General_100_BIN2,
        parked_ms BIGINT NOT NULL,
        attempts INT NOT NULL DEFAULT 1,
        CONSTRAINT {ix}pk_parked PRIMARY KEY (workflow_id))""",
    """CREATE TABLE {eventHistory} (
        workflow_id NVARCHAR(64) COLLATE Latin1_General_100_BIN2 NOT NULL,
        function_id INT NOT NULL,
        sub_offset INT NOT NULL DEFAULT 0,
        event_key NVARCHAR(200) COLLATE Latin1_General_100_BIN2 NOT NULL,
        value NVARCHAR(MAX),
        created_ms BIGINT NOT NULL,
        CONSTRAINT {ix}pk_eventhistory PRIMARY KEY (workflow_id, function_id, sub_offset))""",
    """CREATE TABLE {templates} (
        workflow_name NVARCHAR(200) COLLATE Latin1_General_100_BIN2 NOT NULL,
        template_name NVARCHAR(200) COLLATE Latin1_General_100_BIN2 NOT NULL,
        template_version INT NOT NULL,
        schema_doc NVARCHAR(MAX) NOT NULL,
        status NVARCHAR(20) COLLATE Latin1_General_100_BIN2 NOT NULL,
        description NVARCHAR(MAX),
        created_by NVARCHAR(200) COLLATE Latin1_General_100_BIN2,
        created_ms BIGINT NOT NULL,
        updated_by NVARCHAR(200) COLLATE Latin1_General_100_BIN2,
        updated_ms BIGINT NOT NULL,
        CONSTRAINT {ix}pk_templates PRIMARY KEY (workflow_name, template_name, template_version))""",
    """CREATE TABLE {enums} (
        enum_name NVARCHAR(200) COLLATE Latin1_General_100_BIN2 NOT NULL,
        enum_version INT NOT NULL,
        values_doc NVARCHAR(MAX) NOT NULL,
        status NVARCHAR(20) COLLATE Latin1_General_100_BIN2 NOT NULL,
        description NVARCHAR(MAX),
        created_by NVARCHAR(200) COLLATE Latin1_General_100_BIN2,
        created_ms BIGINT NOT NULL,
        updated_by NVARCHAR(200) COLLATE Latin1_General_100_BIN2,
        updated_ms BIGINT NOT NULL,
        CONSTRAINT {ix}pk_enums PRIMARY KEY (enum_name, enum_version))""",
    """CREATE TABLE {prompts} (
        workflow_id NVARCHAR(64) COLLATE Latin1_General_100_BIN2 NOT NULL,
        function_id INT NOT NULL,
        prompt_key NVARCHAR(200) COLLATE Latin1_General_100_BIN2 NOT NULL,
        prompt NVARCHAR(MAX),
        choices NVARCHAR(MAX),
        default_value NVARCHAR(MAX),
        status NVARCHAR(20) COLLATE Latin1_General_100_BIN2 NOT NULL,
        created_ms BIGINT NOT NULL,
        expires_ms BIGINT,
        answer NVARCHAR(MAX),
        answered_by NVARCHAR(200) COLLATE Latin1_General_100_BIN2,
        answered_source NVARCHAR(40) COLLATE Latin1_General_100_BIN2,
        answer_reason NVARCHAR(MAX),
        answered_ms BIGINT,
        CONSTRAINT {ix}pk_prompts PRIMARY KEY (workflow_id, function_id))""",
    """CREATE TABLE {transitions} (
        workflow_id NVARCHAR(64) COLLATE Latin1_General_100_BIN2 NOT NULL,
        seq INT NOT NULL,
        from_status NVARCHAR(20) COLLATE Latin1_General_100_BIN2 NOT NULL,
        to_status NVARCHAR(20) COLLATE Latin1_General_100_BIN2 NOT NULL,
        handler NVARCHAR(20) COLLATE Latin1_General_100_BIN2,
        cause NVARCHAR(20) COLLATE Latin1_General_100_BIN2 NOT NULL,
        command NVARCHAR(20) COLLATE Latin1_General_100_BIN2,
        sender NVARCHAR(200) COLLATE Latin1_General_100_BIN2,
        reason NVARCHAR(MAX),
        detail NVARCHAR(MAX),
        state NVARCHAR(20) COLLATE Latin1_General_100_BIN2 NOT NULL,
        started_ms BIGINT NOT NULL,
        finished_ms BIGINT,
        error NVARCHAR(MAX),
        CONSTRAINT {ix}pk_transitions PRIMARY KEY (workflow_id, seq))""",
    """CREATE TABLE {schedules} (
        schedule_name NVARCHAR(200) COLLATE Latin1_General_100_BIN2 NOT NULL,
        cron NVARCHAR(200) COLLATE Latin1_General_100_BIN2 NOT NULL,
        timezone NVARCHAR(64) COLLATE Latin1_General_100_BIN2 NOT NULL,
        workflow_name NVARCHAR(200) COLLATE Latin1_General_100_BIN2 NOT NULL,
        inputs NVARCHAR(MAX),
        queue_name NVARCHAR(100) COLLATE Latin1_General_100_BIN2 NOT NULL,
        overlap NVARCHAR(10) COLLATE Latin1_General_100_BIN2 NOT NULL,
        catch_up NVARCHAR(10) COLLATE Latin1_General_100_BIN2 NOT NULL,
        enabled INT NOT NULL,
        next_slot_ms BIGINT,
        last_slot_ms BIGINT,
        last_run_id NVARCHAR(64) COLLATE Latin1_General_100_BIN2,
        last_fired_ms BIGINT,
        skipped_slots INT NOT NULL DEFAULT 0,
        last_error NVARCHAR(MAX),
        created_by NVARCHAR(200) COLLATE Latin1_General_100_BIN2,
        created_ms BIGINT NOT NULL,
        updated_by NVARCHAR(200) COLLATE Latin1_General_100_BIN2,
        updated_ms BIGINT NOT NULL,
        CONSTRAINT {ix}pk_schedules PRIMARY KEY (schedule_name))""",
"CREATE INDEX {ix}ws_claim ON {status} (status, queue_name, priority, created_ms, workflow_id)",
    "CREATE INDEX {ix}ws_partition_key ON {status} (partition_key, status)",
    "CREATE INDEX {ix}ws_dedup_key ON {status} (queue_name, deduplication_id, status)",
    "CREATE INDEX {ix}ws_created ON {status} (created_ms)",
    "CREATE INDEX {ix}ws_status_created ON {status} (status, created_ms)",
    "CREATE INDEX {ix}ws_name_created ON {status} (workflow_name, created_ms)",
    "CREATE INDEX {ix}ws_finished ON {status} (finished_ms)",
    "CREATE INDEX {ix}wa_at ON {audit} (at_ms)",
    "CREATE INDEX {ix}wa_workflow ON {audit} (workflow_id, at_ms)",
    "CREATE INDEX {ix}wt_status ON {templates} (workflow_name, status, template_name, template_version)",
    "CREATE INDEX {ix}wp_key ON {prompts} (workflow_id, prompt_key, status)",
    "CREATE INDEX {ix}wp_status ON {prompts} (status, created_ms)",
    "CREATE INDEX {ix}wsch_due ON {schedules} (enabled, next_slot_ms)",
    "CREATE INDEX {ix}ws_queue_started ON {status} (queue_name, started_ms)",
    "CREATE INDEX {ix}ws_parent ON {status} (parent_id, status)",
    "CREATE INDEX {ix}ws_owned ON {status} (queue_name, executor_id) WHERE status IN " + _OWNED_14,
    "CREATE INDEX {ix}ws_executor_owned ON {status} (executor_id) WHERE status IN " + _OWNED_14,
    "CREATE UNIQUE INDEX {ix}ws_partition ON {status} (partition_key) "
    "WHERE partition_key IS NOT NULL AND status IN " + _OWNED_14,
    "CREATE UNIQUE INDEX {ix}ws_dedup ON {status} (queue_name, deduplication_id) "
    "WHERE deduplication_id IS NOT NULL AND status IN " + _ACTIVE_14,
]

# Version N (> BASE_VERSION) -> its statements, beside store.schema.MIGRATIONS[N - 1].
MIGRATIONS = {
    # Waits that hold no thread (store/schema.py step 15).
    15: [
        "ALTER TABLE {status} ADD wake_ms BIGINT, "
        "wait_kind NVARCHAR(20) COLLATE Latin1_General_100_BIN2, wait_detail NVARCHAR(MAX), "
        "wait_checker NVARCHAR(200) COLLATE Latin1_General_100_BIN2, released_ms BIGINT",
        "CREATE INDEX {ix}ws_wake ON {status} (wake_ms) "
        "WHERE wait_kind IS NOT NULL AND executor_id IS NULL",
        "CREATE INDEX {ix}ws_wait_kind ON {status} (wait_kind, wait_checker) "
        "WHERE wait_kind IS NOT NULL AND executor_id IS NULL",
    ],
}


def steps(fromVersion, toVersion):
    """The statements that bring a database at ``fromVersion`` (0: none of
    our tables) to ``toVersion`` (see store.frozen)."""
    return frozen.steps("SQL Server", "store/ddl_mssql.py", (CREATE, BASE_VERSION, MIGRATIONS),
                        fromVersion, toVersion)
