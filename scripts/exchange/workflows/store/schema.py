"""Creates and migrates the engine's tables, in numbered steps recorded in
``schema_meta``. Every gateway runs ``ensure()`` before its first use of a
database; the migration lock makes concurrent gateways take turns. Where
the tables live (schema ``workflows`` or ``exchange_workflows``) is
store.layout's decision."""
from exchange.workflows.core import clock
from exchange.workflows.store import db, dialects, layout
from exchange.workflows.store.handle import Store

_OWNED = "('PENDING','RUNNING','HELD')"
_ACTIVE = "('ENQUEUED','PENDING','RUNNING','HELD')"
# From the handlers' migration on (issue 12): with the transitional statuses.
_OWNED_11 = "('PENDING','RUNNING','HELD','HOLDING','RESTARTING','STOPPING','ABORTING')"
_ACTIVE_11 = "('ENQUEUED','PENDING','RUNNING','HELD','HOLDING','RESTARTING','STOPPING','ABORTING')"

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
    [
        # The batch record (issue 12): every rt.setEvent with its time, not
        # only the latest value; keyed like the operation that wrote it, so a
        # retried write cannot add a second row.
        """CREATE TABLE IF NOT EXISTS {eventHistory} (
            workflow_id VARCHAR(64) NOT NULL,
            function_id INTEGER NOT NULL,
            event_key VARCHAR(200) NOT NULL,
            value TEXT,
            created_ms BIGINT NOT NULL,
            PRIMARY KEY (workflow_id, function_id))""",
        # A run an operator marked to keep: retention passes it by. Who set
        # or cleared the flag, why and when are kept with it, since the
        # audit trail has its own, possibly shorter, retention.
        "ALTER TABLE {status} ADD COLUMN retention_hold INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE {status} ADD COLUMN retention_hold_by VARCHAR(200)",
        "ALTER TABLE {status} ADD COLUMN retention_hold_reason TEXT",
        "ALTER TABLE {status} ADD COLUMN retention_hold_ms BIGINT",
    ],
    [
        # Events and streams written inside a step (issue 13): a step has one
        # operation id, so its writes are numbered under it by sub_offset
        # (1, 2, ...; 0 for a write that is an operation of its own). A step
        # run again after a crash writes the same (offset, sub_offset) keys
        # and replaces its earlier copy instead of adding a second one. Both
        # keys change, which SQLite can do only by rebuilding the table: the
        # rows are copied aside and back, the same statements on both dialects.
        "CREATE TABLE {streams}_m7 AS SELECT * FROM {streams}",
        "DROP TABLE {streams}",
        """CREATE TABLE {streams} (
            workflow_id VARCHAR(64) NOT NULL,
            stream_key VARCHAR(200) NOT NULL,
            stream_offset INTEGER NOT NULL,
            sub_offset INTEGER NOT NULL DEFAULT 0,
            value TEXT,
            created_ms BIGINT NOT NULL,
            PRIMARY KEY (workflow_id, stream_key, stream_offset, sub_offset))""",
        "INSERT INTO {streams} (workflow_id, stream_key, stream_offset, sub_offset, value, "
        "created_ms) SELECT workflow_id, stream_key, stream_offset, 0, value, created_ms "
        "FROM {streams}_m7",
        "DROP TABLE {streams}_m7",
        "CREATE TABLE {eventHistory}_m7 AS SELECT * FROM {eventHistory}",
        "DROP TABLE {eventHistory}",
        """CREATE TABLE {eventHistory} (
            workflow_id VARCHAR(64) NOT NULL,
            function_id INTEGER NOT NULL,
            sub_offset INTEGER NOT NULL DEFAULT 0,
            event_key VARCHAR(200) NOT NULL,
            value TEXT,
            created_ms BIGINT NOT NULL,
            PRIMARY KEY (workflow_id, function_id, sub_offset))""",
        "INSERT INTO {eventHistory} (workflow_id, function_id, sub_offset, event_key, value, "
        "created_ms) SELECT workflow_id, function_id, 0, event_key, value, created_ms "
        "FROM {eventHistory}_m7",
        "DROP TABLE {eventHistory}_m7",
    ],
    [
        # Resume and fork (issue 12): how often a run was resumed, and the
        # run and operation id a forked run copied its history from. A
        # claimed run with any of them has a history to load (claims.py).
        "ALTER TABLE {status} ADD COLUMN resumed_count INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE {status} ADD COLUMN forked_from VARCHAR(64)",
        "ALTER TABLE {status} ADD COLUMN forked_from_step INTEGER",
    ],
    [
        # Recipes (issue 13): parameter templates per workflow and enums, each
        # name a series of versions that are never edited, only added, set
        # active or obsolete, or deleted. The primary keys are what makes two
        # editors saving a first version at once end with versions 1 and 2
        # (engine/recipes.py retries the insert that lost).
        """CREATE TABLE IF NOT EXISTS {templates} (
            workflow_name VARCHAR(200) NOT NULL,
            template_name VARCHAR(200) NOT NULL,
            template_version INTEGER NOT NULL,
            schema_doc TEXT NOT NULL,
            status VARCHAR(20) NOT NULL,
            description TEXT,
            created_by VARCHAR(200),
            created_ms BIGINT NOT NULL,
            updated_by VARCHAR(200),
            updated_ms BIGINT NOT NULL,
            PRIMARY KEY (workflow_name, template_name, template_version))""",
        "CREATE INDEX IF NOT EXISTS {ix}wt_status ON {templates} "
        "(workflow_name, status, template_name, template_version)",
        """CREATE TABLE IF NOT EXISTS {enums} (
            enum_name VARCHAR(200) NOT NULL,
            enum_version INTEGER NOT NULL,
            values_doc TEXT NOT NULL,
            status VARCHAR(20) NOT NULL,
            description TEXT,
            created_by VARCHAR(200),
            created_ms BIGINT NOT NULL,
            updated_by VARCHAR(200),
            updated_ms BIGINT NOT NULL,
            PRIMARY KEY (enum_name, enum_version))""",
        # Which template version and overridden keys a run started from
        # (JSON; NULL for a run started without a template).
        "ALTER TABLE {status} ADD COLUMN param_source TEXT",
    ],
    [
        # Held time (issue 12): held_ms totals the closed spans a run spent
        # HELD; held_since_ms is when the open one began (NULL: not held).
        # Durable, so a crash or takeover while held loses none of it.
        "ALTER TABLE {status} ADD COLUMN held_ms BIGINT NOT NULL DEFAULT 0",
        "ALTER TABLE {status} ADD COLUMN held_since_ms BIGINT",
        # A run already HELD at the upgrade: its last write was the hold
        # (a held run writes nothing), so its span counts from there.
        "UPDATE {status} SET held_since_ms = updated_ms WHERE status = 'HELD'",
    ],
    [
        # Operator prompts (issue 12): one row per rt.ask, keyed like the
        # operation that asks (a handler's ids are a block of their own), so
        # a replay after a crash finds its prompt instead of asking again. An
        # answer is one conditional UPDATE from PENDING; the run records it
        # as the operation's result. A prompt of a run that ended is not
        # pending whatever its row says: listPrompts joins the active runs.
        """CREATE TABLE IF NOT EXISTS {prompts} (
            workflow_id VARCHAR(64) NOT NULL,
            function_id INTEGER NOT NULL,
            prompt_key VARCHAR(200) NOT NULL,
            prompt TEXT,
            choices TEXT,
            default_value TEXT,
            status VARCHAR(20) NOT NULL,
            created_ms BIGINT NOT NULL,
            expires_ms BIGINT,
            answer TEXT,
            answered_by VARCHAR(200),
            answered_source VARCHAR(40),
            answer_reason TEXT,
            answered_ms BIGINT,
            PRIMARY KEY (workflow_id, function_id))""",
        "CREATE INDEX IF NOT EXISTS {ix}wp_key ON {prompts} (workflow_id, prompt_key, status)",
        "CREATE INDEX IF NOT EXISTS {ix}wp_status ON {prompts} (status, created_ms)",
    ],
    [
        # Command handlers (issue 12): one row per transition that runs a
        # handler (HOLDING, RESTARTING, STOPPING, ABORTING), opened in the
        # transaction that takes its command and closed once (DONE, FAILED,
        # ABANDONED) in the one that moves the run on. The handler's steps
        # are recorded in {ops} under ids of their own (store/checkpoints.py).
        """CREATE TABLE IF NOT EXISTS {transitions} (
            workflow_id VARCHAR(64) NOT NULL,
            seq INTEGER NOT NULL,
            from_status VARCHAR(20) NOT NULL,
            to_status VARCHAR(20) NOT NULL,
            handler VARCHAR(20),
            cause VARCHAR(20) NOT NULL,
            command VARCHAR(20),
            sender VARCHAR(200),
            reason TEXT,
            detail TEXT,
            state VARCHAR(20) NOT NULL,
            started_ms BIGINT NOT NULL,
            finished_ms BIGINT,
            error TEXT,
            PRIMARY KEY (workflow_id, seq))""",
        # The run's last transition number, and the error of the last
        # handler that raised (getWorkflow's handlerError).
        "ALTER TABLE {status} ADD COLUMN transition_seq INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE {status} ADD COLUMN handler_error TEXT",
        # The transitional statuses are owned (and active) like RUNNING: the
        # partial indexes that list those statuses are rebuilt with them, so
        # a run whose handler runs keeps its partition and deduplication id.
        "DROP INDEX IF EXISTS {ixq}ws_owned",
        "DROP INDEX IF EXISTS {ixq}ws_partition",
        "DROP INDEX IF EXISTS {ixq}ws_dedup",
        "DROP INDEX IF EXISTS {ixq}ws_executor_owned",
        "CREATE INDEX IF NOT EXISTS {ix}ws_owned ON {status} "
        "(queue_name, executor_id) WHERE status IN " + _OWNED_11,
        "CREATE UNIQUE INDEX IF NOT EXISTS {ix}ws_partition ON {status} "
        "(partition_key) WHERE partition_key IS NOT NULL AND status IN " + _OWNED_11,
        "CREATE UNIQUE INDEX IF NOT EXISTS {ix}ws_dedup ON {status} "
        "(queue_name, deduplication_id) WHERE deduplication_id IS NOT NULL AND status IN "
        + _ACTIVE_11,
        "CREATE INDEX IF NOT EXISTS {ix}ws_executor_owned ON {status} (executor_id) "
        "WHERE status IN " + _OWNED_11,
    ],
    [
        # Durable schedules (issue 15): one row per schedule. A slot fires by
        # a conditional UPDATE of next_slot_ms in the transaction that inserts
        # its run, so one gateway fires it however many look (store/schedules.py).
        """CREATE TABLE IF NOT EXISTS {schedules} (
            schedule_name VARCHAR(200) NOT NULL PRIMARY KEY,
            cron VARCHAR(200) NOT NULL,
            timezone VARCHAR(64) NOT NULL,
            workflow_name VARCHAR(200) NOT NULL,
            inputs TEXT,
            queue_name VARCHAR(100) NOT NULL,
            overlap VARCHAR(10) NOT NULL,
            catch_up VARCHAR(10) NOT NULL,
            enabled INTEGER NOT NULL,
            next_slot_ms BIGINT,
            last_slot_ms BIGINT,
            last_run_id VARCHAR(64),
            last_fired_ms BIGINT,
            skipped_slots INTEGER NOT NULL DEFAULT 0,
            last_error TEXT,
            created_by VARCHAR(200),
            created_ms BIGINT NOT NULL,
            updated_by VARCHAR(200),
            updated_ms BIGINT NOT NULL)""",
        # Every dispatch cycle of every gateway asks for the due ones.
        "CREATE INDEX IF NOT EXISTS {ix}wsch_due ON {schedules} (enabled, next_slot_ms)",
    ],
    [
        # Rate-limited queues (issue 15): at most rate_limit runs start in
        # any rate_period_ms. The claim counts a queue's recent starts under
        # the queue row's lock, through this index.
        "ALTER TABLE {queues} ADD COLUMN rate_limit INTEGER",
        "ALTER TABLE {queues} ADD COLUMN rate_period_ms BIGINT",
        "CREATE INDEX IF NOT EXISTS {ix}ws_queue_started ON {status} (queue_name, started_ms)",
    ],
    [
        # Child runs (issue 15): the run that started this one with
        # rt.startChild, and whether the parent's commands reach it.
        "ALTER TABLE {status} ADD COLUMN parent_id VARCHAR(64)",
        "ALTER TABLE {status} ADD COLUMN propagate INTEGER NOT NULL DEFAULT 0",
        "CREATE INDEX IF NOT EXISTS {ix}ws_parent ON {status} (parent_id, status)",
    ],
    [
        # Waits that hold no thread (issue 12 item 5, store/runs.py "Released
        # runs"): a run waiting outside a step gives its worker back. Its row
        # keeps its status and leaves executor_id NULL; wait_kind says what
        # it waits for (NULL: not released), wake_ms when to wake it (NULL:
        # only an event), wait_detail the wait's JSON (kept after the wake:
        # the woken run reads its wait's deadline there), wait_checker the
        # gateway that reads a released tag wait's tag.
        "ALTER TABLE {status} ADD COLUMN wake_ms BIGINT",
        "ALTER TABLE {status} ADD COLUMN wait_kind VARCHAR(20)",
        "ALTER TABLE {status} ADD COLUMN wait_detail TEXT",
        "ALTER TABLE {status} ADD COLUMN wait_checker VARCHAR(200)",
        "ALTER TABLE {status} ADD COLUMN released_ms BIGINT",
        # Every dispatch cycle asks for the released runs that are due, and
        # for the released waits it checks (child ends, tags).
        "CREATE INDEX IF NOT EXISTS {ix}ws_wake ON {status} (wake_ms) "
        "WHERE wait_kind IS NOT NULL AND executor_id IS NULL",
        "CREATE INDEX IF NOT EXISTS {ix}ws_wait_kind ON {status} (wait_kind, wait_checker) "
        "WHERE wait_kind IS NOT NULL AND executor_id IS NULL",
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


def ensure(dbName, dialect):
    """Finds where ``dbName`` keeps the engine's tables (store.layout) and
    brings them to LATEST there. Returns the Layout.

    Raises:
        SchemaIncompatible: the database's tables cannot be used (says why).
        DatabaseUnavailable / DatabaseError: as any statement.
    """
    try:
        found = layout.locate(dbName, dialect)
    except layout.SchemaIncompatible:
        # Read outside a transaction, the catalog can change between two of
        # locate's reads (another gateway, or this gateway's timer, finishing
        # the first migration), so the answer is taken again under the lock.
        found = None
    if found is not None and currentVersion(_store(dbName, dialect, found)) >= LATEST:
        return found
    # No prelude: a migration may wait longer than the 2 s lock timeout of
    # ordinary transactions for another gateway's migration to finish.
    with db.Transaction(dbName, dialect, 120000, False) as tx:
        if dialect.settings["migrationLock"]:
            _lock(dbName, dialect, tx)
        try:
            # Again, under the lock: a gateway that started at the same moment may
            # have created our tables meanwhile, and its choice is the one to keep.
            found = layout.locate(dbName, dialect, tx)
            _migrate(_store(dbName, dialect, found), tx)
            if dialect.settings.get("migrationUnlock"):
                # The version row is written by this transaction (only
                # MariaDB's DDL commits at once): committed before the lock
                # is given back, else the next gateway under the lock reads
                # no version, migrates again and fails on the version row's
                # key (a start that prepared the database got DATABASE_ERROR).
                db.update(dbName, "COMMIT", (), tx)
        finally:
            # A session lock (MariaDB) outlives the transaction: it is given
            # back here, also when the migration failed.
            if dialect.settings.get("migrationUnlock"):
                db.query(dbName, dialect.settings["migrationUnlock"], (), tx)
    return found


def _lock(dbName, dialect, tx):
    ds = db.query(dbName, dialect.settings["migrationLock"], (), tx)
    # PostgreSQL's lock answers nothing worth reading (it waits for as long
    # as it takes); MariaDB's GET_LOCK answers 0 when its wait ran out.
    if dialect.settings.get("migrationUnlock") and not (len(ds) and ds[0][0] == 1):
        raise db.LockTimeout("Database '%s': another gateway's schema migration still holds "
                             "its lock; try again" % dbName)


def steps(dialect, fromVersion):
    """The statements that bring a database of ``dialect`` at schema version
    ``fromVersion`` (0: none) to LATEST: MIGRATIONS, or the dialect's own
    (MariaDB: store/ddl_mariadb.py)."""
    own = dialect.settings.get("schemaSteps")
    if own is not None:
        return own(fromVersion, LATEST)
    return [statement for number in range(fromVersion + 1, LATEST + 1)
            for statement in MIGRATIONS[number - 1]]


def _store(dbName, dialect, found):
    return Store(dbName, dialects.layout(dialect.name, found.schemaName))


def _migrate(store, tx):
    if store.dialect.settings["createSchema"]:
        db.update(store.dbName, store.dialect.settings["createSchema"], (), tx)
    store.update(_META, (), tx)
    ds = store.query("SELECT version FROM {meta} WHERE id = 1", (), tx)
    version = int(ds[0][0]) if len(ds) else 0
    if version >= LATEST:
        return
    for statement in steps(store.dialect, version):
        store.update(statement, (), tx)
    now = clock.nowMs()
    if version == 0:
        store.update("INSERT INTO {meta} (id, version, updated_ms) VALUES (1, ?, ?)", (LATEST, now), tx)
    else:
        store.update("UPDATE {meta} SET version = ?, updated_ms = ? WHERE id = 1", (LATEST, now), tx)
