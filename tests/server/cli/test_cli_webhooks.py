"""``haul webhooks deliver``."""

from click.testing import CliRunner

from server.cli.webhooks import webhooks
from server.notify.publish import publish_event


def test_the_cli_sends_one_round(ctx, make_party, make_webhook, receiver):
    """``haul webhooks deliver`` sends what is due and reports the round."""
    party = make_party("seller")
    make_webhook(party, receiver.url)
    publish_event("arrived", organisation_ids=[party.id], data={})
    result = CliRunner().invoke(webhooks, ["deliver"], obj=ctx)
    assert result.exit_code == 0, result.output
    assert "claimed 1, delivered 1" in result.output and len(receiver.received) == 1
