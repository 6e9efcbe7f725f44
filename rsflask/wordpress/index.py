"""The first reading of an export: what the second needs to know before it meets a post (the
media library, reusable blocks, which page is under which), and what is not imported at all."""

from collections import Counter
from dataclasses import dataclass, field

from rsflask.wordpress.report import Report
from rsflask.wordpress.wxr import Attachment, Item

IMPORTED = ("post", "page")
# Statuses of posts and pages that are not content: WordPress's unsaved drafts.
NOT_CONTENT = ("auto-draft", "inherit")
SKIPPED = {
    "attachment": "attachments as items of their own (their images come in with the posts "
    "that show them)",
    "nav_menu_item": "menu items (set the site's navigation on its pages in the editor)",
    "wp_block": "reusable blocks as items of their own (they are put into the posts that use them)",
    "revision": "revisions",
}
# Post types of WordPress itself (besides wp_...) that hold settings and caches, not content.
SITE_DATA = {"custom_css", "customize_changeset", "oembed_cache", "user_request"}
# Post meta of WordPress itself; any other key is a plugin's.
CORE_META = {"_thumbnail_id", "_edit_lock", "_edit_last", "_pingme", "_encloseme", "footnotes"}
CORE_META_PREFIXES = ("_wp_", "_menu_item_", "_oembed_")
# Taxonomies an importer reads or knows to have nothing for the site.
KNOWN_TAXONOMIES = {"category", "post_tag", "nav_menu", "post_format"}


@dataclass
class Index:
    """Small whatever the export's size: no post's text is kept."""

    attachments: dict[int, Attachment] = field(default_factory=dict)
    reusable: dict[int, str] = field(default_factory=dict)
    page_parents: dict[int, int] = field(default_factory=dict)
    # Posts and pages to import, top-level pages and posts first, then pages with a parent.
    first_round: int = 0
    second_round: int = 0
    statuses: Counter = field(default_factory=Counter)

    def add(self, item: Item, report: Report) -> None:
        if item.comments:
            report.skipped["comments (the site has no comments)"] += item.comments
        if item.post_type == "attachment":
            self.attachments[item.post_id] = Attachment.from_item(item)
        elif item.post_type == "wp_block":
            self.reusable[item.post_id] = item.content
        if item.post_type not in IMPORTED:
            report.skipped[what_it_is(item.post_type)] += 1
            return
        if item.status in NOT_CONTENT:
            report.skipped[f"{item.post_type}s that WordPress saved as {item.status}"] += 1
            return
        if item.post_type == "page":
            self.page_parents[item.post_id] = item.parent
        if is_second_round(item):
            self.second_round += 1
        else:
            self.first_round += 1
        for key, values in item.meta.items():
            if key not in CORE_META and not key.startswith(CORE_META_PREFIXES):
                report.skipped[f"values of the plugin data {key} (post meta)"] += len(values)
        for domain, _, _ in item.terms:
            if domain not in KNOWN_TAXONOMIES:
                report.skipped[f"terms of the taxonomy {domain}"] += 1


def is_second_round(item: Item) -> bool:
    """Pages with a parent are imported after every other item, so that their parent is there."""
    return item.post_type == "page" and item.parent != 0


def is_imported(item: Item) -> bool:
    return item.post_type in IMPORTED and item.status not in NOT_CONTENT


def what_it_is(post_type: str) -> str:
    if post_type in SKIPPED:
        return SKIPPED[post_type]
    if post_type in SITE_DATA or post_type.startswith("wp_"):
        return f"items of WordPress's own settings and templates ({post_type})"
    return f"items of the custom post type {post_type!r} (a plugin's or a theme's)"
