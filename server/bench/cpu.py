"""CPU seconds used by the processes of a bench run, from /proc (Linux), so a run on a machine that
other work shares still says what each part cost per message, whatever share of the cores it got."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable

TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _processes():
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                line = stat.read()
            with open(f"/proc/{entry}/cmdline", "rb") as cmd:
                cmdline = cmd.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        fields = line[line.rindex(")") + 2:].split()
        # fields: state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime
        yield int(entry), int(fields[2]), (int(fields[11]) + int(fields[12])) / TICK, cmdline


def cpu_seconds(groups: Iterable[int] = (), pids: Iterable[int] = (),
                matching: Callable[[str], bool] | None = None) -> float:
    """CPU seconds so far of the processes in process ``groups``, with ``pids``, or whose command line matches."""
    groups, pids = set(groups), set(pids)
    return round(sum(cpu for pid, pgrp, cpu, cmdline in _processes()
                     if pgrp in groups or pid in pids or (matching is not None and matching(cmdline))), 1)
