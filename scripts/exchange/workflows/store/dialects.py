"""What differs between databases, in one table per dialect.

Statements elsewhere are written once with ``{status}``-style table
placeholders; ``Dialect.sql()`` fills them in and caches the result.
SQLite has no schemas, so ``workflows.workflow_status`` becomes
``workflows_workflow_status`` there.

The tables live in the schema ``workflows`` (SQLite: prefix ``workflows_``),
or in ``exchange_workflows`` on a database that also holds
ignition-workflows 0.3.6's tables, which use the same names
(``store.layout`` decides; ``layout()`` here gives the Dialect of either).
"""
import re

from exchange.workflows.store import db

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
        self.names = names
        self._cache = {}

    def table(self, table):
        """The full name of ``table`` in this dialect's schema (or prefix)."""
        ident = self.tableFormat % {"schema": self.schema, "table": table}
        if not _IDENT.match(ident):
            raise ValueError("invalid identifier %r" % ident)
        return ident

    def sql(self, template):
        """Returns ``template`` with table names filled in (cached).

        The store's statements are a fixed set, but some are built per call
        (an IN list, a multi-row INSERT of up to 1000 rows): a template
        longer than CACHE_MAX_CHARS, or any past CACHE_LIMIT templates, is
        formatted each time and not kept, so the cache stays small whatever
        callers pass."""
        text = self._cache.get(template)
        if text is None:
            values = dict(self.names)
            values.update(self.settings)
            text = template.format(**values)
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
    "dbNowMs": "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)",
    "txPrelude": None,
    "defaultIsolation": None,
    "setsIsolation": False,
})


_BY_NAME = {POSTGRES.name: POSTGRES, SQLITE.name: SQLITE}
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


# The engine's claims and commands use UPDATE ... RETURNING (SQLite 3.35).
MIN_SQLITE = (3, 35)


def sqliteVersionTuple(text):
    """(major, minor) of a ``sqlite_version()`` text such as "3.45.1"; (0, 0)
    when it cannot be read (then the connection is refused as too old)."""
    parts = str(text).strip().split(".")
    try:
        return (int(parts[0]), int(parts[1]) if len(parts) > 1 else 0)
    except ValueError:
        return (0, 0)


def detect(dbName):
    """Returns the Dialect of the named connection, by asking the database.

    Raises:
        DatabaseUnavailable: the connection cannot be reached.
    """
    try:
        ds = db.query(dbName, "SELECT sqlite_version()")
        version = str(ds[0][0]) if len(ds) == 1 else None
    except db.DatabaseUnavailable:
        raise
    except db.DatabaseError:
        version = None
    if version is not None:
        if sqliteVersionTuple(version) < MIN_SQLITE:
            raise db.DatabaseError(
                "Database '%s' is SQLite %s; exchange.workflows needs SQLite %s or newer "
                "(UPDATE ... RETURNING). Update the gateway's SQLite JDBC driver."
                % (dbName, version[:20], ".".join(str(n) for n in MIN_SQLITE)))
        return SQLITE
    ds = db.query(dbName, "SELECT version()")
    text = str(ds[0][0]).lower() if len(ds) else ""
    if "postgres" in text:
        return POSTGRES
    raise db.DatabaseError("Database '%s' is neither PostgreSQL nor SQLite (%s); "
                           "exchange.workflows supports those two." % (dbName, text[:80]))
