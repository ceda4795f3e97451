"""In-memory tag providers: the model behind system.tag and gwsim.devices.

Ignition facts kept here: tag paths and provider names are case-insensitive; a path without
[provider] means [default]; values are coerced to the tag's data type on write; quality codes
carry Ignition 8's names and integer codes (level in the top two bits).
"""
import threading

from java.lang import Throwable
from java.text import SimpleDateFormat
from java.util import Date


class QualityCode(object):
    """Ignition 8 QualityCode: a level (Good/Uncertain/Bad/Error) plus a named sub-code."""
    __slots__ = ("name", "code", "level")

    def __init__(self, name, code):
        self.name = name
        self.code = code
        self.level = name.split("_")[0]

    def getName(self):
        return self.name

    def getCode(self):
        return self.code

    def isGood(self):
        return self.level == "Good"

    def isUncertain(self):
        return self.level == "Uncertain"

    def isBad(self):
        return self.level == "Bad"

    def isError(self):
        return self.level == "Error"

    def isBadOrError(self):
        return self.level in ("Bad", "Error")

    def isNotGood(self):
        return self.level != "Good"

    def __eq__(self, other):
        if isinstance(other, QualityCode):
            return self.code == other.code
        return NotImplemented

    def __ne__(self, other):
        result = self.__eq__(other)
        return result if result is NotImplemented else not result

    def __hash__(self):
        return hash(self.code)

    def __str__(self):
        return self.name

    __repr__ = __str__


# Codes as Ignition 8.1 reports them (QualityCode.getCode()).
GOOD = QualityCode("Good", 192)
BAD = QualityCode("Bad", -2147483136)
BAD_NOT_FOUND = QualityCode("Bad_NotFound", -2147483129)
BAD_READ_ONLY = QualityCode("Bad_ReadOnly", -2147483122)
BAD_UNSUPPORTED = QualityCode("Bad_Unsupported", -2147483120)
ERROR_CONFIGURATION = QualityCode("Error_Configuration", -1073741055)
ERROR_TYPE_CONVERSION = QualityCode("Error_TypeConversion", -1073741052)
ERROR_INVALID_PATH = QualityCode("Error_InvalidPathSyntax", -1073741047)


class QualifiedValue(object):
    """What readBlocking returns for each path: value, quality and timestamp (java.util.Date)."""
    __slots__ = ("value", "quality", "timestamp")

    def __init__(self, value, quality, timestamp):
        self.value = value
        self.quality = quality
        self.timestamp = timestamp

    def getValue(self):
        return self.value

    def getQuality(self):
        return self.quality

    def getTimestamp(self):
        return self.timestamp

    def __repr__(self):
        return "[%s, %s, %s]" % (self.value, self.quality, self.timestamp)


class CoercionError(Exception):
    pass


_INT_RANGES = {"Int1": (-2 ** 7, 2 ** 7 - 1), "Int2": (-2 ** 15, 2 ** 15 - 1),
               "Int4": (-2 ** 31, 2 ** 31 - 1), "Int8": (-2 ** 63, 2 ** 63 - 1)}
DATA_TYPES = tuple(_INT_RANGES) + ("Float4", "Float8", "Boolean", "String", "DateTime")


def coerce(value, data_type):
    """Convert value to data_type the way a memory tag write does; raises CoercionError."""
    if value is None:
        return None
    try:
        if data_type in _INT_RANGES:
            if isinstance(value, basestring):
                text = value.strip()
                number = long(text) if text.lstrip("+-").isdigit() else long(float(text))
            elif isinstance(value, Date):
                number = value.getTime()
            else:
                number = long(value)  # floats truncate, like Number.intValue()
            low, high = _INT_RANGES[data_type]
            if not low <= number <= high:
                raise CoercionError("%s out of range for %s" % (number, data_type))
            return number if data_type == "Int8" else int(number)
        if data_type in ("Float4", "Float8"):
            return float(value.strip() if isinstance(value, basestring) else value)
        if data_type == "Boolean":
            if isinstance(value, basestring):
                text = value.strip().lower()
                if text in ("true", "1", "on"):
                    return True
                if text in ("false", "0", "off"):
                    return False
                raise CoercionError("%r is not a boolean" % value)
            return bool(value)
        if data_type == "String":
            return value if isinstance(value, unicode) else unicode(str(value), "utf-8")
        if data_type == "DateTime":
            if isinstance(value, Date):
                return Date(value.getTime())
            if isinstance(value, basestring):
                return SimpleDateFormat("yyyy-MM-dd HH:mm:ss").parse(value.strip())
            return Date(long(value))
    except CoercionError:
        raise
    except (ValueError, TypeError, OverflowError, Throwable) as error:
        raise CoercionError("cannot convert %r to %s: %s" % (value, data_type, error))
    raise CoercionError("unknown data type %r" % data_type)


class Node(object):
    """A folder or an atomic (memory) tag."""

    def __init__(self, name, tag_type, parent=None):
        self.name = name
        self.tag_type = tag_type  # "Folder" | "AtomicTag" | "Provider"
        self.parent = parent
        self.children = {}  # lower-case name -> Node, insertion order kept in self.order
        self.order = []
        self.data_type = "Int4"
        self.value = None
        self.quality = GOOD
        self.timestamp = Date()
        self.read_only = False
        self.stuck = False

    def full_path(self):
        parts, node = [], self
        while node.parent is not None:
            parts.append(node.name)
            node = node.parent
        return "[%s]%s" % (node.name, "/".join(reversed(parts)))

    def child(self, name):
        return self.children.get(name.lower())

    def add(self, node):
        key = node.name.lower()
        if key not in self.children:
            self.order.append(key)
        node.parent = self
        self.children[key] = node
        return node

    def remove(self, name):
        key = name.lower()
        self.order.remove(key)
        return self.children.pop(key)

    def ordered_children(self):
        return [self.children[key] for key in self.order]


def split_path(path, default_provider="default"):
    """'[prov]A/B/C.prop' -> ('prov', ['A', 'B', 'C'], 'prop' or None)."""
    path = unicode(path).strip()
    provider = default_provider
    if path.startswith("["):
        end = path.index("]")
        provider = path[1:end] or default_provider
        path = path[end + 1:]
    parts = [part for part in path.strip("/").split("/") if part]
    prop = None
    if parts and "." in parts[-1]:
        parts[-1], prop = parts[-1].split(".", 1)
    return provider, parts, prop


class TagStore(object):
    """All tag providers of the gateway; every access holds one re-entrant lock."""

    def __init__(self):
        self.lock = threading.RLock()
        self.providers = {}
        self._listeners = []

    def provider(self, name, create=False):
        node = self.providers.get(name.lower())
        if node is None and create:
            node = self.providers[name.lower()] = Node(name, "Provider")
        return node

    def find(self, path):
        """Return (node, prop) for path, or (None, prop) when it does not exist."""
        provider, parts, prop = split_path(path)
        node = self.provider(provider)
        for part in parts:
            if node is None:
                break
            node = node.child(part)
        return node, prop

    def folder(self, path, create=True):
        """The folder (or provider root) at path, creating missing folders when asked."""
        provider, parts, _ = split_path(path)
        node = self.provider(provider, create)
        for part in parts:
            if node is None:
                return None
            existing = node.child(part)
            if existing is None and create:
                existing = node.add(Node(part, "Folder"))
            node = existing
        return node

    def add_listener(self, listener):
        """listener(node, value) is called after each accepted write, outside the lock."""
        self._listeners.append(listener)

    def remove_listener(self, listener):
        if listener in self._listeners:
            self._listeners.remove(listener)

    def write(self, path, value):
        """Write one tag; returns a QualityCode (never raises for a bad path or value)."""
        try:
            with self.lock:
                node, prop = self.find(path)
                if node is None:
                    return BAD_NOT_FOUND
                if prop is not None and prop.lower() != "value":
                    return BAD_UNSUPPORTED
                if node.tag_type != "AtomicTag":
                    return BAD_UNSUPPORTED
                if node.read_only:
                    return BAD_READ_ONLY
                try:
                    coerced = coerce(value, node.data_type)
                except CoercionError:
                    return ERROR_TYPE_CONVERSION
                if not node.stuck:
                    node.value = coerced
                    node.quality = GOOD
                    node.timestamp = Date()
        except ValueError:
            return ERROR_INVALID_PATH
        for listener in list(self._listeners):
            listener(node, coerced)
        return GOOD
