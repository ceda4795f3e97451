"""What differs between databases, in one table per dialect.

Statements elsewhere are written once with ``{status}``-style table
placeholders; ``Dialect.sql()`` fills them in and caches the result.
SQLite has no schemas, so ``workflows.workflow_status`` becomes
``workflows_workflow_status`` there.

The tables live in the schema ``workflows`` (SQLite: prefix ``workflows_``),
or in ``exchange_workflows`` on a database that also holds
ignition-workflows 0.3.6's tables, which use the same names
(``store.layout`` decides; ``layout()`` here gives the Dialect of either).
MariaDB has databases, not schemas: its tables are named like SQLite's,
``workflows_*``, in the database the gateway connection opens.

Statements are written once, in PostgreSQL's syntax where the databases
differ in spelling only; a dialect's ``rewrites`` turn that spelling into
its own (MariaDB: ``ON
DUPLICATE KEY UPDATE`` for ``ON CONFLICT (...) DO UPDATE``, its CAST
types), once per statement, when the statement is first formatted. What
cannot be respelled is a setting (``skipLocked``, ``dbNowMs``, the
transaction prelude, the migration lock) or, for the two statements
MariaDB lacks (UPDATE ... RETURNING, ON CONFLICT DO NOTHING),
``standIns``: store/standins.py runs them another way.

Microsoft SQL Server (T-SQL) keeps the tables in the schema ``workflows``
like PostgreSQL; its rewrites turn RETURNING into OUTPUT, upserts into
MERGE and LIMIT/OFFSET into OFFSET ... FETCH, its ``claimHint`` stands for
SKIP LOCKED, and store.standins takes care of ON CONFLICT DO NOTHING, the
order of LIMIT ? OFFSET ?'s values and its 2100-parameter limit.
"""
import re

from exchange.workflows.core.errors import DatabaseError
from exchange.workflows.store import db, ddl_mariadb, ddl_mssql

_IDENT = re.compile(r"^[a-z_][a-z0-9_.]{0,62}$")

TABLES = {
    "status": "workflow_status",
    "ops": "operation_outputs",
    "mail": "notifications",
    "events": "workflow_events",
    "streams": "streams",
    "queues": "queues",
    "meta": "schema_meta",
    "settings": "settings",
    "executors": "executors",
    "audit": "audit",
    "parked": "parked_requests",
    "eventHistory": "event_history",
    "templates": "recipe_templates",
    "enums": "recipe_enums",
    "prompts": "operator_prompts",
    "transitions": "workflow_transitions",
    "schedules": "schedules",
}

DEFAULT_SCHEMA = "workflows"
# Where our tables go when ignition-workflows 0.3.6's occupy DEFAULT_SCHEMA.
BESIDE_UPSTREAM = "exchange_workflows"
# Templates kept per dialect: the store's fixed statements number about a
# hundred. Long per-call statements cost little to format next to their
# round trip, and would fill the cache fastest.
CACHE_LIMIT = 1000
CACHE_MAX_CHARS = 4000


class Dialect(object):
    def __init__(self, name, tableFormat, settings, schema=DEFAULT_SCHEMA):
        self.name = name
        self.tableFormat = tableFormat
        self.schema = schema
        # As given (with "%(schema)s" in createSchema), for layout().
        self.given = settings
        settings = dict(settings)
        if settings.get("createSchema"):
            settings["createSchema"] = settings["createSchema"] % {"schema": schema}
        self.settings = settings
        # Store.query/update hand statements to store.standins (MariaDB).
        self.standIns = bool(settings.get("standIns"))
        names = {}
        for key, table in TABLES.items():
            names[key] = self.table(table)
        # PostgreSQL keeps an index in its table's schema; SQLite has one
        # namespace per file, so tables under another prefix need other index
        # names (the default layout keeps the names it always had).
        if schema == DEFAULT_SCHEMA or settings.get("hasSchemas"):
            names["ix"] = "wf_"
        else:
            names["ix"] = schema + "_wf_"
        # An index's name as DROP INDEX takes it: qualified by its schema
        # where the database has schemas (issue 12's migration 11 rebuilds
        # the partial indexes that list the owned statuses).
        names["ixq"] = (schema + "." if settings.get("hasSchemas") else "") + names["ix"]
        self.names = names
        self._cache = {}

    def table(self, table):
        """The full name of ``table`` in this dialect's schema (or prefix)."""
        ident = self.tableFormat % {"schema": self.schema, "table": table}
        if not _IDENT.match(ident):
            raise ValueError("invalid identifier %r" % ident)
        return ident

    def sql(self, template):
        """Returns ``template`` with table names filled in and this dialect's
        rewrites applied (cached).

        The store's statements are a fixed set, but some are built per call
        (an IN list, a multi-row INSERT of up to 1000 rows): a template
        longer than CACHE_MAX_CHARS, or any past CACHE_LIMIT templates, is
        formatted each time and not kept, so the cache stays small whatever
        callers pass."""
        text = self._cache.get(template)
        if text is None:
            values = dict(self.names)
            values.update(self.settings)
            text = template
            for pattern, replacement in self.settings.get("rewrites", ()):
                text = pattern.sub(replacement, text)
            text = text.format(**values)
            if len(template) <= CACHE_MAX_CHARS and len(self._cache) < CACHE_LIMIT:
                self._cache[template] = text
        return text


POSTGRES = Dialect("postgresql", "%(schema)s.%(table)s", {
    "hasSchemas": True,
    "createSchema": "CREATE SCHEMA IF NOT EXISTS %(schema)s",
    # The columns of table (schema, table), none when it does not exist. From
    # the catalog, which every role may read: it never fails (a failed
    # statement would end the migration's transaction), and it sees tables
    # of other owners and schemas this role may not use.
    "columnsOf": "SELECT a.attname FROM pg_catalog.pg_attribute a "
                 "JOIN pg_catalog.pg_class c ON c.oid = a.attrelid "
                 "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
                 "WHERE n.nspname = ? AND c.relname = ? AND a.attnum > 0 AND NOT a.attisdropped",
    # Serialises concurrent migrations from several gateways.
    "migrationLock": "SELECT pg_advisory_xact_lock(7420190311)",
    "skipLocked": " FOR UPDATE SKIP LOCKED",
    # SQL Server's table hints, after the claim's table alias (store.claims).
    "claimHint": "",
    # The database's clock, so that leases do not depend on gateway clocks agreeing.
    "dbNowMs": "CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)",
    # Every engine transaction is short. A gateway frozen in the middle of one
    # (GC pause, SIGSTOP, split brain) must not block the others for ever: the
    # server ends its session after 10 s idle in the transaction, and a waiter
    # gives up on a lock after 2 s and tries again on its next cycle.
    "txPrelude": "SELECT set_config('lock_timeout', '2s', true), "
                 "set_config('idle_in_transaction_session_timeout', '10s', true)",
    # Transactions need READ COMMITTED; asking for it costs the driver a
    # statement per transaction, so it is asked for only when this is not it.
    "defaultIsolation": "SELECT current_setting('default_transaction_isolation')",
})

SQLITE = Dialect("sqlite", "%(schema)s_%(table)s", {
    "hasSchemas": False,
    "createSchema": "",
    "columnsOf": "SELECT name FROM pragma_table_info(? || '_' || ?)",
    # SQLite takes its one write lock with the first write of the migration.
    "migrationLock": "",
    "skipLocked": "",
    "claimHint": "",
    "dbNowMs": "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)",
    "txPrelude": None,
    "defaultIsolation": None,
    "setsIsolation": False,
})


# PostgreSQL's spelling -> MariaDB's (see the module docstring). Each
# pattern matches only the forms the store writes; a statement that uses
# none is left as it is.
_MARIADB_REWRITES = (
    # INSERT ... ON CONFLICT DO NOTHING [RETURNING ...]: a plain INSERT, whose
    # duplicate-key refusal store.standins takes for "nothing inserted".
    (re.compile(r" ON CONFLICT DO NOTHING\b"), ""),
    (re.compile(r" ON CONFLICT \([a-z_, ]+\) DO UPDATE SET "), " ON DUPLICATE KEY UPDATE "),
    (re.compile(r"\bexcluded\.([a-z_]+)"), r"VALUES(\1)"),
    # CAST takes SIGNED and CHAR where PostgreSQL says BIGINT and TEXT.
    (re.compile(r"\bCAST\(\? AS BIGINT\)"), "CAST(? AS SIGNED)"),
    (re.compile(r"\bCAST\(\? AS TEXT\)"), "CAST(? AS CHAR)"),
)

MARIADB = Dialect("mariadb", "%(schema)s_%(table)s", {
    "hasSchemas": False,
    "createSchema": "",
    "columnsOf": "SELECT COLUMN_NAME FROM information_schema.COLUMNS "
                 "WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = CONCAT(?, '_', ?)",
    # A named lock of the server, per database. Unlike PostgreSQL's
    # transaction lock it is the session's until released, and DDL commits
    # at once on MariaDB, so schema.ensure releases it itself.
    "migrationLock": "SELECT GET_LOCK(CONCAT('wf_migrate_', MD5(DATABASE())), 110)",
    "migrationUnlock": "SELECT RELEASE_LOCK(CONCAT('wf_migrate_', MD5(DATABASE())))",
    "skipLocked": " FOR UPDATE SKIP LOCKED",
    "claimHint": "",
    # UTC milliseconds from the server's clock, whatever its time zone
    # (UNIX_TIMESTAMP of a local time would jump at DST changes).
    "dbNowMs": "(TIMESTAMPDIFF(MICROSECOND, '1970-01-01 00:00:00', UTC_TIMESTAMP(6)) DIV 1000)",
    # PostgreSQL's per-transaction lock_timeout and idle-in-transaction
    # timeout, as session variables: set when the transaction begins (as an
    # update: SET returns no rows) and given back to the server's defaults
    # before it ends, so the pooled connection serves others unchanged.
    "txPrelude": "SET SESSION innodb_lock_wait_timeout = 2, SESSION idle_transaction_timeout = 10",
    "txPreludeIsUpdate": True,
    "txEpilogue": "SET SESSION innodb_lock_wait_timeout = DEFAULT, "
                  "SESSION idle_transaction_timeout = DEFAULT",
    # MariaDB's default is REPEATABLE READ: every transaction asks for READ
    # COMMITTED (no default to check first).
    "defaultIsolation": None,
    # UPDATE ... RETURNING and ON CONFLICT DO NOTHING (store/standins.py);
    # the stand-in finds its rows by primary key (see standins._run).
    "standIns": True,
    "keyHint": " FORCE INDEX (PRIMARY)",
    "rewrites": _MARIADB_REWRITES,
    "schemaSteps": ddl_mariadb.steps,
})


def _outputs(prefix, columns):
    return ", ".join(prefix + c.strip() for c in columns.split(","))


def _updateOutput(found):
    return "%s OUTPUT %s WHERE %s" % (found.group(1), _outputs("inserted.", found.group(3)),
                                      found.group(2))


def _insertOutput(found):
    return "%s OUTPUT %s %s" % (found.group(1), _outputs("inserted.", found.group(3)),
                                found.group(2))


def _deleteOutput(found):
    return "DELETE %s OUTPUT %s WHERE %s" % (found.group(1), _outputs("deleted.", found.group(3)),
                                             found.group(2))


def _merge(found):
    table, columns, source, keys, sets = found.groups()
    on = " AND ".join("tgt.%s = excluded.%s" % (k.strip(), k.strip()) for k in keys.split(","))
    inserted = ", ".join("excluded." + c.strip() for c in columns.split(","))
    return ("MERGE INTO %s WITH (HOLDLOCK) AS tgt USING (%s) AS excluded (%s) ON %s "
            "WHEN MATCHED THEN UPDATE SET %s WHEN NOT MATCHED THEN INSERT (%s) VALUES (%s);"
            % (table, source, columns, on, sets, columns, inserted))


# PostgreSQL's spelling -> T-SQL's, in this order (see the module
# docstring). LIMIT ? OFFSET ? becomes OFFSET ? ROWS FETCH NEXT ? ROWS ONLY,
# whose two values come the other way round: store.standins swaps them.
_MSSQL_REWRITES = (
    # ``output`` is a keyword in T-SQL; the column keeps its name. (So is
    # ``key``, a column of 0.3.6's schema_meta that store.layout reads.)
    (re.compile(r"\boutput\b"), "[output]"),
    (re.compile(r" WHERE key = "), " WHERE [key] = "),
    (re.compile(r"^(\s*)CREATE TABLE IF NOT EXISTS (\{\w+\})"),
     r"\1IF OBJECT_ID(N'\2', N'U') IS NULL CREATE TABLE \2"),
    # INSERT ... ON CONFLICT DO NOTHING: a plain INSERT, whose duplicate-key
    # refusal store.standins takes for "nothing inserted" (SQL Server ends
    # only the refused statement while XACT_ABORT is OFF, its default).
    (re.compile(r" ON CONFLICT DO NOTHING\b"), ""),
    (re.compile(r"^INSERT INTO (\{\w+\}) \(([a-z_, ]+)\) (VALUES \([?, ]+\)|SELECT .*?) "
                r"ON CONFLICT \(([a-z_, ]+)\) DO UPDATE SET (.*)$", re.S), _merge),
    (re.compile(r"^(\s*UPDATE \{\w+\} SET .*?) WHERE (.*) RETURNING ([a-z_, \[\]]+)$", re.S),
     _updateOutput),
    (re.compile(r"^(\s*INSERT INTO \{\w+\} \([a-z_, \[\]]+\)) (.*) RETURNING ([a-z_, \[\]]+)$",
                re.S), _insertOutput),
    (re.compile(r"^\s*DELETE FROM (\{\w+\}) WHERE (.*) RETURNING ([a-z_, \[\]]+)$", re.S),
     _deleteOutput),
    (re.compile(r" LIMIT (\?|\d+) OFFSET (\?|\d+)"), r" OFFSET \2 ROWS FETCH NEXT \1 ROWS ONLY"),
    (re.compile(r" LIMIT (\?|\d+)"), r" OFFSET 0 ROWS FETCH NEXT \1 ROWS ONLY"),
    (re.compile(r"\bCAST\(\? AS TEXT\)"), "CAST(? AS NVARCHAR(MAX))"),
    # VARCHAR would turn what is not in the database's code page into "?".
    (re.compile(r"\bCAST\(\? AS VARCHAR\("), "CAST(? AS NVARCHAR("),
)

# Its statements have been parsed as T-SQL (tests/unit/test_dialect_mssql.py)
# but not yet run against a server (docs/service-api.md "Databases").
MSSQL = Dialect("mssql", "%(schema)s.%(table)s", {
    "hasSchemas": True,
    # CREATE SCHEMA must be alone in its batch.
    "createSchema": "IF SCHEMA_ID(N'%(schema)s') IS NULL EXEC(N'CREATE SCHEMA %(schema)s')",
    "columnsOf": "SELECT c.name FROM sys.columns c JOIN sys.tables t ON t.object_id = c.object_id "
                 "JOIN sys.schemas s ON s.schema_id = t.schema_id WHERE s.name = ? AND t.name = ?",
    # An application lock owned by the migration's transaction (released
    # when it ends). It answers < 0 when its wait ran out: the error raised
    # then carries SQL Server's own lock-timeout words, so store.db counts
    # it as a LockTimeout, as for a row lock.
    # NOCOUNT is ON only while the lock is asked for (so that the SELECT's
    # rows are the batch's first result), then OFF again: the store reads
    # the row counts of the session's later statements.
    "migrationLock": "SET NOCOUNT ON; DECLARE @granted INT; "
                     "EXEC @granted = sp_getapplock @Resource = N'exchange.workflows.migrate', "
                     "@LockMode = 'Exclusive', @LockOwner = 'Transaction', @LockTimeout = 110000; "
                     "SET NOCOUNT OFF; "
                     "IF @granted < 0 RAISERROR(N'Lock request time out period exceeded "
                     "(schema migration lock)', 16, 1); SELECT @granted",
    # SELECT ... FOR UPDATE SKIP LOCKED, as table hints: update locks on the
    # rows read, skipping those another claimer holds.
    "skipLocked": "",
    "claimHint": " WITH (UPDLOCK, READPAST, ROWLOCK)",
    # UTC milliseconds from the server's clock (DATEDIFF_BIG: SQL Server 2016).
    "dbNowMs": "DATEDIFF_BIG(MILLISECOND, CAST('1970-01-01' AS DATETIME2), SYSUTCDATETIME())",
    # PostgreSQL's lock_timeout: a waiter gives up after 2 s. SET lasts for
    # the session, so the epilogue gives the pooled connection back as it was
    # (-1: wait for ever, the server's default).
    "txPrelude": "SET LOCK_TIMEOUT 2000",
    "txPreludeIsUpdate": True,
    "txEpilogue": "SET LOCK_TIMEOUT -1",
    # SQL Server's default is READ COMMITTED, but a connection may have been
    # left at another level: every transaction asks for it.
    "defaultIsolation": None,
    # ON CONFLICT DO NOTHING and LIMIT ? OFFSET ? (store/standins.py); its
    # UPDATE ... RETURNING is respelled (OUTPUT), not stood in for.
    "standIns": True,
    "updateReturningStandIn": False,
    "swapsLimitOffset": True,
    # A statement takes at most 2100 parameters.
    "maxParams": 2000,
    "rewrites": _MSSQL_REWRITES,
    "schemaSteps": ddl_mssql.steps,
})


_BY_NAME = {POSTGRES.name: POSTGRES, SQLITE.name: SQLITE, MARIADB.name: MARIADB,
            MSSQL.name: MSSQL}
# (dialect name, schema) -> Dialect: one per layout, so each keeps its cache.
_layouts = {}


def layout(dialectName, schema):
    """The Dialect named ``dialectName`` with its tables in ``schema``."""
    d = _layouts.get((dialectName, schema))
    if d is None:
        base = _BY_NAME[dialectName]
        d = base if schema == base.schema else Dialect(base.name, base.tableFormat,
                                                       base.given, schema)
        d = _layouts.setdefault((dialectName, schema), d)
    return d


class DatabaseUnsupported(DatabaseError):
    """The connection leads to a database (or a version) the engine cannot run on."""
    code = "DATABASE_UNSUPPORTED"


# Every transaction sets idle_in_transaction_session_timeout (PostgreSQL
# 9.6; ON CONFLICT and SKIP LOCKED are 9.5). Tested on 15.
MIN_POSTGRES = (9, 6)
# The engine's claims and commands use UPDATE ... RETURNING (SQLite 3.35).
MIN_SQLITE = (3, 35)
# Claims use SELECT ... FOR UPDATE SKIP LOCKED (MariaDB 10.6), and INSERT
# ... RETURNING (10.5).
MIN_MARIADB = (10, 6)
# The clock uses DATEDIFF_BIG (SQL Server 2016, version 13.0). Azure SQL
# Database says 12.0 but has everything SQL Server's newest has.
MIN_MSSQL = (13, 0)
SUPPORTED = ("PostgreSQL %s or newer, MariaDB %s or newer, Microsoft SQL Server 2016 or newer "
             "and SQLite %s or newer" % tuple(".".join(str(n) for n in v)
                                             for v in (MIN_POSTGRES, MIN_MARIADB, MIN_SQLITE)))


def versionTuple(text):
    """(major, minor) of a version text such as "3.45.1" or
    "10.11.6-MariaDB-0+deb12u1"; (0, 0) when it cannot be read (then the
    connection is refused as too old)."""
    found = re.match(r"\s*(\d+)(?:\.(\d+))?", str(text))
    if not found:
        return (0, 0)
    return (int(found.group(1)), int(found.group(2) or 0))


sqliteVersionTuple = versionTuple


def _checked(dbName, dialect, name, found, minimum, why):
    """``dialect`` when version text ``found`` is at least ``minimum``."""
    if versionTuple(found) < minimum:
        raise DatabaseUnsupported(
            "Database '%s' is %s %s; exchange.workflows needs %s %s or newer (%s). Supported: %s."
            % (dbName, name, found[:40], name, ".".join(str(n) for n in minimum), why, SUPPORTED))
    return dialect


def detect(dbName):
    """Returns the Dialect of the named connection, by asking the database.

    Raises:
        DatabaseUnavailable: the connection cannot be reached.
        DatabaseUnsupported: it is not a database (or version) the engine
            runs on; the message names those it does.
    """
    try:
        ds = db.query(dbName, "SELECT sqlite_version()")
        version = str(ds[0][0]) if len(ds) == 1 else None
    except db.DatabaseUnavailable:
        raise
    except db.DatabaseError:
        version = None
    if version is not None:
        return _checked(dbName, SQLITE, "SQLite", version, MIN_SQLITE,
                        "UPDATE ... RETURNING; update the gateway's SQLite JDBC driver")
    try:
        ds = db.query(dbName, "SELECT version()")
        text = str(ds[0][0]) if len(ds) else ""
    except db.DatabaseUnavailable:
        raise
    except db.DatabaseError:
        text = "unknown: it has no version() function"
    if "postgres" in text.lower():
        found = re.search(r"PostgreSQL (\d+(?:\.\d+)?)", text)
        if found is None:  # a PostgreSQL that does not say its version as the others do
            return POSTGRES
        return _checked(dbName, POSTGRES, "PostgreSQL", found.group(1), MIN_POSTGRES,
                        "idle_in_transaction_session_timeout")
    if "mariadb" in text.lower():
        return _checked(dbName, MARIADB, "MariaDB", text, MIN_MARIADB,
                        "SELECT ... FOR UPDATE SKIP LOCKED")
    if text.startswith("unknown"):
        # SQL Server has no version() function: its @@VERSION says
        # "Microsoft SQL Server 2019 (RTM-CU22) ... - 15.0.4322.2 (X64) ...".
        try:
            ds = db.query(dbName, "SELECT @@VERSION")
            text = str(ds[0][0]) if len(ds) else text
        except db.DatabaseUnavailable:
            raise
        except db.DatabaseError:
            pass
    if text.startswith("Microsoft SQL"):
        return mssqlChecked(dbName, text)
    if _isMySql(dbName, text):
        raise DatabaseUnsupported(
            "Database '%s' is MySQL %s; exchange.workflows does not run on MySQL (%s). "
            "Supported: %s." % (dbName, text[:40], WHY_NOT_MYSQL, SUPPORTED))
    raise DatabaseUnsupported(
        "Database '%s' (version %s) is not one exchange.workflows runs on. Supported: %s "
        "(MySQL is not supported)." % (dbName, text[:80], SUPPORTED))


# Why a MySQL server is refused although MariaDB runs: the MariaDB dialect
# uses what MySQL 8 lacks, and no MySQL server or MySQL driver runs in the
# project's tests.
WHY_NOT_MYSQL = ("the MariaDB dialect needs INSERT/DELETE ... RETURNING, idle_transaction_timeout "
                 "and MariaDB's DDL, which MySQL lacks, and no MySQL dialect has been tested")


def _isMySql(dbName, versionText):
    """True when the server that answered ``versionText`` to version()
    says it is MySQL (or Percona Server, a MySQL build) in its version
    comment. MySQL's version() is only a number ("8.0.36"); MariaDB's names
    itself and was recognised before. Asked only on the way to a refusal."""
    if not re.match(r"\s*\d", versionText):
        return False
    try:
        ds = db.query(dbName, "SELECT @@version_comment")
        comment = str(ds[0][0]).lower() if len(ds) else ""
    except db.DatabaseUnavailable:
        raise
    except db.DatabaseError:
        return False
    return "mysql" in comment or "percona" in comment


def mssqlChecked(dbName, versionText):
    """MSSQL when SQL Server's @@VERSION text ``versionText`` is 2016 or
    newer (or Azure SQL); else DatabaseUnsupported."""
    if versionText.startswith("Microsoft SQL Azure"):
        return MSSQL
    found = re.search(r" - (\d+\.\d+)", versionText)
    return _checked(dbName, MSSQL, "Microsoft SQL Server", found.group(1) if found else "?",
                    MIN_MSSQL, "DATEDIFF_BIG, SQL Server 2016")
