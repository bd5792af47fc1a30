"""Benchmark 1: a whole headless send process, against the old pullover CLI and curl."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from common import (
    OLD_PULLOVER_CLI,
    TOKEN,
    USER,
    Measure,
    old_pullover_python,
    sandbox_process,
    time_command,
    time_commands,
)


def pullover_tui_command() -> list[str]:
    """The installed ``pullover-tui`` script next to this Python (what users run), else ``-m``."""
    script = Path(sys.executable).with_name("pullover-tui")
    return [str(script)] if script.exists() else [sys.executable, "-m", "pullover_tui"]


def run(runs: int) -> list[Measure]:
    measures: list[Measure] = []
    with sandbox_process() as url:
        env = {"PUSHOVER_API_URL": url}
        contenders = {
            "pullover-tui send": (
                [*pullover_tui_command(), "send", "-a", TOKEN, "-u", USER, "hi"],
                env,
            )
        }
        if shutil.which("curl"):
            curl = ["curl", "-sS", "-f", "-o", "/dev/null", "--form-string", f"token={TOKEN}",
                    "--form-string", f"user={USER}", "--form-string", "message=hi",
                    f"{url}/1/messages.json"]  # fmt: skip
            contenders["curl (floor)"] = (curl, None)
        old = old_pullover_python()
        if old is not None:
            argv = [str(old), "-c", OLD_PULLOVER_CLI, url, "-a", TOKEN, "-u", USER, "hi"]
            contenders["pullover 1.1.1"] = (argv, None)
        for name, samples in time_commands(contenders, runs).items():
            measures.append(Measure(name, tuple(samples)))
    for args in (["--version"], ["send", "--help"]):
        argv = [*pullover_tui_command(), *args]
        measures.append(Measure(f"pullover-tui {' '.join(args)}", tuple(time_command(argv, runs))))
    measures.append(
        Measure("python -c pass (floor)", tuple(time_command([sys.executable, "-c", "pass"], runs)))
    )
    return measures
