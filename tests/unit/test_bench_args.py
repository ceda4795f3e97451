"""tools/bench's command line, without running a benchmark: the launcher's
--db/--gateway-name and bench.py's --json/--server-pid are accepted before or
after the scenario name (issue 17, item 14)."""
import os
import shlex
import subprocess
import sys

import pytest

from tests.conftest import SQLITE_URL_SETTINGS
from tests.support.gwsim import ROOT

sys.path.insert(0, os.path.join(ROOT, "scripts"))
sys.path.insert(0, os.path.join(ROOT, "tools", "benchlib"))
import benchargs  # noqa: E402

BENCH = os.path.join(ROOT, "tools", "bench")


def dry_run(*argv):
    """The gwsim command line tools/bench would run, as a list of words."""
    out = subprocess.check_output([BENCH, "--dry-run"] + list(argv), cwd=ROOT,
                                  stdin=subprocess.DEVNULL)
    return shlex.split(out.decode("utf-8"))  # undoes the launcher's printf %q


def launcher_parts(words):
    db = words[words.index("--db") + 1]
    gateway = words[words.index("--gateway-name") + 1]
    rest = words[words.index(os.path.join(ROOT, "tools", "benchlib", "bench.py")) + 1:]
    return db, gateway, rest


@pytest.mark.parametrize("argv", [
    ["--db", "jdbc:postgresql://h/db", "e2e", "--workflows", "5"],
    ["e2e", "--db", "jdbc:postgresql://h/db", "--workflows", "5"],
    ["e2e", "--workflows", "5", "--db", "jdbc:postgresql://h/db"],
    ["e2e", "--workflows", "5", "--db=jdbc:postgresql://h/db"],
])
def test_launcher_takes_db_before_or_after_the_scenario(argv):
    db, gateway, rest = launcher_parts(dry_run(*argv))
    assert db == "jdbc:postgresql://h/db" and gateway == "bench"
    assert rest == ["e2e", "--workflows", "5"]


def test_launcher_gateway_name_after_the_scenario_and_the_sqlite_default():
    db, gateway, rest = launcher_parts(dry_run("micro", "--gateway-name", "g2", "--iterations", "9"))
    assert db.startswith("jdbc:sqlite:/tmp/wf-bench-sqlite-") and gateway == "g2"
    # The same Connect URL settings as the tests, from their one copy.
    assert db.endswith("bench.db?" + SQLITE_URL_SETTINGS), db
    assert rest == ["micro", "--iterations", "9"]
    assert not os.path.exists(os.path.dirname(db[len("jdbc:sqlite:"):]))  # removed on exit


def test_launcher_rejects_db_without_a_value():
    p = subprocess.run([BENCH, "--dry-run", "e2e", "--db"], cwd=ROOT, stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert p.returncode == 2 and b"--db needs" in p.stderr


@pytest.mark.parametrize("argv", [
    ["--json", "/tmp/r.json", "--server-pid", "42", "e2e", "--workflows", "7", "--steps", "2"],
    ["e2e", "--workflows", "7", "--json", "/tmp/r.json", "--steps", "2", "--server-pid", "42"],
    ["e2e", "--json=/tmp/r.json", "--workflows", "7", "--server-pid=42", "--steps", "2"],
])
def test_bench_py_takes_its_common_options_before_or_after_the_scenario(argv):
    a = benchargs.parse(argv)
    assert (a.scenario, a.workflows, a.steps) == ("e2e", 7, 2)
    assert a.json == "/tmp/r.json" and a.server_pid == 42


def test_bench_py_requires_a_scenario():
    with pytest.raises(SystemExit):
        benchargs.parse(["--json", "/tmp/r.json"])
