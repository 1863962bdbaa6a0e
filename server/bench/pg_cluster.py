"""A private PostgreSQL 15 cluster (initdb, pg_ctl) that a bench or test may restart at will.

It runs as the ``postgres`` system user when started as root (PostgreSQL refuses root), listens
on a free loopback port with trust authentication, keeps its data and socket in ``directory``,
and has PostGIS available (Debian's ``postgresql-15-postgis-3``).
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
from pathlib import Path

from server.broker.mosquitto import free_port

BIN = Path(os.environ.get("HAUL_PG_BIN", "/usr/lib/postgresql/15/bin"))


class PgCluster:
    def __init__(self, directory: Path):
        self.directory = Path(directory)
        self.data = self.directory / "data"
        self.port = free_port()
        self.process_user = "postgres" if os.geteuid() == 0 else None

    def _run(self, *args: str, check: bool = True, timeout: float = 120) -> subprocess.CompletedProcess:
        command = [str(BIN / args[0]), *args[1:]]
        if self.process_user:
            command = ["runuser", "-u", self.process_user, "--", *command]
        return subprocess.run(command, check=check, capture_output=True, text=True, timeout=timeout)

    def init(self) -> PgCluster:
        self.directory.mkdir(parents=True, exist_ok=True)
        if self.process_user:
            user = pwd.getpwnam(self.process_user)
            os.chown(self.directory, user.pw_uid, user.pw_gid)
            # The server's user must be able to reach its directory (a mkdtemp parent is 0700).
            for parent in self.directory.parents:
                if parent.stat().st_uid == os.geteuid() and not parent.stat().st_mode & 0o001:
                    parent.chmod(parent.stat().st_mode | 0o711)
        self._run("initdb", "-D", str(self.data), "--auth=trust", "-U", "postgres", "--encoding=UTF8",
                  "--no-sync")
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write(f"port = {self.port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = "
                       f"'{self.directory}'\nfsync = on\nsynchronous_commit = on\nmax_connections = 200\n"
                       "shared_buffers = 256MB\n")
        return self

    def start(self) -> PgCluster:
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.directory / "server.log"), "-w", "-t", "60",
                  "start")
        return self

    def stop(self, mode: str = "fast") -> None:
        """``fast``: sessions are ended, as a service restart does; ``immediate``: like a crash."""
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop", check=False)

    def restart(self, mode: str = "fast") -> None:
        self.stop(mode)
        self.start()

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def psql(self, sql: str, database: str = "postgres") -> str:
        out = subprocess.run(["psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d", database,
                              "-qtAc", sql], check=True, capture_output=True, text=True)
        return out.stdout

    def create_database(self, name: str) -> str:
        self.psql(f"CREATE DATABASE {name}")
        self.psql("CREATE EXTENSION IF NOT EXISTS postgis", database=name)
        return self.url(name)

    def destroy(self) -> None:
        self.stop("immediate")
        shutil.rmtree(self.directory, ignore_errors=True)
