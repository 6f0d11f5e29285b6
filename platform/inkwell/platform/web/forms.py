"""Forms of the platform app. Field limits here are the ones users see."""

import re
from typing import Any

from flask import current_app
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFError
from pygments.styles import get_all_styles
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    EmailField,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional, ValidationError

from inkwell.platform.core.content.snippets import UnknownLanguageError, language_choices, lexer_for
from inkwell.platform.core.content.tags import parse_tag_field, tag_problem
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
    fresh token, one click from being sent for real."""

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


def _blog_address(_form: FlaskForm, field: StringField) -> None:
    field.data = normalize_subdomain(field.data or "")
    if problem := subdomain_problem(field.data):
        raise ValidationError(problem)


class SignupForm(PlatformForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254), Email()])
    password = PasswordField("Password", validators=[DataRequired(), _password_length])
    subdomain = StringField("Blog address", validators=[DataRequired(), _blog_address])
    title = StringField("Blog title", validators=[DataRequired(), Length(max=200), _single_line])


class LoginForm(PlatformForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), _password_length])
    remember = BooleanField("Keep me logged in")


class ForgotPasswordForm(PlatformForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254), Email()])


class NewPasswordForm(PlatformForm):
    """A new password: after a reset, or for an account made from an invitation."""

    password = PasswordField("New password", validators=[DataRequired(), _password_length])
    confirm = PasswordField(
        "New password again", validators=[EqualTo("password", "The two passwords differ.")]
    )


def _slug(_form: FlaskForm, field: StringField) -> None:
    field.data = (field.data or "").strip().lower()
    if field.data and (problem := slug_problem(field.data)):
        raise ValidationError(problem)


def _tags(_form: FlaskForm, field: StringField) -> None:
    if problem := tag_problem(parse_tag_field(field.data or "")):
        raise ValidationError(problem)


class PostForm(PlatformForm):
    title = StringField("Title", validators=[DataRequired(), Length(max=300)])
    slug = StringField("Address", validators=[Length(max=200), _slug])
    tags = StringField("Tags", validators=[Length(max=2500), _tags])
    excerpt = TextAreaField("Excerpt", validators=[Length(max=2000)])
    body_md = TextAreaField("Markdown", validators=[Length(max=1_000_000)])
    status = SelectField(
        "Status",
        choices=[
            SelectChoice("draft", "Draft"),
            SelectChoice("published", "Published"),
            SelectChoice("scheduled", "Scheduled"),
        ],
    )
    publish_at = DateTimeLocalField("Publish at (UTC)", validators=[Optional()])

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        # Form-level: Optional() on the field would discard a field-level error.
        if self.status.data == "scheduled" and self.publish_at.data is None:
            self.publish_at.errors = [*self.publish_at.errors, "Choose when the post goes live."]
            return False
        return valid

    def tag_list(self) -> list[str]:
        return parse_tag_field(self.tags.data or "")


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


class BlogSettingsForm(PlatformForm):
    title = StringField("Title", validators=[DataRequired(), Length(max=200), _single_line])
    description = TextAreaField(
        "Description",
        filters=[lambda text: strip_forbidden(text or "")],
        validators=[Length(max=2000)],
    )
    code_style = SelectField("Code colours", choices=sorted(get_all_styles()))
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


class ConfirmForm(PlatformForm):
    """A POST with nothing but the CSRF token (delete, logout)."""


class PublishForm(PlatformForm):
    full = BooleanField("Rebuild every page (not only what changed)")
