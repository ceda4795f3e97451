"""Loggers by short name: ``logs.get("dispatcher")`` is Ignition's
``system.util.getLogger("exchange.workflows.dispatcher")``, looked up once
per name and code version (a run's end logs at debug level, so the lookup
would otherwise be paid on every run)."""
_loggers = {}


def get(name):
    found = _loggers.get(name)
    if found is None:
        found = _loggers.setdefault(name, system.util.getLogger("exchange.workflows." + name))
    return found
