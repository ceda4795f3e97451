"""The Jython scripts embedded in Perspective view.json files, as Ignition
compiles them, and the project-library calls they make.

Perspective stores only a script's body (tab-indented) and compiles it under
its own function header, which depends on where the script lives:

    component/view event action   def runAction(self, event):
    binding script transform       def transform(self, value, quality, timestamp):
    property change script         def valueChanged(self, previousValue, currentValue, origin, missedEvents):
    component message handler      def onMessageReceived(self, payload):
    custom method                  def <name>(self, <params>):

(IA manual 8.3: "Script Transform", "Perspective Property Change Scripts",
"Component Events and Actions"; the same headers the Designer's editors show.)
"""
import ast
import json
import os

HEADERS = {
    "event": "def runAction(self, event):",
    "transform": "def transform(self, value, quality, timestamp):",
    "change": "def valueChanged(self, previousValue, currentValue, origin, missedEvents):",
    "message": "def onMessageReceived(self, payload):",
}


class Script(object):
    def __init__(self, view, where, kind, body, header):
        self.view = view
        self.where = where
        self.kind = kind
        self.body = body
        self.header = header

    @property
    def source(self):
        return self.header + "\n" + self.body + "\n"

    def __repr__(self):
        return "<%s script %s in %s>" % (self.kind, self.where, self.view)


def view_files(project_dir):
    root = os.path.join(project_dir, "com.inductiveautomation.perspective", "views")
    found = []
    for dirpath, _dirs, files in os.walk(root):
        if "view.json" in files:
            found.append(os.path.join(dirpath, "view.json"))
    return sorted(found)


def _walk(node, path, view, out):
    if isinstance(node, list):
        for i, item in enumerate(node):
            _walk(item, "%s[%d]" % (path, i), view, out)
        return
    if not isinstance(node, dict):
        return
    for domain, handlers in (node.get("events") or {}).items():
        for name, action in (handlers or {}).items():
            for a in action if isinstance(action, list) else [action]:
                if a.get("type") == "script":
                    out.append(Script(view, "%s.events.%s.%s" % (path, domain, name), "event",
                                      a["config"]["script"], HEADERS["event"]))
    for prop, config in (node.get("propConfig") or {}).items():
        binding = config.get("binding") or {}
        for i, t in enumerate(binding.get("transforms") or []):
            if t.get("type") == "script":
                out.append(Script(view, "%s.propConfig.%s.transforms[%d]" % (path, prop, i),
                                  "transform", t["code"], HEADERS["transform"]))
        change = config.get("onChange")
        if change and change.get("script"):
            out.append(Script(view, "%s.propConfig.%s.onChange" % (path, prop), "change",
                              change["script"], HEADERS["change"]))
    scripts = node.get("scripts") or {}
    for m in scripts.get("customMethods") or []:
        header = "def %s(%s):" % (m["name"], ", ".join(["self"] + list(m.get("params") or [])))
        out.append(Script(view, "%s.scripts.customMethods.%s" % (path, m["name"]), "method",
                          m["script"], header))
    for h in scripts.get("messageHandlers") or []:
        out.append(Script(view, "%s.scripts.messageHandlers.%s" % (path, h["messageType"]),
                          "message", h["script"], HEADERS["message"]))
    for child in node.get("children") or []:
        _walk(child, "%s/%s" % (path, child.get("meta", {}).get("name")), view, out)


def view_scripts(project_dir):
    """Every script of every view under project_dir, with its Ignition header."""
    out = []
    for path in view_files(project_dir):
        with open(path) as f:
            view = json.load(f)
        rel = os.path.relpath(path, project_dir)
        _walk(view, "view", rel, out)  # view-level events and propConfig
        _walk(view["root"], "root", rel, out)
    return out


def bindings(project_dir):
    """(view, binding type) of every binding in every view."""
    out = []

    def walk(node, view):
        if isinstance(node, dict):
            for config in (node.get("propConfig") or {}).values():
                if "binding" in config:
                    out.append((view, config["binding"].get("type")))
            for child in node.get("children") or []:
                walk(child, view)
    for path in view_files(project_dir):
        with open(path) as f:
            view = json.load(f)
        walk(view, path)
        walk(view["root"], path)
    return out


def dotted(node):
    """'a.b.c' for an attribute chain rooted at a name, else None."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


def library_references(script):
    """Returns (calls, names) for exchange.* in a script: calls as
    (dotted name, positional count, sorted keyword names), names as every
    dotted exchange.* reference (called or not)."""
    tree = ast.parse(script.source)
    calls, names = [], set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = dotted(node.func)
            if name and name.startswith("exchange."):
                calls.append((name, len(node.args), tuple(sorted(k.arg for k in node.keywords))))
        if isinstance(node, ast.Attribute):
            name = dotted(node)
            if name and name.startswith("exchange."):
                names.add(name)
    # keep only the longest chains (exchange.a.b.c, not also exchange.a.b)
    names = set(n for n in names if not any(o.startswith(n + ".") for o in names))
    return calls, names


def call_shapes(project_dir, prefix="exchange.workflows.api."):
    """{(function, positional count, keywords)} of every library call the views make."""
    shapes = set()
    for script in view_scripts(project_dir):
        for name, npos, keywords in library_references(script)[0]:
            if name.startswith(prefix):
                shapes.add((name[len(prefix):], npos, keywords))
    return shapes
