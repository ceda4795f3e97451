"""Shared fixtures. See README "Development" and tests/support/.

Fixtures
  pg_server   (session)  PostgresServer started on first use; FAILS if it cannot start
  maria_server (session) MariaDBServer started on first use; FAILS if it cannot start
  db_kind                "sqlite" | "postgresql" | "mariadb" (parametrizes the test)
  db_url                 fresh empty database of kind db_kind, as a JDBC URL
  make_db_url            factory: make_db_url(kind=None) -> another fresh JDBC URL
  gwsim                  Gwsim bound to this test: .run(...), .start(...)
  repo_root              absolute path of the repository

Any test written as `def test_x(db_url, gwsim): ...` runs on SQLite and on
PostgreSQL (ids test_x[sqlite], test_x[postgresql]); in the modules of
MARIADB_MODULES also on MariaDB (test_x[mariadb]); with the environment
variable WF_TEST_MARIADB=all, every such test does. Tests under
tests/integration/ get the `integration` marker automatically.
"""

import os
import re
import signal
import uuid

import pytest

from tests.support import mariadb, postgres
from tests.support.gwsim import ROOT, Gwsim

DB_KINDS = ("sqlite", "postgresql")
# The modules whose db_url tests run on MariaDB as well (issue 14). Opt-in,
# module by module, to keep CI time in bounds while the dialect matures.
MARIADB_MODULES = (
    "tests/integration/test_engine.py",
    "tests/integration/test_steps.py",
    "tests/integration/test_control_commands.py",
    # The benchmark smoke run: its timed claims once came back empty on
    # MariaDB, when claimers of two queues deadlocked (store/standins.py).
    "tests/integration/test_bench_smoke.py",
    # Released waits: conditional releases and wake claims (UPDATE ... RETURNING stand-ins).
    "tests/integration/test_waits_release.py",
)

# SQLite settings the tests ask for in the Connect URL, as a site would: gwsim, like an Ignition
# gateway, forces none (the xerial driver's defaults are a rollback journal, a 3000 ms busy
# timeout and DEFERRED transactions). WAL lets readers run beside the writer, the busy timeout
# lets concurrent gateway threads wait for the write lock, and IMMEDIATE transactions take it at
# BEGIN instead of failing with SQLITE_BUSY on a later lock upgrade.
SQLITE_URL_SETTINGS = open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools",
                                        "sqlite-url-settings")).read().strip()

# A unique tag for this pytest process: two concurrent test runs never share
# names, files, ports or databases.
RUN_TAG = uuid.uuid4().hex[:8]


def pytest_configure(config):
    # A SIGTERM to pytest (CI cancel, `timeout`) should still run fixture
    # teardown, which kills gateways and the PostgreSQL server.
    def _term(signum, frame):
        raise KeyboardInterrupt("SIGTERM")

    try:
        signal.signal(signal.SIGTERM, _term)
    except ValueError:  # not in the main thread
        pass


def pytest_collection_modifyitems(config, items):
    integ = os.path.join(ROOT, "tests", "integration") + os.sep
    for item in items:
        if str(item.fspath).startswith(integ):
            item.add_marker(pytest.mark.integration)
    # Fast feedback: everything else before the integration tests (stable).
    items.sort(key=lambda item: item.get_closest_marker("integration") is not None)


@pytest.fixture(scope="session")
def repo_root():
    return ROOT


def _session_server(module, cls, what):
    """Starts a throw-away server for the session; stops it at the end. A
    server that cannot start fails the tests that need it, never skips them:
    integration on each database is required."""
    module.reap_stale_servers()
    server = cls()
    try:
        server.start()
    except Exception as e:
        server.stop()
        pytest.fail("%s test server could not start: %s" % (what, e), pytrace=False)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def pg_server():
    yield from _session_server(postgres, postgres.PostgresServer, "PostgreSQL")


@pytest.fixture(scope="session")
def maria_server():
    yield from _session_server(mariadb, mariadb.MariaDBServer, "MariaDB")


def db_kinds_of(path):
    """The database kinds db_kind takes for tests in the file ``path``."""
    rel = os.path.relpath(str(path), ROOT).replace(os.sep, "/")
    # WF_TEST_MARIADB=all: every db_url test runs on MariaDB too.
    if rel in MARIADB_MODULES or os.environ.get("WF_TEST_MARIADB") == "all":
        return DB_KINDS + ("mariadb",)
    return DB_KINDS


def pytest_generate_tests(metafunc):
    # db_kind is parametrized here rather than by a fixture's params, so
    # that the kinds can differ per module (MARIADB_MODULES).
    if "db_kind" in metafunc.fixturenames:
        metafunc.parametrize("db_kind", db_kinds_of(metafunc.definition.fspath))


@pytest.fixture
def make_db_url(request, tmp_path):
    """make_db_url(kind=None) -> JDBC URL of a new empty database.

    kind: "sqlite", "postgresql" or "mariadb"; default: this test's db_kind if it has
    one, else "sqlite". SQLite files live in this test's tmp_path.
    """
    counter = [0]

    def make(kind=None):
        if kind is None:
            kind = request.getfixturevalue("db_kind") if "db_kind" in request.fixturenames \
                else "sqlite"
        counter[0] += 1
        if kind == "sqlite":
            path = tmp_path / ("db%d-%s.sqlite" % (counter[0], RUN_TAG))
            return "jdbc:sqlite:%s?%s" % (path, SQLITE_URL_SETTINGS)
        if kind == "postgresql":
            server = request.getfixturevalue("pg_server")
            return server.jdbc_url(server.create_database("t_%s_%s" % (RUN_TAG, uuid.uuid4().hex[:12])))
        if kind == "mariadb":
            server = request.getfixturevalue("maria_server")
            return server.jdbc_url(server.create_database("t_%s_%s" % (RUN_TAG, uuid.uuid4().hex[:12])))
        raise ValueError("unknown db kind %r" % kind)

    return make


@pytest.fixture
def db_url(db_kind, make_db_url):
    return make_db_url(db_kind)


def _name_prefix(node_name):
    base = re.sub(r"[^A-Za-z0-9]+", "-", node_name).strip("-").lower()
    base = re.sub(r"^test-", "", base)[:32].strip("-") or "gw"
    return "%s-%s" % (base, uuid.uuid4().hex[:6])


@pytest.fixture
def gwsim(request, tmp_path):
    g = Gwsim(str(tmp_path / "gwsim"), name_prefix=_name_prefix(request.node.name))
    try:
        yield g
    finally:
        g.close()
