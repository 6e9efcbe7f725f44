"""How long does a large WordPress export take to import, and does memory stay flat?

    .venv/bin/python bench/wordpress_import.py [--posts 10000] [--small 1000]

Writes a WXR 1.2 export of `--small` and of `--posts` generated posts (block and classic
content, headings, lists, a photo in every tenth post and a featured image in every fifth, five
authors, categories under others, tags, comments), with an uploads folder of twenty generated
pictures, then imports each into a new SQLite database with `flask import-wordpress --uploads`
in a process of its own. Prints the export's size, the import's time and the process's peak
memory (its largest resident set), which should be about the same for both sizes.
"""

import argparse
import io
import os
import random
import subprocess
import tempfile
import time
from pathlib import Path

from PIL import Image

VENV_BIN = Path(__file__).resolve().parent.parent / ".venv" / "bin"
SITE = "https://bench.example.org"
WORDS = ["harbour", "grain", "corridor", "ferry", "treaty", "customs", "quay", "ministers"]
WORDS += ["winter", "summit", "border", "ships", "queue", "sanctions", "islands", "pressure"]
AUTHORS = ["ada", "bo", "cy", "di", "ed"]
CATEGORIES = [("world", ""), ("europe", "world"), ("asia", "world"), ("economy", "")]
CATEGORIES += [("markets", "economy"), ("energy", "economy"), ("culture", ""), ("books", "culture")]


def sentence(rng: random.Random) -> str:
    words = rng.choices(WORDS, k=rng.randint(8, 18))
    return " ".join(words).capitalize() + "."


def block_body(rng: random.Random, number: int) -> str:
    parts = []
    for index in range(6):
        text = " ".join(sentence(rng) for _ in range(4))
        parts.append(f"<!-- wp:paragraph -->\n<p>{text}</p>\n<!-- /wp:paragraph -->")
        if index == 2:
            parts.append(f"<!-- wp:heading -->\n<h2>{sentence(rng)}</h2>\n<!-- /wp:heading -->")
            items = "".join(f"<li>{sentence(rng)}</li>" for _ in range(3))
            parts.append(f"<!-- wp:list -->\n<ul>{items}</ul>\n<!-- /wp:list -->")
    if number % 10 == 0:
        picture = number % 20
        parts.insert(
            1,
            f'<!-- wp:image {{"id":{900000 + picture}}} -->\n<figure class="wp-block-image">'
            f'<img src="{SITE}/wp-content/uploads/bench/picture-{picture}-1024x683.jpg" '
            f'alt="Picture {picture}" class="wp-image-{900000 + picture}"/>'
            f"<figcaption>{sentence(rng)}</figcaption></figure>\n<!-- /wp:image -->",
        )
    return "\n\n".join(parts)


def classic_body(rng: random.Random) -> str:
    return "\n\n".join(" ".join(sentence(rng) for _ in range(4)) for _ in range(6))


def item(rng: random.Random, number: int) -> str:
    body = block_body(rng, number) if number % 2 else classic_body(rng)
    category = CATEGORIES[number % len(CATEGORIES)][0]
    tags = rng.sample(range(50), 3)
    terms = f'<category domain="category" nicename="{category}">{category.title()}</category>'
    terms += "".join(
        f'<category domain="post_tag" nicename="tag-{t}"><![CDATA[Tag {t}]]></category>'
        for t in tags
    )
    month = 1 + number % 12
    meta = ""
    if number % 5 == 0:
        meta = (
            "<wp:postmeta><wp:meta_key><![CDATA[_thumbnail_id]]></wp:meta_key>"
            f"<wp:meta_value><![CDATA[{900000 + number % 20}]]></wp:meta_value></wp:postmeta>"
        )
    comments = "".join(
        f"<wp:comment><wp:comment_id>{number * 10 + c}</wp:comment_id><wp:comment_content>"
        f"<![CDATA[{sentence(rng)}]]></wp:comment_content></wp:comment>"
        for c in range(2)
    )
    return f"""<item>
<title><![CDATA[{sentence(rng)[:-1]} {number}]]></title>
<link>{SITE}/2024/{month:02}/post-{number}/</link>
<dc:creator><![CDATA[{AUTHORS[number % len(AUTHORS)]}]]></dc:creator>
<content:encoded><![CDATA[{body}]]></content:encoded>
<excerpt:encoded><![CDATA[{sentence(rng)}]]></excerpt:encoded>
<wp:post_id>{number}</wp:post_id>
<wp:post_date_gmt><![CDATA[2024-{month:02}-{1 + number % 28:02} 08:00:00]]></wp:post_date_gmt>
<wp:post_name><![CDATA[post-{number}]]></wp:post_name>
<wp:status><![CDATA[publish]]></wp:status>
<wp:post_parent>0</wp:post_parent>
<wp:post_type><![CDATA[post]]></wp:post_type>
{terms}{meta}{comments}
</item>
"""


def attachment(picture: int) -> str:
    number = 900000 + picture
    return f"""<item>
<title><![CDATA[Picture {picture}]]></title>
<wp:post_id>{number}</wp:post_id>
<wp:post_type><![CDATA[attachment]]></wp:post_type>
<wp:status><![CDATA[inherit]]></wp:status>
<wp:attachment_url><![CDATA[{SITE}/wp-content/uploads/bench/picture-{picture}.jpg]]></wp:attachment_url>
<excerpt:encoded><![CDATA[Bench picture {picture}]]></excerpt:encoded>
<wp:postmeta><wp:meta_key>_wp_attached_file</wp:meta_key>
<wp:meta_value>bench/picture-{picture}.jpg</wp:meta_value></wp:postmeta>
<wp:postmeta><wp:meta_key>_wp_attachment_image_alt</wp:meta_key>
<wp:meta_value>Generated picture {picture}</wp:meta_value></wp:postmeta>
</item>
"""


def write_export(path: Path, posts: int) -> None:
    rng = random.Random(posts)
    with path.open("w") as out:
        out.write(
            '<?xml version="1.0" encoding="UTF-8" ?>\n<rss version="2.0" '
            'xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" '
            'xmlns:wp="http://wordpress.org/export/1.2/">\n<channel>\n'
            f"<title>Bench</title><wp:wxr_version>1.2</wp:wxr_version>"
            f"<wp:base_site_url>{SITE}</wp:base_site_url>\n"
        )
        for login in AUTHORS:
            out.write(
                f"<wp:author><wp:author_login><![CDATA[{login}]]></wp:author_login>"
                f"<wp:author_display_name><![CDATA[{login.title()} Writer]]>"
                "</wp:author_display_name></wp:author>\n"
            )
        for slug, parent in CATEGORIES:
            out.write(
                f"<wp:category><wp:category_nicename><![CDATA[{slug}]]></wp:category_nicename>"
                f"<wp:category_parent><![CDATA[{parent}]]></wp:category_parent>"
                f"<wp:cat_name><![CDATA[{slug.title()}]]></wp:cat_name></wp:category>\n"
            )
        for picture in range(20):
            out.write(attachment(picture))
        for number in range(1, posts + 1):
            out.write(item(rng, number))
        out.write("</channel>\n</rss>\n")


def write_uploads(folder: Path) -> None:
    (folder / "bench").mkdir(parents=True)
    for picture in range(20):
        image = Image.new("RGB", (1600, 1067), (picture * 12, 90, 200 - picture * 8))
        out = io.BytesIO()
        image.save(out, "JPEG", quality=85)
        (folder / "bench" / f"picture-{picture}.jpg").write_bytes(out.getvalue())


def run(posts: int) -> None:
    folder = Path(tempfile.mkdtemp(prefix=f"rsflask-wordpress-{posts}-"))
    export = folder / "export.xml"
    write_export(export, posts)
    write_uploads(folder / "uploads")
    env = {**os.environ, "RSFLASK_INSTANCE_PATH": str(folder / "instance")}
    flask = [str(VENV_BIN / "flask"), "--app", "rsflask"]
    subprocess.run([*flask, "db", "upgrade"], env=env, check=True, capture_output=True)
    command = [*flask, "import-wordpress", str(export), "--uploads", str(folder / "uploads")]
    report = folder / "report.txt"
    started = time.perf_counter()
    with report.open("w") as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.DEVNULL)
        # This process's own peak, not that of the others this script started.
        _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"the import failed: see {report}")
    lines = report.read_text().splitlines()
    print(
        f"{posts:>6} posts, export {export.stat().st_size / 2**20:.0f} MB: {seconds:.0f} s "
        f"({posts / seconds:.0f} posts a second), peak memory {usage.ru_maxrss / 1024:.0f} MB"
    )
    print("       " + " ".join(line.strip() for line in lines[2:4]) + f" (report: {report})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--small", type=int, default=1_000)
    args = parser.parse_args()
    for posts in (args.small, args.posts):
        run(posts)


if __name__ == "__main__":
    main()
