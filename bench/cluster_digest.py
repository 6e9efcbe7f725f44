"""Round-ups on the cluster: two senders at once send each copy once, and a sender lost with its
node is taken over by the other node once its lease runs out, each subscriber still getting one
copy (bench/cluster.py runs it)."""

import signal
import subprocess
import time
import uuid
from collections import Counter

from cluster_browser import Browser, publish
from cluster_parts import DIGEST_LEASE_SECONDS, Cluster
from cluster_services import until

SUBSCRIBERS = 150


def sender(node, rate_per_second: float) -> subprocess.Popen:
    """`flask digest send` on a node, as its timer or an operator would start it."""
    return node.popen("digest", "send", "--rate", str(rate_per_second))


def check_digest(cluster: Cluster, editor: Browser) -> dict:
    """Two senders at once send each copy once; a sender lost with its node is taken over by the
    other node once its lease runs out, and the round-up still reaches each subscriber once."""
    a, b = cluster.a, cluster.b
    a.python(
        "db.session.execute(db.insert(models.Subscriber), [{'email': f'reader{n:04}@example.org',"
        " 'status': 'confirmed'} for n in range(int(sys.argv[1]))])\ndb.session.commit()\n",
        str(SUBSCRIBERS),
    )
    # At 30 a second the first sender is still busy when the second has started up.
    both = [sender(a, 30), sender(b, 30)]
    outputs = [process.communicate(timeout=300)[0] for process in both]
    first = latest_digest(a)
    copies = cluster.mailbox.of_digest(first)
    shown = {
        "first round-up: both senders started at once": [
            "sent" if "reached every subscriber" in out else out.strip().splitlines()[-1]
            for out in outputs
        ],
        "copies of the first per subscriber": copies_summary(copies),
    }

    publish(editor, b, b, f"Second week {uuid.uuid4().hex[:6]}")
    running = sender(a, 25)
    until(
        lambda: (
            latest_digest(a) != first
            and sum(cluster.mailbox.of_digest(latest_digest(a)).values()) >= SUBSCRIBERS // 3
        ),
        60,
    )
    # The node holding the lease is lost: its sender and its server, at once.
    running.send_signal(signal.SIGKILL)
    a.kill()
    second = latest_digest(b)
    before = sum(cluster.mailbox.of_digest(second).values())
    refused = b.flask("digest", "send", "--rate", "0", check=False)
    time.sleep(DIGEST_LEASE_SECONDS + 1)
    taken_over = b.flask("digest", "send", "--rate", "0", check=False)
    a.start()
    copies = cluster.mailbox.of_digest(second)
    shown.update(
        {
            "second round-up: copies sent before node A was killed": before,
            "sender on B at once": last_line(refused),
            f"sender on B after the lease ({DIGEST_LEASE_SECONDS} s)": last_line(taken_over),
            "copies of the second per subscriber": copies_summary(copies),
        }
    )
    return {"shown": shown, "first": cluster.mailbox.of_digest(first), "second": copies}


def last_line(done: subprocess.CompletedProcess) -> str:
    return (done.stdout + done.stderr).strip().splitlines()[-1]


def latest_digest(node) -> int:
    return int(
        node.python("print(db.session.scalar(db.select(db.func.max(models.Digest.id))) or 0)")
    )


def copies_summary(copies: Counter) -> str:
    spread = Counter(copies[f"reader{n:04}@example.org"] for n in range(SUBSCRIBERS))
    return ", ".join(f"{count} subscribers got {times}" for times, count in sorted(spread.items()))
