"""Where the page cache keeps rendered pages: each worker's memory, or Redis shared by all.

Every app server that shares one Redis shares its pages too, so a change costs one render for the
whole site instead of one per worker. An entry is only ever used while its generation is current
(page_cache.py), so sharing never serves a stale page. Entries are JSON and bytes, never pickles:
whoever can write to Redis must not be able to run code in the app.
"""

import hashlib
import json
import logging
import time
from collections import OrderedDict
from dataclasses import asdict, dataclass

log = logging.getLogger(__name__)

# The Python objects around an entry's text (header tuples, the key, the LRU's links), measured
# with tracemalloc: about 1.3 KB.
ENTRY_OVERHEAD = 1536


@dataclass
class Entry:
    generation: int
    valid_until: float
    status: str
    headers: list[tuple[str, str]]
    body: bytes
    etag: str | None
    # A stored redirect's answer: each hit served is counted under this id (redirect_lookup.py).
    redirect_id: int | None = None

    @property
    def cost(self) -> int:
        """The memory the entry takes, about: small pages cost as much again in bookkeeping."""
        headers = sum(len(name) + len(value) for name, value in self.headers)
        return len(self.body) + headers + ENTRY_OVERHEAD


class MemoryStore:
    """A bounded LRU of entries in this process."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self.entries: OrderedDict[tuple, Entry] = OrderedDict()

    def get(self, key: tuple) -> Entry | None:
        entry = self.entries.get(key)
        if entry is not None:
            self.entries.move_to_end(key)
        return entry

    def keep(self, key: tuple, entry: Entry) -> None:
        cost = entry.cost
        if cost > self.max_bytes // 10:
            return
        old = self.entries.pop(key, None)
        self.size += cost - (old.cost if old else 0)
        self.entries[key] = entry
        while self.size > self.max_bytes and self.entries:
            _, dropped = self.entries.popitem(last=False)
            self.size -= dropped.cost


class RedisStore:
    """Entries as Redis hashes that expire with the entry; Redis's own maxmemory policy bounds
    them (docs/deploy.md). Redis down means a miss, never an error page: the app renders."""

    def __init__(self, client, site: str) -> None:
        import redis

        self.client = client
        self.errors = (redis.RedisError, OSError)
        # Two sites on one Redis (production and staging) never meet: their generations are
        # numbers that both count up from the same start.
        self.prefix = f"rsflask:page:{site}:"

    def name(self, key: tuple) -> str:
        return self.prefix + hashlib.sha256(json.dumps(key).encode()).hexdigest()

    def get(self, key: tuple) -> Entry | None:
        try:
            stored = self.client.hgetall(self.name(key))
        except self.errors as error:
            log.warning("page cache: Redis unavailable, rendering: %s", error)
            return None
        try:
            meta = json.loads(stored[b"meta"])
            meta["headers"] = [tuple(header) for header in meta["headers"]]
            return Entry(**meta, body=stored[b"body"])
        except (KeyError, TypeError, ValueError):
            # Not an entry this code wrote (another version's, or damaged): a miss.
            return None

    def keep(self, key: tuple, entry: Entry) -> None:
        lifetime_ms = int((entry.valid_until - time.time()) * 1000)
        if lifetime_ms <= 0:
            return
        meta = {k: v for k, v in asdict(entry).items() if k != "body"}
        name = self.name(key)
        try:
            with self.client.pipeline() as pipeline:
                pipeline.hset(name, mapping={"meta": json.dumps(meta), "body": entry.body})
                pipeline.pexpire(name, lifetime_ms)
                pipeline.execute()
        except self.errors as error:
            log.warning("page cache: Redis unavailable, page not kept: %s", error)
