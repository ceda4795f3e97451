"""Drive tools/gwsim (the simulated Ignition gateway) from pytest.

    r = gwsim.run("my_scenario.py", db_url, args=["--n", "3"])
    r.assert_ok()                 # rc 0 and a RESULT line, else shows stderr tail
    assert r.result["done"] == 3  # parsed JSON of the last `RESULT {...}` line

    gw = gwsim.start("worker.py", db_url)   # background `gwsim run`
    gw.wait_for("READY")                    # regex on stdout (or stream="stderr")
    gw.kill()                               # SIGKILL the gateway's PID (the JVM)

Scripts are looked up as given (absolute, or relative to the repo root), then
in tests/scenarios/. Every process started is killed (SIGKILL, by PID and by
its own process group) when the fixture is torn down.
"""

import itertools
import json
import os
import re
import signal
import subprocess
import time
import uuid

from tests.support import procs

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LAUNCHER = os.path.join(ROOT, "tools", "gwsim")
SCENARIOS = os.path.join(ROOT, "tests", "scenarios")

_RESULT_RE = re.compile(r"^RESULT (.*)$")


def parse_results(stdout):
    """All JSON payloads of `RESULT {...}` lines, in order (bad JSON skipped)."""
    out = []
    for line in stdout.splitlines():
        m = _RESULT_RE.match(line.rstrip("\r"))
        if m:
            try:
                out.append(json.loads(m.group(1)))
            except ValueError:
                pass
    return out


def _tail(text, n):
    lines = (text or "").splitlines()
    return "\n".join(lines[-n:])


def resolve_script(script):
    script = os.fspath(script)
    candidates = [script] if os.path.isabs(script) else [
        os.path.join(ROOT, script), os.path.join(SCENARIOS, script)]
    for c in candidates:
        if os.path.isfile(c):
            return os.path.abspath(c)
    raise FileNotFoundError("gwsim script not found: %s (looked at %s)" % (script, candidates))


class GwsimError(AssertionError):
    """A gwsim run failed or timed out; the message carries the output tails."""


class GwsimResult(object):
    """Outcome of Gwsim.run(): argv, returncode, stdout, stderr, duration (s),
    result (parsed last RESULT JSON or None), results (all RESULT payloads)."""

    def __init__(self, argv, returncode, stdout, stderr, duration, gateway_name):
        self.argv = argv
        self.returncode = returncode
        self.stdout = stdout
        self.stderr = stderr
        self.duration = duration
        self.gateway_name = gateway_name
        self.results = parse_results(stdout)
        self.result = self.results[-1] if self.results else None

    @property
    def ok(self):
        return self.returncode == 0 and self.result is not None

    def tail(self, n=40):
        return "stderr (last %d lines):\n%s\nstdout (last %d lines):\n%s" % (
            n, _tail(self.stderr, n), n, _tail(self.stdout, n))

    def describe(self, n=40):
        return "gwsim exited %s after %.1fs: %s\n%s" % (
            self.returncode, self.duration, " ".join(self.argv), self.tail(n))

    def assert_ok(self, require_result=True):
        """Raise (with the output tails) unless exit 0 and, by default, a RESULT line."""
        if self.returncode != 0:
            raise GwsimError(self.describe())
        if require_result and self.result is None:
            raise GwsimError("no `RESULT {json}` line on stdout\n" + self.describe())
        return self

    def __repr__(self):
        return "<GwsimResult rc=%s result=%r>" % (self.returncode, self.result)


def passed(r):
    """``r`` (a GwsimResult) exited 0 with a RESULT line that says ok and
    lists no failures; returns it."""
    r.assert_ok()
    assert r.result.get("ok") is True and not r.result.get("failures"), r.describe()
    return r


class GatewayProcess(object):
    """A background gateway (`gwsim run`). `pid` is the launcher's PID, which
    is the JVM's since the launcher execs it. Output goes to files."""

    def __init__(self, argv, popen, stdout_path, stderr_path, gateway_name):
        self.argv = argv
        self.popen = popen
        self.pid = popen.pid
        self.pgid = popen.pid  # started with start_new_session=True
        self.stdout_path = stdout_path
        self.stderr_path = stderr_path
        self.gateway_name = gateway_name
        self.started_at = time.time()

    # -- output ------------------------------------------------------------
    def _read(self, path):
        try:
            with open(path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except (IOError, OSError):
            return ""

    @property
    def stdout(self):
        return self._read(self.stdout_path)

    @property
    def stderr(self):
        return self._read(self.stderr_path)

    @property
    def results(self):
        return parse_results(self.stdout)

    @property
    def result(self):
        r = self.results
        return r[-1] if r else None

    def tail(self, n=40):
        return "stderr (last %d lines):\n%s\nstdout (last %d lines):\n%s" % (
            n, _tail(self.stderr, n), n, _tail(self.stdout, n))

    # -- state -------------------------------------------------------------
    @property
    def returncode(self):
        return self.popen.poll()

    @property
    def alive(self):
        return self.popen.poll() is None

    def wait(self, timeout=None):
        """Exit status; raises subprocess.TimeoutExpired."""
        return self.popen.wait(timeout)

    def wait_for(self, pattern, timeout=60, stream="stdout"):
        """Wait until regex `pattern` matches the stream's text; returns the
        match. Fails (with the output tails) on timeout or if the process exits
        first."""
        rx = re.compile(pattern, re.M)
        path = self.stdout_path if stream == "stdout" else self.stderr_path
        deadline = time.time() + timeout
        while True:
            m = rx.search(self._read(path))
            if m:
                return m
            if not self.alive:
                m = rx.search(self._read(path))
                if m:
                    return m
                raise GwsimError("gateway %s exited (%s) before %r appeared on %s\n%s" % (
                    self.gateway_name, self.returncode, pattern, stream, self.tail()))
            if time.time() >= deadline:
                raise GwsimError("timed out after %ss waiting for %r on %s of gateway %s\n%s" % (
                    timeout, pattern, stream, self.gateway_name, self.tail()))
            time.sleep(0.1)

    def wait_for_result(self, timeout=60):
        """Wait for a `RESULT {json}` line; returns its parsed payload."""
        self.wait_for(r"^RESULT \{", timeout=timeout)
        deadline = time.time() + 5
        while self.result is None and time.time() < deadline:  # line may be partial
            time.sleep(0.05)
        return self.result

    # -- signals -----------------------------------------------------------
    def signal(self, sig):
        if self.alive:
            procs.kill(self.pid, sig)

    def stop(self, timeout=60):
        """SIGTERM, wait for exit (SIGKILL after `timeout`); returns the exit status."""
        self.signal(signal.SIGTERM)
        try:
            return self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise GwsimError("gateway %s ignored SIGTERM for %ss; killed\n%s" % (
                self.gateway_name, timeout, self.tail()))

    def kill(self):
        """SIGKILL the gateway PID (a crash); returns the exit status."""
        self.signal(signal.SIGKILL)
        return self.popen.wait(30)

    def cleanup(self):
        procs.kill_group(self.pgid, signal.SIGKILL)
        procs.kill(self.pid, signal.SIGKILL)
        try:
            self.popen.wait(30)
        except subprocess.TimeoutExpired:
            pass

    def __repr__(self):
        return "<GatewayProcess %s pid=%s rc=%s>" % (self.gateway_name, self.pid, self.returncode)


TEST_JAVA_OPTS = "-Xmx1g -Xss4m -XX:TieredStopAtLevel=1"


class Gwsim(object):
    """Factory for gateway runs in one test; see module docstring."""

    def __init__(self, workdir, name_prefix="gw", env=None, launcher=LAUNCHER):
        self.workdir = workdir
        self.name_prefix = name_prefix
        self.env = dict(env or {})
        self.launcher = launcher
        self._counter = itertools.count(1)
        self._procs = []
        self._run_ids = itertools.count(1)
        if not os.path.isdir(workdir):
            os.makedirs(workdir)

    @property
    def started_pids(self):
        """PIDs of every process this instance started, in order."""
        return [p.pid for p in self._procs]

    def new_gateway_name(self):
        """A gateway name unique to this test (and this test run)."""
        return "%s-%d" % (self.name_prefix, next(self._counter))

    def command(self, mode, script=None, db_url=None, args=(), gateway_name=None,
                paths=(), project=None, datasources=None, log_level=None, extra_args=()):
        if not os.path.exists(self.launcher):
            raise GwsimError("launcher %s does not exist" % self.launcher)
        argv = [self.launcher, mode]
        if db_url:
            argv += ["--db", db_url]
        if datasources:
            items = datasources.items() if hasattr(datasources, "items") else datasources
            for name, url in items:
                argv += ["--datasource", "%s=%s" % (name, url)]
        argv += ["--gateway-name", gateway_name]
        if project:
            argv += ["--project", os.fspath(project)]
        for p in paths:
            argv += ["--path", os.fspath(p)]
        if log_level:
            argv += ["--log-level", log_level]
        argv += list(extra_args)
        if script is not None:
            argv.append(resolve_script(script))
            argv += [str(a) for a in args]
        elif args:
            raise ValueError("args given without a script")
        return argv

    def _env(self, env):
        e = dict(os.environ)
        # Test gateways live seconds, not hours: the C1 compiler alone starts
        # a gateway in less than half the CPU time (about 4 s instead of 11 s
        # on a CI core), which is most of what the integration tests cost.
        # Benchmarks (tools/bench) keep the full JIT.
        e.setdefault("GWSIM_JAVA_OPTS", TEST_JAVA_OPTS)
        e.update(self.env)
        e.update(env or {})
        return e

    def run(self, script, db_url=None, args=(), gateway_name=None, paths=(), project=None,
            datasources=None, timeout=120, log_level=None, extra_args=(), env=None,
            check=False):
        """`gwsim exec ... SCRIPT ARGS` to completion -> GwsimResult.

        Raises GwsimError on timeout (after killing it), and with check=True
        when it did not exit 0 with a RESULT line.
        """
        gateway_name = gateway_name or self.new_gateway_name()
        argv = self.command("exec", script, db_url, args, gateway_name, paths, project,
                            datasources, log_level, extra_args)
        t0 = time.time()
        popen = subprocess.Popen(argv, cwd=ROOT, env=self._env(env), stdin=subprocess.DEVNULL,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 start_new_session=True)
        self._procs.append(popen)
        try:
            out, err = popen.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            procs.kill_group(popen.pid, signal.SIGKILL)
            procs.kill(popen.pid, signal.SIGKILL)
            out, err = popen.communicate()
            r = GwsimResult(argv, None, out.decode("utf-8", "replace"),
                            err.decode("utf-8", "replace"), time.time() - t0, gateway_name)
            raise GwsimError("gwsim timed out after %ss (killed)\n%s" % (timeout, r.describe()))
        finally:
            procs.kill_group(popen.pid, signal.SIGKILL)  # stray children, if any
        r = GwsimResult(argv, popen.returncode, out.decode("utf-8", "replace"),
                        err.decode("utf-8", "replace"), time.time() - t0, gateway_name)
        n = next(self._run_ids)
        for suffix, text in (("stdout", r.stdout), ("stderr", r.stderr)):
            with open(os.path.join(self.workdir, "%s.run%d.%s" % (gateway_name, n, suffix)),
                      "w") as f:
                f.write(text)
        if check:
            r.assert_ok()
        return r

    def start(self, script=None, db_url=None, args=(), gateway_name=None, paths=(),
              project=None, datasources=None, log_level=None, extra_args=(), env=None,
              mode="run"):
        """Start a background gateway (`gwsim run`, optionally with a script)
        -> GatewayProcess. Use mode="exec" for a script that ends by itself."""
        gateway_name = gateway_name or self.new_gateway_name()
        argv = self.command(mode, script, db_url, args, gateway_name, paths, project,
                            datasources, log_level, extra_args)
        tag = "%s.%s" % (gateway_name, uuid.uuid4().hex[:6])
        out_path = os.path.join(self.workdir, tag + ".stdout")
        err_path = os.path.join(self.workdir, tag + ".stderr")
        with open(out_path, "wb") as out, open(err_path, "wb") as err:
            popen = subprocess.Popen(argv, cwd=ROOT, env=self._env(env),
                                     stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                                     start_new_session=True)
        gp = GatewayProcess(argv, popen, out_path, err_path, gateway_name)
        self._procs.append(gp)
        return gp

    def close(self):
        """Kill every process this instance started (by PID and process group)."""
        for p in self._procs:
            if isinstance(p, GatewayProcess):
                p.cleanup()
            else:
                procs.kill_group(p.pid, signal.SIGKILL)
                procs.kill(p.pid, signal.SIGKILL)
                try:
                    p.wait(30)
                except subprocess.TimeoutExpired:
                    pass
        self._procs = []
