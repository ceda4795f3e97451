"""Where a database keeps the engine's tables: schema ``workflows``, or
``exchange_workflows`` when ignition-workflows 0.3.6's tables are there.

0.3.6 uses the schema ``workflows`` and six of our table names with other
columns, so the two cannot share it. Every gateway decides from the database
alone, by the same rules, so all gateways sharing a database agree:

1. ``exchange_workflows.schema_meta`` exists: our tables are there. The first
   gateway that put them there left this record, and it is looked at first,
   so the answer stays the same after a site drops 0.3.6's tables.
2. ``workflows.schema_meta`` is ours (``id``, ``version``): ``workflows``
   (every database of ours from before this check).
3. 0.3.6's tables are in ``workflows`` (``schema_meta`` with ``key`` and
   ``value``, or ``workflow_status`` with ``inputs_json``):
   ``exchange_workflows``, created there.
4. none of our table names is taken in ``workflows``: ``workflows`` (a new
   database).
5. anything else (tables of another shape where ours belong, or our tables
   twice): SchemaIncompatible, which says what to do, instead of the column
   error the first statement would meet.

On SQLite and MariaDB, which have no schemas (MariaDB's databases are
what the connection opens), the same rules apply to the prefixes
``workflows_`` and ``exchange_workflows_`` (0.3.6 itself ran only on
PostgreSQL). Only the catalog is read here, never 0.3.6's rows, except its
one version value for ``admin.checkSchema``; nothing of 0.3.6's is written.
"""
from collections import namedtuple

from exchange.workflows.core.errors import DatabaseError
from exchange.workflows.store import db, dialects

# schemaName: where our tables are (or go); upstream: True when 0.3.6's
# tables are in the default schema.
Layout = namedtuple("Layout", "schemaName upstream")

_OUR_META = frozenset(("id", "version", "updated_ms"))
_UPSTREAM_META = frozenset(("key", "value"))
# A column of 0.3.6's workflow_status that ours never had.
_UPSTREAM_STATUS = "inputs_json"
_UPSTREAM_VERSION_KEY = "schema_version"
_SHOWN_COLUMNS = 12


class SchemaIncompatible(DatabaseError):
    """The database holds tables where ours belong that the engine cannot use."""
    code = "SCHEMA_INCOMPATIBLE"


def columns(dbName, dialect, schema, table, tx=None):
    """The lower-case column names of ``table`` in ``schema`` (SQLite: the
    prefix); empty when there is no such table."""
    ds = db.query(dbName, dialect.settings["columnsOf"], (schema, table), tx)
    return frozenset(str(ds[i][0]).lower() for i in range(len(ds)))


def locate(dbName, dialect, tx=None):
    """Returns the Layout of the database behind ``dbName`` (see the module
    docstring for the rules).

    Raises:
        SchemaIncompatible: rule 5.
        DatabaseUnavailable / DatabaseError: the catalog could not be read.
    """
    home = dialects.DEFAULT_SCHEMA
    beside = dialects.BESIDE_UPSTREAM
    besideMeta = columns(dbName, dialect, beside, dialects.TABLES["meta"], tx)
    homeMeta = columns(dbName, dialect, home, dialects.TABLES["meta"], tx)
    if besideMeta:
        if not _OUR_META <= besideMeta:
            raise _foreign(dbName, dialect, beside, {dialects.TABLES["meta"]: besideMeta})
        if _OUR_META <= homeMeta:
            raise SchemaIncompatible(
                "Database '%s' holds this engine's tables twice: in %s and in %s. Keep the "
                "copy with your runs and drop or rename the other's tables (see "
                "docs/migrating-from-0.3.md, \"Database\")."
                % (dbName, _where(dialect, home), _where(dialect, beside)))
        return Layout(beside, _isUpstream(dbName, dialect, homeMeta, tx))
    if _OUR_META <= homeMeta:
        return Layout(home, False)
    if _isUpstream(dbName, dialect, homeMeta, tx):
        return Layout(beside, True)
    taken = {}
    for table in sorted(set(dialects.TABLES.values())):
        found = homeMeta if table == dialects.TABLES["meta"] else \
            columns(dbName, dialect, home, table, tx)
        if found:
            taken[table] = found
    if taken:
        raise _foreign(dbName, dialect, home, taken)
    return Layout(home, False)


def upstreamVersion(dbName, dialect):
    """0.3.6's own schema version (its ``schema_meta`` value, as text), or
    None when it has none or it cannot be read. Reads only."""
    home = dialects.layout(dialect.name, dialects.DEFAULT_SCHEMA)
    try:
        ds = db.query(dbName, home.sql("SELECT value FROM {meta} WHERE key = ?"),
                      (_UPSTREAM_VERSION_KEY,))
    except db.DatabaseUnavailable:
        raise
    except DatabaseError:
        return None
    return str(ds[0][0]) if len(ds) and ds[0][0] is not None else None


def _isUpstream(dbName, dialect, homeMeta, tx):
    if _UPSTREAM_META <= homeMeta:
        return True
    status = columns(dbName, dialect, dialects.DEFAULT_SCHEMA, dialects.TABLES["status"], tx)
    return _UPSTREAM_STATUS in status


def _where(dialect, schema):
    if dialect.settings.get("hasSchemas"):
        return "schema %s" % schema
    return "the tables named %s_*" % schema


def _foreign(dbName, dialect, schema, taken):
    shown = []
    for table in sorted(taken):
        cols = sorted(taken[table])
        more = ", ..." if len(cols) > _SHOWN_COLUMNS else ""
        shown.append("%s (%s%s)" % (dialects.layout(dialect.name, schema).table(table),
                                    ", ".join(cols[:_SHOWN_COLUMNS]), more))
    return SchemaIncompatible(
        "Database '%s' has tables this engine did not create where its own belong, and they "
        "are not ignition-workflows 0.3.6's either: %s. Move or drop them, or give the engine "
        "its own database connection (dbName=...)." % (dbName, "; ".join(shown)))
