# A project-style script that calls a gateway function gwsim does not emulate
# (system.opc.readValue), the way real project code hides failures:
#   argv[1] == "bare":      `except:` swallows the NotEmulatedError; the script itself ends well,
#                           so gwsim must turn its 0 into 97 and print the summary.
#   argv[1] == "exception": `except Exception` does not catch it (it is a BaseException), so the
#                           script fails with a traceback (exit 1), and the summary still names it.
from __future__ import print_function

import sys

swallowed = False
if sys.argv[1] == "bare":
    try:
        system.opc.readValue("Ignition OPC UA Server", "ns=1;s=[Sim]Tag")
    except:  # noqa: E722 -- the pattern under test: project code that swallows everything
        swallowed = True
else:
    try:
        system.opc.readValue("Ignition OPC UA Server", "ns=1;s=[Sim]Tag")
    except Exception:
        swallowed = True
print("RESULT " + system.util.jsonEncode({"swallowed": swallowed}))
