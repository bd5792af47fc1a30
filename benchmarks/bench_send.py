"""Benchmark 1: a whole headless send process, against the old pullover CLI and curl."""

from __future__ import annotations

import shutil
import sys

from common import (
    OLD_PULLOVER_CLI,
    TOKEN,
    USER,
    Measure,
    old_pullover_python,
    sandbox_process,
    time_command,
)


def run(runs: int) -> list[Measure]:
    measures: list[Measure] = []
    with sandbox_process() as url:
        env = {"PUSHOVER_API_URL": url}
        ours = [sys.executable, "-m", "pullover_tui", "send", "-a", TOKEN, "-u", USER, "hi"]
        measures.append(Measure("pullover-tui send", tuple(time_command(ours, runs, env))))
        if shutil.which("curl"):
            curl = ["curl", "-sS", "-f", "-o", "/dev/null", "--form-string", f"token={TOKEN}",
                    "--form-string", f"user={USER}", "--form-string", "message=hi",
                    f"{url}/1/messages.json"]  # fmt: skip
            measures.append(Measure("curl (floor)", tuple(time_command(curl, runs))))
        old = old_pullover_python()
        if old is not None:
            argv = [str(old), "-c", OLD_PULLOVER_CLI, url, "-a", TOKEN, "-u", USER, "hi"]
            measures.append(Measure("pullover 1.1.1", tuple(time_command(argv, runs))))
    for args in (["--version"], ["send", "--help"]):
        argv = [sys.executable, "-m", "pullover_tui", *args]
        measures.append(Measure(f"pullover-tui {' '.join(args)}", tuple(time_command(argv, runs))))
    measures.append(
        Measure("python -c pass (floor)", tuple(time_command([sys.executable, "-c", "pass"], runs)))
    )
    return measures
