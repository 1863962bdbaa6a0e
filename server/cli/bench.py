"""``haul bench``: the benchmark commands of ``server.bench``, named here one by one."""

from __future__ import annotations

import click

from server.bench.docks import docks_bench
from server.bench.faults import faults_bench
from server.bench.ingest import ingest_bench
from server.bench.loads import loads
from server.bench.market import market_bench
from server.bench.routing import routing_bench
from server.bench.settlement import settlement_bench


@click.group("bench")
def bench() -> None:
    """Measure engines and services on public instances or generated load."""


for command in (loads, routing_bench, docks_bench, market_bench, ingest_bench, settlement_bench, faults_bench):
    bench.add_command(command)
