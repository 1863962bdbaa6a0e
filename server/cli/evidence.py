"""``haul evidence verify LOAD_ID``: recompute a load's evidence chain and name the first tampered item."""

from __future__ import annotations

import json

import click

from server.cli.common import app_context


@click.group()
def evidence() -> None:
    """Evidence recorded at the shipping point."""


@evidence.command("verify")
@click.argument("load_id", type=click.IntRange(1, 2**31 - 1))
@click.option("--json", "as_json", is_flag=True, help="Print the verification as JSON.")
def verify(load_id: int, as_json: bool) -> None:
    """Recompute LOAD_ID's hash chain and stored files; exit 1 when tampered, 2 when the load is unknown."""
    from server.extensions import db
    from server.models import Load
    from server.yard.evidence import verify_load

    with app_context():
        if db.session.get(Load, load_id) is None:
            click.echo(f"load {load_id} does not exist", err=True)
            raise SystemExit(2)
        result = verify_load(load_id)
    if as_json:
        click.echo(json.dumps(result))
    elif result["ok"]:
        click.echo(f"load {load_id}: {result['items']} evidence item(s), chain intact (head {result['head'][:16]})")
    else:
        click.echo(f"load {load_id}: TAMPERED at item seq {result['first_bad_seq']} "
                   f"(id {result['first_bad_item_id']}): {result['reason']}")
    if not result["ok"]:
        raise SystemExit(1)
