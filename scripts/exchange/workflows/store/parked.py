"""Statements on ``parked_requests``: in-memory requests the database refused
at flush time, set aside so that they cannot block the requests queued
behind them, and kept for an operator to retry or discard.

Also how a refusal is described: ``reason`` is the root cause in the
database's terms (what kind of constraint, which column or constraint, the
SQLState), never the SQL or a value of the row.
"""
import re

from exchange.workflows.store.rows import toDicts

COLUMNS = ("workflow_id", "request", "reason", "executor_id", "parked_ms", "attempts")

# What each refusal means, by PostgreSQL SQLState (the standard's classes 22
# "data exception" and 23 "integrity constraint violation", and plpgsql's
# RAISE) and by SQLite result code (sqlite-jdbc sets no SQLState; its
# message starts with the code in brackets).
_BY_STATE = {
    "22001": "a text value is longer than its column",
    "22003": "a number is out of its column's range",
    "22021": "a text value holds a byte the database refuses (e.g. NUL)",
    "22P05": "a text value holds a character the database refuses (e.g. NUL)",
    "23502": "a required column is empty (NOT NULL)",
    "23503": "a foreign key refused the row",
    "23505": "a unique constraint refused the row",
    "23514": "a CHECK constraint refused the row",
    # MariaDB's one state for every integrity error (NOT NULL, unique, foreign key).
    "23000": "an integrity constraint refused the row",
    "P0001": "a database trigger refused the row",
}
_BY_SQLITE_CODE = {
    "SQLITE_CONSTRAINT_NOTNULL": "a required column is empty (NOT NULL)",
    "SQLITE_CONSTRAINT_CHECK": "a CHECK constraint refused the row",
    "SQLITE_CONSTRAINT_FOREIGNKEY": "a foreign key refused the row",
    "SQLITE_CONSTRAINT_UNIQUE": "a unique constraint refused the row",
    "SQLITE_CONSTRAINT_PRIMARYKEY": "a unique constraint refused the row",
    "SQLITE_CONSTRAINT_TRIGGER": "a database trigger refused the row",
    "SQLITE_CONSTRAINT": "a constraint refused the row",
    "SQLITE_TOOBIG": "a value is too big for the database",
    "SQLITE_MISMATCH": "a value has the wrong type for its column",
}
_SQLITE_CODE = re.compile(r"\[(SQLITE_[A-Z_]+)\]")
# Identifiers only: a quoted column or constraint name (PostgreSQL; MariaDB
# quotes with ' and says "key"), or the ``table.column`` / constraint name
# after "constraint failed: " (SQLite).
_PG_NAME = re.compile(r'(column|constraint|key) ["\'`]([A-Za-z0-9_.]{1,63})["\'`]', re.I)
_SQLITE_NAME = re.compile(r"constraint failed: ([A-Za-z0-9_.]{1,127})")


def _sqliteCode(err):
    found = _SQLITE_CODE.search(getattr(err, "driverMessage", "") or "")
    return found.group(1) if found else None


def isRowRefusal(err):
    """True when a DatabaseError says the row's own values were refused (a
    length, a range, a constraint), as opposed to a database that refuses
    every row (a missing table, a revoked permission)."""
    state = getattr(err, "sqlState", "") or ""
    if state[:2] in ("22", "23"):
        return True
    code = _sqliteCode(err)
    return code is not None and code in _BY_SQLITE_CODE and code != "SQLITE_CONSTRAINT_TRIGGER"


def reasonOf(err):
    """The root cause of a refusal, for an operator: no SQL, no values."""
    state = getattr(err, "sqlState", "") or ""
    message = (getattr(err, "driverMessage", "") or "").split("\n")[0]
    code = _sqliteCode(err)
    if code is not None:
        what = _BY_SQLITE_CODE.get(code, "the database refused the row")
        name = _SQLITE_NAME.search(message)
        return "%s%s (%s)" % (what, ": " + name.group(1) if name else "", code)
    what = _BY_STATE.get(state, "the database refused the row")
    name = _PG_NAME.search(message) if state[:2] == "23" else None
    return "%s%s (SQLState %s)" % (what, ": %s %s" % name.groups() if name else "", state or "?")


def insert(store, workflowId, request, reason, executorId, now):
    """Sets a request aside; returns 1, or 0 if it is parked already (a
    flush that parked it died before it could drop it from memory)."""
    return store.update(
        "INSERT INTO {parked} (" + ", ".join(COLUMNS) + ") VALUES (?, ?, ?, ?, ?, 1) "
        "ON CONFLICT DO NOTHING", [workflowId, request, reason, executorId, now])


def listAll(store, limit, offset):
    """Returns (rows, total), oldest first."""
    ds = store.query(
        "SELECT " + ", ".join(COLUMNS) + " FROM {parked} ORDER BY parked_ms, workflow_id "
        "LIMIT ? OFFSET ?", [limit, offset])
    total = store.query("SELECT COUNT(*) FROM {parked}")
    return toDicts(ds, COLUMNS), int(total[0][0])


def get(store, workflowId, tx=None):
    ds = store.query(
        "SELECT " + ", ".join(COLUMNS) + " FROM {parked} WHERE workflow_id = ?", [workflowId], tx)
    rows = toDicts(ds, COLUMNS)
    return rows[0] if rows else None


def delete(store, workflowId, tx=None):
    """Removes a parked request; returns 1, or 0 when it was not there (taken
    by a concurrent retry or discard)."""
    return store.update("DELETE FROM {parked} WHERE workflow_id = ?", [workflowId], tx)


def refusedAgain(store, workflowId, reason):
    """Counts a retry the database refused again, with its reason."""
    return store.update(
        "UPDATE {parked} SET attempts = attempts + 1, reason = ? WHERE workflow_id = ?",
        [reason, workflowId])
