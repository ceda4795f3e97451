"""Shared fixtures. See README "Development" and tests/support/.

Fixtures
  pg_server   (session)  PostgresServer started on first use; FAILS if it cannot start
  db_kind                "sqlite" | "postgresql"  (parametrizes the test over both)
  db_url                 fresh empty database of kind db_kind, as a JDBC URL
  make_db_url            factory: make_db_url(kind=None) -> another fresh JDBC URL
  gwsim                  Gwsim bound to this test: .run(...), .start(...)
  repo_root              absolute path of the repository

Any test written as `def test_x(db_url, gwsim): ...` runs on SQLite and on
PostgreSQL (ids test_x[sqlite], test_x[postgresql]). Tests under
tests/integration/ get the `integration` marker automatically.
"""

import os
import re
import signal
import uuid

import pytest

from tests.support import postgres
from tests.support.gwsim import ROOT, Gwsim

DB_KINDS = ("sqlite", "postgresql")

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


@pytest.fixture(scope="session")
def pg_server():
    postgres.reap_stale_servers()
    server = postgres.PostgresServer()
    try:
        server.start()
    except Exception as e:  # integration on PostgreSQL is required: fail, never skip
        server.stop()
        pytest.fail("PostgreSQL test server could not start: %s" % e, pytrace=False)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(params=DB_KINDS)
def db_kind(request):
    return request.param


@pytest.fixture
def make_db_url(request, tmp_path):
    """make_db_url(kind=None) -> JDBC URL of a new empty database.

    kind: "sqlite" or "postgresql"; default: this test's db_kind if it has
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
