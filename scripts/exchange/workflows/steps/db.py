"""Application-database steps: ``db.query``, ``db.update``.

    from exchange.workflows.steps import db
    rows = db.query("MES", "SELECT id, qty FROM orders WHERE line = ?", [line])["rows"]
    db.update("MES", "UPDATE orders SET state = ? WHERE id = ?", ["DONE", rows[0]["id"]])

For the plant's own databases (Ignition database connections by name), not
for the engine's tables. Statements are always prepared: pass values in
``args``, never format them into ``sql``. Each call runs in its own
auto-committed statement. Error messages never contain ``args``.
"""
from exchange.workflows.bootstrap import step
from exchange.workflows.core import errors
from exchange.workflows.core.codec import TEXT
from exchange.workflows.core.errors import ANY_ERROR, InvalidArguments
from exchange.workflows.steps.convert import plain
from exchange.workflows.steps.errors import SqlError
from exchange.workflows.steps.results import UPSTREAM, deliver, styleOf

__all__ = ["QUERY_OPTIONS", "UPDATE_OPTIONS", "query", "update", "rootCause"]

# A query has no side effect: retrying after a dropped connection is safe.
QUERY_OPTIONS = {"retries_allowed": True, "max_attempts": 3, "interval_seconds": 1.0,
                 "backoff_rate": 2.0}
# An INSERT whose commit happened but whose answer was lost would run twice:
# opt in only for idempotent statements.
UPDATE_OPTIONS = {"retries_allowed": False}


@step(name="db.query", options=QUERY_OPTIONS)
def query(dbName, sql, args=None, resultStyle=None):
    """Runs a prepared SELECT (``?`` placeholders).

    Args:
        dbName: the Ignition database connection name.
        sql: the statement, with ``?`` for each value.
        args: list of values for the placeholders, or None.
        resultStyle: "native" or "upstream" (see steps/results.py); None:
            the running workflow's style.

    Returns:
        dict: ``{"columns": [name, ...], "rows": [{column: value}, ...]}``.
        Values are JSON-safe: timestamps become ISO-8601 UTC text, DECIMAL
        an int or float, other driver objects (UUID, JSON columns) their text.
        Columns with the same name collapse in ``rows``: alias them.
        Upstream style: the list of row dicts alone.

    Raises:
        SqlError: the database refused the statement or could not be
            reached, in both styles: a list has no room for ``ok``, and an
            empty list would read as "no rows".
        InvalidArguments: dbName or sql empty, args not a list.
    """
    style = styleOf(resultStyle)
    values = _check(dbName, sql, args)
    try:
        ds = system.db.runPrepQuery(sql, values, dbName)
    except ANY_ERROR as e:
        raise SqlError("db.query on database '%s' failed: %s" % (dbName, rootCause(e, values)))
    columns = [u"%s" % (c,) for c in ds.getColumnNames()]
    rows = plain([dict((c, ds.getValueAt(r, i)) for i, c in enumerate(columns))
                  for r in range(ds.getRowCount())])
    return rows if style == UPSTREAM else {"columns": columns, "rows": rows}


@step(name="db.update", options=UPDATE_OPTIONS)
def update(dbName, sql, args=None, resultStyle=None):
    """Runs a prepared INSERT, UPDATE, DELETE or DDL statement.

    Args:
        dbName: the Ignition database connection name.
        sql: the statement, with ``?`` for each value.
        args: list of values for the placeholders, or None.
        resultStyle: "native" or "upstream"; None: the running workflow's style.

    Returns:
        dict: ``{"rowsAffected": n}``. Upstream style:
        ``{"ok", "rows_affected", "rowsAffected"}`` (0 and ``error`` when
        the statement failed).

    Raises:
        SqlError: (native style) the database refused the statement or
            could not be reached.
        InvalidArguments: dbName or sql empty, args not a list.
    """
    style = styleOf(resultStyle)
    values = _check(dbName, sql, args)
    failure, count = None, 0
    try:
        count = int(system.db.runPrepUpdate(sql, values, dbName))
    except ANY_ERROR as e:
        failure = SqlError("db.update on database '%s' failed: %s" % (dbName, rootCause(e, values)))
    return deliver(style, failure, {"rowsAffected": count},
                   {"rows_affected": count, "rowsAffected": count})


def _check(dbName, sql, args):
    if not isinstance(dbName, TEXT) or not dbName.strip():
        raise InvalidArguments("dbName must be the name of a database connection")
    if not isinstance(sql, TEXT) or not sql.strip():
        raise InvalidArguments("sql must be a non-empty string")
    if args is not None and not isinstance(args, (list, tuple)):
        raise InvalidArguments("args must be a list of values for the ? placeholders, or None")
    return list(args or [])


def rootCause(error, args=()):
    """Returns ``Type: message`` of the innermost cause of a database error.

    Ignition wraps the driver's SQLException in an exception whose message
    repeats the call *with its arguments*; the driver's own message says what
    went wrong without them, so only the innermost cause is reported, and
    without the values PostgreSQL echoes (``Detail: Key (k)=(value)``): see
    ``errors.rootCause``; a text argument that still shows is masked.
    """
    return errors.typeAndMessage(*errors.rootCause(error, [a for a in args if isinstance(a, TEXT)]))
