"""The Settings page's form: the site's name and words, its links, menus and images.

Rows of links, sections and pages are sub-forms in lists, so that adding, removing and
reordering work with plain form posts: each row has a position number and a "Remove" box, and
"Add a link" sends the form back with one more empty row.
"""

from urllib.parse import urlsplit

from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from rsflask.editor.forms import MAX_POSITION, TypedTextForm, without_control

# Empty link rows offered below the links there are, so that a link can be added without JS.
SPARE_LINK_ROWS = 2
# More link rows than this are refused: the follow list is a handful of profiles and feeds.
MAX_LINKS = 20
MAX_URL_LENGTH = 500


def stripped(value):
    return value.strip() if isinstance(value, str) else value


def check_address(value: str) -> None:
    """A web address (http or https, with a host) or a path on this site ("/feeds/all.atom").

    Nothing else: javascript: or data: addresses would run or show whatever they carry in the
    reader's browser, and "//host" is another site dressed as a path.
    """
    if value.startswith("/"):
        if value.startswith("//") or "\\" in value or any(c.isspace() for c in value):
            raise ValidationError("A path on this site starts with one / and has no spaces.")
        return
    parts = urlsplit(value)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ValidationError(
            "Use a web address starting with https:// (or http://), or a path on this site "
            "starting with /."
        )
    if any(c.isspace() for c in value):
        raise ValidationError("A web address has no spaces.")


def address(form, field) -> None:
    if field.data:
        check_address(field.data)


class LinkRow(Form):
    """One "follow us" link."""

    name = StringField("Name", filters=[without_control, stripped], validators=[Length(max=60)])
    url = StringField(
        "Address",
        filters=[without_control, stripped],
        validators=[Length(max=MAX_URL_LENGTH), address],
    )
    position = IntegerField("Position", validators=[Optional(), NumberRange(1, MAX_POSITION)])
    remove = BooleanField("Remove")

    def validate_name(self, field) -> None:
        if self.url.data and not field.data and not self.remove.data:
            raise ValidationError("Give the link a name.")

    def validate_url(self, field) -> None:
        if self.name.data and not field.data and not self.remove.data:
            raise ValidationError("Give the link an address.")


class ChoiceRow(Form):
    """One section or page of the main navigation, or one page of the footer: shown or not, and
    where."""

    item_id = HiddenField(filters=[stripped])
    shown = BooleanField("Show")
    position = IntegerField("Position", validators=[Optional(), NumberRange(1, MAX_POSITION)])


class SettingsForm(TypedTextForm):
    name = StringField(
        "Site name",
        filters=[without_control, stripped],
        validators=[DataRequired("The site needs a name."), Length(max=100)],
    )
    tagline = StringField(
        "Tagline",
        filters=[without_control, stripped],
        validators=[Length(max=200)],
        description="One line under the name in the masthead.",
    )
    description = TextAreaField(
        "Description",
        filters=[without_control, stripped],
        validators=[Length(max=300)],
        description="A sentence or two for search engines and link previews of the front page.",
    )
    links = FieldList(FormField(LinkRow), max_entries=MAX_LINKS + SPARE_LINK_ROWS + 1)
    add_link = SubmitField("Add a link")
    nav = FieldList(FormField(ChoiceRow), max_entries=1000)
    nav_pages = FieldList(FormField(ChoiceRow), max_entries=1000)
    footer_pages = FieldList(FormField(ChoiceRow), max_entries=1000)
    donate_url = StringField(
        "Donate link",
        filters=[without_control, stripped],
        validators=[Optional(), Length(max=MAX_URL_LENGTH), address],
        description="Where the masthead's Donate button leads; empty: no button.",
    )
    newsletter_blurb = TextAreaField(
        "Newsletter block text",
        filters=[without_control, stripped],
        validators=[Length(max=500)],
        description="What the newsletter block says above its signup form.",
    )
    logo = FileField(
        "Publisher logo",
        description="A PNG, JPEG or WebP image; search engines show it beside your articles.",
    )
    remove_logo = BooleanField("Remove the logo (the shipped one is used)")
    share_image = FileField(
        "Default share image",
        description="For link previews of pages without a photo; cut to 1200 by 630 pixels.",
    )
    remove_share_image = BooleanField("Remove the image (the drawn card with the name is used)")
    save = SubmitField("Save settings")

    def validate_links(self, field) -> None:
        kept = [row for row in field if row.form.url.data and not row.form.remove.data]
        if len(kept) > MAX_LINKS:
            raise ValidationError(f"At most {MAX_LINKS} links.")
