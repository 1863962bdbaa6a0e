"""A real SMTP server on 127.0.0.1 (aiosmtpd, free port, own thread) that keeps what it is sent.

``refuse`` maps an address to the reply its RCPT gets (``"550 5.1.1 No such user"`` bounces it,
``"451 4.3.0 Try again later"`` is transient); every other address is accepted. Messages are kept
as parsed ``email.message.EmailMessage`` objects in ``received``. Import with
``from tests.server.notify.smtp_server import SmtpServer``.
"""

from __future__ import annotations

import socket
from email import message_from_bytes, policy

from aiosmtpd.controller import Controller


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _Handler:
    def __init__(self, server: SmtpServer):
        self.server = server

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 (aiosmtpd's names)
        reply = self.server.refuse.get(address.lower())
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        mail = message_from_bytes(envelope.content, policy=policy.default)
        self.server.received.append(mail)
        return "250 Message accepted for delivery"


class SmtpServer:
    """``tls_context``: offer STARTTLS with it and require it before MAIL (a relay on port 587)."""

    def __init__(self, tls_context=None):
        self.refuse: dict[str, str] = {}
        self.received: list = []
        self.port = _free_port()
        extra = {"tls_context": tls_context, "require_starttls": True} if tls_context is not None else {}
        self._controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port, **extra)

    def to(self, address: str) -> list:
        return [m for m in self.received if m["To"] == address]

    def __enter__(self) -> SmtpServer:
        self._controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self._controller.stop()
