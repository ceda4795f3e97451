"""Process helpers for the test harness (Linux /proc based, no psutil).

Everything here acts on explicit PIDs that the harness started itself.
"""

import errno
import os
import signal
import socket
import time


def free_port(host="127.0.0.1"):
    """A TCP port that was free a moment ago (the kernel's pick, so two
    concurrent test runs do not get the same one)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.bind((host, 0))
        return s.getsockname()[1]
    finally:
        s.close()


def _stat_fields(pid):
    """Fields of /proc/PID/stat after the command name, or None if gone."""
    try:
        with open("/proc/%d/stat" % pid, "rb") as f:
            data = f.read().decode("ascii", "replace")
    except (IOError, OSError):
        return None
    # The command name is in parentheses and may contain spaces/parens.
    return data[data.rindex(")") + 2:].split()


def proc_state(pid):
    fields = _stat_fields(pid)
    return fields[0] if fields else None


def start_time(pid):
    """Start time in clock ticks since boot (identifies a PID incarnation)."""
    fields = _stat_fields(pid)
    return int(fields[19]) if fields else None


def parent_pid(pid):
    fields = _stat_fields(pid)
    return int(fields[1]) if fields else None


def process_group(pid):
    fields = _stat_fields(pid)
    return int(fields[2]) if fields else None


def comm(pid):
    try:
        with open("/proc/%d/comm" % pid) as f:
            return f.read().strip()
    except (IOError, OSError):
        return None


def cmdline(pid):
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            return [a.decode("utf-8", "replace") for a in f.read().split(b"\0") if a]
    except (IOError, OSError):
        return None


def all_pids():
    return [int(d) for d in os.listdir("/proc") if d.isdigit()]


def is_alive(pid, started=None):
    """True while PID exists and is not a zombie. With `started` (from
    start_time()), a recycled PID does not count as alive."""
    state = proc_state(pid)
    if state is None or state in ("Z", "X"):
        return False
    if started is not None and start_time(pid) != started:
        return False
    return True


def children(pid):
    return [p for p in all_pids() if parent_pid(p) == pid]


def descendants(pid):
    """All live descendants of PID, as [(pid, start_time)]."""
    out = []
    todo = [pid]
    by_parent = {}
    for p in all_pids():
        pp = parent_pid(p)
        if pp is not None:
            by_parent.setdefault(pp, []).append(p)
    while todo:
        for c in by_parent.get(todo.pop(), []):
            out.append((c, start_time(c)))
            todo.append(c)
    return out


def group_members(pgid):
    return [p for p in all_pids() if process_group(p) == pgid and is_alive(p)]


def kill(pid, sig=signal.SIGKILL):
    """Send a signal; False if the process is already gone."""
    try:
        os.kill(pid, sig)
        return True
    except OSError as e:
        if e.errno == errno.ESRCH:
            return False
        raise


def kill_group(pgid, sig=signal.SIGKILL):
    try:
        os.killpg(pgid, sig)
        return True
    except OSError as e:
        if e.errno in (errno.ESRCH, errno.EPERM):
            return False
        raise


def wait_gone(pids, timeout=10.0):
    """Wait until every (pid, start_time) is gone; returns the survivors."""
    deadline = time.time() + timeout
    while True:
        alive = [(p, st) for p, st in pids if is_alive(p, st)]
        if not alive or time.time() >= deadline:
            return alive
        time.sleep(0.05)
