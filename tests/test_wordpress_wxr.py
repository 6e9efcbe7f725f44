"""Reading WordPress exports: the real one WordPress wrote, hostile and broken files, and the
memory a large one takes."""

import tracemalloc
from collections import Counter
from pathlib import Path

import pytest

from rsflask.wordpress.wxr import Export, WXRError

DATA = Path(__file__).parent / "data" / "wordpress"


def test_the_export_wordpress_wrote_is_read_item_by_item():
    export = Export(DATA / "export.xml")
    items = {item.post_id: item for item in export.items()}
    assert Counter(item.post_type for item in items.values()) == {
        "post": 14,
        "attachment": 8,
        "page": 3,
        "nav_menu_item": 3,
        "briefing": 1,
        "wp_block": 1,
    }
    channel = export.channel
    assert channel.version == "1.2"
    assert channel.base_site_url == "https://old.example.org"
    assert channel.authors == {
        "mhartwell": "Mara Hartwell",
        "jokafor": "Joel Okafor-Lind",
        "imarangoni": "Inès Marangoni",
    }
    assert channel.categories["europe"].parent == "world"
    assert channel.tags["ports-shipping"].name == "Ports & Shipping"
    accord = items[13]
    assert accord.title == "The Harbour Accord, one year on"
    assert accord.post_name == "harbour-accord-one-year"
    assert accord.post_date_gmt == "2024-03-04 09:15:00"
    assert accord.excerpt.startswith("A year after Valdoria")
    assert accord.meta_value("_thumbnail_id") == "4"
    assert accord.comments == 4 and accord.sticky
    assert ("category", "europe", "Europe") in accord.terms
    assert ("post_tag", "ports-shipping", "Ports & Shipping") in accord.terms
    # A value holding "]]>" is split over two CDATA sections, and read whole.
    assert "sources&#91;figure&#91;1]]>=2" in items[25].content
    assert items[4].attachment_url.endswith("/2024/03/harbour-dusk.jpg")


def test_a_wxr_1_0_export_is_read_with_its_own_namespaces():
    export = Export(DATA / "hand" / "wxr-1.0.xml")
    [item] = list(export.items())
    assert export.channel.version == "1.0"
    assert item.post_type == "post" and item.post_name == "ferry-talks-resume"
    # Its categories are listed twice, once without a domain; its tags' domain is "tag".
    assert item.terms == [
        ("category", "europe", "Europe"),
        ("post_tag", "", "diplomacy"),
        ("post_tag", "diplomacy", "diplomacy"),
    ]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("truncated.xml", "not a complete export: the file ends at line"),
        ("billion-laughs.xml", "the file declares a DTD or entities"),
        ("external-entity.xml", "the file declares a DTD or entities"),
        ("wxr-9.9.xml", "WXR version '9.9' is unknown"),
        ("wordpress-feed.xml", "not a WordPress export: an RSS feed without"),
    ],
)
def test_a_file_that_is_not_a_readable_export_is_refused_with_the_reason(name, message):
    with pytest.raises(WXRError, match=message.replace("(", r"\(")):
        list(Export(DATA / "hand" / name).items())


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "not a complete export"),
        ("<html><body>Not found</body></html>", "not a WordPress export: it is a <html> document"),
        (
            '<rss xmlns:wp="http://wordpress.org/export/1.2/"><channel><item></channel></rss>',
            "not well-formed XML at line 1, column 67: mismatched tag",
        ),
        (
            '<rss xmlns:wp="http://wordpress.org/export/1.2/"><channel></channel></rss>',
            "it has no <wp:wxr_version>",
        ),
    ],
)
def test_hand_written_broken_files_are_refused(tmp_path, text, message):
    path = tmp_path / "export.xml"
    path.write_text(text)
    with pytest.raises(WXRError, match=message.replace("(", r"\(")):
        list(Export(path).items())


def test_an_external_entity_is_never_read(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET")
    export = (DATA / "hand" / "external-entity.xml").read_text()
    path = tmp_path / "export.xml"
    path.write_text(export.replace("file:///etc/passwd", secret.as_uri()))
    with pytest.raises(WXRError) as refused:
        list(Export(path).items())
    assert "TOP SECRET" not in str(refused.value)


def write_export(path: Path, posts: int) -> None:
    body = "<p>" + "Words of a long post. " * 200 + "</p>"
    with path.open("w") as file:
        file.write(
            '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
            'xmlns:wp="http://wordpress.org/export/1.2/"><channel>'
            "<wp:wxr_version>1.2</wp:wxr_version>"
        )
        for number in range(1, posts + 1):
            file.write(
                f"<item><title>Post {number}</title><wp:post_id>{number}</wp:post_id>"
                f"<content:encoded><![CDATA[{body}]]></content:encoded>"
                "<wp:post_type>post</wp:post_type></item>\n"
            )
        file.write("</channel></rss>\n")


def test_memory_stays_flat_however_long_the_export(tmp_path):
    path = tmp_path / "large.xml"
    write_export(path, 4000)
    size = path.stat().st_size
    tracemalloc.start()
    try:
        count = sum(1 for _ in Export(path).items())
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 4000
    assert size > 15_000_000
    # Held at once: an item or two and the parser's buffers, not the file.
    assert peak < 2_000_000
