"""Assemble README.md from the sections in docs/, so each section has one source.

python scripts/build_readme.py          # write README.md
python scripts/build_readme.py --check  # exit 1 if README.md is out of date
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SECTIONS = (
    "_head.md",
    "library_cli.md",
    "api.md",
    "config.md",
    "sandbox.md",
    "history.md",
    "tui.md",
    "reliability.md",
    "_tail.md",
)
NOTICE = "<!-- Made by scripts/build_readme.py from docs/*.md: edit those, then rerun it. -->\n"


def build() -> str:
    parts = [(ROOT / "docs" / name).read_text(encoding="utf-8").strip() for name in SECTIONS
             if (ROOT / "docs" / name).exists()]  # fmt: skip
    return NOTICE + "\n\n".join(parts) + "\n"


def main() -> int:
    text = build()
    readme = ROOT / "README.md"
    if "--check" in sys.argv[1:]:
        if readme.read_text(encoding="utf-8") != text:
            print("README.md is out of date: run python scripts/build_readme.py", file=sys.stderr)
            return 1
        return 0
    readme.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
