"""A throwaway MariaDB server for benchmarks (CPython 3): the test harness's
server (tests/support/mariadb.py) made **durable**, so that its figures
compare with pgserver.py's PostgreSQL (fsync and synchronous_commit on):

- innodb_flush_log_at_trx_commit=1: every commit writes and fsyncs the redo
  log before it returns (the tests' 2 only writes it to the OS);
- innodb_doublewrite=1: torn-page protection, as PostgreSQL's
  full_page_writes=on;
- no binary log (as the tests), so sync_binlog does not apply.

    python3 tools/benchlib/mariaserver.py start [setting=value ...]
        # prints PORT, PID, DIR, URL; stays up until Ctrl-C / SIGTERM, then stops the server
"""
import os
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(os.path.dirname(HERE)))
sys.path.insert(0, HERE)

import pgserver  # noqa: E402
from tests.support.mariadb import MariaDBServer  # noqa: E402


class Server(MariaDBServer):
    # The tests' settings with durability back on; sizes as pgserver.py's.
    SETTINGS = dict(MariaDBServer.SETTINGS, **{
        "innodb_flush_log_at_trx_commit": "1", "innodb_doublewrite": "1",
        "innodb_buffer_pool_size": "256M",
    })

    @property
    def version(self):
        out = subprocess.run([self.server, "--version"], stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, check=False)
        text = out.stdout.decode().strip()
        m = re.search(r"Ver\s+([0-9][0-9.]*)", text)
        return m.group(1) if m else text


def commit_floor(srv, seconds=5):
    """Single-client and 16-client INSERT commit rates with mariadb-slap
    (autocommit: one durable commit per INSERT), in the shape of compare.py's
    pgbench floor: {"c1": {"commits_per_s", "latency_ms"}, "c16": {...}, "commit_ms"}."""
    db = srv.create_database("commit_floor_%d" % int(time.time() * 1000 % 1e9))
    srv.sql("CREATE TABLE floor (id BIGINT AUTO_INCREMENT PRIMARY KEY, v INT) ENGINE=InnoDB", db)
    # mariadb-slap counts queries, pgbench seconds: a short probe sizes each
    # run to about `seconds` at the single-client rate.
    probe = 200
    per_client = max(probe, int(probe * seconds / max(_slap(srv, db, 1, probe), 0.01)))
    out = {}
    for clients in (1, 16):
        total = per_client * clients
        secs = _slap(srv, db, clients, total)
        out["c%d" % clients] = {"commits_per_s": round(total / secs, 1),
                                "latency_ms": round(1000.0 * secs * clients / total, 3)}
    srv.drop_database(db)
    out["commit_ms"] = round(1000.0 / out["c1"]["commits_per_s"], 3)
    return out


def _slap(srv, db, clients, queries):
    """Seconds mariadb-slap takes for ``queries`` INSERTs over ``clients`` connections."""
    p = subprocess.run([srv._tool("mariadb-slap"), "--no-defaults", "--protocol=tcp",
                        "-h", srv.host, "-P", str(srv.port), "-u", srv.user,
                        "--create-schema=" + db, "--query=INSERT INTO floor (v) VALUES (1)",
                        "--concurrency=%d" % clients, "--number-of-queries=%d" % queries,
                        "--iterations=1"],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=300, check=False)
    text = p.stdout.decode("utf-8", "replace")
    m = re.search(r"Average number of seconds to run all queries: ([0-9.]+)", text)
    if p.returncode != 0 or not m:
        raise RuntimeError("mariadb-slap failed:\n" + text)
    return float(m.group(1))


def main(argv):
    # An empty database for the engine's tables (MariaDB's own are in `mysql`).
    return pgserver.serve(argv, Server, lambda srv: srv.jdbc_url(srv.create_database("wf")),
                          __doc__)


if __name__ == "__main__":
    pgserver.run_main(main)
