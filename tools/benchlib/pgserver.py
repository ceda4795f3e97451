"""A throwaway PostgreSQL server for benchmarks (CPython 3): the test
harness's server (tests/support/postgres.py) configured like the issue's
reference machine, **fsync on, synchronous_commit on**, so that the commit
floor measured here is the real one.

    python3 tools/benchlib/pgserver.py start [setting=value ...]
        # prints PORT, PID, DIR, URL; stays up until Ctrl-C / SIGTERM, then stops the server
        # e.g. shared_preload_libraries=pg_stat_statements to count statements per workflow
"""
import os
import re
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

from tests.support.postgres import PostgresServer  # noqa: E402


class Server(PostgresServer):
    # Durability on; only sizes are raised so that 16 pgbench clients and the
    # gateway pools fit.
    SETTINGS = {
        "fsync": "on", "synchronous_commit": "on", "full_page_writes": "on",
        "max_connections": "200", "shared_buffers": "256MB", "log_min_messages": "warning",
    }

    @property
    def version(self):
        out = subprocess.run([self.bin("postgres"), "--version"], stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, check=False)
        text = out.stdout.decode().strip()
        m = re.search(r"PostgreSQL\)?\s*([0-9][0-9.]*)", text)
        return m.group(1) if m else text

    def sqlalchemy_url(self, dbname):
        return "postgresql://%s@%s:%d/%s" % (self.user, self.host, self.port, dbname)


def serve(argv, server_class, url, doc):
    """``start [setting=value ...]``: starts ``server_class`` with those
    settings, prints PORT, PID, DIR and ``url(server)``, and stops the server
    on Ctrl-C / SIGTERM (see run_main). Shared with mariaserver.py."""
    if argv[1:2] != ["start"] or not all("=" in x for x in argv[2:]):
        print(doc)
        return 2
    srv = server_class(settings=dict(x.split("=", 1) for x in argv[2:])).start()
    try:
        print("PORT %d\nPID %d\nDIR %s\nURL %s" % (srv.port, srv.pid, srv.base_dir, url(srv)),
              flush=True)
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        srv.stop()
    return 0


def run_main(main):
    """Runs ``main(sys.argv)`` with SIGTERM turned into KeyboardInterrupt, so
    that `kill PID` stops the server too."""
    signal.signal(signal.SIGTERM, lambda *a: (_ for _ in ()).throw(KeyboardInterrupt()))
    sys.exit(main(sys.argv))


def main(argv):
    return serve(argv, Server, lambda srv: srv.jdbc_url("postgres"), __doc__)


if __name__ == "__main__":
    run_main(main)
