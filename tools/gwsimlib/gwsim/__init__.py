"""gwsim: an Ignition gateway simulator, and its test-support API for scenarios.

Scenario scripts run by `tools/gwsim exec` may `import gwsim` (product code must not):
    gwsim.reloadProject()   a project save: shutdown script, new modules, startup script
    gwsim.gatewayName()     the --gateway-name of this gateway
    gwsim.projectName()     the project name (what system.util.getProjectName() returns)
    gwsim.devices           simulated field devices on tags (follow, stuck)
    gwsim.httpserver        a loopback HTTP server for tests
"""
from gwsim import runtime


def reloadProject():
    runtime.gateway().reload()


def gatewayName():
    return runtime.gateway().name


def projectName():
    return runtime.gateway().project.name


# Last, so the two submodules can import the rest of the package.
from gwsim import devices, httpserver  # noqa: E402
