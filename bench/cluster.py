"""Past one machine, shown on this one: two app nodes, one PostgreSQL, one Redis, one photo
folder and nginx balancing them (bench/cluster_parts.py), then what docs/deploy.md promises of
them, checked one by one and printed.

    .venv/bin/python bench/cluster.py [--seconds 8]

Needs nginx, wrk, redis-server and PostgreSQL's server programs (Debian: nginx wrk redis-server
postgresql). It takes two to three minutes; `--seconds` is the length of each third of the three
runs under load. tests/test_cluster.py runs the same checks and asserts what they show.
"""

import argparse
import io
import re
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter

from cluster_browser import Browser, form_fields, publish, sign_in
from cluster_digest import check_digest
from cluster_load import errors, load, post_signup, rate
from cluster_parts import Cluster
from cluster_services import until
from PIL import Image

from rsflask.settings import NGINX_CACHE_SECONDS, SIGNUP_RATE_LIMIT
from rsflask.slugs import slugify


def check_one_site(cluster: Cluster) -> dict:
    """Sessions, CSRF tokens, new and changed content and photos: every node serves the same."""
    a, b, reader = cluster.a, cluster.b, Browser()
    editor = sign_in(a)
    shown = {"signed in through A, editor home through B": editor.get(b.url + "/editor/").status}
    # The front page of B (its workers and Redis) read before the change.
    for _ in range(10):
        reader.get(b.app_url + "/")
    title = f"Harbour talks resume {uuid.uuid4().hex[:6]}"
    created, published = publish(editor, a, b, title)
    shown["new draft through A"], shown["published through B with A's form and token"] = (
        created,
        published,
    )
    slug = slugify(title)
    page = reader.get(b.url + f"/articles/{slug}")
    shown["article on B, next request"] = page.status if title in page.text else "stale"
    fronts = [title in reader.get(b.app_url + "/").text for _ in range(10)]
    shown["front page from B's gunicorn, next 10 requests"] = f"{sum(fronts)} of 10 new"
    shown["front page through B's nginx (kept NGINX_CACHE_SECONDS)"] = until(
        lambda: title in reader.get(b.url + "/").text, NGINX_CACHE_SECONDS + 5
    )

    sections = editor.get(a.url + "/editor/sections").text
    section_path = re.search(r'href="(/editor/sections/\d+)"', sections).group(1)
    fields = form_fields(editor.get(a.url + section_path).text, section_path)
    section_slug, new_name = fields["slug"], f"{fields['name']} & Beyond"
    for _ in range(10):
        reader.get(b.app_url + f"/sections/{section_slug}")
    fields["name"] = new_name
    shown["section renamed through A"] = editor.post(a.url + section_path, fields).status
    renamed = [
        new_name.replace("&", "&amp;") in reader.get(b.app_url + f"/sections/{section_slug}").text
        for _ in range(10)
    ]
    shown["section page from B's gunicorn, next 10 requests"] = f"{sum(renamed)} of 10 new"

    upload = form_fields(editor.get(a.url + "/editor/photos/upload").text, "/editor/photos/upload")
    upload["upload-alt"] = "A grey ferry tied up at an empty quay"
    picture = io.BytesIO()
    Image.new("RGB", (1600, 1000), (90, 110, 130)).save(picture, "JPEG")
    files = {"upload-photo": ("ferry.jpg", picture.getvalue(), "image/jpeg")}
    uploaded = editor.post(a.url + "/editor/photos/upload", upload, files)
    variant = re.search(r"/photos/[0-9a-f]{32}-\d+\.webp", uploaded.text).group(0)
    photo = reader.get(b.url + variant)
    shown["photo uploaded through A"] = uploaded.status
    shown["photo through B's nginx"] = f"{photo.status} {photo.headers.get('Content-Type')}"
    return {"shown": shown, "slug": slug}


def check_rate_limit(cluster: Cluster) -> dict:
    """Signups from one address, spread by the balancer over both nodes, stop at the limit."""
    # The limit counts clock hours: start well inside one.
    if 3600 - time.time() % 3600 < 30:
        time.sleep(3600 - time.time() % 3600 + 1)
    answers = []
    for number in range(SIGNUP_RATE_LIMIT + 4):
        headers: dict = {}
        status = post_signup(cluster.port, f"limit-{number}@example.org", "127.0.9.9", headers)
        answers.append((status, headers.get("X-Cluster-Node", "?")))
    accepted = [node for status, node in answers if status == 303]
    return {
        "limit": SIGNUP_RATE_LIMIT,
        "accepted": len(accepted),
        "refused": sum(status == 429 for status, _ in answers),
        "nodes answering": len({node for _, node in answers}),
        "accepted by node": dict(Counter(accepted)),
    }


def readers(slug: str) -> list[str]:
    return ["/", f"/articles/{slug}", "hx:/latest", f"hx:/articles/{slug}/more"]


def check_node_lost(cluster: Cluster, slug: str, seconds: int, connections: int = 32) -> dict:
    """Node B killed under load and started again: what readers and signups got."""
    events = [
        (seconds, "node B killed (SIGKILL: gunicorn, its workers and nginx)", cluster.b.kill),
        (2 * seconds, "node B started", cluster.b.start),
    ]
    # Starting B takes a few seconds under load (gunicorn's workers import the app): the run
    # goes on long enough after it to show both nodes serving again.
    result = load(cluster.url, cluster.port, 4 * seconds, readers(slug), events, connections)
    per_second = result["per_second"]
    result["two nodes rps"] = rate(per_second, 1, seconds)
    result["one node rps"] = rate(per_second, seconds + 1, 2 * seconds)
    back = result["events"][1][2]
    if back + 2 < 4 * seconds:
        result["two nodes again rps"] = rate(per_second, back + 1, 4 * seconds)
    else:
        # B took the rest of the run to start (a busy machine): both measured once more.
        again = load(cluster.url, cluster.port, seconds, readers(slug), [], connections)
        result["two nodes again rps"] = rate(again["per_second"], 1, seconds)
    return result


def check_redis_lost(cluster: Cluster, slug: str, seconds: int, connections: int = 32) -> dict:
    events = [
        (seconds, "Redis stopped", cluster.redis.stop),
        (2 * seconds, "Redis started (empty)", cluster.redis.start),
    ]
    result = load(cluster.url, cluster.port, 3 * seconds, readers(slug), events, connections)
    result["pages kept in Redis after"] = int(
        subprocess.run(
            ["redis-cli", "-p", str(cluster.redis.port), "dbsize"], capture_output=True, text=True
        ).stdout.strip()
        or 0
    )
    return result


def check_postgres_restarted(
    cluster: Cluster, slug: str, seconds: int, connections: int = 32
) -> dict:
    def restart() -> None:
        cluster.postgres.stop()
        time.sleep(3)
        cluster.postgres.start()

    events = [(seconds, "PostgreSQL stopped, started 3 s later", restart)]
    result = load(cluster.url, cluster.port, 3 * seconds, readers(slug), events, connections)
    result["health after"] = [
        Browser().get(node.app_url + "/healthz").status for node in (cluster.a, cluster.b)
    ]
    return result


def stored(cluster: Cluster, emails: list[str]) -> int:
    """How many of `emails` are subscribers now."""
    code = (
        "emails = sys.stdin.read().split()\nprint(db.session.scalar(db.select(db.func.count())"
        ".where(models.Subscriber.email.in_(emails))))\n"
    )
    return int(cluster.a.python(code, stdin="\n".join(emails)))


def print_load(title: str, result: dict, cluster: Cluster) -> None:
    signups = result["signups"]
    print(f"\n{title}")
    for label, begun, ended in result["events"]:
        print(f"  at {begun:5.1f} s: {label} (done at {ended} s)")
    print(
        f"  requests: {result['requests']}, p50 {result['p50_ms']:.1f} ms, "
        f"p99 {result['p99_ms']:.1f} ms; by status {result['statuses']}"
    )
    print(f"  errors readers saw: {errors(result) or 'none'}")
    print(f"  503 without Retry-After: {result['without_retry_after']}")
    print(f"  per second: {result['per_second']}")
    outcome = Counter(status for _, status in signups.answers)
    print(
        f"  signups: {dict(outcome)}; acknowledged {len(signups.acknowledged)}, stored "
        f"{stored(cluster, signups.acknowledged)}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=8)
    args = parser.parse_args()
    # Stopped by a signal as by Ctrl-C: the cluster's processes are stopped on the way out.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("stopped"))
    with Cluster(keep_files=True) as cluster:
        print(
            f"Cluster in {cluster.folder} (kept, with its logs): balancer {cluster.url}, "
            f"node A {cluster.a.url}, node B {cluster.b.url}"
        )
        one_site = check_one_site(cluster)
        print("\nOne site on two nodes")
        for label, value in one_site["shown"].items():
            print(f"  {label}: {value}")
        print(f"\nRate limit across nodes: {check_rate_limit(cluster)}")
        print("\nRound-ups")
        for label, value in check_digest(cluster, sign_in(cluster.b))["shown"].items():
            print(f"  {label}: {value}")
        slug = one_site["slug"]
        lost = check_node_lost(cluster, slug, args.seconds)
        print_load("Node B killed under load", lost, cluster)
        print(
            f"  requests a second: two nodes {lost['two nodes rps']:.0f}, one node "
            f"{lost['one node rps']:.0f}, two again {lost['two nodes again rps']:.0f}"
        )
        redis = check_redis_lost(cluster, slug, args.seconds)
        print_load("Redis stopped under load", redis, cluster)
        print(f"  pages kept in Redis again after: {redis['pages kept in Redis after']}")
        postgres = check_postgres_restarted(cluster, slug, args.seconds)
        print_load("PostgreSQL restarted under load", postgres, cluster)
        print(f"  /healthz of each node after: {postgres['health after']}")


if __name__ == "__main__":
    main()
