"""Statements some databases lack, stood in for (MariaDB): UPDATE ...
RETURNING, and INSERT ... ON CONFLICT DO NOTHING; on SQL Server, ON
CONFLICT DO NOTHING (as on MariaDB) and the order of LIMIT ? OFFSET ?'s
values (``swapsLimitOffset``), and multi-row inserts of more values than
a statement takes (``maxParams``); its RETURNING is respelled OUTPUT by
the dialect's rewrites (``updateReturningStandIn: False``).

Store.query and Store.update hand every statement here when their dialect
says ``standIns: True``; what is neither of the two goes to the database
as it is.

UPDATE ... RETURNING: in one transaction (the caller's, or one of its own),
the rows the UPDATE's WHERE selects are locked and their keys read (SELECT
... FOR UPDATE), the UPDATE runs on exactly those rows, still under its own
WHERE, and the RETURNING columns are read back from them: the same rows and
the same new values PostgreSQL's RETURNING gives, since the locks keep other
writers out until the transaction ends. Rows the WHERE names by key are
read by primary key (the dialect's ``keyHint``), so no other row is
locked. The statement must be ``UPDATE {table} SET ... WHERE ... RETURNING
...``, with no ``WHERE`` inside its SET clause, on a table listed in KEYS.
(MariaDB has INSERT and DELETE ... RETURNING of its own.)

INSERT ... ON CONFLICT DO NOTHING: the dialect's rewrites drop the clause
and the INSERT runs as it is; a unique index that refuses it means "nothing
inserted" (0 rows, or no rows returned). MariaDB ends only the refused
statement, not the transaction, so the caller's transaction goes on as on
PostgreSQL. A multi-row VALUES insert that meets a duplicate is tried again
row by row, each refused row skipped. (INSERT IGNORE would also skip rows
but turns every other refusal, a NULL in a NOT NULL column or a value too
long, into a silently altered row.)
"""
import re

from exchange.workflows.store import db

# Each table's primary key: how the rows found are named again.
KEYS = {
    "{status}": ("workflow_id",),
    "{queues}": ("queue_name",),
    "{mail}": ("workflow_id", "seq"),
    "{ops}": ("workflow_id", "function_id"),
    "{executors}": ("executor_id",),
    "{parked}": ("workflow_id",),
    "{settings}": ("setting_key",),
    "{templates}": ("workflow_name", "template_name", "template_version"),
    "{enums}": ("enum_name", "enum_version"),
    "{prompts}": ("workflow_id", "function_id"),
    "{transitions}": ("workflow_id", "seq"),
    "{schedules}": ("schedule_name",),
}

_SHAPE = re.compile(r"^\s*UPDATE (\{[A-Za-z]+\}) SET (.*?) WHERE (.*) RETURNING (.*)$", re.S)


_DO_NOTHING = " ON CONFLICT DO NOTHING"
_LIMIT_OFFSET = " LIMIT ? OFFSET ?"
# INSERT ... VALUES (?, ...), (?, ...) ON CONFLICT DO NOTHING: head and one row's marks.
_ROWS = re.compile(r"^(.* VALUES )(\([?, ]+\))(?:, \2)*" + _DO_NOTHING + "$", re.S)


def query(store, template, args, tx):
    """Store.query for a dialect with stand-ins."""
    settings = store.dialect.settings
    if settings.get("updateReturningStandIn", True) and isUpdateReturning(template):
        return updateReturning(store, template, args, tx)
    if settings.get("swapsLimitOffset") and _LIMIT_OFFSET in template:
        args = limitOffsetSwapped(template, args)
    if _DO_NOTHING in template:
        try:
            return db.query(store.dbName, store.dialect.sql(template), args, tx)
        except db.UniqueViolation:
            return []
    return db.query(store.dbName, store.dialect.sql(template), args, tx)


def update(store, template, args, tx):
    """Store.update for a dialect with stand-ins."""
    if _DO_NOTHING not in template:
        return db.update(store.dbName, store.dialect.sql(template), args, tx)
    most = store.dialect.settings.get("maxParams")
    if most and len(args) > most:
        rows = _ROWS.match(template)
        if rows is not None:
            return _inChunks(store, rows.group(1), rows.group(2), most, args, tx)
    try:
        return db.update(store.dbName, store.dialect.sql(template), args, tx)
    except db.UniqueViolation:
        rows = _ROWS.match(template)
        if rows is None or template.count("), (") == 0:
            return 0
    head, one = rows.group(1), rows.group(2)
    width = one.count("?")
    single = head + one + _DO_NOTHING
    inserted = 0
    for start in range(0, len(args), width):
        try:
            inserted += db.update(store.dbName, store.dialect.sql(single),
                                  list(args[start:start + width]), tx)
        except db.UniqueViolation:
            pass
    return inserted


def _inChunks(store, head, one, most, args, tx):
    """A multi-row INSERT ... ON CONFLICT DO NOTHING with more values than
    the database takes in one statement (SQL Server: 2100), as several."""
    width = one.count("?")
    per = max(1, most // width)
    inserted = 0
    for start in range(0, len(args), per * width):
        chunk = list(args[start:start + per * width])
        template = head + ", ".join([one] * (len(chunk) // width)) + _DO_NOTHING
        inserted += update(store, template, chunk, tx)
    return inserted


def limitOffsetSwapped(template, args):
    """``args`` with the values of ``template``'s ``LIMIT ? OFFSET ?`` the
    other way round, for the dialect's ``OFFSET ? ROWS FETCH NEXT ? ROWS
    ONLY`` (SQL Server)."""
    at = template[:template.index(_LIMIT_OFFSET)].count("?")
    args = list(args)
    args[at], args[at + 1] = args[at + 1], args[at]
    return args


def isUpdateReturning(template):
    """True when ``template`` is an UPDATE ... RETURNING."""
    return template.lstrip()[:7].upper() == "UPDATE " and " RETURNING " in template


def updateReturning(store, template, args, tx=None):
    """Runs the UPDATE ... RETURNING ``template`` as described above and
    returns the RETURNING columns of the rows it changed (a PyDataSet)."""
    found = _SHAPE.match(template)
    if found is None or found.group(1) not in KEYS:
        raise ValueError("not an UPDATE {table} SET ... WHERE ... RETURNING ... on a known "
                         "table: %s" % template[:120])
    if tx is None:
        with db.Transaction(store.dbName, store.dialect) as own:
            return _run(store, found.groups(), list(args), own)
    return _run(store, found.groups(), list(args), tx)


def _byKey(where, key):
    """True when ``where`` picks rows by the first column of ``key`` (``=
    ?`` or ``IN (...)``), so that the primary key finds them."""
    return re.search(r"(?:^|[\s(])%s (?:= |IN \()" % key[0], where) is not None


def _run(store, parts, args, tx):
    table, assignments, where, returned = parts
    key = KEYS[table]
    split = assignments.count("?")
    setArgs, whereArgs = args[:split], args[split:]
    # The rows are looked up by primary key (the dialect's ``keyHint``), never
    # along another index the WHERE also matches: a claim's "status =
    # 'ENQUEUED' AND workflow_id IN (...)" read along the status index would
    # lock every waiting row of every queue it passes, so claimers of two
    # queues waited for each other's rows and deadlocked (MariaDB picks that
    # index when few rows wait).
    hint = store.dialect.settings.get("keyHint", "")
    ds = store.query("SELECT " + ", ".join(key) + " FROM " + table
                     + (hint if _byKey(where, key) else "") + " WHERE " + where
                     + " FOR UPDATE", whereArgs, tx)
    if not len(ds):
        return ds
    keyArgs = []
    for row in ds:
        keyArgs.extend(row[i] for i in range(len(key)))
    if len(key) == 1:
        keyWhere = key[0] + " IN (" + ", ".join(["?"] * len(ds)) + ")"
    else:
        one = "(" + ", ".join(["?"] * len(key)) + ")"
        keyWhere = "(" + ", ".join(key) + ") IN (" + ", ".join([one] * len(ds)) + ")"
    store.update("UPDATE " + table + hint + " SET " + assignments + " WHERE " + keyWhere
                 + " AND (" + where + ")", setArgs + keyArgs + whereArgs, tx)
    return store.query("SELECT " + returned + " FROM " + table + hint + " WHERE " + keyWhere,
                       keyArgs, tx)
