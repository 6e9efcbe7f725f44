"""The cluster of docs/deploy.md's "Past one machine", run on this machine by bench/cluster.py:
two app nodes behind a balancer, one PostgreSQL, one Redis, one photo folder. One site on both
nodes; rate limits across them; round-ups sent once, also when a sender dies with its node; and
readers served while a node, Redis or PostgreSQL is lost under load.

One test, since the checks share the one cluster (starting it takes half a minute) and run in
order, as the script runs them. Lighter load than the script's (8 connections, 5-second phases):
the other tests run beside it.
"""

import shutil
import sys
from collections import Counter
from pathlib import Path

import pytest

from rsflask.settings import NGINX_CACHE_SECONDS, SIGNUP_RATE_LIMIT
from tests.services import unavailable

BENCH = Path(__file__).resolve().parent.parent / "bench"
SECONDS, CONNECTIONS = 5, 8


def programs_missing() -> list[str]:
    missing = [name for name in ("wrk", "redis-server", "redis-cli") if not shutil.which(name)]
    if not (shutil.which("nginx") or Path("/usr/sbin/nginx").exists()):
        missing.append("nginx")
    if not any(Path("/usr/lib/postgresql").glob("*/bin/initdb")) and not shutil.which("initdb"):
        missing.append("PostgreSQL's server programs (initdb)")
    return missing


def assert_readers_served(result: dict, cluster, allowed=("200",), cut=0) -> None:
    """No 5xx beyond `allowed`, no connection error but `cut` answers broken off, and every
    acknowledged signup stored."""
    import cluster_load

    assert set(result["statuses"]) <= set(allowed), result["statuses"]
    errors = {k: v for k, v in cluster_load.errors(result).items() if k not in allowed}
    assert errors.pop("read_errors", 0) <= cut
    assert errors == {}
    signups = result["signups"]
    assert signups.acknowledged, "no signup went through"
    import cluster as checks

    assert checks.stored(cluster, signups.acknowledged) == len(signups.acknowledged)


@pytest.mark.slow
def test_two_nodes_serve_one_site_and_survive_losing_a_node_redis_and_postgresql():
    if missing := programs_missing():
        unavailable(f"the cluster needs {', '.join(missing)}")
    sys.path.insert(0, str(BENCH))
    import cluster as checks
    from cluster_digest import SUBSCRIBERS
    from cluster_parts import DIGEST_LEASE_SECONDS, Cluster

    with Cluster() as cluster:
        one_site = checks.check_one_site(cluster)
        shown = one_site["shown"]
        assert shown["signed in through A, editor home through B"] == 200
        assert shown["new draft through A"] == 303
        assert shown["published through B with A's form and token"] == 303
        assert shown["article on B, next request"] == 200
        assert shown["front page from B's gunicorn, next 10 requests"] == "10 of 10 new"
        freshness = shown["front page through B's nginx (kept NGINX_CACHE_SECONDS)"]
        assert freshness is not None and freshness <= NGINX_CACHE_SECONDS + 1
        assert shown["section renamed through A"] == 303
        assert shown["section page from B's gunicorn, next 10 requests"] == "10 of 10 new"
        assert shown["photo uploaded through A"] == 200
        assert shown["photo through B's nginx"] == "200 image/webp"

        limited = checks.check_rate_limit(cluster)
        assert limited["accepted"] == SIGNUP_RATE_LIMIT
        assert limited["refused"] == 4
        assert limited["nodes answering"] == 2

        digest = checks.check_digest(cluster, checks.sign_in(cluster.b))
        shown = digest["shown"]
        everyone = {f"reader{n:04}@example.org" for n in range(SUBSCRIBERS)}
        assert set(digest["first"]) == everyone and set(digest["first"].values()) == {1}
        # Node A's sender was killed (SIGKILL) at a moment of its own: a copy the mail server had
        # taken before the sender could record it goes out again, with the same Message-ID
        # (digest_email.py). Every subscriber gets the round-up; at most that one gets it twice.
        second = digest["second"]
        assert set(second) == everyone and sum(second.values()) - len(everyone) <= 1
        outcomes = shown["first round-up: both senders started at once"]
        assert sorted(outcomes)[1] == "sent"
        assert sorted(outcomes)[0].startswith("Error: Another")
        assert 0 < shown["second round-up: copies sent before node A was killed"] < len(everyone)
        assert f"run this again in {DIGEST_LEASE_SECONDS} seconds" in shown["sender on B at once"]
        taken_over = shown[f"sender on B after the lease ({DIGEST_LEASE_SECONDS} s)"]
        assert taken_over == "The round-up has reached every subscriber."

        slug = one_site["slug"]
        lost = checks.check_node_lost(cluster, slug, SECONDS, CONNECTIONS)
        # A page that node B was sending at the moment it was killed is cut off: the balancer
        # retries a request on the other node only before any of its answer has gone out.
        assert_readers_served(lost, cluster, cut=1)
        assert lost["one node rps"] > 0 and lost["two nodes again rps"] > 0

        redis = checks.check_redis_lost(cluster, slug, SECONDS, CONNECTIONS)
        assert_readers_served(redis, cluster)
        # Signups are refused while their limit cannot be counted, never waved through.
        refused = Counter(status for _, status in redis["signups"].answers)
        assert set(refused) <= {303, 503}
        assert redis["pages kept in Redis after"] > 0

        postgres = checks.check_postgres_restarted(cluster, slug, SECONDS, CONNECTIONS)
        assert_readers_served(postgres, cluster, allowed=("200", "503"))
        assert postgres["without_retry_after"] == 0
        assert postgres["health after"] == [200, 200]
