"""docs/settings.md's table is made from rsflask/settings.py, and kept in step by this test."""

import pytest

from rsflask import settings
from scripts import settings_reference


def test_the_settings_page_is_what_the_script_makes_of_settings_py():
    page = settings_reference.DOC.read_text(encoding="utf-8")
    assert page == settings_reference.generated(page), (
        "docs/settings.md differs from rsflask/settings.py; run"
        f" `{settings_reference.COMMAND}` to write its table again"
    )


def test_every_setting_has_a_row():
    page = settings_reference.DOC.read_text(encoding="utf-8")
    for name in (name for name in vars(settings) if name.isupper()):
        assert f"| `{name}` |" in page


def test_a_setting_without_a_comment_stops_the_script_naming_it():
    source = '"""Defaults."""\n\n# Documented.\nDOCUMENTED = 1\nUNDOCUMENTED = 2\n'
    with pytest.raises(ValueError, match="UNDOCUMENTED needs a comment"):
        settings_reference.read_settings(source, {})


def test_sizes_in_mib_are_given_beside_the_code_that_makes_them():
    assert settings_reference.written_default("4 * 1024 * 1024", 4 * 1024 * 1024) == (
        "`4 * 1024 * 1024` (4 MiB)"
    )
    assert settings_reference.written_default("10_000", 10_000) == "`10_000`"


def test_setting_names_are_code_and_angle_brackets_text_in_a_cell():
    cell = settings_reference.markdown('The MAIL_* settings, as "Name <a@b>"; `--rate N`|x')
    assert cell == 'The `MAIL_*` settings, as "Name &lt;a@b&gt;"; `--rate N`\\|x'
