"""Entry point of tools/gwsim (run by Jython as __main__; see gwsim/cli.py)."""
import sys
import traceback

sys.dont_write_bytecode = True  # never write $py.class files next to sources

from java.lang import System, Throwable  # noqa: E402

from gwsim import cli  # noqa: E402

if __name__ == "__main__":
    status = 1
    try:
        status = cli.main(sys.argv[1:], System.getProperty("gwsim.repo"))
    except SystemExit as stop:
        status = stop.code if isinstance(stop.code, int) else 1
    except (BaseException, Throwable):
        traceback.print_exc()
        status = 1
    finally:
        cli.exit_jvm(status)
