"""``python -m pullover_tui`` works like the ``pullover-tui`` command."""

import sys

try:
    from pullover_tui.cli.main import entry
except KeyboardInterrupt:  # Ctrl-C while Python is still importing: no traceback either
    sys.exit(130)

entry()
