"""Benchmark 3: many messages from one process over keep-alive, against raw httpx posts."""

from __future__ import annotations

import subprocess
import time

import httpx
from common import TOKEN, USER, Measure, old_pullover_python, sandbox_process

from pullover_tui import Client, Message

OLD_LOOP = """
import sys, time, warnings
warnings.simplefilter('ignore')
import pullover, pullover.message as m
m.Message._ENDPOINT = sys.argv[1] + '/1/messages.json'
app, user, n = pullover.Application(sys.argv[2]), pullover.User(sys.argv[3]), int(sys.argv[4])
m.Message('warm').send(app, user)
start = time.perf_counter()
for i in range(n):
    m.Message('hi').send(app, user).raise_for_status()
print(n / (time.perf_counter() - start))
"""


def ours(url: str, count: int) -> float:
    with Client(url) as client:
        client.send(Message("warm"), token=TOKEN, user=USER)
        start = time.perf_counter()
        for _ in range(count):
            client.send(Message("hi"), token=TOKEN, user=USER)
        return count / (time.perf_counter() - start)


def raw_httpx(url: str, count: int) -> float:
    form = {"token": TOKEN, "user": USER, "message": "hi"}
    with httpx.Client(base_url=url) as client:
        client.post("/1/messages.json", data=form).raise_for_status()
        start = time.perf_counter()
        for _ in range(count):
            client.post("/1/messages.json", data=form).raise_for_status()
        return count / (time.perf_counter() - start)


def run(runs: int, count: int) -> list[Measure]:
    ours_rates: list[float] = []
    raw_rates: list[float] = []
    old_rates: list[float] = []
    old = old_pullover_python()
    with sandbox_process("--quota", "100000000") as url:
        for _ in range(runs):  # interleaved, so drift hits both alike
            raw_rates.append(raw_httpx(url, count))
            ours_rates.append(ours(url, count))
            if old is not None:
                out = subprocess.run(
                    [str(old), "-c", OLD_LOOP, url, TOKEN, USER, str(count)],
                    capture_output=True,
                    text=True,
                    check=True,
                )
                old_rates.append(float(out.stdout.strip()))
    measures = [
        Measure("raw httpx.Client (floor)", tuple(raw_rates), "msg/s"),
        Measure("pullover_tui.Client", tuple(ours_rates), "msg/s"),
    ]
    if old_rates:
        measures.append(Measure("pullover 1.1.1 library", tuple(old_rates), "msg/s"))
    return measures
