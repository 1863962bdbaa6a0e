"""``haul bench ...``: benchmark commands for the engines and the services.

Each module in this package adds one command to the ``bench`` group; ``server.cli``
imports them all, so a new benchmark only needs a new module here.
"""

import click


@click.group("bench")
def bench() -> None:
    """Measure engines and services on public instances or generated load."""
