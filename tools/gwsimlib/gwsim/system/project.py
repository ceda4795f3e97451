"""system.project: the project's name. gwsim runs one project per gateway.

  getProjectName() -> the project's name (as system.util.getProjectName())
  getProjectNames() -> [that name]
"""


def exports(gateway):
    return {"getProjectName": lambda: gateway.project.name,
            "getProjectNames": lambda: [gateway.project.name]}
