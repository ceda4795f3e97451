"""Test-harness helpers (CPython 3 only; imported by tests/conftest.py).

- tests.support.gwsim     Gwsim / GwsimResult / GatewayProcess: drive tools/gwsim
- tests.support.postgres  PostgresServer: a throw-away PostgreSQL for the session
- tests.support.db        query()/execute()/scalar() on a JDBC URL from CPython
- tests.support.procs     /proc helpers (descendants, is_alive, free_port, ...)
"""
