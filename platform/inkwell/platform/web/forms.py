"""Forms of the platform app. Field limits here are the ones users see."""

import re
from datetime import datetime
from typing import Any

from flask import current_app
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFError
from flask_wtf.file import FileField, FileRequired
from pygments.styles import get_all_styles
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    EmailField,
    HiddenField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional, ValidationError

from inkwell.platform.core.content import covers, post_input
from inkwell.platform.core.content.languages import (
    COMMON_LANGUAGES,
    language_problem,
    normalize_language,
)
from inkwell.platform.core.content.posts import Keep, PostInput
from inkwell.platform.core.content.slugs import SLUG_MAX
from inkwell.platform.core.content.snippets import UnknownLanguageError, language_choices, lexer_for
from inkwell.platform.core.content.tags import parse_tag_field, tag_problem
from inkwell.platform.core.content.themes import THEME_CODE, THEMES, theme_problem
from inkwell.platform.core.time_zones import DEFAULT as UTC_ZONE
from inkwell.platform.core.time_zones import (
    MissingLocalTime,
    to_utc,
    zone_groups,
    zone_names,
    zone_problem,
)
from inkwell.platform.core.validation import (
    normalize_subdomain,
    single_line_problem,
    slug_problem,
    strip_forbidden,
    subdomain_problem,
)


class PlatformForm(FlaskForm):
    """Base of the platform app's forms. A missing or wrong CSRF token raises
    CSRFError, answered as the app-wide check answers one (400, "form expired"),
    rather than being one more field error. Blueprints exempt from that check,
    the admin console's (whose guard answers 404 first), get the same answer from
    their forms, and a forged request's fields never come back in a form with a
    fresh token, one click from being sent for real.

    The token's hidden field has no id: a page draws it in each of its forms (a
    delete button per row, the logout button), and ids must be unique on a page."""

    class Meta:
        def render_field(self, field: Any, render_kw: dict[str, Any]) -> Any:
            if field.type == "CSRFTokenField":
                render_kw = {"id": False, **render_kw}
            return super().render_field(field, render_kw)

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        if self.meta.csrf and self.csrf_token.errors:
            raise CSRFError(self.csrf_token.errors[0])
        return valid


def stripped(text: str | None) -> str:
    """A filter: the text without the spaces around it."""
    return (text or "").strip()


def _single_line(_form: FlaskForm, field: StringField) -> None:
    if problem := single_line_problem(field.data or ""):
        raise ValidationError(problem)


def _password_length(_form: FlaskForm, field: PasswordField) -> None:
    low, high = current_app.config["PASSWORD_MIN_LENGTH"], current_app.config["PASSWORD_MAX_LENGTH"]
    if not low <= len(field.data or "") <= high:
        raise ValidationError(f"Use {low} to {high} characters.")


def _site_address(_form: FlaskForm, field: StringField) -> None:
    if not re.fullmatch(r"https?://[^\s/]+(/\S*)?", field.data or ""):
        raise ValidationError("Enter the address the blog had, starting with https://.")


def _blog_address(_form: FlaskForm, field: StringField) -> None:
    field.data = normalize_subdomain(field.data or "")
    if problem := subdomain_problem(field.data):
        raise ValidationError(problem)


def _known_zone_or_utc(name: str | None) -> str:
    return name if name in zone_names() else UTC_ZONE


class SignupForm(PlatformForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254), Email()])
    password = PasswordField("Password", validators=[DataRequired(), _password_length])
    subdomain = StringField("Blog address", validators=[DataRequired(), _blog_address])
    title = StringField("Blog title", validators=[DataRequired(), Length(max=200), _single_line])
    # Filled by platform.js with the browser's zone. Nobody can correct a hidden
    # field, so a zone this server does not know (or none: no script) means UTC,
    # which the settings page changes.
    time_zone = HiddenField(filters=[_known_zone_or_utc], render_kw={"data-browser-zone": ""})


def _not_too_long(_form: FlaskForm, field: PasswordField) -> None:
    """Refused before hashing (the KDF's cost grows with its input). No lower bound:
    a short password is only a wrong one, and says so ("wrong email or password")."""
    if len(field.data or "") > current_app.config["PASSWORD_MAX_LENGTH"]:
        _password_length(_form, field)


class LoginForm(PlatformForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), _not_too_long])
    remember = BooleanField("Keep me logged in")


class ForgotPasswordForm(PlatformForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254), Email()])


class NewPasswordForm(PlatformForm):
    """A new password: after a reset, or for an account made from an invitation."""

    password = PasswordField("New password", validators=[DataRequired(), _password_length])
    confirm = PasswordField(
        "New password again", validators=[EqualTo("password", "The two passwords differ.")]
    )


CODE_FIELD = {"autocomplete": "one-time-code", "inputmode": "text", "maxlength": 32}


def _code() -> StringField:
    return StringField(
        "Code",
        validators=[DataRequired(), Length(max=32)],
        filters=[stripped],
        render_kw=CODE_FIELD,
    )


class CodeForm(PlatformForm):
    """A code from the authenticator app, or a recovery code (the login's second step,
    turning two-factor sign-in on)."""

    code = _code()


class PasswordChangeForm(PlatformForm):
    current = PasswordField("Current password", validators=[DataRequired()])
    password = PasswordField("New password", validators=[DataRequired(), _password_length])
    confirm = PasswordField(
        "New password again", validators=[EqualTo("password", "The two passwords differ.")]
    )


class EmailChangeForm(PlatformForm):
    # _single_line: the address goes into a mail header (To).
    email = EmailField(
        "New email", validators=[DataRequired(), Length(max=254), _single_line, Email()]
    )
    current = PasswordField("Current password", validators=[DataRequired()])


class CredentialsForm(PlatformForm):
    """The password, and a code when two-factor sign-in is on (`code_required`)."""

    current = PasswordField("Password", validators=[DataRequired()])
    code = StringField(
        "Code from your app, or a recovery code",
        validators=[Length(max=32)],
        filters=[stripped],
        render_kw=CODE_FIELD,
    )


class DeleteAccountForm(CredentialsForm):
    understood = BooleanField(
        "I understand that this cannot be undone by me",
        validators=[DataRequired("Tick the box to confirm.")],
    )


def _revision(_form: FlaskForm, field: HiddenField) -> None:
    if field.data and not (field.data.isdigit() and len(field.data) <= 12):
        raise ValidationError("This page was damaged (its revision is unreadable): reload it.")


class RevisionField(HiddenField):
    """The revision the form was filled from (`content.conflicts`); empty for a new row
    or a client that takes the latest."""

    def __init__(self, label: str = "Revision", **kwargs: Any) -> None:
        super().__init__(label, validators=[_revision], **kwargs)

    @property
    def revision(self) -> int | None:
        return int(self.data) if self.data else None


def _tags(_form: FlaskForm, field: StringField) -> None:
    if problem := tag_problem(parse_tag_field(field.data or "")):
        raise ValidationError(problem)


def _in_library(_form: FlaskForm, field: IntegerField) -> None:
    if field.data is not None and not covers.is_in_library(field.data):
        raise ValidationError(
            "That image is not in the blog's library any more (it was deleted): choose another."
        )


class PostForm(PlatformForm):
    """A post as the editor and its autosave send it. Its fields are cleaned and
    limited by `content.post_input`, as every other way in is; `cleaned` holds
    the result once `validate()` passed. The maxlength attributes are hints for
    the browser, the same limits; the body has none: a browser cuts a longer paste
    without a word, so the editor counts it and says so instead (editor.js)."""

    base_revision = RevisionField()
    title = StringField(
        "Title", validators=[DataRequired()], render_kw={"maxlength": post_input.TITLE_MAX}
    )
    slug = StringField("Address", render_kw={"maxlength": SLUG_MAX})
    tags = StringField("Tags", validators=[_tags], render_kw={"maxlength": post_input.TAGS_MAX})
    excerpt = TextAreaField("Excerpt", render_kw={"maxlength": post_input.EXCERPT_MAX})
    body_md = TextAreaField("Markdown")
    status = SelectField(
        "Status",
        choices=[
            SelectChoice("draft", "Draft"),
            SelectChoice("published", "Published"),
            SelectChoice("scheduled", "Scheduled"),
        ],
    )
    publish_at = DateTimeLocalField("Publish at (UTC)", validators=[Optional()])
    # A page (`/now/`) is left out of the index, tag pages and feeds; absent (an old
    # editor's autosave), the post keeps its kind.
    kind = SelectField(
        "Kind", choices=[SelectChoice("post", "Post"), SelectChoice("page", "Page")], default="post"
    )
    # Mailed to the blog's subscribers when it goes live. An unticked box sends
    # nothing, so `email_shown` tells "unticked" from "not in this form" (old editors).
    email_subscribers = BooleanField("Email this post to subscribers", default=True)
    email_shown = HiddenField(default="1")
    # Radio buttons (dashboard/_cover.html): "" is "No cover"; absent, the post keeps its own.
    cover_media_id = IntegerField("Cover image", validators=[Optional(), _in_library])
    cleaned: PostInput

    def __init__(self, *args: Any, time_zone: str = UTC_ZONE, **kwargs: Any) -> None:
        """`time_zone`: the blog's, in which publish_at is shown and read."""
        super().__init__(*args, **kwargs)
        self.time_zone = time_zone
        self.publish_at.label.text = f"Publish at ({time_zone})"
        # Set by validate(): the clocks showed the time given twice; the first was taken.
        self.ambiguous_time = False

    def validate(self, extra_validators: Any = None) -> bool:
        if not super().validate(extra_validators):
            return False
        try:
            self.cleaned = post_input.clean_post_input(self._given())
        except post_input.PostInputError as error:
            # Form-level: Optional() on publish_at would discard a field-level error.
            field = "publish_at" if error.field == "published_at" else error.field
            self[field].errors = [*self[field].errors, str(error)]
            return False
        return True

    def _given(self) -> PostInput:
        return PostInput(
            title=self.title.data or "",
            body_md=self.body_md.data or "",
            status=self.status.data or "draft",
            slug=self.slug.data or "",
            tags=self.tag_list(),
            excerpt=self.excerpt.data or "",
            published_at=self._publish_at(),
            cover_media_id=self.cover_media_id.data if self.cover_media_id.raw_data else Keep.KEEP,
            is_page=self.kind.data == "page" if self.kind.raw_data else Keep.KEEP,
            email_subscribers=bool(self.email_subscribers.data)
            if self.email_shown.raw_data
            else Keep.KEEP,
        )

    def _publish_at(self) -> datetime | None:
        """publish_at, read on the blog's clocks, in UTC."""
        if self.publish_at.data is None:
            return None
        try:
            resolved = to_utc(self.publish_at.data, self.time_zone)
        except MissingLocalTime as error:
            raise post_input.PostInputError("published_at", str(error)) from None
        self.ambiguous_time = resolved.ambiguous
        return resolved.moment

    def tag_list(self) -> list[str]:
        return parse_tag_field(self.tags.data or "")


def _slug(_form: FlaskForm, field: StringField) -> None:
    field.data = (field.data or "").strip().lower()
    if field.data and (problem := slug_problem(field.data)):
        raise ValidationError(problem)


class OldAddressForm(PlatformForm):
    """An old address to keep leading to a post (checked by `content.aliases.add_alias`)."""

    # Room for a whole URL of the old site; the stored path is bounded by alias_paths.
    address = StringField(
        "Add an old address",
        validators=[DataRequired("Type the old address, such as /2019/05/my-post/ or /?p=123.")],
        render_kw={"maxlength": 2000, "placeholder": "/2019/05/my-post/", "dir": "ltr"},
    )


class TagForm(PlatformForm):
    """Rename a tag, move its address, or merge it into the tag of its new name."""

    name = StringField("Name", validators=[DataRequired(), Length(max=100), _single_line])
    slug = StringField("Address", validators=[Length(max=100), _slug])
    merge = BooleanField("If another tag has this name, move this tag's posts into it")


def _language(_form: FlaskForm, field: SelectField) -> None:
    if field.data:
        try:
            lexer_for(field.data)
        except UnknownLanguageError as error:
            raise ValidationError(str(error)) from None


class SnippetForm(PlatformForm):
    title = StringField("Title", validators=[DataRequired(), Length(max=300)])
    slug = StringField("Address", validators=[Length(max=200), _slug])
    # Checked by _language, whose message says more than "Not a valid choice".
    language = SelectField(
        "Language",
        choices=[
            SelectChoice("", "Guess from the code"),
            *(SelectChoice(alias, name) for alias, name in language_choices()),
        ],
        validate_choice=False,
        validators=[_language],
    )
    code = TextAreaField("Code", validators=[Length(max=200_000)])


def _comments_target(form: FlaskForm, field: StringField) -> None:
    value = field.data = (field.data or "").strip()
    provider = form.comments_provider.data
    if provider == "disqus" and not re.fullmatch(r"[a-z0-9-]{1,100}", value):
        raise ValidationError("Enter your Disqus shortname (letters, digits, hyphens).")
    if provider == "discourse" and not re.fullmatch(r"https://[^\s/]+(/[^\s]*)?", value):
        raise ValidationError("Enter your forum's address, starting with https://.")


def _place(zone_name: str) -> str:
    """A zone as its option reads under its region's heading: "Los Angeles"."""
    return zone_name.partition("/")[2].replace("_", " ") or zone_name


def _time_zone(_form: FlaskForm, field: SelectField) -> None:
    if problem := zone_problem(field.data or ""):
        raise ValidationError(problem)


def _blog_language(_form: FlaskForm, field: SelectField) -> None:
    field.data = normalize_language(field.data or "")
    if problem := language_problem(field.data):
        raise ValidationError(problem)


def _theme(_form: FlaskForm, field: RadioField) -> None:
    if problem := theme_problem(field.data or ""):
        raise ValidationError(problem)


class BlogSettingsForm(PlatformForm):
    # The blog's columns below are named like the fields (see `settings`). A field the
    # request leaves out keeps the blog's value (WTForms keeps `obj`'s data).
    SETTINGS = (
        "title", "description", "theme", "language", "icon_media_id", "time_zone",
        "code_style", "comments_provider", "comments_target",
    )  # fmt: skip
    base_revision = RevisionField()
    title = StringField("Title", validators=[DataRequired(), Length(max=200), _single_line])
    description = TextAreaField(
        "Description",
        filters=[lambda text: strip_forbidden(text or "")],
        validators=[Length(max=2000)],
    )
    # Grouped by region; checked by _time_zone, whose message says more than "Not a valid choice".
    time_zone = SelectField(
        "Time zone",
        choices=[
            SelectChoice(name, _place(name), optgroup=region)
            for region, names in zone_groups()
            for name in names
        ],
        validate_choice=False,
        validators=[_time_zone],
    )
    # Cards with a live preview (dashboard/_themes.html); checked by _theme.
    theme = RadioField(
        "Theme",
        choices=[SelectChoice(t.name, t.label) for t in THEMES.values()],
        validate_choice=False,
        validators=[_theme],
    )
    # Common languages; any well-formed BCP 47 tag (an import's) is kept: see __init__.
    language = SelectField(
        "Language",
        choices=[SelectChoice(tag, name) for tag, name in COMMON_LANGUAGES],
        validate_choice=False,
        validators=[_blog_language],
    )
    # Radio buttons of library images (dashboard/_blog_icon.html); "" is the default icon.
    icon_media_id = IntegerField("Icon", validators=[Optional(), _in_library])
    code_style = SelectField(
        "Code colours",
        choices=[SelectChoice(THEME_CODE, "The theme's own (light and dark)")]
        + [SelectChoice(name, name) for name in sorted(get_all_styles())],
    )
    comments_provider = SelectField(
        "Comments",
        choices=[
            SelectChoice("none", "None"),
            SelectChoice("disqus", "Disqus"),
            SelectChoice("discourse", "Discourse"),
        ],
    )
    comments_target = StringField(
        "Disqus shortname or Discourse URL", validators=[Length(max=200), _comments_target]
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        tags = [tag for tag, _ in COMMON_LANGUAGES]
        if self.language.data and self.language.data not in tags:
            self.language.choices = [
                SelectChoice(self.language.data, self.language.data),
                *self.language.choices,
            ]

    def settings(self) -> dict[str, str | int | None]:
        return {name: self[name].data for name in self.SETTINGS}


class CustomCssForm(PlatformForm):
    base_revision = RevisionField()
    css = TextAreaField("CSS")


class NavigationForm(PlatformForm):
    """The CSRF token and base revision of Settings → Navigation; its rows are read
    by `dashboard.navigation`, one set of fields per link."""

    base_revision = RevisionField()


class InviteForm(PlatformForm):
    # _single_line: the address goes into a mail header (To).
    email = EmailField("Email", validators=[DataRequired(), Length(max=254), _single_line, Email()])
    role = SelectField(
        "Role",
        choices=[
            SelectChoice("author", "Author: writes and edits their own posts"),
            SelectChoice("editor", "Editor: edits every post"),
            SelectChoice("owner", "Owner: also settings and team"),
        ],
        default="author",
    )


class MediaAltForm(PlatformForm):
    """An image's alt text in the media library (one line; `media.library` cleans it)."""

    alt = StringField("Alt text")


class DomainForm(PlatformForm):
    # Checked by core.domains.names, whose messages say what to type instead.
    domain = StringField("Domain", validators=[Length(max=300)])


class ConfirmForm(PlatformForm):
    """A POST with nothing but the CSRF token (delete, logout)."""


class PublishForm(PlatformForm):
    full = BooleanField("Rebuild every page (not only what changed)")


class ImportUploadForm(PlatformForm):
    """An export to import; `format`'s choices are the view's (`import_jobs.FORMATS`)."""

    format = RadioField("What it is", default="inkwell", validators=[DataRequired()])
    bundle = FileField("Export file", validators=[FileRequired("Choose a .zip file.")])
    site_url = StringField(
        "The old site's address (optional)",
        validators=[Optional(), Length(max=300), _site_address],
    )


class SubscriberImportForm(PlatformForm):
    """A CSV of addresses; `consented`: they agreed to get the blog's posts, so
    they are confirmed without a confirmation mail."""

    addresses = FileField("CSV file", validators=[FileRequired("Choose a .csv file.")])
    consented = BooleanField(
        "These people agreed to receive the blog's posts by email (no confirmation mail)"
    )


class ImportConfirmForm(PlatformForm):
    """Applies the upload `token` names, if planning it again gives `digest`."""

    token = HiddenField(validators=[DataRequired()])
    digest = HiddenField(validators=[DataRequired()])
