"""The servers of the cluster that are not the app (bench/cluster_parts.py): a PostgreSQL and
a Redis of the run's own, started from the machine's programs, a mail server that counts what it
receives, and the helpers that start, stop and wait for processes."""

import email
import getpass
import os
import re
import shutil
import signal
import subprocess
import time
import urllib.request
from collections import Counter
from pathlib import Path

from aiosmtpd.controller import Controller
from pages import free_port

DIGEST_MESSAGE_ID = re.compile(r"<digest-(\d+)\.\d+@")


def program(name: str) -> str:
    """A program of PostgreSQL's server (not on PATH in Debian), nginx's, or another on PATH."""
    for found in sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True):
        return str(found)
    found = shutil.which(name) or (
        f"/usr/sbin/{name}" if Path(f"/usr/sbin/{name}").exists() else None
    )
    if found is None:
        raise SystemExit(f"{name} is missing (Debian: nginx, wrk, postgresql, redis-server)")
    return found


def start(command: list, log: Path, env: dict | None = None, user: str = "") -> subprocess.Popen:
    """A process in a process group of its own, so that it and its children stop together."""
    if user:
        command = ["runuser", "-u", user, "--", *command]
    return subprocess.Popen(
        [str(part) for part in command],
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def kill(process: subprocess.Popen | None, how: int = signal.SIGTERM) -> None:
    if process is None or process.poll() is not None:
        return
    try:
        os.killpg(process.pid, how)
        process.wait(timeout=20)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=20)


def wait_for(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"nothing answered at {url} within {timeout} s")
        time.sleep(0.2)


class Mailbox:
    """A real SMTP server (aiosmtpd) that counts the round-up copies each address receives, by
    round-up (their Message-ID names it), and the other messages."""

    def __init__(self) -> None:
        self.copies: Counter = Counter()
        self.others = 0
        self.controller = Controller(self, hostname="127.0.0.1", port=free_port())

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content)
        found = DIGEST_MESSAGE_ID.match(message.get("Message-ID", ""))
        for address in envelope.rcpt_tos:
            if found:
                self.copies[(int(found.group(1)), address)] += 1
            else:
                self.others += 1
        return "250 OK"

    def of_digest(self, digest_id: int) -> Counter:
        """Copies received by each address of one round-up."""
        return Counter({a: n for (d, a), n in self.copies.items() if d == digest_id})


class Postgres:
    """A PostgreSQL server of the run's own, on a loopback port."""

    def __init__(self, folder: Path) -> None:
        self.folder, self.port = folder / "postgresql", free_port()
        # PostgreSQL refuses to run as root: its files belong to the postgres user then.
        self.user = "postgres" if os.geteuid() == 0 else ""
        self.folder.mkdir()
        if self.user:
            shutil.chown(self.folder, self.user)
        self.log = self.folder / "server.log"
        owner = self.user or getpass.getuser()
        self.url = f"postgresql+psycopg://{owner}@127.0.0.1:{self.port}/rsflask"
        self.run([program("initdb"), "-D", self.folder / "data", "-A", "trust", "-U", owner])

    def run(self, command: list) -> None:
        if self.user:
            command = ["runuser", "-u", self.user, "--", *command]
        done = subprocess.run(
            [str(p) for p in command], capture_output=True, text=True, timeout=120
        )
        if done.returncode:
            raise subprocess.CalledProcessError(done.returncode, command, done.stdout, done.stderr)

    def start(self) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1"
        self.run(
            [
                program("pg_ctl"),
                "-D",
                self.folder / "data",
                "-l",
                self.log,
                "-o",
                options,
                "-w",
                "start",
            ]
        )

    def stop(self) -> None:
        self.run([program("pg_ctl"), "-D", self.folder / "data", "-m", "fast", "-w", "stop"])

    def create_database(self) -> None:
        self.run([program("createdb"), "-h", "127.0.0.1", "-p", self.port, "rsflask"])


class Redis:
    def __init__(self, folder: Path) -> None:
        self.folder, self.port, self.process = folder, free_port(), None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        command = [
            program("redis-server"),
            "--port",
            self.port,
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            self.folder,
        ]
        self.process = start(command, self.folder / "redis.log")
        deadline = time.monotonic() + 20
        while (
            subprocess.run(
                [program("redis-cli"), "-p", str(self.port), "ping"], capture_output=True, text=True
            ).stdout.strip()
            != "PONG"
        ):
            if time.monotonic() > deadline:
                raise RuntimeError("Redis did not start")
            time.sleep(0.1)

    def stop(self) -> None:
        kill(self.process)


def until(check, seconds: float) -> float | None:
    """Seconds until check() is true, polling; None if it never was within `seconds`."""
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if check():
            return round(time.monotonic() - started, 2)
        time.sleep(0.1)
    return None
