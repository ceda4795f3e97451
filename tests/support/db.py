"""Read or prepare a test database from CPython, whichever kind it is.

    query(db_url, "SELECT state, count(*) FROM t GROUP BY state")
      -> [("done", "3"), ...]   # every value as text, NULL as None, on both kinds
    execute(db_url, "CREATE TABLE ...")

SQLite URLs are opened with the sqlite3 module; PostgreSQL ones with psql,
MariaDB ones with the mariadb client.
"""

import csv
import io
import os
import re
import sqlite3
import subprocess

from tests.support.postgres import find_bindir

_NULL = "\x01NULL\x01"


def kind_of(db_url):
    if db_url.startswith("jdbc:sqlite:"):
        return "sqlite"
    if db_url.startswith("jdbc:postgresql:"):
        return "postgresql"
    if db_url.startswith("jdbc:mariadb:"):
        return "mariadb"
    raise ValueError("unsupported JDBC URL %r" % db_url)


def sqlite_path(db_url):
    path = db_url[len("jdbc:sqlite:"):].split("?", 1)[0]
    return path


def _url_parts(db_url, scheme, port, user):
    """(host, port, database, user, password) of a jdbc:SCHEME://host[:port]/db?user=... URL."""
    m = re.match(r"^jdbc:%s://([^:/]+)(?::(\d+))?/([^?]+)(?:\?(.*))?$" % scheme, db_url)
    if not m:
        raise ValueError("cannot parse %r" % db_url)
    host, found_port, db, query = m.groups()
    params = dict(p.split("=", 1) for p in (query or "").split("&") if "=" in p)
    return host, found_port or port, db, params.get("user", user), params.get("password")


def _pg_parts(db_url):
    return _url_parts(db_url, "postgresql", "5432", "postgres")


def _psql(db_url, sql, extra):
    host, port, db, user, password = _pg_parts(db_url)
    env = dict(os.environ)
    if password:
        env["PGPASSWORD"] = password
    p = subprocess.run(
        [os.path.join(find_bindir(), "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1",
         "-h", host, "-p", port, "-U", user, "-d", db] + extra + ["-c", sql],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        env=env, timeout=60,
    )
    if p.returncode != 0:
        raise RuntimeError("psql failed: %s\nSQL: %s" % (p.stderr.decode("utf-8", "replace"), sql))
    return p.stdout.decode("utf-8")


def _mariadb(db_url, sql, extra):
    host, port, db, user, password = _url_parts(db_url, "mariadb", "3306", "root")
    env = dict(os.environ)
    if password:
        env["MYSQL_PWD"] = password
    p = subprocess.run(
        ["mariadb", "--no-defaults", "--protocol=tcp", "-h", host, "-P", port, "-u", user,
         "-D", db] + extra + ["-e", sql],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        env=env, timeout=60,
    )
    if p.returncode != 0:
        raise RuntimeError("mariadb failed: %s\nSQL: %s" % (p.stderr.decode("utf-8", "replace"), sql))
    return p.stdout.decode("utf-8")


def _unescape_maria(v):
    # --batch output escapes tabs, newlines and backslashes; NULL prints as NULL.
    if v == "NULL":
        return None
    return re.sub(r"\\(.)", lambda m: {"t": "\t", "n": "\n", "0": "\0"}.get(m.group(1), m.group(1)), v)


def _text(v):
    if v is None:
        return None
    if isinstance(v, bytes):
        return v.decode("utf-8", "replace")
    return str(v)


def query(db_url, sql, params=()):
    """Rows as tuples of text (None for NULL). `params` only for SQLite."""
    if kind_of(db_url) == "sqlite":
        conn = sqlite3.connect(sqlite_path(db_url), timeout=30)
        try:
            return [tuple(_text(v) for v in row) for row in conn.execute(sql, params)]
        finally:
            conn.close()
    if params:
        raise ValueError("params are supported for SQLite only here; inline literals")
    if kind_of(db_url) == "mariadb":
        out = _mariadb(db_url, sql, ["--batch", "--skip-column-names"])
        return [tuple(_unescape_maria(v) for v in line.split("\t"))
                for line in out.split("\n") if line]
    out = _psql(db_url, sql, ["--csv", "-P", "null=" + _NULL])
    rows = list(csv.reader(io.StringIO(out)))[1:]  # drop header
    return [tuple(None if v == _NULL else v for v in row) for row in rows]


def execute(db_url, sql):
    """Run one or more statements (no result)."""
    if kind_of(db_url) == "sqlite":
        conn = sqlite3.connect(sqlite_path(db_url), timeout=30)
        try:
            conn.executescript(sql)
            conn.commit()
        finally:
            conn.close()
    elif kind_of(db_url) == "mariadb":
        _mariadb(db_url, sql, [])
    else:
        _psql(db_url, sql, [])


def scalar(db_url, sql):
    rows = query(db_url, sql)
    return rows[0][0] if rows else None
