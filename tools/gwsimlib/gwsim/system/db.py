"""system.db: queries, updates and transactions against the gateway's named connections.

Ignition facts reproduced here (IA manual, system.db.* pages):
- Errors surface as a Java exception (java.lang.Exception naming the call, the SQLException as
  its cause), so a Python `except Exception` does not catch them; catch java.lang.Throwable.
  Its message repeats the whole call as Ignition's does, SQL and every argument included:
  `Error executing system.db.runPrepUpdate(INSERT INTO t VALUES (?), [abc], DB, , false, false)`
  (so code that shows or stores such a message shows or stores the arguments).
- A transaction id is a UUID string; the transaction holds one pool connection until
  closeTransaction; its timeout (ms, default 30000) restarts on every use, and when it expires
  the transaction is rolled back, its connection freed and its id becomes invalid.
- database "" means the project's default connection (here WorkflowsDB).
"""
from java.lang import Exception as JavaException, System, Throwable
from java.math import BigDecimal
from java.sql import SQLException, Statement, Timestamp, Types
from java.util import Date, UUID
from java.util.concurrent import ConcurrentHashMap, Executors, TimeUnit
from java.util.concurrent.locks import ReentrantLock

from gwsim import dataset, dbpool, logs, namedquery, threads
from gwsim.system import sproc

READ_UNCOMMITTED = 1
READ_COMMITTED = 2
REPEATABLE_READ = 4
SERIALIZABLE = 8
DEFAULT_TX_TIMEOUT_MS = 30000
INT_MIN, INT_MAX = -2 ** 31, 2 ** 31 - 1
LONG_MIN, LONG_MAX = -2 ** 63, 2 ** 63 - 1

_log = logs.getLogger("gwsim.db")


class Transaction(object):
    def __init__(self, tx_id, source, conn, timeout_ms):
        self.id = tx_id
        self.source = source
        self.conn = conn
        self.timeout_ms = timeout_ms
        self.lock = ReentrantLock()
        self.closed = False
        self.touch()

    def touch(self):
        self.last_use = System.currentTimeMillis()

    def expired(self, now):
        return self.timeout_ms > 0 and now - self.last_use > self.timeout_ms


def bind(statement, args):
    """Bind Python arguments to ? placeholders with the JDBC setter that fits each type."""
    for i, value in enumerate(args or [], 1):
        if value is None:
            statement.setNull(i, Types.NULL)
        elif isinstance(value, bool):
            statement.setBoolean(i, value)
        elif isinstance(value, (int, long)):
            if INT_MIN <= value <= INT_MAX:
                statement.setInt(i, value)
            elif LONG_MIN <= value <= LONG_MAX:
                statement.setLong(i, value)
            else:
                statement.setBigDecimal(i, BigDecimal(str(value)))
        elif isinstance(value, float):
            statement.setDouble(i, value)
        elif isinstance(value, basestring):
            statement.setString(i, value)
        elif isinstance(value, Date) and not isinstance(value, Timestamp):
            statement.setTimestamp(i, Timestamp(value.getTime()))
        else:
            statement.setObject(i, value)


class DbApi(object):
    def __init__(self, gateway):
        self._gateway = gateway
        self._transactions = ConcurrentHashMap()
        self._reaper = Executors.newSingleThreadScheduledExecutor(threads.factory("gwsim-tx-reaper"))
        self._reaper.scheduleWithFixedDelay(self._expire_transactions, 500, 500, TimeUnit.MILLISECONDS)

    # -- plumbing -----------------------------------------------------------------------------
    def _lookup(self, database):
        """The named connection (names match case-insensitively), or None."""
        name = database or self._gateway.default_database
        source = self._gateway.datasources.get(name)
        if source is None:
            for key, candidate in self._gateway.datasources.items():
                if key.lower() == name.lower():
                    return candidate
        return source

    def _source(self, database):
        source = self._lookup(database)
        if source is None:
            raise JavaException('Datasource "%s" does not exist in this Gateway'
                                % (database or self._gateway.default_database))
        return source

    def _run(self, call, database, tx, work):
        """Run work(conn) on tx's connection or on a pooled one; wrap SQL errors like Ignition."""
        if tx:
            transaction = self._transactions.get(tx)
            if transaction is None:
                raise JavaException('Transaction "%s" is closed' % tx)
            transaction.lock.lock()
            try:
                if transaction.closed:
                    raise JavaException('Transaction "%s" is closed' % tx)
                transaction.touch()
                try:
                    return work(transaction.conn)
                except SQLException as error:
                    raise JavaException("Error executing %s" % call(), error)
            finally:
                transaction.touch()
                transaction.lock.unlock()
        source = self._source(database)
        conn = source.borrow()
        broken = False
        try:
            return work(conn)
        except SQLException as error:
            broken = not dbpool.is_valid(conn)
            raise JavaException("Error executing %s" % call(), error)
        finally:
            source.release(conn, broken)

    @staticmethod
    def _describe(name, *params):
        return lambda: u"system.db.%s(%s)" % (name, u", ".join([_java_text(p) for p in params]))

    # -- queries ------------------------------------------------------------------------------
    def runPrepQuery(self, query, args=[], database="", tx=None):  # noqa: B006 -- Ignition\'s signature; args is never mutated
        """Run a SELECT (or UPDATE ... RETURNING) with ? args; returns a PyDataSet."""
        def work(conn):
            statement = conn.prepareStatement(query)
            try:
                bind(statement, args)
                rs = statement.executeQuery()
                try:
                    return dataset.from_result_set(rs)
                finally:
                    rs.close()
            finally:
                statement.close()
        return self._run(self._describe("runPrepQuery", query, args, database, tx), database, tx, work)

    def runQuery(self, query, database="", tx=None):
        return self._run_plain_query(query, database, tx, "runQuery")

    def _run_plain_query(self, query, database, tx, name):
        def work(conn):
            statement = conn.createStatement()
            try:
                rs = statement.executeQuery(query)
                try:
                    return dataset.from_result_set(rs)
                finally:
                    rs.close()
            finally:
                statement.close()
        return self._run(self._describe(name, query, database, tx), database, tx, work)

    def runScalarPrepQuery(self, query, args=[], database="", tx=None):  # noqa: B006 -- Ignition\'s signature; args is never mutated
        return _first_cell(self.runPrepQuery(query, args, database, tx))

    def runScalarQuery(self, query, database="", tx=None):
        return _first_cell(self._run_plain_query(query, database, tx, "runScalarQuery"))

    # -- updates ------------------------------------------------------------------------------
    def runPrepUpdate(self, query, args=[], database="", tx=None, getKey=False, skipAudit=True):  # noqa: B006 -- Ignition\'s signature; args is never mutated
        """Run INSERT/UPDATE/DELETE/DDL with ? args; returns rows affected or the generated key."""
        def work(conn):
            if getKey:
                statement = conn.prepareStatement(query, Statement.RETURN_GENERATED_KEYS)
            else:
                statement = conn.prepareStatement(query)
            try:
                bind(statement, args)
                count = statement.executeUpdate()
                return _generated_key(statement) if getKey else count
            finally:
                statement.close()
        call = self._describe("runPrepUpdate", query, args, database, tx, getKey, skipAudit)
        return self._run(call, database, tx, work)

    def runUpdateQuery(self, query, database="", tx=None, getKey=False, skipAudit=True):
        def work(conn):
            statement = conn.createStatement()
            try:
                if getKey:
                    statement.executeUpdate(query, Statement.RETURN_GENERATED_KEYS)
                    return _generated_key(statement)
                return statement.executeUpdate(query)
            finally:
                statement.close()
        call = self._describe("runUpdateQuery", query, database, tx, getKey, skipAudit)
        return self._run(call, database, tx, work)

    # -- named queries ------------------------------------------------------------------------
    # IA manual: system.db.runNamedQuery (8.1; deprecated in 8.3) has a project-scope form
    # (path, [parameters], [tx], [getKey]) and a gateway-scope form (project, path, [parameters],
    # [tx], [getKey]); 8.3 adds execQuery(path, [parameters], [tx], [project]),
    # execScalar(path, [parameters], [tx], [project]) and
    # execUpdate(path, [parameters], [tx], [getKey], [project]). The result of runNamedQuery
    # depends on the query's type: a Dataset for Query, rows affected (or the key) for
    # UpdateQuery, the first cell for ScalarQuery.
    def runNamedQuery(self, *args, **kwargs):
        project, path, parameters, tx, getKey = _named_query_args(args, kwargs)
        query = self._named_query(project, path)
        mode = {"Query": "query", "UpdateQuery": "update", "ScalarQuery": "scalar"}[query.kind]
        call = self._describe("runNamedQuery", project, path, parameters, tx, getKey)
        return self._run_named(call, query, parameters, tx, mode, getKey)

    def execQuery(self, path, parameters=None, tx=None, project=None):
        query = self._named_query(project, path)
        call = self._describe("execQuery", path, parameters, tx, project)
        return self._run_named(call, query, parameters, tx, "query", False)

    def execScalar(self, path, parameters=None, tx=None, project=None):
        query = self._named_query(project, path)
        call = self._describe("execScalar", path, parameters, tx, project)
        return self._run_named(call, query, parameters, tx, "scalar", False)

    def execUpdate(self, path, parameters=None, tx=None, getKey=False, project=None):
        query = self._named_query(project, path)
        call = self._describe("execUpdate", path, parameters, tx, getKey, project)
        return self._run_named(call, query, parameters, tx, "update", getKey)

    def _named_query(self, project, path):
        own = self._gateway.project
        if project and project != own.name:
            raise JavaException('Project "%s" not found (this gateway runs "%s")' % (project, own.name))
        return namedquery.load(own, path)

    def _run_named(self, call, query, parameters, tx, mode, getKey):
        if parameters is not None and not isinstance(parameters, dict):
            raise TypeError("named query parameters must be a dictionary, not %s" % type(parameters).__name__)
        sql, args = query.prepared(parameters)

        def work(conn):
            if mode == "update":
                statement = conn.prepareStatement(sql, Statement.RETURN_GENERATED_KEYS) if getKey \
                    else conn.prepareStatement(sql)
            else:
                statement = conn.prepareStatement(sql)
            try:
                bind(statement, args)
                if mode == "update":
                    count = statement.executeUpdate()
                    return _generated_key(statement) if getKey else count
                rs = statement.executeQuery()
                try:
                    if mode == "scalar":
                        return _first_cell(dataset.from_result_set(rs))
                    return dataset.basic_from_result_set(rs)
                finally:
                    rs.close()
            finally:
                statement.close()
        return self._run(call, query.database, tx, work)

    # -- stored procedures --------------------------------------------------------------------
    def createSProcCall(self, procedureName, database="", tx=None, skipAudit=False):
        """A call context for execSProcCall (IA manual: system.db.createSProcCall)."""
        return sproc.SProcCall(procedureName, database or "", tx, skipAudit)

    def execSProcCall(self, callContext):
        """Run the procedure through JDBC's CallableStatement, as the gateway does: a database
        whose driver has no stored procedures (SQLite) fails with the driver's own error."""
        call = callContext
        return self._run(self._describe("execSProcCall", call.procedureName), call.datasource,
                         call.txId, call.execute)

    # -- connection information ---------------------------------------------------------------
    def getConnections(self):
        """A Dataset with one row per named connection (see CONNECTION_COLUMNS)."""
        sources = sorted(self._gateway.datasources.values(), key=lambda s: s.name.lower())
        return dataset.BasicDataset(CONNECTION_COLUMNS, [_connection_row(s) for s in sources])

    def getConnectionInfo(self, name=None):
        """A Dataset of one row about the named connection (the project default if name is
        empty), or an empty Dataset with the same columns when there is no such connection."""
        source = self._lookup(name)
        return dataset.BasicDataset(CONNECTION_COLUMNS, [_connection_row(source)] if source else [])

    # -- transactions -------------------------------------------------------------------------
    def beginTransaction(self, database=None, isolationLevel=None, timeout=None):
        """Open a transaction holding one pool connection; returns its id (a UUID string)."""
        source = self._source(database)
        conn = source.borrow()
        try:
            conn.setAutoCommit(False)
            if isolationLevel is not None:
                source.set_isolation(conn, int(isolationLevel))
        except SQLException as error:
            source.release(conn, not dbpool.is_valid(conn))
            raise JavaException("Error executing %s" % self._describe(
                "beginTransaction", database, isolationLevel, timeout)(), error)
        tx_id = UUID.randomUUID().toString()
        timeout_ms = DEFAULT_TX_TIMEOUT_MS if timeout is None else long(timeout)
        self._transactions.put(tx_id, Transaction(tx_id, source, conn, timeout_ms))
        return tx_id

    def commitTransaction(self, tx):
        self._run(self._describe("commitTransaction", tx), None, tx, lambda conn: conn.commit())

    def rollbackTransaction(self, tx):
        self._run(self._describe("rollbackTransaction", tx), None, tx, lambda conn: conn.rollback())

    def closeTransaction(self, tx):
        """Free the transaction's connection; uncommitted work is rolled back."""
        transaction = self._transactions.remove(tx)
        if transaction is None:
            raise JavaException('Transaction "%s" is closed' % tx)
        transaction.lock.lock()
        try:
            self._finish(transaction)
        finally:
            transaction.lock.unlock()

    def _finish(self, transaction):
        transaction.closed = True
        broken = not dbpool.is_valid(transaction.conn)
        transaction.source.release(transaction.conn, broken)

    def _expire_transactions(self):
        try:
            now = System.currentTimeMillis()
            for transaction in list(self._transactions.values()):
                if transaction.expired(now) and transaction.lock.tryLock():
                    try:
                        if transaction.closed or not transaction.expired(now):
                            continue
                        self._transactions.remove(transaction.id)
                        self._finish(transaction)
                        _log.warn('Transaction "%s" timed out after %d ms unused; rolled back and closed'
                                  % (transaction.id, transaction.timeout_ms))
                    finally:
                        transaction.lock.unlock()
        except (Throwable, Exception):
            # Never let one failure cancel the periodic task (a scheduled executor would).
            logs.log_python_error(_log, "transaction reaper failed")

    def open_transaction_count(self):
        return self._transactions.size()


# The columns of system.db.getConnections / getConnectionInfo (IA manual, 8.1/8.3). Status is
# the outcome of the pool's last attempt to open a connection ("Valid" or "Faulted", with the
# error as Problem); Throughput is not measured here and is always -1 (Ignition's "idle").
CONNECTION_COLUMNS = ("Name", "Description", "DBType", "Status", "Problem", "ExtStatus",
                      "Throughput", "ActiveConnections", "MaxConnections", "ValidationQuery")


def _connection_row(source):
    problem = source.problem
    status = "Faulted" if problem else "Valid"
    return (source.name, "", source.db_type(), status, problem or "", status, -1.0,
            source.active_count(), source.max_active, "SELECT 1")


def _named_query_args(args, kwargs):
    """(project, path, parameters, tx, getKey) of either runNamedQuery form.

    The gateway form starts with the project name: (project, path, [parameters], ...). It is
    recognised by a second positional argument that is a string (a path), or by a `project`
    keyword; otherwise the call is the project-scope form (path, [parameters], ...), which on
    a gateway runs the named query of the script's own project."""
    names = ["path", "parameters", "tx", "getKey"]
    if "project" in kwargs or (len(args) >= 2 and isinstance(args[1], basestring)):
        names = ["project"] + names
    if len(args) > len(names):
        raise TypeError("runNamedQuery() takes at most %d arguments (%d given)" % (len(names), len(args)))
    values = dict(zip(names, args))
    for key, value in kwargs.items():
        if key not in ("project", "path", "parameters", "tx", "getKey") or key in values:
            raise TypeError("runNamedQuery() got an unexpected or repeated keyword argument '%s'" % key)
        values[key] = value
    if "path" not in values:
        raise TypeError("runNamedQuery() needs a path")
    return (values.get("project"), values["path"], values.get("parameters"), values.get("tx"),
            bool(values.get("getKey", False)))


def _first_cell(result):
    if result.getRowCount() == 0 or result.getColumnCount() == 0:
        return None
    return result.getValueAt(0, 0)


def _generated_key(statement):
    keys = statement.getGeneratedKeys()
    try:
        return keys.getObject(1) if keys.next() else None
    finally:
        keys.close()


def _java_text(value, top=True):
    """A call parameter as Ignition's message prints it (Java toString, whole):
    `[abc, 5, null]` for a list, `false` for a bool, an omitted tx as nothing."""
    if value is None:
        return u"" if top else u"null"
    if isinstance(value, bool):
        return u"true" if value else u"false"
    if isinstance(value, (list, tuple)):
        return u"[" + u", ".join([_java_text(v, False) for v in value]) + u"]"
    if isinstance(value, basestring):
        return value if isinstance(value, unicode) else value.decode("utf-8", "replace")
    return unicode(value)


def exports(gateway):
    api = DbApi(gateway)
    gateway.db_api = api
    names = {
        "runPrepQuery": api.runPrepQuery, "runQuery": api.runQuery,
        "runScalarPrepQuery": api.runScalarPrepQuery, "runScalarQuery": api.runScalarQuery,
        "runPrepUpdate": api.runPrepUpdate, "runUpdateQuery": api.runUpdateQuery,
        "runNamedQuery": api.runNamedQuery, "execQuery": api.execQuery,
        "execScalar": api.execScalar, "execUpdate": api.execUpdate,
        "createSProcCall": api.createSProcCall, "execSProcCall": api.execSProcCall,
        "getConnections": api.getConnections, "getConnectionInfo": api.getConnectionInfo,
        "beginTransaction": api.beginTransaction, "commitTransaction": api.commitTransaction,
        "rollbackTransaction": api.rollbackTransaction, "closeTransaction": api.closeTransaction,
        "READ_UNCOMMITTED": READ_UNCOMMITTED, "READ_COMMITTED": READ_COMMITTED,
        "REPEATABLE_READ": REPEATABLE_READ, "SERIALIZABLE": SERIALIZABLE,
    }
    # The SQL type constants (system.db.INTEGER, VARCHAR, TIMESTAMP, ...) are java.sql.Types'
    # codes. ORACLE_CURSOR is not a java.sql.Types code and stays not emulated.
    for name in SQL_TYPE_NAMES:
        names[name] = getattr(Types, name)
    return names


SQL_TYPE_NAMES = (
    "ARRAY", "BIGINT", "BINARY", "BIT", "BLOB", "BOOLEAN", "CHAR", "CLOB", "DATALINK", "DATE", "DECIMAL",
    "DISTINCT", "DOUBLE", "FLOAT", "INTEGER", "JAVA_OBJECT", "LONGNVARCHAR", "LONGVARBINARY",
    "LONGVARCHAR", "NCHAR", "NCLOB", "NULL", "NUMERIC", "NVARCHAR", "OTHER", "REAL", "REF", "ROWID",
    "SMALLINT", "SQLXML", "STRUCT", "TIME", "TIMESTAMP", "TINYINT", "VARBINARY", "VARCHAR")
