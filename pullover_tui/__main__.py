"""``python -m pullover_tui`` works like the ``pullover-tui`` command."""

from pullover_tui.cli.main import entry

entry()
