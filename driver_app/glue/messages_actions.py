"""The driver's Messages list: the server's notifications fetched with Today, read when the list opens.

Part of `DriverController` (a mixin, like ``SessionActions``): it uses the controller's ``runner``,
``client``, ``day``, ``notices`` and ``open_load``. Fetching and marking are quiet: a server without
the notification routes, or a network failure, leaves the list as it is (the inbox-raised notices
are kept on the phone either way), and the loads' own refresh reports the connection's troubles.
"""

from __future__ import annotations

import logging
from typing import Any

from driver_app.core import errors
from driver_app.core.notices import Notice

log = logging.getLogger(__name__)


class MessagesActions:
    """Fetch, read and open the driver's notices (see the module docstring for what it needs)."""

    def refresh_notices(self) -> None:
        """Fetch the signed-in user's notifications from the server into the list."""
        client = self.client
        if client is None:
            return
        self.runner.run(lambda: client.notifications(), self.notices.merge_server,
                        lambda exc: log.info("notifications not fetched: %s", exc))

    def open_messages(self) -> None:
        """The driver opened the list: everything in it is read, here and on the server."""
        server_ids = self.notices.mark_all_read()
        client = self.client
        if not server_ids or client is None:
            return

        def tell_server() -> None:
            for notification_id in server_ids:
                try:
                    client.mark_notification_read(notification_id)
                except errors.NotFound:  # gone on the server (or an older server): nothing to mark
                    continue

        self.runner.run(tell_server, None, lambda exc: log.info("notifications not marked read: %s", exc))

    def open_notice(self, notice: Notice, on_error: Any = None) -> bool:
        """Open the load ``notice`` concerns (from the day's list when it is there); False when it
        names no load or the driver is busy with another one."""
        if notice.load_id is None or not self.day.can("select_load"):
            return False
        load = next((a for a in self.day.assignments if str(a.get("id")) == notice.load_id), {"id": notice.load_id})
        self.open_load(load, on_error=on_error)
        return True
