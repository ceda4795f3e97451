"""system.util: loggers, JVM-wide globals, JSON, async threads and gateway message handlers."""
from java.lang import System
from java.util.concurrent.atomic import AtomicInteger

from gwsim import jsoncodec, logs, threads

# Bits of getSystemFlags(); a gateway is none of designer/client/... so it reports 0.
SYSTEM_FLAGS = {"DESIGNER_FLAG": 1, "PREVIEW_FLAG": 2, "CLIENT_FLAG": 4, "WEBSTART_FLAG": 8,
                "APPLET_FLAG": 16, "FULLSCREEN_FLAG": 32, "SSL_FLAG": 64, "MOBILE_FLAG": 128}

_async_counter = AtomicInteger()


class UtilApi(object):
    def __init__(self, gateway):
        self._gateway = gateway

    def getGlobals(self):
        """One dict for the JVM's lifetime: it survives project saves (reloads)."""
        return self._gateway.globals

    def getProjectName(self):
        return self._gateway.project.name

    def setLoggingLevel(self, loggerName, loggerLevel):
        """Set a logger's level (trace, debug, info, warn, error); applies to its children too."""
        logs.configure(["%s=%s" % (loggerName, loggerLevel)])

    def translate(self, term, locale=None, strict=False):
        """gwsim has no translations: the term itself, or None when strict."""
        return None if strict else term

    def getSystemFlags(self):
        return 0

    def getProperty(self, propertyName):
        return System.getProperty(propertyName)

    def invokeAsynchronous(self, function, args=None, kwargs=None, description=None):
        """Run function(*args, **kwargs) on a new Java thread and return that started Thread.

        An uncaught error is logged (logger gwsim.invokeAsynchronous), as the gateway logs it.
        """
        name = description or "gwsim-async-%d" % _async_counter.incrementAndGet()
        what = "invokeAsynchronous(%s)" % getattr(function, "__name__", function)
        return threads.start(function, name, "gwsim.invokeAsynchronous", what, args or (), kwargs)

    def sendMessage(self, project, messageHandler, payload=None, scope=None, clientSessionId=None,
                    user=None, hasRole=None, hostName=None, remoteServers=None):
        """Deliver payload to the gateway message handler (asynchronously, like Ignition).

        Only gateway scope ("G") handlers exist here; returns a list describing deliveries.
        """
        if remoteServers:
            raise NotImplementedError("system.util.sendMessage: gwsim has no gateway network "
                                      "(remoteServers)")
        if scope is not None and "g" not in scope.lower():
            return []
        return self._gateway.messages.send(project, messageHandler, payload)

    def sendRequest(self, project, messageHandler, payload=None, hostName=None, remoteServer=None,
                    timeoutSec=None):
        """Call a gateway message handler and wait for its return value (default 60 s).

        Raises java.lang.Exception when no handler exists, it fails, or the timeout expires.
        """
        if remoteServer:
            raise NotImplementedError("system.util.sendRequest: gwsim has no gateway network "
                                      "(remoteServer)")
        return self._gateway.messages.request(project, messageHandler, payload,
                                              60 if timeoutSec is None else timeoutSec)


def exports(gateway):
    api = UtilApi(gateway)
    names = {
        "getLogger": logs.getLogger, "getGlobals": api.getGlobals,
        "setLoggingLevel": api.setLoggingLevel, "translate": api.translate,
        "jsonEncode": lambda pyObj, indentFactor=None: jsoncodec.encode(pyObj, indentFactor),
        "jsonDecode": lambda jsonString: jsoncodec.decode(jsonString),
        "invokeAsynchronous": api.invokeAsynchronous, "getProjectName": api.getProjectName,
        "sendMessage": api.sendMessage, "sendRequest": api.sendRequest,
        "getSystemFlags": api.getSystemFlags, "getProperty": api.getProperty,
    }
    names.update(SYSTEM_FLAGS)
    # The manual's alias: system.util.globals is the same dict as getGlobals().
    names["globals"] = gateway.globals
    return names
