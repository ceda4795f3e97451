"""A throw-away MariaDB server for the test session.

mariadb-install-db into a unique temp dir, `mariadbd` on a free 127.0.0.1
port with its own socket and pid file, user `root` with no password
reachable over TCP from 127.0.0.1 only, durability traded for speed. As
root, the server runs as the `mysql` OS user (`--user`). Stopped by its
own PID; servers of test sessions that died are reaped by their owner PID,
as tests/support/postgres.py does.
"""

import os
import re
import signal
import subprocess
import time
import uuid

from tests.support import procs, throwaway

TMP_PREFIX = "wf-maria-"
SERVER_NAMES = ("mariadbd", "mysqld")
PID_FILE = "mariadbd.pid"


class MariaDBError(RuntimeError):
    pass


def _find(name, dirs):
    for d in dirs:
        path = os.path.join(d, name)
        if os.path.exists(path):
            return path
    return None


def find_server():
    """The mariadbd binary (or $MARIADB_SERVER)."""
    path = os.environ.get("MARIADB_SERVER") or _find("mariadbd", ("/usr/sbin", "/usr/bin"))
    if not path:
        raise MariaDBError("no MariaDB server (mariadbd) found; run tools/setup")
    return path


def _is_root():
    return os.geteuid() == 0


def reap_stale_servers(tmpdir=None):
    """Stop servers left by earlier test sessions that died without cleanup
    (their owner PID is gone). Only touches dirs this module created."""
    throwaway.reap_stale(TMP_PREFIX, lambda base: throwaway.read_pid(os.path.join(base, PID_FILE)),
                         SERVER_NAMES, signal.SIGKILL, tmpdir)


class MariaDBServer(throwaway.ThrowawayServer):
    """Use start()/stop(), or as a context manager.

    Attributes once started: host, port, user, base_dir, pid (mariadbd's PID).
    """

    TMP_PREFIX = TMP_PREFIX
    SERVER_NAMES = SERVER_NAMES
    Error = MariaDBError
    host = "127.0.0.1"
    user = "root"
    # Tests trade durability for speed, as the PostgreSQL server's fsync=off
    # does: a commit reaches the OS at once (log flush 2, not 0), so a killed
    # server loses nothing committed; only an OS crash would.
    SETTINGS = {
        "innodb_flush_log_at_trx_commit": "2", "innodb_doublewrite": "0",
        "sync_binlog": "0", "skip_log_bin": None, "innodb_buffer_pool_size": "128M",
        "innodb_log_file_size": "48M", "max_connections": "400",
        "character_set_server": "utf8mb4", "collation_server": "utf8mb4_unicode_ci",
        "skip_name_resolve": None, "performance_schema": "OFF",
    }

    def __init__(self, server=None, tmpdir=None, settings=None):
        throwaway.ThrowawayServer.__init__(self, tmpdir)
        self.server = server or find_server()
        self.bindir = os.path.dirname(self.server)
        self.settings = dict(self.SETTINGS)
        self.settings.update(settings or {})

    # -- paths -------------------------------------------------------------
    @property
    def data_dir(self):
        return os.path.join(self.base_dir, "data")

    @property
    def socket_path(self):
        return os.path.join(self.base_dir, "mariadbd.sock")

    @property
    def pid_path(self):
        return os.path.join(self.base_dir, PID_FILE)

    def server_pid(self):
        return throwaway.read_pid(self.pid_path)

    @property
    def log_path(self):
        return os.path.join(self.base_dir, "mariadbd.log")

    def _tool(self, name):
        path = _find(name, ("/usr/bin", "/usr/sbin", self.bindir))
        if not path:
            raise MariaDBError("%s not found; run tools/setup" % name)
        return path

    # -- lifecycle ---------------------------------------------------------
    def start(self, attempts=5):
        self.make_base_dir()
        if _is_root():
            import pwd

            pw = pwd.getpwnam("mysql")
            os.chown(self.base_dir, pw.pw_uid, pw.pw_gid)
            os.chmod(self.base_dir, 0o755)
        init = subprocess.run(
            [self._tool("mariadb-install-db"), "--no-defaults", "--datadir=" + self.data_dir,
             "--auth-root-authentication-method=normal", "--skip-test-db",
             "--skip-name-resolve"] + (["--user=mysql"] if _is_root() else []),
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            timeout=180,
        )
        if init.returncode != 0:
            raise MariaDBError("mariadb-install-db failed:\n"
                               + init.stdout.decode("utf-8", "replace")[-4000:])
        return self.start_on_free_port(attempts)

    def _argv(self, port):
        argv = [self.server, "--no-defaults", "--datadir=" + self.data_dir,
                "--port=%d" % port, "--bind-address=" + self.host,
                "--socket=" + self.socket_path, "--pid-file=" + self.pid_path,
                "--log-error=" + self.log_path]
        if _is_root():
            argv.append("--user=mysql")
        for key in sorted(self.settings):
            value = self.settings[key]
            argv.append("--" + key.replace("_", "-") if value is None
                        else "--%s=%s" % (key.replace("_", "-"), value))
        return argv

    def _start_once(self, port):
        self._log = open(os.path.join(self.base_dir, "stdout.log"), "ab")
        self._proc = subprocess.Popen(
            self._argv(port), stdin=subprocess.DEVNULL, stdout=self._log,
            stderr=subprocess.STDOUT, start_new_session=True,
        )
        self.port = port
        deadline = time.time() + 90
        while time.time() < deadline:
            if self._proc.poll() is not None:
                break
            ready = subprocess.run(
                [self._tool("mariadb-admin"), "--no-defaults", "--protocol=tcp",
                 "-h", self.host, "-P", str(port), "-u", self.user,
                 "--connect-timeout=2", "ping"],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )
            if ready.returncode == 0:
                self.pid = self._proc.pid
                # Root may connect over TCP from 127.0.0.1 without a password,
                # as over the socket (install-db grants only root@localhost).
                self.sql("CREATE USER IF NOT EXISTS 'root'@'127.0.0.1' IDENTIFIED BY ''; "
                         "GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION")
                return
            time.sleep(0.2)
        self._kill_proc()
        raise MariaDBError(
            "MariaDB did not start on port %d; log tail:\n%s" % (port, self.log_tail())
        )

    def stop(self):
        """SIGKILL of the server (its data dir is thrown away); removes the dir."""
        if self.base_dir is not None:
            self.remove()
            self.pid = None

    def restart(self, mode="fast", down_seconds=0.0):
        """Stops the server (``fast``: SIGTERM and wait; ``immediate``:
        SIGKILL) and starts it again on the same port and data directory;
        clients see their connections drop."""
        if self._proc is not None and self._proc.poll() is None:
            if mode == "immediate":
                self._kill_proc()
            else:
                procs.kill(self._proc.pid, signal.SIGTERM)
                try:
                    self._proc.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    pass
        self._kill_proc()
        if down_seconds:
            time.sleep(down_seconds)
        self._start_once(self.port)

    # -- databases ---------------------------------------------------------
    def sql(self, sql, dbname=None):
        """Run SQL with the mariadb client over the socket; returns stdout as text."""
        argv = [self._tool("mariadb"), "--no-defaults", "-S", self.socket_path, "-u", self.user,
                "--batch", "--skip-column-names"]
        if dbname:
            argv += ["-D", dbname]
        p = subprocess.run(
            argv + ["-e", sql], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, timeout=60,
        )
        if p.returncode != 0:
            raise MariaDBError("mariadb failed (%s): %s" % (sql, p.stderr.decode("utf-8", "replace")))
        return p.stdout.decode("utf-8", "replace")

    def create_database(self, name=None):
        """Create an empty database; returns its name (unique if not given)."""
        name = name or "t_" + uuid.uuid4().hex[:16]
        if not re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", name):
            raise ValueError("bad database name %r" % name)
        self.sql("CREATE DATABASE `%s` CHARACTER SET utf8mb4" % name)
        return name

    def drop_database(self, name):
        self.sql("DROP DATABASE IF EXISTS `%s`" % name)

    def jdbc_url(self, dbname):
        return "jdbc:mariadb://%s:%d/%s?user=%s" % (self.host, self.port, dbname, self.user)
