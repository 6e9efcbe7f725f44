"""Load through the balancer while something happens to the cluster: wrk reading pages and
fragments (bench/paths_load.lua), a trickle of newsletter signups beside it, and events (a node
killed, Redis stopped, PostgreSQL restarted) at set seconds."""

import http.client
import json
import subprocess
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

LUA = Path(__file__).with_name("paths_load.lua")
CONNECTIONS = 32


@dataclass
class Signups:
    """One signup every `interval` seconds, each from an address of its own (127.0.x.y: the whole
    of 127/8 is the loopback), so that the hourly limit per address never refuses one."""

    port: int
    interval: float = 0.25
    # (email, status) of each, in order.
    answers: list[tuple[str, int]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self) -> None:
        number = 0
        while not self.stopping.wait(self.interval):
            number += 1
            address = f"127.0.{100 + number // 250}.{1 + number % 250}"
            email = f"trickle-{int(time.time())}-{number}@example.org"
            self.answers.append((email, post_signup(self.port, email, address)))

    @property
    def acknowledged(self) -> list[str]:
        return [email for email, status in self.answers if status == 303]


def post_signup(port: int, email: str, source: str, headers: dict | None = None) -> int:
    """The signup form posted as a browser posts it from the site's page; the status."""
    body = urllib.parse.urlencode({"email": email, "website": ""})
    connection = http.client.HTTPConnection(
        "127.0.0.1", port, timeout=15, source_address=(source, 0)
    )
    try:
        connection.request(
            "POST",
            "/newsletter",
            body,
            {
                "Content-Type": "application/x-www-form-urlencoded",
                "Sec-Fetch-Site": "same-origin",
                **(headers or {}),
            },
        )
        response = connection.getresponse()
        response.read()
        if headers is not None:
            headers.clear()
            headers.update(response.getheaders())
        return response.status
    except OSError:
        return 0
    finally:
        connection.close()


def load(
    url: str,
    port: int,
    seconds: int,
    paths: list[str],
    events: list[tuple[float, str, Callable[[], None]]],
    connections: int = CONNECTIONS,
) -> dict:
    """wrk for `seconds` against `url`, with the signups, running each event at its second."""
    command = [
        "wrk",
        "-t2",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "-s",
        LUA,
        url,
        "--",
        *paths,
    ]
    wrk = subprocess.Popen([str(part) for part in command], stdout=subprocess.PIPE, text=True)
    signups = Signups(port)
    signups.thread.start()
    started, happened = time.time(), []
    try:
        for at, label, action in events:
            time.sleep(max(0.0, started + at - time.time()))
            begun = time.time() - started
            action()
            happened.append((label, round(begun, 1), round(time.time() - started, 1)))
        output, _ = wrk.communicate(timeout=seconds + 120)
    finally:
        if wrk.poll() is None:
            wrk.kill()
        signups.stopping.set()
        signups.thread.join()
    line = next(line for line in output.splitlines() if line.startswith("RESULT "))
    result = json.loads(line.removeprefix("RESULT "))
    first = int(started)
    result["per_second"] = [
        result["seconds"].get(str(second), 0) for second in range(first, first + seconds + 1)
    ]
    result["events"] = happened
    result["signups"] = signups
    return result


def rate(per_second: list[int], start: float, end: float) -> float:
    """Requests a second over whole seconds from `start` to `end` of the run."""
    window = per_second[int(start) : int(end)]
    return sum(window) / len(window) if window else 0.0


def errors(result: dict) -> dict:
    """What readers got that was not a page: 5xx by status, and connection errors."""
    found = {status: n for status, n in result["statuses"].items() if status.startswith("5")}
    for kind in ("connect_errors", "read_errors", "write_errors", "timeouts"):
        if result[kind]:
            found[kind] = result[kind]
    return found
