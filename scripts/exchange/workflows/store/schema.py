"""Creates and migrates the engine's tables, in numbered steps recorded in
``schema_meta``. Every gateway runs ``ensure()`` before its first use of a
database; the migration lock makes concurrent gateways take turns."""
from exchange.workflows.core import clock
from exchange.workflows.store import db

_OWNED = "('PENDING','RUNNING','HELD')"
_ACTIVE = "('ENQUEUED','PENDING','RUNNING','HELD')"

# Version N is MIGRATIONS[N - 1]. Append only: never edit a shipped step.
MIGRATIONS = [
    [
        """CREATE TABLE IF NOT EXISTS {status} (
            workflow_id VARCHAR(64) NOT NULL PRIMARY KEY,
            workflow_name VARCHAR(200) NOT NULL,
            status VARCHAR(20) NOT NULL,
            queue_name VARCHAR(100) NOT NULL,
            partition_key VARCHAR(200),
            priority INTEGER NOT NULL DEFAULT 0,
            deduplication_id VARCHAR(200),
            application_version VARCHAR(100),
            inputs TEXT,
            output TEXT,
            error TEXT,
            progress TEXT,
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
            finished_ms BIGINT)""",
        # Claiming reads only ENQUEUED entries, however many finished rows exist.
        "CREATE INDEX IF NOT EXISTS {ix}ws_claim ON {status} "
        "(queue_name, priority, created_ms, workflow_id) WHERE status = 'ENQUEUED'",
        "CREATE INDEX IF NOT EXISTS {ix}ws_owned ON {status} "
        "(queue_name, executor_id) WHERE status IN " + _OWNED,
        # The database, not a gateway's memory, guarantees one active run per partition...
        "CREATE UNIQUE INDEX IF NOT EXISTS {ix}ws_partition ON {status} "
        "(partition_key) WHERE partition_key IS NOT NULL AND status IN " + _OWNED,
        # ...and one active run per deduplication id in a queue.
        "CREATE UNIQUE INDEX IF NOT EXISTS {ix}ws_dedup ON {status} "
        "(queue_name, deduplication_id) WHERE deduplication_id IS NOT NULL AND status IN " + _ACTIVE,
        "CREATE INDEX IF NOT EXISTS {ix}ws_created ON {status} (created_ms)",
        "CREATE INDEX IF NOT EXISTS {ix}ws_status_created ON {status} (status, created_ms)",
        "CREATE INDEX IF NOT EXISTS {ix}ws_name_created ON {status} (workflow_name, created_ms)",
        """CREATE TABLE IF NOT EXISTS {ops} (
            workflow_id VARCHAR(64) NOT NULL,
            function_id INTEGER NOT NULL,
            function_name VARCHAR(200) NOT NULL,
            output TEXT,
            error TEXT,
            attempts INTEGER NOT NULL DEFAULT 1,
            started_ms BIGINT,
            finished_ms BIGINT,
            PRIMARY KEY (workflow_id, function_id))""",
        """CREATE TABLE IF NOT EXISTS {mail} (
            workflow_id VARCHAR(64) NOT NULL,
            seq INTEGER NOT NULL,
            topic VARCHAR(100) NOT NULL,
            payload TEXT NOT NULL,
            sender VARCHAR(200),
            reason TEXT,
            created_ms BIGINT NOT NULL,
            consumed_ms BIGINT,
            consumed_by VARCHAR(40),
            PRIMARY KEY (workflow_id, seq))""",
        """CREATE TABLE IF NOT EXISTS {events} (
            workflow_id VARCHAR(64) NOT NULL,
            event_key VARCHAR(200) NOT NULL,
            value TEXT,
            updated_ms BIGINT NOT NULL,
            PRIMARY KEY (workflow_id, event_key))""",
        """CREATE TABLE IF NOT EXISTS {streams} (
            workflow_id VARCHAR(64) NOT NULL,
            stream_key VARCHAR(200) NOT NULL,
            stream_offset INTEGER NOT NULL,
            value TEXT,
            created_ms BIGINT NOT NULL,
            PRIMARY KEY (workflow_id, stream_key, stream_offset))""",
        """CREATE TABLE IF NOT EXISTS {queues} (
            queue_name VARCHAR(100) NOT NULL PRIMARY KEY,
            concurrency INTEGER,
            worker_concurrency INTEGER,
            last_claim_ms BIGINT)""",
    ],
    [
        # Settings every gateway sharing the database obeys: maintenance, retention.
        """CREATE TABLE IF NOT EXISTS {settings} (
            setting_key VARCHAR(100) NOT NULL PRIMARY KEY,
            value TEXT,
            updated_by VARCHAR(200),
            updated_ms BIGINT NOT NULL)""",
        "CREATE INDEX IF NOT EXISTS {ix}ws_finished ON {status} (finished_ms) "
        "WHERE finished_ms IS NOT NULL",
    ],
    [
        # One row per gateway (system name + project): its lease on the runs it holds.
        """CREATE TABLE IF NOT EXISTS {executors} (
            executor_id VARCHAR(200) NOT NULL PRIMARY KEY,
            state VARCHAR(10) NOT NULL,
            application_version VARCHAR(100),
            lease_ms BIGINT NOT NULL,
            started_ms BIGINT NOT NULL,
            heartbeat_ms BIGINT NOT NULL)""",
        "CREATE INDEX IF NOT EXISTS {ix}ws_executor_owned ON {status} (executor_id) "
        "WHERE status IN " + _OWNED,
    ],
    [
        # Who did what: every operator action, allowed or refused. Run
        # retention never touches it (it has its own policy).
        """CREATE TABLE IF NOT EXISTS {audit} (
            audit_id VARCHAR(64) NOT NULL PRIMARY KEY,
            at_ms BIGINT NOT NULL,
            user_name VARCHAR(200),
            roles TEXT,
            source VARCHAR(40) NOT NULL,
            session_id VARCHAR(200),
            action VARCHAR(60) NOT NULL,
            target VARCHAR(200),
            workflow_id VARCHAR(64),
            allowed INTEGER NOT NULL,
            code VARCHAR(60),
            reason TEXT,
            detail TEXT)""",
        "CREATE INDEX IF NOT EXISTS {ix}wa_at ON {audit} (at_ms)",
        "CREATE INDEX IF NOT EXISTS {ix}wa_workflow ON {audit} (workflow_id, at_ms)",
        # In-memory requests the database refused at flush time, set aside so
        # that one bad request cannot block the ones queued behind it.
        """CREATE TABLE IF NOT EXISTS {parked} (
            workflow_id VARCHAR(64) NOT NULL PRIMARY KEY,
            request TEXT NOT NULL,
            reason TEXT NOT NULL,
            executor_id VARCHAR(200),
            parked_ms BIGINT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 1)""",
    ],
]

LATEST = len(MIGRATIONS)

_META = """CREATE TABLE IF NOT EXISTS {meta} (
    id INTEGER NOT NULL PRIMARY KEY,
    version INTEGER NOT NULL,
    updated_ms BIGINT NOT NULL)"""


def currentVersion(store):
    """Returns the schema version recorded in the database (0 if none)."""
    try:
        ds = store.query("SELECT version FROM {meta} WHERE id = 1")
    except db.DatabaseUnavailable:
        raise
    except db.DatabaseError:
        return 0
    return int(ds[0][0]) if len(ds) else 0


def ensure(store):
    """Brings the schema to LATEST; returns the list of versions applied."""
    if currentVersion(store) >= LATEST:
        return []
    applied = []
    # No prelude: a migration may wait longer than the 2 s lock timeout of
    # ordinary transactions for another gateway's migration to finish.
    with store.transaction(timeoutMs=120000, prelude=False) as tx:
        if store.dialect.settings["migrationLock"]:
            db.query(store.dbName, store.dialect.settings["migrationLock"], (), tx)
        if store.dialect.settings["createSchema"]:
            db.update(store.dbName, store.dialect.settings["createSchema"], (), tx)
        store.update(_META, (), tx)
        ds = store.query("SELECT version FROM {meta} WHERE id = 1", (), tx)
        version = int(ds[0][0]) if len(ds) else 0
        for number in range(version + 1, LATEST + 1):
            for statement in MIGRATIONS[number - 1]:
                store.update(statement, (), tx)
            applied.append(number)
        if applied:
            now = clock.nowMs()
            if version == 0:
                store.update(
                    "INSERT INTO {meta} (id, version, updated_ms) VALUES (1, ?, ?)", (LATEST, now), tx)
            else:
                store.update(
                    "UPDATE {meta} SET version = ?, updated_ms = ? WHERE id = 1", (LATEST, now), tx)
    return applied
