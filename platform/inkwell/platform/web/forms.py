"""Forms of the platform app. Field limits here are the ones users see."""

from flask import current_app
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, ValidationError

from inkwell.platform.core.validation import (
    normalize_subdomain,
    single_line_problem,
    subdomain_problem,
)


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


class SignupForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254), Email()])
    password = PasswordField("Password", validators=[DataRequired(), _password_length])
    subdomain = StringField("Blog address", validators=[DataRequired(), _blog_address])
    title = StringField("Blog title", validators=[DataRequired(), Length(max=200), _single_line])


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), _password_length])
    remember = BooleanField("Keep me logged in")


class PostForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired(), Length(max=300), _single_line])
    body_md = TextAreaField("Markdown", validators=[Length(max=1_000_000)])
    status = SelectField(
        "Status", choices=[SelectChoice("draft", "Draft"), SelectChoice("published", "Published")]
    )


class ConfirmForm(FlaskForm):
    """A POST with nothing but the CSRF token (delete, logout)."""
