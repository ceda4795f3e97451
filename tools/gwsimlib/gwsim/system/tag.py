"""system.tag over the in-memory providers [default] and [System] (see gwsim/model.py).

Only memory tags exist: configure() creates Folders and AtomicTags with valueSource "memory";
any other tag type or value source raises NotImplementedError rather than pretending.
The timeout arguments are accepted for signature compatibility; memory tags answer at once.
"""
from java.util import Date

import fnmatch

from gwsim import tags as model

_COLLISION_POLICIES = ("a", "o", "m", "i")


def _paths(tag_paths):
    # Ignition takes a list; a single string is also accepted and treated as a one-item list.
    if isinstance(tag_paths, basestring):
        return [tag_paths]
    return list(tag_paths)


class TagApi(object):
    def __init__(self, gateway):
        self.store = gateway.tags

    def readBlocking(self, tagPaths, timeout=45000):
        """Read tags; a missing path gives value None with quality Bad_NotFound."""
        return [self._read(path) for path in _paths(tagPaths)]

    def _read(self, path):
        with self.store.lock:
            try:
                node, prop = self.store.find(path)
            except ValueError:
                return model.QualifiedValue(None, model.ERROR_INVALID_PATH, Date())
            if node is None:
                return model.QualifiedValue(None, model.BAD_NOT_FOUND, Date())
            if node.tag_type != "AtomicTag":
                return model.QualifiedValue(None, model.GOOD, node.timestamp)
            if prop is None or prop.lower() == "value":
                return model.QualifiedValue(node.value, node.quality, node.timestamp)
            properties = {"quality": node.quality, "timestamp": node.timestamp,
                          "datatype": node.data_type, "name": node.name,
                          "tagtype": node.tag_type, "valuesource": "memory"}
            if prop.lower() not in properties:
                return model.QualifiedValue(None, model.BAD_NOT_FOUND, Date())
            return model.QualifiedValue(properties[prop.lower()], model.GOOD, node.timestamp)

    def writeBlocking(self, tagPaths, values, timeout=45000):
        """Write tags; returns one QualityCode per path (Bad_NotFound, never an exception)."""
        paths = _paths(tagPaths)
        values = [values] if isinstance(tagPaths, basestring) else list(values)
        if len(paths) != len(values):
            raise ValueError("system.tag.writeBlocking: %d paths but %d values" % (len(paths), len(values)))
        return [self.store.write(path, value) for path, value in zip(paths, values)]

    # -- the legacy (7.9) functions, still on 8.x gateways ------------------------------------
    def read(self, tagPath):
        """One QualifiedValue (legacy; readBlocking([tagPath])[0])."""
        return self.readBlocking([tagPath])[0]

    def readAll(self, tagPaths):
        return self.readBlocking(tagPaths)

    def write(self, tagPath, value, suppressErrors=False):
        """Legacy write: 1 when the write succeeded, 0 when it failed (never 2: gwsim writes at once)."""
        return 1 if self.writeBlocking([tagPath], [value])[0].isGood() else 0

    def writeAll(self, tagPaths, values):
        return [1 if quality.isGood() else 0 for quality in self.writeBlocking(tagPaths, values)]

    def exists(self, tagPath):
        try:
            return self.store.find(tagPath)[0] is not None
        except ValueError:
            return False

    def configure(self, basePath, tags, collisionPolicy="o"):
        """Create or edit memory tags and folders under basePath; returns QualityCodes.

        collisionPolicy: "a" abort (Bad on an existing tag), "o" overwrite, "m" merge,
        "i" ignore existing model.
        """
        policy = (collisionPolicy or "o").lower()
        if policy not in _COLLISION_POLICIES:
            raise ValueError("system.tag.configure: unknown collisionPolicy %r" % collisionPolicy)
        if isinstance(tags, dict):
            tags = [tags]
        with self.store.lock:
            parent = self.store.folder(basePath or "[default]")
            return [self._configure_one(parent, config, policy) for config in tags]

    def _configure_one(self, parent, config, policy):
        config = dict(config)
        name = config.get("name")
        if not name:
            return model.ERROR_CONFIGURATION
        tag_type = config.get("tagType", "AtomicTag")
        if tag_type not in ("AtomicTag", "Folder"):
            raise NotImplementedError("system.tag.configure: gwsim does not emulate tagType %r" % tag_type)
        value_source = config.get("valueSource", "memory")
        if tag_type == "AtomicTag" and value_source != "memory":
            raise NotImplementedError("system.tag.configure: gwsim emulates only memory tags, not "
                                      "valueSource %r" % value_source)
        existing = parent.child(name)
        if existing is not None:
            if policy == "a":
                return model.BAD
            if policy == "i":
                return model.GOOD
            if existing.tag_type != tag_type:
                parent.remove(name)
                existing = None
        node = existing or parent.add(model.Node(name, tag_type))
        if tag_type == "Folder":
            for child in config.get("tags", []):
                self._configure_one(node, child, policy)
            return model.GOOD
        data_type = config.get("dataType", node.data_type if existing and policy == "m" else "Int4")
        if data_type not in model.DATA_TYPES:
            raise NotImplementedError("system.tag.configure: gwsim does not emulate dataType %r" % data_type)
        node.data_type = data_type
        if "value" in config or existing is None or policy == "o":
            try:
                node.value = model.coerce(config.get("value"), data_type)
            except model.CoercionError:
                return model.ERROR_TYPE_CONVERSION
            node.timestamp = Date()
        node.quality = model.GOOD
        return model.GOOD

    def browse(self, path, filter=None):
        """List the children of a folder; each result has fullPath, name, tagType, hasChildren."""
        with self.store.lock:
            folder = self.store.folder(path, create=False)
            children = folder.ordered_children() if folder is not None else []
            results = []
            for child in children:
                entry = BrowseResult(fullPath=child.full_path(), name=child.name,
                                     tagType=child.tag_type, hasChildren=bool(child.children))
                if child.tag_type == "AtomicTag":
                    entry.update(dataType=child.data_type, valueSource="memory",
                                 value=model.QualifiedValue(child.value, child.quality, child.timestamp))
                if _matches(entry, filter):
                    results.append(entry)
        return BrowseResults(results)

    def deleteTags(self, tagPaths):
        codes = []
        with self.store.lock:
            for path in _paths(tagPaths):
                node, _ = self.store.find(path)
                if node is None or node.parent is None:
                    codes.append(model.BAD_NOT_FOUND)
                else:
                    node.parent.remove(node.name)
                    codes.append(model.GOOD)
        return codes


def _matches(entry, filter):
    if not filter:
        return True
    for key, wanted in filter.items():
        if key == "name":
            if not fnmatch.fnmatch(entry["name"].lower(), unicode(wanted).lower()):
                return False
        elif unicode(entry.get(key)).lower() != unicode(wanted).lower():
            return False
    return True


class BrowseResult(dict):
    """A browse row: readable as result['name'] and as result.name."""

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name)


class BrowseResults(object):
    """Ignition's browse Results: getResults() plus iteration and len()."""

    def __init__(self, results):
        self._results = results

    def getResults(self):
        return list(self._results)

    def getReturnedSize(self):
        return len(self._results)

    def getTotalAvailableSize(self):
        return len(self._results)

    def __iter__(self):
        return iter(self._results)

    def __len__(self):
        return len(self._results)


def install_system_provider(store, gateway_name):
    """[System]Gateway/SystemName, read-only like the real system tag."""
    with store.lock:
        folder = store.folder("[System]Gateway")
        node = folder.child("SystemName") or folder.add(model.Node("SystemName", "AtomicTag"))
        node.data_type = "String"
        node.value = unicode(gateway_name)
        node.read_only = True
        store.provider("default", create=True)


def exports(gateway):
    api = TagApi(gateway)
    return {"readBlocking": api.readBlocking, "writeBlocking": api.writeBlocking,
            "configure": api.configure, "exists": api.exists, "browse": api.browse,
            "deleteTags": api.deleteTags, "read": api.read, "readAll": api.readAll, "write": api.write,
            "writeAll": api.writeAll}
