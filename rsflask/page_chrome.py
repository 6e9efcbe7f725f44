"""The masthead, the sidebar and the footer around every reader's page, each rendered once per
content generation in each worker and reused by every page that the page cache misses.

Each is made from the shared parts (shared_parts.py) and the few facts about the request it
shows, which are its key: the masthead marks the section or page being read and names the front
page in an h1; the sidebar leaves out LATEST on the LATEST page and QIOSK where the page has none.
The templates read nothing else of the request, so what one page made is right for the next.
"""

from flask import Flask, request, url_for
from markupsafe import Markup

from rsflask.pages import nav_pages, page_url
from rsflask.reader import section_url
from rsflask.shared_parts import kept
from rsflask.templating import nav_sections, template_html


def rendered(template_name: str, **facts) -> Markup:
    """`template_name` rendered with `facts`, once per content generation for those facts."""

    def render() -> Markup:
        return template_html(template_name, **facts)

    # A database that fails keeps nothing: the part is rendered for this page alone.
    html = kept(f"{template_name} {sorted(facts.items())}", render, fallback=None)
    return html if html is not None else render()


def masthead() -> Markup:
    here = request.script_root + request.path
    in_nav = kept("masthead links", masthead_links, fallback=frozenset())
    return rendered(
        "_masthead.html",
        is_front=request.endpoint == "reader.index",
        with_search=request.blueprint != "search",
        current=here if here in in_nav else "",
    )


def masthead_links() -> frozenset[str]:
    """The addresses the masthead's navigation links to."""
    links = {url_for("reader.latest")}
    links.update(section_url(section.slug) for section in nav_sections())
    links.update(page_url(page) for page in nav_pages())
    return frozenset(links)


def sidebar(with_qiosk: bool = True) -> Markup:
    return rendered(
        "reader/_sidebar.html",
        with_latest=request.endpoint != "reader.latest",
        with_qiosk=with_qiosk,
    )


def footer() -> Markup:
    return rendered("_footer.html")


def init_app(app: Flask) -> None:
    app.add_template_global(masthead)
    app.add_template_global(sidebar)
    app.add_template_global(footer)
