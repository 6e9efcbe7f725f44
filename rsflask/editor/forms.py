"""The editors' forms (Flask-WTF: CSRF on every one).

All the editor's forms in one place, as Flask-WTF projects keep them: each class is short, and
the shared pieces (the typed-text base, slug and position rules) sit above them. Past 300 lines
for that reason: split by form, the shared rules would be imported back into every piece.
"""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    EmailField,
    HiddenField,
    PasswordField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    AnyOf,
    DataRequired,
    Email,
    EqualTo,
    Length,
    Optional,
    Regexp,
    ValidationError,
)

from rsflask.canonical import canonical_problem
from rsflask.markup_budget import MAX_CHARACTERS
from rsflask.models.accounts import ROLES
from rsflask.models.pages import PAGE_TYPES
from rsflask.slugs import MAX_SLUG_LENGTH, SLUG_PATTERN
from rsflask.text import drop_control
from rsflask.times import OffTheCalendar, utc_from_local

MIN_PASSWORD_LENGTH = 12
# Menu positions are small numbers; a bound keeps absurd ones from overflowing the column.
MAX_POSITION = 1_000_000
slug_rules = [
    Optional(),
    Length(max=MAX_SLUG_LENGTH),
    Regexp(SLUG_PATTERN.pattern + "$", message="Use lowercase letters, digits and single hyphens."),
]


def without_control(value):
    return drop_control(value) if isinstance(value, str) else value


class TypedTextForm(FlaskForm):
    """A form whose text fields drop control characters as they are read.

    What an editor types ends up in the feeds and sitemaps, which are XML and cannot carry them.
    Passwords stay exactly as typed, or one set here could never be typed at sign-in.
    """

    class Meta:
        def bind_field(self, form, unbound_field, options):
            field_class = unbound_field.field_class
            if issubclass(field_class, StringField) and not issubclass(field_class, PasswordField):
                filters = (*unbound_field.kwargs.get("filters", ()), without_control)
                options = {**options, "filters": filters}
            return super().bind_field(form, unbound_field, options)


def on_the_calendar(form, field) -> None:
    """A typed time must have a UTC equivalent, which is what is stored."""
    if field.data is not None:
        try:
            utc_from_local(field.data)
        except OffTheCalendar as error:
            raise ValidationError(f"{error}: choose another time.") from error


def a_canonical_address(form, field) -> None:
    if (problem := canonical_problem(field.data or "")) is not None:
        raise ValidationError(problem)


class LocalTimeField(DateTimeLocalField):
    """A time typed in the site's time zone, in an <input type="datetime-local">.

    Its value attribute holds the time as HTML writes it (a four-digit year at least), never
    the text as typed: text that is no time (sent by a browser without a date picker, or by
    hand) would make the page invalid HTML, and browsers drop it anyway. The error quotes it.
    """

    def process_formdata(self, valuelist: list[str]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            typed = valuelist[0][:40]
            raise ValueError(
                f"“{typed}” is not a date and time, such as 2026-11-20 09:30."
            ) from error

    def _value(self) -> str:
        if self.data is None:
            return ""
        return f"{self.data.year:04}-{self.data:%m-%dT%H:%M}"


class SignInForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=320)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=1000)])
    remember = BooleanField("Keep me signed in on this device (30 days)")
    next = HiddenField()


class PasswordForm(FlaskForm):
    current = PasswordField("Current password", validators=[DataRequired()])
    new = PasswordField(
        "New password",
        validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=1000)],
        description=(
            f"At least {MIN_PASSWORD_LENGTH} characters. A phrase of several words is good."
        ),
    )
    confirm = PasswordField(
        "New password again", validators=[EqualTo("new", message="The two passwords differ.")]
    )


class UserForm(TypedTextForm):
    email = EmailField("Email", validators=[DataRequired(), Email(), Length(max=320)])
    name = StringField("Name", validators=[Length(max=200)])
    role = SelectField("Role", choices=[SelectChoice(role, role.capitalize()) for role in ROLES])
    active = BooleanField("Can sign in", default=True)
    password = PasswordField(
        "Password",
        validators=[Optional(), Length(min=MIN_PASSWORD_LENGTH, max=1000)],
        description="Leave empty to keep the current password.",
    )


class ArticleForm(TypedTextForm):
    title = StringField("Title", validators=[DataRequired(), Length(max=300)])
    slug = StringField(
        "Slug",
        validators=slug_rules,
        description="The article's address. Made from the title when left empty.",
    )
    dek = TextAreaField("Dek", validators=[Length(max=500)], description="One sentence.")
    article_type = SelectField("Type", coerce=int)
    section = SelectField("Section", coerce=int)
    tags = StringField("Tags", validators=[Length(max=1000)], description="Separated by commas.")
    authors = StringField(
        "Authors",
        validators=[Length(max=1000)],
        description="Separated by commas, in byline order.",
    )
    body = TextAreaField("Body (Markdown)", validators=[Length(max=MAX_CHARACTERS)])
    photo = FileField("Top photo", description="JPEG, PNG or WebP.")
    photo_alt = StringField(
        "Photo alt text",
        validators=[Length(max=500)],
        description="What the photo shows, for readers who cannot see it. Required with a photo.",
    )
    photo_credit = StringField("Photo credit", validators=[Length(max=300)])
    remove_photo = BooleanField("Remove the top photo")
    published_at = LocalTimeField(
        "Publish time",
        validators=[Optional(), on_the_calendar],
        format="%Y-%m-%dT%H:%M",
    )
    # Search and social: each hint says where the field shows.
    social_title = StringField(
        "Social title",
        validators=[Length(max=300)],
        description="The title of link previews on social sites and in messengers, instead of "
        "the headline. The page and search results keep the headline.",
    )
    social_description = TextAreaField(
        "Social description",
        validators=[Length(max=500)],
        description="The text of link previews, instead of the dek (or the opening words).",
    )
    social_image = FileField(
        "Social image",
        description="JPEG, PNG or WebP. The picture of link previews and of the article in "
        "search engines' data, instead of the top photo. Not shown on the page.",
    )
    remove_social_image = BooleanField("Remove the social image")
    canonical_url = StringField(
        "Canonical URL",
        validators=[Length(max=500), a_canonical_address],
        description="Only for a piece first published elsewhere: its address there. Search "
        "engines and link previews then point to that page, and this one leaves the sitemaps.",
    )
    noindex = BooleanField(
        "Hide from search engines",
        description="Asks search engines not to list this article, and leaves it out of the "
        "sitemaps. Readers still find it on the site.",
    )
    version = HiddenField()
    save = SubmitField("Save draft")
    preview = SubmitField("Preview")
    publish = SubmitField("Publish")
    submit_review = SubmitField("Submit for review")


class NameSlugForm(TypedTextForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=100)])
    slug = StringField("Slug", validators=slug_rules, description="Made from the name when empty.")


def a_position(form, field) -> None:
    """A place in an order, typed as text so that anything typed comes back with a message."""
    # A number when the form was filled from the stored row and the field was not sent.
    value = "" if field.data is None else str(field.data).strip()
    if not (value.isascii() and value.isdigit() and int(value) <= MAX_POSITION):
        raise ValidationError(f"A whole number, from 0 to {MAX_POSITION}.")


class SectionForm(NameSlugForm):
    description = TextAreaField("Description", validators=[Length(max=2000)])
    position = StringField("Position in the menu", default="100", validators=[a_position])


class AuthorForm(NameSlugForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    role_line = StringField(
        "Role line",
        validators=[Length(max=200)],
        description="Under the name on the author page and the masthead, e.g. Contributing writer.",
    )
    is_staff = BooleanField("Staff member", description="Listed first on the masthead (/authors).")
    staff_position = StringField(
        "Staff order",
        default="100",
        validators=[a_position],
        description="Lowest first among the staff; equal ones go by name.",
    )
    bio = TextAreaField("Short bio", validators=[Length(max=2000)])
    photo = FileField("Photo", description="JPEG, PNG or WebP.")
    remove_photo = BooleanField("Remove photo")


class AutosaveForm(TypedTextForm):
    """The article form's fields but the photo, which autosave keeps while the editor types.

    Only lengths are checked: half-typed text (an empty title, a slug ending in a hyphen) is
    what autosave is for. A missing type or section (a page loaded before autosave kept them)
    is None rather than an error, while a forged one is refused.
    """

    title = StringField(validators=[Length(max=300)])
    slug = StringField(validators=[Length(max=MAX_SLUG_LENGTH)])
    dek = TextAreaField(validators=[Length(max=500)])
    article_type = SelectField(coerce=int, validators=[Optional()])
    section = SelectField(coerce=int, validators=[Optional()])
    tags = StringField(validators=[Length(max=1000)])
    authors = StringField(validators=[Length(max=1000)])
    body = TextAreaField(validators=[Length(max=MAX_CHARACTERS)])
    photo_alt = StringField(validators=[Length(max=500)])
    photo_credit = StringField(validators=[Length(max=300)])
    published_at = LocalTimeField(validators=[Optional(), on_the_calendar], format="%Y-%m-%dT%H:%M")
    social_title = StringField(validators=[Length(max=300)])
    social_description = TextAreaField(validators=[Length(max=500)])
    canonical_url = StringField(validators=[Length(max=500)])
    noindex = BooleanField()
    version = HiddenField()


class PageForm(TypedTextForm):
    """A page: its parent and type are checked against the other pages when it is saved."""

    title = StringField("Title", validators=[DataRequired(), Length(max=300)])
    slug = StringField(
        "Slug",
        validators=slug_rules,
        description="The page's address. Made from the title when left empty.",
    )
    dek = TextAreaField("Dek", validators=[Length(max=500)], description="One sentence.")
    # Values are page ids as text ("" for none), checked in page_form.apply_form so that a
    # refused choice gets a message saying why rather than "Not a valid choice".
    parent = SelectField("Parent page", validate_choice=False)
    page_type = SelectField(
        "Page type",
        choices=[SelectChoice(name, label) for name, label in PAGE_TYPES.items()],
        validate_choice=False,
        description="Tells search engines what the page is.",
    )
    in_nav = BooleanField("Show in the main navigation")
    in_footer = BooleanField("Show in the footer")
    body = TextAreaField("Body (Markdown)", validators=[Length(max=MAX_CHARACTERS)])
    version = HiddenField()
    save = SubmitField("Save draft")
    preview = SubmitField("Preview")
    publish = SubmitField("Publish")

    def validate_page_type(self, field: SelectField) -> None:
        if field.data not in PAGE_TYPES:
            raise ValidationError("Choose one of the listed page types.")


class PageAutosaveForm(TypedTextForm):
    """What autosave keeps of the page form: lengths checked only, as for articles."""

    title = StringField(validators=[Length(max=300)])
    slug = StringField(validators=[Length(max=MAX_SLUG_LENGTH)])
    dek = TextAreaField(validators=[Length(max=500)])
    parent = StringField(validators=[Length(max=20)])
    page_type = StringField(validators=[Optional(), AnyOf(list(PAGE_TYPES))])
    body = TextAreaField(validators=[Length(max=MAX_CHARACTERS)])
    version = HiddenField()
