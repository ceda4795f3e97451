"""gwsim: an Ignition gateway simulator, and its test-support API for scenarios.

Scenario scripts run by `tools/gwsim exec` may `import gwsim` (product code must not):
    gwsim.reloadProject()   a project save: shutdown script, new modules, startup script
    gwsim.gatewayName()     the --gateway-name of this gateway
    gwsim.projectName()     the project name (what system.util.getProjectName() returns)
    gwsim.devices           simulated field devices on tags (follow, stuck)
    gwsim.httpserver        a loopback HTTP server for tests
    gwsim.openSession(user=None, roles=(), levels=())   a Perspective session (see perspective.py);
                            session.messages() lists what system.perspective.sendMessage sent it
    gwsim.runPerspectiveScript(session, function, *args)  function(self, *args) as its script
    gwsim.notEmulated()     {"system.x.y": count} of calls to functions gwsim does not emulate
    gwsim.clearNotEmulated()  forget them (a scenario that provokes one on purpose)
"""
from gwsim import notemulated, runtime


def notEmulated():
    return notemulated.calls()


def clearNotEmulated():
    notemulated.clear()


def reloadProject():
    runtime.gateway().reload()


def gatewayName():
    return runtime.gateway().name


def projectName():
    return runtime.gateway().project.name


def openSession(user=None, roles=(), levels=(), project=None):
    """A Perspective session: logged in as `user` with `roles` (and custom security `levels`),
    anonymous without a user. Close it with session.close()."""
    return runtime.gateway().perspective.open(user, roles, levels, project)


def runPerspectiveScript(session, function, *args):
    """Run function(self, *args) as a Perspective script of `session`: on a Perspective worker
    thread, with `self` a component wrapper (self.session is the session)."""
    return runtime.gateway().perspective.run_script(session, function, *args)


# Last, so the two submodules can import the rest of the package.
from gwsim import devices, httpserver  # noqa: E402
