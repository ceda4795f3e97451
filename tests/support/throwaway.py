"""What the throw-away database servers of the tests share (PostgreSQL in
tests/support/postgres.py, MariaDB in tests/support/mariadb.py): a unique
temp dir that records its owner's PID, a free port (a few attempts), the
server stopped by its own PID, and servers of dead test sessions reaped.
"""

import glob
import os
import shutil
import signal
import subprocess
import tempfile

from tests.support import procs

OWNER_FILE = "owner.pid"


def read_pid(path):
    """The PID on the first line of ``path``, or None."""
    try:
        with open(path) as f:
            return int(f.readline().strip())
    except (IOError, OSError, ValueError):
        return None


def reap_stale(prefix, server_pid, names, sig=signal.SIGKILL, tmpdir=None):
    """Stops servers left by earlier test sessions that died without cleanup
    (their owner PID is gone) and removes their dirs. Only touches dirs
    named ``prefix*``; ``server_pid(base)`` reads a server's PID from its dir,
    and only a process named one of ``names`` is signalled (``sig``, then
    SIGKILL after 5 s)."""
    tmpdir = tmpdir or tempfile.gettempdir()
    for base in glob.glob(os.path.join(tmpdir, prefix + "*")):
        try:
            with open(os.path.join(base, OWNER_FILE)) as f:
                owner_pid, owner_start = [int(x) for x in f.read().split()]
        except (IOError, OSError, ValueError):
            continue
        if procs.is_alive(owner_pid, owner_start):
            continue
        pid = server_pid(base)
        if pid and procs.is_alive(pid) and procs.comm(pid) in names:
            procs.kill(pid, sig)
            if procs.wait_gone([(pid, None)], timeout=5):
                procs.kill(pid, signal.SIGKILL)
        shutil.rmtree(base, ignore_errors=True)


class ThrowawayServer(object):
    """A server process of this test session. Subclasses set TMP_PREFIX,
    SERVER_NAMES, log_path, server_pid() and _start_once(port); they call
    make_base_dir() then start_on_free_port() in start()."""

    TMP_PREFIX = "wf-db-"
    SERVER_NAMES = ()
    Error = RuntimeError

    def __init__(self, tmpdir=None):
        self.tmpdir = tmpdir
        self.base_dir = None
        self.port = None
        self.pid = None
        self._proc = None
        self._log = None

    def make_base_dir(self):
        """A new unique dir that records this process as its owner."""
        self.base_dir = tempfile.mkdtemp(prefix=self.TMP_PREFIX, dir=self.tmpdir)
        with open(os.path.join(self.base_dir, OWNER_FILE), "w") as f:
            f.write("%d %d\n" % (os.getpid(), procs.start_time(os.getpid())))
        return self.base_dir

    def start_on_free_port(self, attempts=5):
        last = None
        for _ in range(attempts):
            try:
                self._start_once(procs.free_port())
                return self
            except self.Error as e:
                last = e
        raise last

    def server_pid(self):
        raise NotImplementedError

    def _start_once(self, port):
        raise NotImplementedError

    def log_tail(self, n=30):
        try:
            with open(self.log_path, "rb") as f:
                lines = f.read().decode("utf-8", "replace").splitlines()
            return "\n".join(lines[-n:])
        except (IOError, OSError):
            return ""

    def _kill_proc(self):
        """SIGKILL of the server (by its PID file) and of what this session started."""
        pid = self.server_pid() if self.base_dir else None
        if pid and procs.comm(pid) in self.SERVER_NAMES:
            procs.kill(pid, signal.SIGKILL)
        if self._proc is not None:
            procs.kill_group(self._proc.pid, signal.SIGKILL)
            procs.kill(self._proc.pid, signal.SIGKILL)
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
        if self._log is not None:
            self._log.close()
            self._log = None

    def remove(self):
        """Kills what is left and removes the dir."""
        try:
            self._kill_proc()
        finally:
            shutil.rmtree(self.base_dir, ignore_errors=True)
            self.base_dir = None
            self._proc = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
