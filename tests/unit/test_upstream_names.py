"""ignition-workflows 0.3.6's import paths and names (issue 13, P1/P2), pure
logic on CPython 3: every name its users import exists with a signature
that accepts 0.3.6's calls; is88's command table and arbitration; the
util.response envelope; the apps loader's names in source mode.

The 0.3.6 signatures below were read from its v0.3.6 tag (interface facts,
written here by hand). Differences are listed in docs/migrating-from-0.3.md."""
import inspect
import os
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "scripts"))

from exchange.workflows import settings  # noqa: E402
from exchange.workflows.core import commands  # noqa: E402
from exchange.workflows.core.errors import (WorkflowCancelled, WorkflowStopped,  # noqa: E402
                                              WorkflowTimedOut)
from exchange.workflows.engine import instance, registry, runtime  # noqa: E402
from exchange.workflows.is88 import models  # noqa: E402
from exchange.workflows.util import response  # noqa: E402

REQUIRED = inspect.Parameter.empty
# (module, name) -> 0.3.6's parameters in order, with their defaults.
SIGNATURES = {
    (runtime, "workflow"): [("name", None)],
    (runtime, "step"): [("name", None), ("options", None)],
    (instance, "getWorkflows"): [("dbName", None)],
    (settings, "getLogPrefix"): [],
    (settings, "getLoggerName"): [("component", REQUIRED)],
    (settings, "resolveDbName"): [("dbName", None)],
    (settings, "resolveQueueName"): [("queueName", None)],
    (response, "makeOk"): [("code", REQUIRED), ("message", REQUIRED), ("data", None),
                           ("meta", None), ("startedMs", None)],
    (response, "makeErr"): [("code", REQUIRED), ("message", REQUIRED), ("data", None),
                            ("meta", None), ("startedMs", None)],
    (models, "allowedInState"): [("cmd", REQUIRED), ("state", REQUIRED)],
    (models, "normalizeCommand"): [("messageOrCmd", REQUIRED)],
    (models, "commandPriority"): [("cmd", REQUIRED)],
    (models, "pickHighestPriority"): [("messages", REQUIRED), ("state", None)],
}
CONSTANTS = {
    settings: {"DBNAME_DEFAULT": "WorkflowsDB", "QUEUE_DEFAULT": "default",
               "KERNEL_KEY": "exchange.workflows.kernel.v1", "MAX_CLAIM_DEFAULT": 10,
               "FAST_FLUSH_MAX_MS": 25, "FAST_QUEUE_MAX_SIZE": 50000,
               "FAST_FLUSH_FAILURE_MAX_RETRIES": 3, "FAST_DEAD_LETTER_MAX_SIZE": 1000,
               "STATUS_ENQUEUED": "ENQUEUED", "STATUS_PENDING": "PENDING",
               "STATUS_RUNNING": "RUNNING", "STATUS_CANCELLED": "CANCELLED",
               "STATUS_SUCCESS": "SUCCESS", "STATUS_ERROR": "ERROR",
               "STEP_STATUS_STARTED": "STARTED"},
    models: {"ST_IDLE": "IDLE", "ST_STARTING": "STARTING", "ST_RUNNING": "RUNNING",
             "ST_HOLDING": "HOLDING", "ST_HELD": "HELD", "ST_RESUMING": "RESUMING",
             "ST_STOPPING": "STOPPING", "ST_STOPPED": "STOPPED", "ST_COMPLETE": "COMPLETE",
             "ST_ERROR": "ERROR", "CMD_HOLD": "HOLD", "CMD_RESUME": "RESUME",
             "CMD_STOP": "STOP", "CMD_RESET": "RESET",
             "ALL_STATES": ("IDLE", "STARTING", "RUNNING", "HOLDING", "HELD", "RESUMING",
                            "STOPPING", "STOPPED", "COMPLETE", "ERROR"),
             "ALL_COMMANDS": ("HOLD", "RESUME", "STOP", "RESET"),
             "CMD_PRIORITY": {"STOP": 2, "HOLD": 1, "RESUME": 0, "RESET": -1}},
}


@pytest.fixture
def clean_registry():
    before = set(registry.names())
    yield
    for name in set(registry.names()) - before:
        registry.unregister(name)


def _accepts(fn, expected):
    """0.3.6's parameters come first, in its order, with its defaults;
    anything after them is optional (ours)."""
    params = list(inspect.signature(fn).parameters.values())
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    got = [(p.name, p.default) for p in positional[:len(expected)]]
    extra = [p for p in params[len(expected):]
             if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY) and p.default is REQUIRED]
    return got, extra


@pytest.mark.parametrize("module,name", sorted(SIGNATURES, key=lambda k: (k[0].__name__, k[1])),
                         ids=lambda v: getattr(v, "__name__", v))
def test_every_upstream_function_exists_with_a_signature_that_takes_its_calls(module, name):
    got, extra = _accepts(getattr(module, name), SIGNATURES[(module, name)])
    assert got == SIGNATURES[(module, name)]
    assert not extra, "new required parameters break 0.3.6 calls: %s" % extra
    assert name in getattr(module, "__all__", [name])


@pytest.mark.parametrize("module", sorted(CONSTANTS, key=lambda m: m.__name__),
                         ids=lambda m: m.__name__)
def test_every_upstream_constant_exists_with_its_value(module):
    for name, value in CONSTANTS[module].items():
        assert getattr(module, name) == value, name
        assert name in module.__all__, name


def test_settings_describe_this_engine_where_it_differs():
    assert settings.FAST_FLUSH_MAX_ITEMS == 1000
    assert set(settings.WORKFLOW_TERMINAL_STATUSES) >= {"SUCCESS", "ERROR", "CANCELLED", "STOPPED"}
    assert settings.getLogPrefix() == "exchange.workflows"


def test_settings_resolve_empty_names_to_the_defaults_as_upstream():
    assert settings.resolveDbName() == settings.resolveDbName("") == "WorkflowsDB"
    assert settings.resolveDbName("PlantDB") == "PlantDB"
    assert settings.resolveQueueName(None) == "default"
    assert settings.resolveQueueName("fast") == "fast"
    assert settings.getLoggerName(".api.service.") == "exchange.workflows.api.service"
    assert settings.getLoggerName(None) == settings.getLoggerName("") == "exchange.workflows"


def test_runtime_exports_upstream_names():
    for name in ("workflow", "step", "Cancelled", "WorkflowNotFound", "WorkflowsRuntime"):
        assert hasattr(runtime, name) and name in runtime.__all__, name
    assert runtime.WorkflowsRuntime is instance.WorkflowsRuntime
    for name in ("getCurrentRuntime", "getCurrentContext"):
        assert not inspect.signature(getattr(runtime.WorkflowsRuntime, name)).parameters, name


def test_cancelled_catches_cancel_stop_and_timeout_but_not_except_exception():
    for interrupt in (WorkflowCancelled, WorkflowStopped, WorkflowTimedOut):
        assert issubclass(interrupt, runtime.Cancelled)
    assert not issubclass(runtime.Cancelled, Exception)
    assert issubclass(runtime.WorkflowNotFound, Exception)
    assert runtime.WorkflowNotFound("x").code == "WORKFLOW_NOT_REGISTERED"


def test_runtime_workflow_registers_under_the_function_name_with_the_upstream_profile(
        clean_registry):
    @runtime.workflow()
    def upstream_style_flow(batch):
        return batch

    @runtime.workflow(name="site.named_flow")
    def other(batch=1):
        return batch

    wdef = registry.get("upstream_style_flow")
    assert wdef is not None and wdef.profile == registry.UPSTREAM
    assert upstream_style_flow("b") == "b"  # returned unchanged, as upstream
    assert registry.get("site.named_flow").profile == registry.UPSTREAM


def test_bootstrap_workflow_keeps_the_native_profile_and_qualified_name(clean_registry):
    from exchange.workflows.bootstrap import workflow

    @workflow
    def native_flow():
        return 1

    wdef = registry.get("%s.native_flow" % __name__)
    assert wdef is not None and wdef.profile == registry.NATIVE


def test_an_unknown_profile_is_refused(clean_registry):
    with pytest.raises(Exception, match="profile must be one of native, upstream"):
        registry.workflow(lambda: 1, name="site.bad_profile", profile="legacy")
    assert registry.get("site.bad_profile") is None


def test_runtime_step_defaults_to_the_function_name_and_takes_upstream_options():
    @runtime.step(options={"retries_allowed": True, "max_attempts": 3, "interval_seconds": 0.5,
                           "backoff_rate": 2})
    def read_level(tank):
        return tank * 2

    @runtime.step(name="site.write")
    def write(value):
        return value

    assert read_level.stepName == "read_level" and read_level.stepOptions["max_attempts"] == 3
    assert write.stepName == "site.write"
    with pytest.raises(Exception, match="Unknown step option"):
        runtime.step(options={"retries": 3})(lambda: None)


ALLOWED = {  # command -> states where 0.3.6's table allows it
    "STOP": set(models.ALL_STATES),
    "HOLD": {"STARTING", "RUNNING", "RESUMING"},
    "RESUME": {"HELD"},
    "RESET": {"STOPPED", "ERROR"},
}


@pytest.mark.parametrize("cmd", sorted(ALLOWED))
def test_allowed_in_state_follows_upstreams_table_exactly(cmd):
    for state in models.ALL_STATES:
        assert models.allowedInState(cmd, state) == (state in ALLOWED[cmd]), (cmd, state)
        assert models.allowedInState(cmd.lower(), state.lower()) == (state in ALLOWED[cmd])
    assert models.allowedInState("ABORT", "RUNNING") is False
    assert models.allowedInState(None, "RUNNING") is False


def test_normalize_command_and_priority():
    assert models.normalizeCommand("hold") == "HOLD"
    assert models.normalizeCommand({"cmd": "stop", "reason": "x"}) == "STOP"
    for unknown in ("ABORT", "", None, {}, {"cmd": None}, 7):
        assert models.normalizeCommand(unknown) is None, unknown
    assert [models.commandPriority(c) for c in ("STOP", "hold", {"cmd": "RESUME"}, "RESET")] \
        == [2, 1, 0, -1]
    assert models.commandPriority("ABORT") == -999


def _msgs(*cmds):
    return [{"cmd": c, "reason": "r%d" % i} for i, c in enumerate(cmds)]


@pytest.mark.parametrize("cmds,state,expected", [
    ((), "RUNNING", None),
    (("HOLD", "STOP"), "RUNNING", ("STOP", 1)),
    (("RESUME",), "RUNNING", None),                 # not allowed in RUNNING: filtered out
    (("RESUME", "HOLD"), "HELD", ("RESUME", 0)),   # HOLD not allowed while HELD
    (("HOLD", "HOLD"), "RUNNING", ("HOLD", 0)),    # ties: the oldest wins
    (("RESET", "RESUME"), None, ("RESUME", 1)),    # no state: every known command competes
    (("ABORT", "bogus", "hold"), "running", ("HOLD", 2)),
    (("RESET",), "RUNNING", None),                  # RESET only in STOPPED/ERROR, as upstream
    (("RESET",), "ERROR", ("RESET", 0)),
])
def test_pick_highest_priority_cases(cmds, state, expected):
    messages = _msgs(*cmds)
    got = models.pickHighestPriority(messages, state)
    if expected is None:
        assert got is None
    else:
        cmd, index = expected
        assert got == {"cmd": cmd, "message": messages[index],
                       "priority": models.CMD_PRIORITY[cmd]}
        assert got["message"] is messages[index]


def test_arbitration_keeps_allowed_losers_waiting_and_drops_the_rest():
    decided = commands.arbitrate(_msgs("HOLD", "RESUME", "STOP", "ABORT", "HOLD"), "RUNNING")
    assert (decided.chosen.cmd, decided.chosen.index) == ("STOP", 2)
    assert decided.dropped == [1, 3] and decided.waiting == [0, 4]
    assert commands.arbitrate([], "RUNNING") == commands.Arbitration(None, [], [])


def test_editing_the_exported_priority_table_changes_nothing():
    models.CMD_PRIORITY["RESET"] = 99
    try:
        assert models.commandPriority("RESET") == -1
    finally:
        models.CMD_PRIORITY["RESET"] = -1


def test_make_ok_envelope_mirrors_data_and_times_the_call():
    got = response.makeOk("BATCH_OK", "Batch recorded", {"batch": "B-17", "ok": "no"},
                          meta={"dbName": "WorkflowsDB"}, startedMs=0)
    assert (got["ok"], got["code"], got["message"]) == (True, "BATCH_OK", "Batch recorded")
    assert got["data"] == {"batch": "B-17", "ok": "no"} and got["batch"] == "B-17"
    assert got["meta"]["dbName"] == "WorkflowsDB" and got["meta"]["durationMs"] > 0
    assert got["meta"]["tsMs"] >= got["meta"]["durationMs"]
    assert set(got) == {"ok", "code", "message", "data", "meta", "batch"}


def test_make_err_defaults_and_odd_inputs():
    meta = {"queueName": "q"}
    got = response.makeErr("", None, data=["not", "a", "dict"], meta=meta, startedMs="soon")
    assert (got["ok"], got["code"], got["message"], got["data"]) == (False, "ERROR", "Error", {})
    assert "durationMs" not in got["meta"] and meta == {"queueName": "q"}
    empty = response.makeOk(None, "")
    assert (empty["code"], empty["message"]) == ("OK", "OK")
    future = response.makeOk("OK", "m", startedMs=10 ** 15)
    assert future["meta"]["durationMs"] == 0
    assert response.makeOk(u"C\u00e9", u"d\u00e9j\u00e0")["message"] == u"d\u00e9j\u00e0"


def test_apps_loader_has_both_spellings_in_source_mode():
    from exchange.workflows import apps
    from exchange.workflows.apps import __init__ as loader
    assert loader.load is apps.load and loader.MODULES is apps.MODULES
    params = list(inspect.signature(loader.load).parameters.values())
    # 0.3.6: load(include_tests=True); ours defaults to False (documented).
    assert (params[0].name, params[0].default) == ("include_tests", False)
    assert loader.MODULES == [] and loader.TEST_MODULES == []


def test_apps_load_imports_listed_modules_and_test_modules_only_when_asked(monkeypatch):
    from exchange.workflows.apps import __init__ as loader
    monkeypatch.setattr(loader, "MODULES", ["json"])
    monkeypatch.setattr(loader, "TEST_MODULES", ["colorsys"])
    assert loader.loadReport(["json", "string"]) == {"loaded": ["json", "string"], "failed": {}}
    sys.modules.pop("colorsys", None)
    assert loader.load() is True and "colorsys" not in sys.modules
    assert loader.load(include_tests=True) is True and "colorsys" in sys.modules
