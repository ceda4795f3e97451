"""The one place that calls ``system.db``: queries, updates, transactions,
the gateway's list of connections, and the translation of JDBC failures
into DatabaseUnavailable/DatabaseError.
"""
from exchange.workflows.core.codec import TEXT
from exchange.workflows.core.errors import (ANY_ERROR, DatabaseError, DatabaseUnavailable,
                                              causes, messageOf, rootCause, scrubText, sqlState,
                                              typeAndMessage)

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
# MariaDB says SQLState 23000 for every integrity error; its unique one
# ("Duplicate entry ... for key ...") is told apart by the message. Lock
# waits that time out (innodb_lock_wait_timeout) and deadlocks are
# HY000/40001 with these words: like PostgreSQL's 55P03, the transaction
# did not get its locks and is tried again later.
# SQL Server's LOCK_TIMEOUT (error 1222) and deadlock victim (1205) too.
_LOCK_WORDS = ("lock wait timeout exceeded", "deadlock found when trying to get lock",
               "lock request time out period exceeded", "chosen as the deadlock victim")


class UniqueViolation(DatabaseError):
    """A unique index refused the row (a duplicate id, dedup id or partition)."""


class LockTimeout(DatabaseError):
    """A row lock was not granted in time (another gateway holds it)."""


def _chainText(exc):
    """The scrubbed messages of the whole cause chain, lower case: enough to
    recognise an outage, with no SQL text in it to match by accident."""
    return " / ".join(scrubText(messageOf(cur)) for cur in causes(exc)).lower()


def isUniqueViolation(exc):
    """True when ``exc`` is a unique-constraint violation (any dialect)."""
    if sqlState(exc) in _UNIQUE_STATES:
        return True
    msg = _chainText(exc)
    return "unique constraint" in msg or "duplicate key" in msg or "duplicate entry" in msg


def translate(exc, dbName, args=()):
    """Returns the engine error for a failure raised by ``system.db``.

    Its message is the root cause only: the driver's own message, scrubbed of
    the SQL and arguments Ignition's wrapper repeats and of the values
    PostgreSQL echoes (``Key (...)=(...)``, ``Detail:`` lines), with any
    argument of ``args`` that still shows masked, and the SQLState. It goes
    to callers, stored errors and logs, so it must not carry inputs. The
    error also carries ``sqlState`` and ``driverMessage`` (that scrubbed
    root message) for code that classifies refusals.
    """
    state = sqlState(exc)
    hide = [a for a in args or () if isinstance(a, TEXT)]
    rootName, root = rootCause(exc, hide)
    cause = typeAndMessage(rootName, root)
    if isUniqueViolation(exc):
        err = UniqueViolation("Database '%s': a unique constraint refused the row (SQLState %s): %s"
                              % (dbName, state or "?", cause))
    elif state == "55P03" or any(w in _chainText(exc) for w in _LOCK_WORDS):
        err = LockTimeout("Database '%s': a lock was not granted in time: %s" % (dbName, cause))
    elif state[:2] in _UNAVAILABLE_STATES or state in _UNAVAILABLE_STATES or \
            any(w in _chainText(exc) for w in _UNAVAILABLE_WORDS):
        err = DatabaseUnavailable("Database connection '%s' is unavailable: %s" % (dbName, cause))
    else:
        err = DatabaseError("Database '%s' rejected a statement (SQLState %s): %s"
                            % (dbName, state or "?", cause))
    err.sqlState = state
    err.driverMessage = root
    return err


def query(dbName, sql, args=(), tx=None):
    """Runs a SELECT (or ... RETURNING) and returns the PyDataSet."""
    try:
        return system.db.runPrepQuery(sql, list(args), dbName, tx)
    except ANY_ERROR as e:
        raise translate(e, dbName, args)


def update(dbName, sql, args=(), tx=None):
    """Runs an INSERT/UPDATE/DELETE/DDL and returns the rows affected."""
    try:
        return system.db.runPrepUpdate(sql, list(args), dbName, tx)
    except ANY_ERROR as e:
        raise translate(e, dbName, args)


def connectionExists(dbName):
    """True when the gateway has a database connection named ``dbName``.
    Raises whatever the gateway raised when it could not be asked."""
    return system.db.getConnectionInfo(dbName).getRowCount() > 0


def connectionNames():
    """The names of the gateway's database connections (raises as above)."""
    ds = system.db.getConnections()
    return [ds.getValueAt(i, "Name") for i in range(ds.getRowCount())]


# dbName -> True when the database's transactions are READ COMMITTED by
# default. Only a cache: a project save empties it and the next transaction
# asks again.
_readCommittedByDefault = {}


def _isolation(dbName, dialect):
    """Returns the level to ask beginTransaction for: None when READ
    COMMITTED is already the database's default (PostgreSQL, unless a DBA
    changed it), else READ_COMMITTED. SQLite gets None too: it has one
    writer at a time and its driver knows no READ COMMITTED, so the engine
    leaves the connection as the gateway configured it."""
    if dialect is not None and not dialect.settings.get("setsIsolation", True):
        return None
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

    def __init__(self, dbName, dialect=None, timeoutMs=30000, prelude=True):
        self.dbName = dbName
        settings = dialect.settings if dialect is not None and prelude else {}
        self.prelude = settings.get("txPrelude")
        # MariaDB's prelude is a SET (run as an update), which lasts for the
        # session: the epilogue undoes it before the connection goes back.
        self.preludeIsUpdate = settings.get("txPreludeIsUpdate", False)
        self.epilogue = settings.get("txEpilogue")
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
                (update if self.preludeIsUpdate else query)(self.dbName, self.prelude, (), self.tx)
            except BaseException:
                self.__exit__(Exception, None, None)
                raise
        return self.tx

    def __exit__(self, excType, exc, tb):
        tx, self.tx = self.tx, None
        try:
            if self.epilogue:
                try:
                    update(self.dbName, self.epilogue, (), tx)
                except (DatabaseError, DatabaseUnavailable):
                    # The session's settings could not be given back: its
                    # connection is broken, or the statement failed. A
                    # transaction that was to commit fails with that error;
                    # one that failed already keeps its own error.
                    if excType is None:
                        _quietly(system.db.rollbackTransaction, tx)
                        raise
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
