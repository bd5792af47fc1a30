"""The headless path never loads Textual or Rich: proven in a fresh interpreter."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT, TOKEN, USER

# Top-level packages the send path may import beyond the standard library.
# httpcore is not among them: the sync client's StdlibTransport spares it (~75 ms a start).
ALLOWED_THIRD_PARTY = {"pullover_tui", "httpx", "h11", "anyio", "sniffio", "idna",
                       "certifi", "h2", "hpack", "hyperframe", "socksio", "brotli", "zstandard",
                       "_cffi_backend", "typing_extensions", "exceptiongroup"}  # fmt: skip

PROBE = """
import sys
startup = set(sys.modules)  # whatever site.py loaded (e.g. setuptools' .pth hook) is not ours
import json
from pullover_tui.cli.main import main
try:
    code = main(sys.argv[1:])
except SystemExit as exc:  # --help and --version exit from argparse
    code = exc.code
ours = {m for m in set(sys.modules) - startup if sys.modules[m] is not None}  # None: blocked
third = sorted({m.split('.')[0] for m in ours} - set(sys.stdlib_module_names))
print(json.dumps({"code": code, "modules": third,
                  "sqlite3": "sqlite3" in sys.modules}), file=sys.stderr)
"""


def probe(*args: str, env: dict[str, str] | None = None) -> dict[str, object]:
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=60,
    )
    return dict(json.loads(proc.stderr.strip().splitlines()[-1]))


def test_send_imports_no_textual_or_rich(sandbox: object, tmp_path: object) -> None:
    import os

    env = {**os.environ, "PUSHOVER_API_URL": sandbox.url, "PULLOVER_TUI_DATA": str(tmp_path)}  # type: ignore[attr-defined]
    result = probe("send", "-a", TOKEN, "-u", USER, "hi", env=env)
    assert result["code"] == 0
    modules = set(result["modules"])  # type: ignore[arg-type]
    assert not modules & {"textual", "rich"}
    # History is on by default: the config switch (platformdirs) and SQLite are needed.
    assert modules <= ALLOWED_THIRD_PARTY | {"platformdirs"}, modules - ALLOWED_THIRD_PARTY
    assert result["sqlite3"] is True


def test_send_never_imports_httpx_command_line(sandbox: object, tmp_path: Path) -> None:
    """With click installed, ``import httpx`` imports its command line (click, Rich, Pygments):
    a stand-in click that fails when imported proves the send spares it."""
    fake = tmp_path / "site" / "click"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("raise RuntimeError('httpx command line imported')\n")
    env = {
        **os.environ,
        "PYTHONPATH": str(fake.parent),
        "PUSHOVER_API_URL": sandbox.url,  # type: ignore[attr-defined]
        "PULLOVER_TUI_DATA": str(tmp_path / "data"),
    }
    result = probe("send", "-a", TOKEN, "-u", USER, "hi", env=env)
    assert result["code"] == 0
    assert not set(result["modules"]) & {"click", "rich", "pygments"}  # type: ignore[arg-type]


def test_send_without_history_needs_neither_sqlite_nor_config(sandbox: object) -> None:
    import os

    env = {**os.environ, "PUSHOVER_API_URL": sandbox.url}  # type: ignore[attr-defined]
    result = probe("send", "--no-history", "-a", TOKEN, "-u", USER, "hi", env=env)
    assert result["code"] == 0
    modules = set(result["modules"])  # type: ignore[arg-type]
    assert modules <= ALLOWED_THIRD_PARTY, modules - ALLOWED_THIRD_PARTY
    assert result["sqlite3"] is False


def test_help_and_version_import_nearly_nothing() -> None:
    result = probe("--help")
    modules = set(result["modules"])  # type: ignore[arg-type]
    assert modules <= {"pullover_tui"}, modules


def test_library_import_is_lazy() -> None:
    code = (
        "import sys, pullover_tui; "
        "assert 'textual' not in sys.modules and 'httpx' not in sys.modules; "
        "pullover_tui.Message; pullover_tui.Client; "
        "assert 'textual' not in sys.modules and 'rich' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, timeout=60)
