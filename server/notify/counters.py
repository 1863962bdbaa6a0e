"""This process's notification counters, for ``/metrics``: what the fan-out bounds and the delivery
rate held back, and what happened to webhook endpoints.

``count(name, label, n)`` adds to one counter; ``prometheus_lines()`` renders them all.
"""

from __future__ import annotations

from collections import Counter
from threading import Lock

HELP = {
    "haul_notify_fanout_capped_total": "recipients an event was not fanned out to, over a per-event bound (what)",
    "haul_webhook_deliveries_deferred_total": "due deliveries left for a later round (reason)",
    "haul_webhook_attempts_total": "webhook attempts by outcome",
    "haul_webhook_endpoints_disabled_total": "endpoints disabled after failing for too long",
}
_lock = Lock()
_counts: Counter[tuple[str, str, str]] = Counter()  # (metric, label name, label value) -> count


def count(metric: str, label: tuple[str, str] | None = None, n: int = 1) -> None:
    if metric not in HELP:
        raise KeyError(metric)
    if n:
        with _lock:
            _counts[(metric, *(label or ("", "")))] += n


def value(metric: str, label: tuple[str, str] | None = None) -> int:
    with _lock:
        return _counts[(metric, *(label or ("", "")))]


def prometheus_lines() -> list[str]:
    with _lock:
        snapshot = sorted(_counts.items())
    lines = []
    for metric, text in HELP.items():
        lines += [f"# HELP {metric} {text}", f"# TYPE {metric} counter"]
        for (name, label, label_value), n in snapshot:
            if name == metric:
                lines.append(f'{metric}{{{label}="{label_value}"}} {n}' if label else f"{metric} {n}")
    return lines
