"""What an import did, item by item, and the report printed at its end."""

from collections import Counter
from dataclasses import dataclass, field

# What happened to an article or a page, in the order the report lists them.
OUTCOMES = {
    "created": "created",
    "updated": "updated",
    "unchanged": "unchanged since the last import",
    "kept": "left as editors changed them",
    "failed": "not imported",
}
STATUS_ORDER = ("published", "scheduled", "review", "draft", "trash")


@dataclass
class Report:
    # (kind, outcome, status) -> how many: ("article", "created", "published").
    counts: Counter = field(default_factory=Counter)
    # What was not imported, by what it is ("comments", "menu items", ...).
    skipped: Counter = field(default_factory=Counter)
    # (item, what was changed or left out, and why), in the order met.
    notes: list[tuple[str, str]] = field(default_factory=list)
    # (item, image address, reason).
    missing: list[tuple[str, str, str]] = field(default_factory=list)
    # (old path, new path).
    redirects: list[tuple[str, str]] = field(default_factory=list)

    def count(self, kind: str, outcome: str, status: str) -> None:
        self.counts[kind, outcome, status] += 1

    def note(self, item: str, message: str) -> None:
        self.notes.append((item, message))

    def lines(self, heading: str) -> list[str]:
        lines = [heading, ""]
        for kind, plural in (("article", "Articles"), ("page", "Pages")):
            total = sum(n for (k, _, _), n in self.counts.items() if k == kind)
            lines.append(f"{plural}: {total}")
            for outcome, words in OUTCOMES.items():
                by_status = {
                    s: n for (k, o, s), n in self.counts.items() if (k, o) == (kind, outcome)
                }
                if by_status:
                    shown = ", ".join(f"{by_status[s]} {s}" for s in ordered(by_status))
                    lines.append(f"  {words}: {sum(by_status.values())} ({shown})")
        lines.append("")
        lines.append("Not imported:" if self.skipped else "Not imported: nothing")
        for what, number in sorted(self.skipped.items()):
            lines.append(f"  {number} {what}")
        lines += self.section("Changed or left out", [f"{i}: {m}" for i, m in self.notes])
        lines += self.section(
            "Missing images (the items were imported without them)",
            [f"{item}: {url}: {reason}" for item, url, reason in self.missing],
        )
        lines += self.section(
            "Redirects (old address -> new)", [f"{old} -> {new}" for old, new in self.redirects]
        )
        return lines

    @staticmethod
    def section(title: str, entries: list[str]) -> list[str]:
        if not entries:
            return ["", f"{title}: none"]
        return ["", f"{title}: {len(entries)}", *(f"  {entry}" for entry in entries)]


def ordered(statuses) -> list[str]:
    return sorted(statuses, key=lambda s: (STATUS_ORDER.index(s) if s in STATUS_ORDER else 99, s))
