"""A throw-away PostgreSQL server for the test session.

initdb into a unique temp dir, start `postgres` on a free 127.0.0.1 port with
its own socket dir, trust auth for user `postgres`, fsync off. As root, the
server runs as the `postgres` OS user via `runuser` (postgres refuses root).
"""

import glob
import os
import re
import signal
import subprocess
import time
import uuid

from tests.support import throwaway

TMP_PREFIX = "wf-pg-"
SERVER_NAMES = ("postgres", "postmaster")


class PostgresError(RuntimeError):
    pass


def find_bindir():
    """Newest /usr/lib/postgresql/<ver>/bin (or $PG_BINDIR)."""
    env = os.environ.get("PG_BINDIR")
    if env:
        return env
    candidates = []
    for d in glob.glob("/usr/lib/postgresql/*/bin"):
        ver = os.path.basename(os.path.dirname(d))
        if os.path.exists(os.path.join(d, "postgres")):
            key = tuple(int(x) for x in re.findall(r"\d+", ver))
            candidates.append((key, d))
    if not candidates:
        raise PostgresError(
            "no PostgreSQL server found under /usr/lib/postgresql/*/bin; run tools/setup"
        )
    return sorted(candidates)[-1][1]


def _is_root():
    return os.geteuid() == 0


def _chown_tree(path, user):
    import pwd

    pw = pwd.getpwnam(user)
    for dirpath, _dirnames, filenames in os.walk(path):
        os.chown(dirpath, pw.pw_uid, pw.pw_gid)
        for name in filenames:
            os.chown(os.path.join(dirpath, name), pw.pw_uid, pw.pw_gid)


def reap_stale_servers(tmpdir=None):
    """Stop servers left by earlier test sessions that died without cleanup
    (their owner PID is gone). Only touches dirs this module created."""
    throwaway.reap_stale(TMP_PREFIX, lambda base: _read_postmaster_pid(os.path.join(base, "data")),
                         SERVER_NAMES, signal.SIGQUIT, tmpdir)


def _read_postmaster_pid(datadir):
    return throwaway.read_pid(os.path.join(datadir, "postmaster.pid"))


class PostgresServer(throwaway.ThrowawayServer):
    """Use start()/stop(), or as a context manager.

    Attributes once started: host, port, user, bindir, base_dir, pid (the
    postmaster's PID).
    """

    TMP_PREFIX = TMP_PREFIX
    SERVER_NAMES = SERVER_NAMES
    Error = PostgresError
    host = "127.0.0.1"
    user = "postgres"
    # Tests trade durability for speed; tools/benchlib/pgserver.py turns it back on.
    SETTINGS = {
        "fsync": "off", "synchronous_commit": "off", "full_page_writes": "off",
        "max_connections": "300", "shared_buffers": "64MB", "log_min_messages": "warning",
    }

    def __init__(self, bindir=None, tmpdir=None, settings=None):
        throwaway.ThrowawayServer.__init__(self, tmpdir)
        self.bindir = bindir or find_bindir()
        self.settings = dict(self.SETTINGS)
        self.settings.update(settings or {})

    # -- paths -------------------------------------------------------------
    def bin(self, name):
        return os.path.join(self.bindir, name)

    @property
    def data_dir(self):
        return os.path.join(self.base_dir, "data")

    @property
    def socket_dir(self):
        return os.path.join(self.base_dir, "s")

    @property
    def log_path(self):
        return os.path.join(self.base_dir, "postgres.log")

    def server_pid(self):
        return _read_postmaster_pid(self.data_dir)

    def _as_server_user(self, argv):
        if _is_root():
            return ["runuser", "-u", "postgres", "--"] + list(argv)
        return list(argv)

    # -- lifecycle ---------------------------------------------------------
    def start(self, attempts=5):
        self.make_base_dir()
        os.mkdir(self.socket_dir)
        if _is_root():
            _chown_tree(self.base_dir, "postgres")
            os.chmod(self.base_dir, 0o755)
        init = subprocess.run(
            self._as_server_user([
                self.bin("initdb"), "-D", self.data_dir, "-U", self.user,
                "-A", "trust", "-E", "UTF8", "--no-locale",
            ] + (["--no-sync"] if self.settings.get("fsync") == "off" else [])),
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            timeout=120,
        )
        if init.returncode != 0:
            raise PostgresError("initdb failed:\n" + init.stdout.decode("utf-8", "replace"))
        return self.start_on_free_port(attempts)

    def _start_once(self, port):
        self._log = open(self.log_path, "ab")
        argv = self._as_server_user([
            self.bin("postgres"), "-D", self.data_dir, "-p", str(port),
            "-k", self.socket_dir, "-c", "listen_addresses=" + self.host,
        ] + [arg for key in sorted(self.settings)
             for arg in ("-c", "%s=%s" % (key, self.settings[key]))])
        self._proc = subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=self._log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.port = port
        deadline = time.time() + 60
        while time.time() < deadline:
            if self._proc.poll() is not None:
                break
            ready = subprocess.run(
                [self.bin("pg_isready"), "-q", "-h", self.host, "-p", str(port),
                 "-U", self.user, "-d", "postgres", "-t", "2"],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )
            if ready.returncode == 0:
                self.pid = _read_postmaster_pid(self.data_dir)
                return
            time.sleep(0.1)
        self._kill_proc()
        raise PostgresError(
            "PostgreSQL did not start on port %d; log tail:\n%s" % (port, self.log_tail())
        )

    def stop(self):
        """Immediate shutdown, then SIGKILL of whatever is left; removes the dir."""
        if self.base_dir is None:
            return
        try:
            if self._proc is not None and self._proc.poll() is None:
                subprocess.run(
                    self._as_server_user([self.bin("pg_ctl"), "stop", "-D", self.data_dir,
                                          "-m", "immediate", "-w", "-t", "20"]),
                    stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL, timeout=30,
                )
        except subprocess.TimeoutExpired:
            pass
        finally:
            self.remove()

    def restart(self, mode="fast", down_seconds=0.0):
        """Stops the server (``pg_ctl stop -m MODE``: fast or immediate) and
        starts it again on the same port and data directory, as a chaos
        monkey would; clients see their connections drop."""
        subprocess.run(
            self._as_server_user([self.bin("pg_ctl"), "stop", "-D", self.data_dir,
                                  "-m", mode, "-w", "-t", "30"]),
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            timeout=40)
        self._kill_proc()
        if down_seconds:
            time.sleep(down_seconds)
        self._start_once(self.port)

    # -- databases ---------------------------------------------------------
    def psql(self, sql, dbname="postgres", args=()):
        """Run SQL with psql (ON_ERROR_STOP); returns stdout as text."""
        p = subprocess.run(
            [self.bin("psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", self.host,
             "-p", str(self.port), "-U", self.user, "-d", dbname] + list(args) + ["-c", sql],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            timeout=60,
        )
        if p.returncode != 0:
            raise PostgresError("psql failed (%s): %s" % (sql, p.stderr.decode("utf-8", "replace")))
        return p.stdout.decode("utf-8", "replace")

    def create_database(self, name=None):
        """Create an empty database; returns its name (unique if not given)."""
        name = name or "t_" + uuid.uuid4().hex[:16]
        if not re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", name):
            raise ValueError("bad database name %r" % name)
        self.psql('CREATE DATABASE "%s"' % name)
        return name

    def drop_database(self, name):
        self.psql('DROP DATABASE IF EXISTS "%s" WITH (FORCE)' % name)

    def jdbc_url(self, dbname):
        return "jdbc:postgresql://%s:%d/%s?user=%s" % (self.host, self.port, dbname, self.user)
