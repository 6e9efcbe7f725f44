"""The vendored htmx: the file is the release its name says, unaltered, and the one pages load."""

import hashlib
import re
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
JS = PROJECT_ROOT / "static" / "js"


def vendored() -> Path:
    [script] = JS.glob("htmx-*.min.js")
    return script


def test_htmx_matches_its_recorded_sha256():
    script = vendored()
    recorded, name = (script.parent / f"{script.name}.sha256").read_text().split()
    assert name == script.name
    assert hashlib.sha256(script.read_bytes()).hexdigest() == recorded


def test_htmx_file_name_carries_the_version_inside_it():
    script = vendored()
    [version] = re.findall(r'version:"([^"]+)"', script.read_text())
    assert script.name == f"htmx-{version}.min.js"


def test_base_template_loads_that_file_deferred_and_no_other_but_our_own():
    base = (PROJECT_ROOT / "templates" / "base.html").read_text()
    scripts = re.findall(r"<script\b[^>]*>", base)
    # The embeds' facade (embeds.py) is the site's own script, not a third party's.
    assert scripts == [
        f"<script src=\"{{{{ asset_url('js/{vendored().name}') }}}}\" defer>",
        "<script src=\"{{ asset_url('js/embeds.js') }}\" defer>",
    ]


def test_htmx_licence_is_beside_it():
    assert "BSD" in (JS / "htmx-LICENSE.txt").read_text()
