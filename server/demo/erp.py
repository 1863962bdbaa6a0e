"""The seller's ERP as a webhook receiver, for a headless demo: Haul's webhooks reach it for real.

`ErpReceiver` listens on loopback (a free port) and answers every signed POST with 204, counting what
it got. `subscribe` registers it, through the API as the seller's admin would, for every event kind
(once; a second run finds it). The operator allows the loopback host with HAUL_WEBHOOK_ALLOW_HOSTS,
as for any internal ERP.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from server.demo.api import ApiSession


class ErpReceiver:
    """A loopback HTTP endpoint that takes webhook deliveries; ``received`` counts them."""

    def __init__(self, host: str = "127.0.0.1"):
        receiver = self
        self.received = 0
        self._lock = threading.Lock()

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (the http.server name)
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with receiver._lock:
                    receiver.received += 1
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):  # one line per delivery would bury the demo's story
                pass

        self._server = ThreadingHTTPServer((host, 0), Handler)
        self.host, self.port = host, self._server.server_address[1]
        self.url = f"http://{host}:{self.port}/haul-events"
        threading.Thread(target=self._server.serve_forever, name="haul-demo-erp", daemon=True).start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def subscribe(seller: ApiSession, url: str) -> None:
    """The seller's admin registers ``url`` for every event kind, unless it is registered already."""
    if any(hook["url"] == url for hook in seller.items("/api/v1/webhooks")):
        return
    seller.post("/api/v1/webhooks", {"url": url, "events": ["*"]})
