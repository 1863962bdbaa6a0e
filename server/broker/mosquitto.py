"""Run a private Mosquitto on a free loopback port (tests and benchmarks; never the shared 1883).

`MosquittoProcess` writes its own config (listener, persistence in its directory, optional
password and ACL files) and starts ``mosquitto -c``; `stop` sends SIGTERM so the broker saves
its persistent sessions, and `start` again brings them back, as a broker restart would.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

DEFAULTS = (
    # Sessions must hold whatever arrives while a worker is away; the default (1000) would drop.
    "max_queued_messages 0",
    "max_inflight_messages 0",
    "autosave_interval 1",
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex((host, port)) == 0


class MosquittoProcess:
    """A Mosquitto broker owned by the caller."""

    def __init__(self, directory: Path, port: int | None = None, password_file: Path | None = None,
                 acl_file: Path | None = None, extra: tuple[str, ...] = ()):
        if shutil.which("mosquitto") is None:
            raise RuntimeError("mosquitto is not installed")
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.port = port or free_port()
        self.config = self.directory / "mosquitto.conf"
        lines = [f"listener {self.port} 127.0.0.1", "persistence true",
                 f"persistence_location {self.directory}/", f"log_dest file {self.directory}/mosquitto.log",
                 *DEFAULTS, *extra]
        if os.geteuid() == 0:
            # As root Mosquitto drops to user "mosquitto", which cannot write a private (0700) directory.
            lines.append("user root")
        if password_file is not None:
            lines += ["allow_anonymous false", f"password_file {password_file}"]
        else:
            lines.append("allow_anonymous true")
        if acl_file is not None:
            lines.append(f"acl_file {acl_file}")
        self.config.write_text("\n".join(lines) + "\n")
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"mqtt://127.0.0.1:{self.port}"

    def start(self, timeout_s: float = 10.0) -> MosquittoProcess:
        self.process = subprocess.Popen(["mosquitto", "-c", str(self.config)], stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout_s
        while not port_open(self.port):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"mosquitto did not start; see {self.directory}/mosquitto.log")
            time.sleep(0.05)
        return self

    def stop(self, timeout_s: float = 10.0) -> None:
        """Graceful stop (SIGTERM): Mosquitto writes its persistence file first."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout_s)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def reload(self) -> None:
        """Re-read the password and ACL files (SIGHUP)."""
        if self.process is not None:
            self.process.send_signal(signal.SIGHUP)

    def restart(self, down_s: float = 1.0) -> None:
        self.stop()
        time.sleep(down_s)
        self.start()

    def __enter__(self) -> MosquittoProcess:
        return self.start()

    def __exit__(self, *_exc) -> None:
        self.stop()
