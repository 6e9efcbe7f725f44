"""Send a round-up to 10,000 subscribers over real SMTP and print the messages per second.

    .venv/bin/python bench/newsletter.py [--subscribers 10000] [--batch-size 100] [--rate 0]

It builds a site in a temporary folder (SQLite, migrated as in production), adds confirmed
subscribers and a week of articles, starts aiosmtpd on a loopback port in a process of its own
(a handler that counts recipients and drops the messages), then runs `flask digest send` in this
process and times it. Every message is rendered, handed over SMTP and recorded, as in a real
send; only the network and the receiving server are faster than a real relay's.
"""

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import func, insert, select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rsflask import create_app
from rsflask.article_files import ArticleFile
from rsflask.article_import import save_article
from rsflask.db import db, utcnow
from rsflask.models import DigestDelivery, Subscriber

# The SMTP server, run with `python -c`: it prints its port, counts until its standard input
# closes, then prints how many messages it took and for how many distinct recipients.
SERVER = """
import sys
from aiosmtpd.controller import Controller

class Counter:
    messages, recipients = 0, set()

    async def handle_DATA(self, server, session, envelope):
        Counter.messages += 1
        Counter.recipients.update(envelope.rcpt_tos)
        return "250 2.0.0 OK"

controller = Controller(Counter(), hostname="127.0.0.1", port=int(sys.argv[1]))
controller.start()
print("ready", flush=True)
sys.stdin.read()
controller.stop()
print(Counter.messages, len(Counter.recipients), flush=True)
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--rate", type=float, default=0, help="messages per second, 0: no limit")
    args = parser.parse_args()

    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-c", SERVER, str(port)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert server.stdout.readline().strip() == "ready"
    with tempfile.TemporaryDirectory() as folder:
        os.environ["RSFLASK_INSTANCE_PATH"] = folder
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.sqlite3",
                "SITE_URL": "https://crosswind.example",
                "MAIL_SERVER": "127.0.0.1",
                "MAIL_PORT": port,
                "PAGE_CACHE_BYTES": 0,
            }
        )
        with app.app_context():
            upgrade()
            for number in range(1, 9):
                save_article(
                    ArticleFile(
                        title=f"Benchmark story {number}",
                        slug=f"benchmark-story-{number}",
                        dek="One sentence that sums it up.",
                        body="A paragraph of the story.\n\nAnother one.\n",
                        section="Europe",
                        type="Analysis",
                        authors=["Ada Writer", "Ben Reporter"],
                        published=utcnow() - timedelta(hours=number),
                    )
                )
            rows = [
                {"email": f"reader{n:05}@example.org", "status": "confirmed"}
                for n in range(args.subscribers)
            ]
            db.session.execute(insert(Subscriber), rows)
            db.session.commit()

            started = time.perf_counter()
            result = app.test_cli_runner().invoke(
                args=[
                    "digest",
                    "send",
                    "--rate",
                    str(args.rate),
                    "--batch-size",
                    str(args.batch_size),
                ]
            )
            elapsed = time.perf_counter() - started
            recorded = db.session.scalar(select(func.count()).select_from(DigestDelivery))
            db.engine.dispose()
    received, recipients = map(int, server.communicate("")[0].split())
    if result.exit_code != 0:
        sys.exit(f"digest send failed:\n{result.output}")
    assert received == recipients == recorded == args.subscribers
    print(
        f"{received} messages in {elapsed:.1f} s: "
        f"{received / elapsed:.0f} messages per second "
        f"(batch size {args.batch_size}, rate limit {args.rate or 'none'}; "
        f"each received once at the SMTP server and recorded once)"
    )


if __name__ == "__main__":
    main()
