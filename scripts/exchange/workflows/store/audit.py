"""Statements on ``audit``: the append-only trail of operator actions.

Rows are only inserted, read and, by the audit trail's own retention,
deleted oldest first; run retention (store/retention.py) never touches them.
"""

# Column sizes of the table (store/schema.py, migration 4): longer text is
# cut, so that an over-long reason or name can never make the insert fail.
_SIZES = {"user_name": 200, "source": 40, "session_id": 200, "action": 60, "target": 200,
          "workflow_id": 64, "code": 60, "reason": 2000, "roles": 2000, "detail": 4000}
_COLUMNS = ("audit_id", "at_ms", "user_name", "roles", "source", "session_id", "action",
            "target", "workflow_id", "allowed", "code", "reason", "detail")
_FILTERS = (("userName", "user_name = ?"), ("action", "action = ?"),
            ("workflowId", "workflow_id = ?"), ("source", "source = ?"),
            ("sinceMs", "at_ms >= ?"), ("untilMs", "at_ms < ?"))


class Record(object):
    """One audit row, as written."""
    __slots__ = _COLUMNS

    def __init__(self, **values):
        for name in _COLUMNS:
            setattr(self, name, values.get(name))


def _cut(name, value):
    if value is None:
        return None
    limit = _SIZES.get(name)
    return value[:limit] if limit and len(value) > limit else value


def insert(store, record):
    """Appends one record."""
    values = [record.audit_id, record.at_ms] + [
        _cut(name, getattr(record, name)) for name in _COLUMNS[2:9]] + [
        1 if record.allowed else 0, _cut("code", record.code), _cut("reason", record.reason),
        _cut("detail", record.detail)]
    store.update("INSERT INTO {audit} (" + ", ".join(_COLUMNS) + ") VALUES (" +
                 ", ".join(["?"] * len(_COLUMNS)) + ")", values)


def _where(filters):
    clauses, args = [], []
    for key, clause in _FILTERS:
        value = filters.get(key)
        if value is not None:
            clauses.append(clause)
            args.append(value)
    allowed = filters.get("allowed")
    if allowed is not None:
        clauses.append("allowed = ?")
        args.append(1 if allowed else 0)
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), args


def page(store, filters, limit, offset):
    """Returns (rows as dicts, newest first; total matching)."""
    where, args = _where(filters)
    total = store.query("SELECT COUNT(*) FROM {audit}" + where, args)[0][0]
    ds = store.query("SELECT " + ", ".join(_COLUMNS) + " FROM {audit}" + where +
                     " ORDER BY at_ms DESC, audit_id DESC LIMIT ? OFFSET ?",
                  args + [limit, offset])
    rows = []
    for r in ds:
        rows.append(dict((name, r[i]) for i, name in enumerate(_COLUMNS)))
    return rows, int(total)


def deleteOlderThan(store, cutoffMs, limit):
    """Deletes up to ``limit`` records older than ``cutoffMs``, oldest first;
    returns how many. One statement with a fixed shape (no id list). The
    LIMIT is in a derived table: MariaDB refuses it in an IN subquery."""
    return store.update(
        "DELETE FROM {audit} WHERE audit_id IN (SELECT audit_id FROM (SELECT audit_id FROM "
        "{audit} WHERE at_ms < ? ORDER BY at_ms LIMIT ?) oldest)", [cutoffMs, limit])
