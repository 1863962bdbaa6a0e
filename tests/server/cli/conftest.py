"""The notification tests' webhook receiver and webhook factory, for ``haul webhooks deliver``."""

from tests.server.notify.conftest import local_receivers_allowed, make_webhook, receiver  # noqa: F401  (fixtures)
