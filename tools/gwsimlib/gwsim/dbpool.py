"""Named database connections with a bounded pool, like the gateway's connection pool.

Gateway defaults are reproduced: at most 8 active connections per named connection, a borrower
waits up to 5000 ms and then fails with a clear error, and each borrowed connection is validated
first (Ignition's pool tests on borrow), so a connection broken by a database restart is closed
and replaced instead of handed out.
"""
from java.lang import Exception as JavaException, Throwable
from java.sql import DriverManager
from java.util import Properties
from java.util.concurrent import ConcurrentHashMap, ConcurrentLinkedDeque, Semaphore, TimeUnit

DEFAULT_MAX_ACTIVE = 8
DEFAULT_MAX_WAIT_MS = 5000

# SQLite: nothing is forced. An Ignition SQLite connection is a plain JDBC connection through the
# gateway's pool (IA manual 8.1/8.3, "Connecting to SQLite": the Connect URL is `jdbc:sqlite:`
# plus a path, and the gateway sets no journal mode, busy timeout or transaction mode of its own),
# so the xerial driver's defaults apply: rollback journal, a busy timeout of 3000 ms, DEFERRED
# transactions. A site that wants WAL, a longer busy timeout or IMMEDIATE transactions asks for
# them in the Connect URL (`jdbc:sqlite:/f.db?journal_mode=WAL&busy_timeout=30000&
# transaction_mode=IMMEDIATE`), which the driver reads itself; gwsim takes the URL as given.


class NamedConnection(object):
    """One gateway database connection (a pool of JDBC connections to one URL)."""

    def __init__(self, name, url, max_active=DEFAULT_MAX_ACTIVE, max_wait_ms=DEFAULT_MAX_WAIT_MS):
        self.name = name
        self.url = url
        self.max_active = max_active
        self.max_wait_ms = max_wait_ms
        self.is_sqlite = url.startswith("jdbc:sqlite:")
        self._permits = Semaphore(max_active, True)
        self._idle = ConcurrentLinkedDeque()
        self._default_isolation = None
        # Connections whose isolation level a transaction changed. Asking a
        # connection for its level costs a server round trip on PostgreSQL,
        # so release() resets only these.
        self._isolation_changed = ConcurrentHashMap()
        # What the last attempt to open a connection said (None: it worked):
        # the gateway reports a datasource's status from its last test.
        self.problem = None

    def _open(self):
        # No properties of gwsim's own: what the URL asks for is what the driver does.
        conn = DriverManager.getConnection(self.url, Properties())
        conn.setAutoCommit(True)
        if self._default_isolation is None:
            # The driver's default, so a transaction's isolation level is undone on release.
            self._default_isolation = conn.getTransactionIsolation()
        return conn

    def borrow(self):
        """Return a validated connection in autocommit mode; the caller must release() it.

        Raises java.lang.Exception when all connections stay busy for max_wait_ms.
        """
        if not self._permits.tryAcquire(self.max_wait_ms, TimeUnit.MILLISECONDS):
            raise JavaException(
                'Datasource "%s": no connection available; all %d pool connections stayed busy '
                "for %d ms (open transactions each hold one until closed)"
                % (self.name, self.max_active, self.max_wait_ms))
        try:
            while True:
                conn = self._idle.pollFirst()
                if conn is None:
                    try:
                        conn = self._open()
                    except Throwable as error:
                        self.problem = error.getMessage() or error.getClass().getName()
                        raise
                    self.problem = None
                    return conn
                if is_valid(conn):
                    return conn
                close_quietly(conn)
        except:  # Python or Java error: give the permit back before propagating
            self._permits.release()
            raise

    def release(self, conn, broken=False):
        """Give conn back to the pool, or close it if it is broken or cannot be reset."""
        try:
            if broken or conn.isClosed():
                close_quietly(conn)
                return
            try:
                if not conn.getAutoCommit():
                    # Never let setAutoCommit(True) commit leftover work: roll it back first.
                    conn.rollback()
                    conn.setAutoCommit(True)
                if self._isolation_changed.remove(conn) is not None:
                    conn.setTransactionIsolation(self._default_isolation)
            except Throwable:
                close_quietly(conn)
                return
            self._idle.offerFirst(conn)
        finally:
            self._permits.release()

    def set_isolation(self, conn, level):
        """Set a borrowed connection's isolation level; release() undoes it."""
        if level != self._default_isolation:
            self._isolation_changed.put(conn, True)
        conn.setTransactionIsolation(level)

    def db_type(self):
        """The gateway's name for the kind of database (its DatabaseVendor)."""
        if self.is_sqlite:
            return "SQLITE"
        if self.url.startswith("jdbc:postgresql:"):
            return "POSTGRES"
        return "GENERIC"

    def active_count(self):
        return self.max_active - self._permits.availablePermits()

    def close_idle(self):
        while True:
            conn = self._idle.pollFirst()
            if conn is None:
                return
            close_quietly(conn)


def is_valid(conn):
    try:
        return (not conn.isClosed()) and conn.isValid(2)
    except Throwable:
        return False


def close_quietly(conn):
    try:
        conn.close()
    except Throwable:
        pass
