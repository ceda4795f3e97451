"""The one place that calls ``system.db``: queries, updates, transactions,
and the translation of JDBC failures into DatabaseUnavailable/DatabaseError.
"""
from exchange.workflows.engine.errors import (ANY_ERROR, DatabaseError,
                                              DatabaseUnavailable, JavaThrowable)

# SQLState classes and message fragments that mean "the database could not be
# reached", as opposed to "the statement was wrong".
_UNAVAILABLE_STATES = ("08", "57P01", "57P02", "57P03", "53300")
_UNAVAILABLE_WORDS = ("connection refused", "connection attempt failed",
                      "connection has been closed", "this connection has been closed",
                      "i/o error", "could not connect", "pool", "timed out waiting",
                      "database is locked", "terminating connection",
                      "the database system is", "no operations allowed after connection closed",
                      "does not exist in this gateway")
_UNIQUE_STATES = ("23505",)


class UniqueViolation(DatabaseError):
    """A unique index refused the row (a duplicate id, dedup id or partition)."""


class LockTimeout(DatabaseError):
    """A row lock was not granted in time (another gateway holds it)."""


def _sqlState(exc):
    cur, seen = exc, 0
    while cur is not None and seen < 8:
        getState = getattr(cur, "getSQLState", None)
        if getState is not None:
            try:
                state = getState()
            except ANY_ERROR:
                state = None
            if state:
                return str(state)
        getCause = getattr(cur, "getCause", None)
        cur = getCause() if getCause is not None else None
        seen += 1
    return ""


def _message(exc):
    parts, cur, seen = [], exc, 0
    while cur is not None and seen < 8:
        try:
            msg = cur.getMessage() if isinstance(cur, JavaThrowable) else str(cur)
        except ANY_ERROR:
            msg = ""
        if msg:
            parts.append(msg)
        getCause = getattr(cur, "getCause", None)
        cur = getCause() if getCause is not None else None
        seen += 1
    return " / ".join(parts)


def isUniqueViolation(exc):
    """True when ``exc`` is a unique-constraint violation (any dialect)."""
    if _sqlState(exc) in _UNIQUE_STATES:
        return True
    msg = _message(exc).lower()
    return "unique constraint" in msg or "duplicate key" in msg


def translate(exc, dbName):
    """Returns the engine error for a failure raised by ``system.db``."""
    if isUniqueViolation(exc):
        return UniqueViolation(_message(exc)[:300])
    state = _sqlState(exc)
    if state == "55P03":
        return LockTimeout("Database '%s': a lock was not granted in time: %s" % (dbName, _message(exc)[:200]))
    msg = _message(exc)
    low = msg.lower()
    if state[:2] in _UNAVAILABLE_STATES or state in _UNAVAILABLE_STATES or \
            any(w in low for w in _UNAVAILABLE_WORDS):
        return DatabaseUnavailable("Database connection '%s' is unavailable: %s" % (dbName, msg[:300]))
    return DatabaseError("Database '%s' rejected a statement (SQLState %s): %s"
                         % (dbName, state or "?", msg[:500]))


def query(dbName, sql, args=(), tx=None):
    """Runs a SELECT (or ... RETURNING) and returns the PyDataSet."""
    try:
        return system.db.runPrepQuery(sql, list(args), dbName, tx)
    except ANY_ERROR as e:
        raise translate(e, dbName)


def update(dbName, sql, args=(), tx=None):
    """Runs an INSERT/UPDATE/DELETE/DDL and returns the rows affected."""
    try:
        return system.db.runPrepUpdate(sql, list(args), dbName, tx)
    except ANY_ERROR as e:
        raise translate(e, dbName)


# dbName -> True when the database's transactions are READ COMMITTED by
# default. Only a cache: a project save empties it and the next transaction
# asks again.
_readCommittedByDefault = {}


def _isolation(dbName, dialect):
    """Returns the level to ask beginTransaction for: None when READ
    COMMITTED is already the database's default (PostgreSQL, unless a DBA
    changed it), else READ_COMMITTED."""
    check = dialect.settings.get("defaultIsolation") if dialect is not None else None
    if check is None:
        return system.db.READ_COMMITTED
    known = _readCommittedByDefault.get(dbName)
    if known is None:
        try:
            ds = query(dbName, check)
            known = len(ds) > 0 and str(ds[0][0]).lower() == "read committed"
        except DatabaseError:
            return system.db.READ_COMMITTED
        _readCommittedByDefault[dbName] = known
    return None if known else system.db.READ_COMMITTED


class Transaction(object):
    """``with Transaction(db) as tx:`` commits on success, rolls back on error,
    and always returns the pooled connection."""

    def __init__(self, dbName, dialect=None, timeoutMs=30000):
        self.dbName = dbName
        self.prelude = dialect.settings.get("txPrelude") if dialect is not None else None
        self.dialect = dialect
        self.timeoutMs = timeoutMs
        self.tx = None

    def __enter__(self):
        try:
            level = _isolation(self.dbName, self.dialect)
            if level is None:  # omitted, not None: the gateway's keyword parser wants an int
                self.tx = system.db.beginTransaction(database=self.dbName, timeout=self.timeoutMs)
            else:
                self.tx = system.db.beginTransaction(self.dbName, level, self.timeoutMs)
        except ANY_ERROR as e:
            raise translate(e, self.dbName)
        if self.prelude:
            try:
                query(self.dbName, self.prelude, (), self.tx)
            except BaseException:
                self.__exit__(Exception, None, None)
                raise
        return self.tx

    def __exit__(self, excType, exc, tb):
        tx, self.tx = self.tx, None
        try:
            if excType is None:
                try:
                    system.db.commitTransaction(tx)
                except ANY_ERROR as e:
                    _quietly(system.db.rollbackTransaction, tx)
                    raise translate(e, self.dbName)
            else:
                _quietly(system.db.rollbackTransaction, tx)
        finally:
            _quietly(system.db.closeTransaction, tx)
        return False


def _quietly(fn, tx):
    try:
        fn(tx)
    except ANY_ERROR:
        pass
