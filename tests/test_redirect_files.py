"""Redirects as CSV files: the export imports again unchanged; an import reports every line
(added, changed, unchanged, refused and why); a file that is not such a CSV stores nothing."""

import re

import pytest

from rsflask import redirects
from rsflask.db import db
from rsflask.editor import redirect_files
from rsflask.models import Redirect
from tests.editor_helpers import make_user, prepare_editor_tests, sign_in, upload
from tests.test_editor_redirects import stored_redirects


@pytest.fixture(autouse=True)
def editor_tests(app, monkeypatch):
    prepare_editor_tests(app, monkeypatch)


@pytest.fixture
def editor(app, client):
    make_user("editor@example.org", role="editor")
    sign_in(client, "editor@example.org")
    return client


def send(client, data: bytes, filename: str = "redirects.csv"):
    return client.post("/editor/redirects/import", data={"file": upload(data, filename)})


def report(html: str) -> list[tuple[str, ...]]:
    """The report's rows: (line, old address, result, target or reason)."""
    table = html.split("Every line of the file", 1)[1].split("</table>", 1)[0]
    rows = [row for row in re.findall(r"<tr>(.*?)</tr>", table, re.S) if "<td" in row]
    return [
        tuple(
            re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row)
        )
        for row in rows
    ]


def test_the_export_names_each_target_as_typed_and_imports_again_unchanged(editor, add_article):
    article = add_article("Grid politics")
    redirects.add("/2019/04/grid/", article, source="wordpress")
    redirects.add("/?p=12", "/articles/grid-politics", source="wordpress")
    redirects.add("/shop/", "https://shop.example/books?a=1&b=2", status=302)
    redirects.add("/caf%C3%A9/", "/latest")
    db.session.commit()
    exported = editor.get("/editor/redirects.csv")
    assert exported.mimetype == "text/csv"
    assert "attachment" in exported.headers["Content-Disposition"]
    assert exported.text.splitlines() == [
        "old_path,target,status",
        "/2019/04/grid/,/articles/grid-politics,301",
        "/?p=12,/articles/grid-politics,301",
        "/caf%C3%A9/,/latest,301",
        "/shop/,https://shop.example/books?a=1&b=2,302",
    ]
    before = stored_redirects()
    response = send(editor, exported.data)
    assert response.status_code == 200
    assert [row[2] for row in report(response.text)] == ["unchanged"] * 4
    assert "0 added, 0 changed, 4 unchanged, 0 refused." in response.text
    assert stored_redirects() == before


def test_an_import_reports_every_line_and_stores_all_but_the_refused(editor):
    redirects.add("/changed/", "/latest")
    db.session.commit()
    data = (
        "\ufeffOld_Path,Target,Status\n"
        "/2019/04/post/,/latest,\n"
        "/changed/,/search,302\n"
        "/latest,/,301\n"
        "/loop,/loop/,301\n"
        "/shop/,javascript:alert(1),301\n"
        "/temp/,/latest,307\n"
        "\n"
        "/2019/04/post,/search,301\n"
        '"/with,comma/",/latest,301\n'
    ).encode()
    response = send(editor, data)
    assert response.status_code == 200
    rows = report(response.text)
    assert [row[:3] for row in rows] == [
        ("2", "/2019/04/post/", "added"),
        ("3", "/changed/", "changed"),
        ("4", "/latest", "refused"),
        ("5", "/loop", "refused"),
        ("6", "/shop/", "refused"),
        ("7", "/temp/", "refused"),
        ("9", "/2019/04/post", "refused"),
        ("10", "/with,comma/", "added"),
    ]
    why = {row[1]: row[3] for row in rows}
    assert "is a live address of the site" in why["/latest"]
    assert "would make a loop" in why["/loop"]
    assert "must be a path on this site" in why["/shop/"]
    assert "status is 307, not 301 or 302" in why["/temp/"]
    assert "the same old address as line 2" in why["/2019/04/post"]
    assert stored_redirects() == {
        "/2019/04/post/": ("/latest", 301, "csv"),
        "/changed/": ("/search", 302, "csv"),
        "/with,comma/": ("/latest", 301, "csv"),
    }


def test_lines_of_one_file_may_chain_and_are_stored_without_chains(editor):
    response = send(editor, b"old_path,target,status\n/a,/b,301\n/b,/latest,301\n")
    assert [row[2] for row in report(response.text)] == ["added", "added"]
    assert stored_redirects() == {
        "/a": ("/latest", 301, "csv"),
        "/b": ("/latest", 301, "csv"),
    }


@pytest.mark.parametrize(
    ("data", "filename", "status", "message"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00", "picture.csv", 422, "not UTF-8 text"),
        (b"email,status\na@example.org,confirmed\n", "list.csv", 422, "not a file of redirects"),
        (b"", "empty.csv", 422, "not a file of redirects"),
        (b"old_path,target\n/a,/latest\n/b,\x00/latest\n", "nul.csv", 422, "not a text file"),
        (b'old_path,target\n"/a,/latest\n', "quote.csv", 422, "not valid CSV"),
        (b"<html><body>Not CSV</body></html>", "page.html", 422, "not a file of redirects"),
    ],
)
def test_a_file_that_is_not_a_csv_of_redirects_stores_nothing(
    editor, data, filename, status, message
):
    response = send(editor, data, filename)
    assert response.status_code == status
    error = re.search(r'<p class="field-error" id="file-error">([^<]*)</p>', response.text)
    assert error and message in error.group(1)
    assert stored_redirects() == {}


def test_too_large_a_file_stores_nothing(editor, monkeypatch):
    lines = "".join(f"/old/{number},/latest,301\n" for number in range(30))
    monkeypatch.setattr(redirect_files, "MAX_LINES", 20)
    response = send(editor, ("old_path,target,status\n" + lines).encode())
    assert response.status_code == 413 and "more than 20 lines" in response.text
    response = send(editor, b"old_path,target,status\n" + b"/x" * redirect_files.MAX_BYTES)
    limit = f"larger than {redirect_files.MAX_BYTES // 1024} KB"
    assert response.status_code == 413 and limit in response.text
    assert stored_redirects() == {}


def test_a_missing_file_is_asked_for(editor):
    response = editor.post("/editor/redirects/import", data={})
    assert response.status_code == 422 and "Choose a CSV file to import." in response.text
    assert editor.get("/editor/redirects/import").status_code == 200
    assert db.session.scalar(db.select(Redirect)) is None
