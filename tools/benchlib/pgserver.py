"""A throwaway PostgreSQL server for benchmarks (CPython 3).

Like tests/support/postgres.py, but configured like the issue's reference
machine: **fsync on, synchronous_commit on** (every commit waits for the WAL
flush), so the commit floor measured here is the real one. initdb into a
unique temp dir, start `postgres` on a free 127.0.0.1 port with its own
socket dir, trust auth for user `postgres`. As root the server runs as the
`postgres` OS user via `runuser` (postgres refuses root). stop() ends it by
its PID and removes the dir.

    python3 tools/benchlib/pgserver.py start [setting=value ...]
        # prints PORT, PID, DIR, URL; stays up until Ctrl-C / SIGTERM, then stops the server
        # e.g. shared_preload_libraries=pg_stat_statements to count statements per workflow
"""
import glob
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

TMP_PREFIX = "wf-bench-pg-"


def find_bindir():
    """Newest /usr/lib/postgresql/<ver>/bin (or $PG_BINDIR)."""
    env = os.environ.get("PG_BINDIR")
    if env:
        return env
    found = []
    for d in glob.glob("/usr/lib/postgresql/*/bin"):
        if os.path.exists(os.path.join(d, "postgres")):
            ver = os.path.basename(os.path.dirname(d))
            found.append((tuple(int(x) for x in re.findall(r"\d+", ver)), d))
    if not found:
        raise RuntimeError("no PostgreSQL under /usr/lib/postgresql/*/bin; run tools/setup")
    return sorted(found)[-1][1]


def free_port(host="127.0.0.1"):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.bind((host, 0))
        return s.getsockname()[1]
    finally:
        s.close()


class Server(object):
    host = "127.0.0.1"
    user = "postgres"

    # The reference configuration: durability on. Only sizes are raised from
    # the defaults so that 16 pgbench clients and the gateway pools fit.
    SETTINGS = {
        "fsync": "on",
        "synchronous_commit": "on",
        "full_page_writes": "on",
        "max_connections": "200",
        "shared_buffers": "256MB",
        "log_min_messages": "warning",
    }

    def __init__(self, bindir=None, settings=None):
        self.bindir = bindir or find_bindir()
        self.settings = dict(self.SETTINGS)
        self.settings.update(settings or {})
        self.base = None
        self.port = None
        self.pid = None
        self._proc = None
        self._log = None

    def bin(self, name):
        return os.path.join(self.bindir, name)

    @property
    def version(self):
        out = subprocess.run([self.bin("postgres"), "--version"], stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, check=False)
        text = out.stdout.decode().strip()
        m = re.search(r"PostgreSQL\)?\s*([0-9][0-9.]*)", text)
        return m.group(1) if m else text

    @property
    def data(self):
        return os.path.join(self.base, "data")

    def _as_server_user(self, argv):
        if os.geteuid() == 0:
            return ["runuser", "-u", "postgres", "--"] + list(argv)
        return list(argv)

    def start(self):
        self.base = tempfile.mkdtemp(prefix=TMP_PREFIX)
        os.mkdir(os.path.join(self.base, "s"))
        if os.geteuid() == 0:
            import pwd
            pw = pwd.getpwnam("postgres")
            for dirpath, _dirs, files in os.walk(self.base):
                os.chown(dirpath, pw.pw_uid, pw.pw_gid)
                for f in files:
                    os.chown(os.path.join(dirpath, f), pw.pw_uid, pw.pw_gid)
            os.chmod(self.base, 0o755)
        init = subprocess.run(self._as_server_user([
            self.bin("initdb"), "-D", self.data, "-U", self.user, "-A", "trust", "-E", "UTF8",
            "--no-locale"]), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, timeout=180, check=False)
        if init.returncode != 0:
            raise RuntimeError("initdb failed:\n" + init.stdout.decode("utf-8", "replace"))
        last = None
        for _ in range(5):
            try:
                self._start_once(free_port())
                return self
            except RuntimeError as e:
                last = e
        raise last

    def _start_once(self, port):
        self._log = open(os.path.join(self.base, "postgres.log"), "ab")
        argv = [self.bin("postgres"), "-D", self.data, "-p", str(port),
                "-k", os.path.join(self.base, "s"), "-c", "listen_addresses=" + self.host]
        for key, value in sorted(self.settings.items()):
            argv += ["-c", "%s=%s" % (key, value)]
        self._proc = subprocess.Popen(self._as_server_user(argv), stdin=subprocess.DEVNULL,
                                      stdout=self._log, stderr=subprocess.STDOUT,
                                      start_new_session=True)
        self.port = port
        deadline = time.time() + 60
        while time.time() < deadline:
            if self._proc.poll() is not None:
                break
            ok = subprocess.run([self.bin("pg_isready"), "-q", "-h", self.host, "-p", str(port),
                                 "-U", self.user, "-d", "postgres", "-t", "2"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
            if ok.returncode == 0:
                with open(os.path.join(self.data, "postmaster.pid")) as f:
                    self.pid = int(f.readline().strip())
                return
            time.sleep(0.1)
        self._kill()
        raise RuntimeError("PostgreSQL did not start on port %d" % port)

    def _kill(self):
        if self.pid:
            try:
                os.kill(self.pid, signal.SIGKILL)
            except OSError:
                pass
        if self._proc is not None:
            try:
                os.kill(self._proc.pid, signal.SIGKILL)
            except OSError:
                pass
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
        if self._log is not None:
            self._log.close()
            self._log = None

    def stop(self):
        """Fast shutdown of the postmaster by PID (SIGINT), SIGKILL if it lingers; removes the dir."""
        if self.base is None:
            return
        try:
            if self.pid:
                try:
                    os.kill(self.pid, signal.SIGINT)
                except OSError:
                    pass
                deadline = time.time() + 20
                while time.time() < deadline and os.path.exists("/proc/%d" % self.pid):
                    if self._proc is not None and self._proc.poll() is not None:
                        break
                    time.sleep(0.1)
        finally:
            self._kill()
            shutil.rmtree(self.base, ignore_errors=True)
            self.base = None

    def psql(self, sql, dbname="postgres"):
        p = subprocess.run([self.bin("psql"), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
                            "-h", self.host, "-p", str(self.port), "-U", self.user, "-d", dbname,
                            "-c", sql], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=600, check=False)
        if p.returncode != 0:
            raise RuntimeError("psql failed (%s): %s" % (sql, p.stderr.decode("utf-8", "replace")))
        return p.stdout.decode("utf-8", "replace").strip()

    def create_database(self, name):
        if not re.match(r"^[a-z_][a-z0-9_]*$", name):
            raise ValueError("bad database name %r" % name)
        self.psql('CREATE DATABASE "%s"' % name)
        return name

    def jdbc_url(self, dbname):
        return "jdbc:postgresql://%s:%d/%s?user=%s" % (self.host, self.port, dbname, self.user)

    def sqlalchemy_url(self, dbname):
        return "postgresql://%s@%s:%d/%s" % (self.user, self.host, self.port, dbname)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def main(argv):
    if argv[1:2] != ["start"] or not all("=" in x for x in argv[2:]):
        print(__doc__)
        return 2
    srv = Server(settings=dict(x.split("=", 1) for x in argv[2:])).start()
    print("PORT %d\nPID %d\nDIR %s\nURL %s" % (srv.port, srv.pid, srv.base, srv.jdbc_url("postgres")),
          flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        srv.stop()
    return 0


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *a: (_ for _ in ()).throw(KeyboardInterrupt()))
    sys.exit(main(sys.argv))
