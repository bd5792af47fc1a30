"""Run every benchmark and print a Markdown table of medians and ratios.

    python benchmarks/run.py            # full runs (a few minutes)
    python benchmarks/run.py --quick    # a handful of runs, for CI: it must run, never judged

Every ratio compares contenders measured in the same run, on the same machine.
Results also go to benchmarks/.work/results.json.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_send
import bench_throughput
import bench_tui
from common import WORK, Measure

TARGETS = {
    "send": ("pullover 1.1.1", "at most 0.5x the old pullover's wall time"),
    "tui": ("minimal Textual app, one Input (floor)", "at most 1.5x the minimal Textual app"),
    "tui, whole process": (
        "minimal Textual app, one Input (floor)",
        "(start to exit, for comparison with earlier figures)",
    ),
    "throughput": ("raw httpx.Client (floor)", "at least 0.9x raw httpx"),
}


def table(title: str, measures: list[Measure], baseline: str | None) -> str:
    base = next((m for m in measures if m.name == baseline), None)
    lines = [f"### {title}", "", "| contender | median | ratio |", "|---|---:|---:|"]
    for m in measures:
        same_unit = base is not None and base.unit == m.unit
        ratio = f"{m.median / base.median:.2f}x" if base and same_unit else ""
        lines.append(f"| {m.name} | {m.shown()} | {ratio} |")
    if baseline and base is None:
        lines.append(f"\n(baseline {baseline!r} unavailable in this run)")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="few runs; for CI")
    parser.add_argument("--only", choices=["send", "tui", "throughput", "history"])
    args = parser.parse_args()
    runs = 3 if args.quick else 15
    results: dict[str, list[Measure]] = {}
    if args.only in (None, "send"):
        results["send"] = bench_send.run(runs)
    if args.only in (None, "tui"):
        to_ready, whole_process = bench_tui.run(runs if args.quick else 20)
        results["tui"] = to_ready
        results["tui, whole process"] = whole_process
    if args.only in (None, "throughput"):
        results["throughput"] = bench_throughput.run(runs, 50 if args.quick else 500)
    if args.only in (None, "history"):
        import history_bench

        results["history"] = history_bench.run(quick=args.quick)
    print(f"{platform.python_implementation()} {platform.python_version()}, "
          f"{platform.machine()}, {'quick' if args.quick else 'full'} run\n")  # fmt: skip
    for name, measures in results.items():
        baseline = TARGETS.get(name, (None, ""))[0]
        print(table(name, measures, baseline))
        if name in TARGETS:
            print(f"\ntarget: {TARGETS[name][1]}\n")
        else:
            print()
    WORK.mkdir(exist_ok=True)
    dump = {k: [{"name": m.name, "unit": m.unit, "samples": m.samples} for m in v]
            for k, v in results.items()}  # fmt: skip
    (WORK / "results.json").write_text(json.dumps(dump, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
