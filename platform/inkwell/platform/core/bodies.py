"""Request bodies, bounded and refused whole: the request class of both apps.

A body is read lazily, by whoever asks first: the CSRF check, a form, a view, an
error page's logout form. werkzeug raises 413 from whichever read crosses a limit,
and raises it again at every later read, so the error page failed the same way and
the client got a 500. `BoundedRequest` refuses the body once: it forgets it (every
later read finds an empty body) and raises 413 with the limits in words.

The limits, whatever a proxy in front lets through (nginx's client_max_body_size
is a first line, not the rule): MAX_CONTENT_LENGTH for the whole body (chunked ones
too, where the server terminates the stream, as gunicorn does), MAX_FORM_PARTS fields
and MAX_FORM_MEMORY_SIZE bytes in any one field. werkzeug counts fields and sizes of
multipart bodies only; here urlencoded forms and JSON bodies are held to the same.

The platform's JSON bodies are forms sent by its own scripts (the editor's preview
and autosave; Flask-WTF reads them as form data): an object whose values are text.
Anything else (a list, nested objects, numbers, nesting too deep for the parser)
is a 400, or None for `get_json(silent=True)`, instead of failing further on.
"""

import io
from typing import Any, NoReturn

from flask import Request
from werkzeug.exceptions import BadRequest, RequestEntityTooLarge
from werkzeug.formparser import FormDataParser

NOT_A_FORM = "The request body must be a JSON object of text fields."


class _BoundedFormParser(FormDataParser):
    """werkzeug's form parser, counting the fields of urlencoded bodies and measuring
    each as it does for multipart ones."""

    def _parse_urlencoded(
        self, stream: Any, mimetype: str, content_length: int | None, options: dict[str, str]
    ) -> Any:
        body = stream.read()  # at most MAX_CONTENT_LENGTH: the stream is limited
        # Count before parsing: a few megabytes of "&" would be a million fields in memory.
        if self.max_form_parts is not None and body.count(b"&") >= self.max_form_parts:
            raise RequestEntityTooLarge()
        parsed = super()._parse_urlencoded(io.BytesIO(body), mimetype, content_length, options)
        if self.max_form_memory_size is not None:
            limit = self.max_form_memory_size
            if any(_too_long(value, limit) for _, value in parsed[1].items(multi=True)):
                raise RequestEntityTooLarge()
        return parsed


class BoundedRequest(Request):
    """A request whose body is read within the limits, or refused whole with a 413."""

    form_data_parser_class = _BoundedFormParser
    refused = False

    def _load_form_data(self) -> None:
        try:
            super()._load_form_data()
        except RequestEntityTooLarge:
            self._refuse()

    def get_data(  # type: ignore[override]
        self, cache: bool = True, as_text: bool = False, parse_form_data: bool = False
    ) -> bytes | str:
        if self.refused:
            return "" if as_text else b""
        try:
            return super().get_data(cache, as_text, parse_form_data)
        except RequestEntityTooLarge:
            self._refuse()

    def get_json(self, force: bool = False, silent: bool = False, cache: bool = True) -> Any:
        """The body as a form's fields ({name: text}), within the form limits."""
        if self.refused:
            return None
        try:
            fields = super().get_json(force=force, silent=silent, cache=cache)
        except RecursionError:  # nested deeper than the parser goes (werkzeug catches ValueError)
            fields = _not_a_form(silent)
        if fields is None:
            return None
        if not isinstance(fields, dict) or not all(isinstance(v, str) for v in fields.values()):
            return _not_a_form(silent)
        parts, field = self.max_form_parts, self.max_form_memory_size
        too_many = parts is not None and len(fields) > parts
        if too_many or (field is not None and any(_too_long(v, field) for v in fields.values())):
            self._refuse()
        return fields

    def _refuse(self) -> NoReturn:
        """Forget the body, so whatever reads it next (the CSRF check, the error page's
        logout form) finds an empty one instead of failing again; then answer 413."""
        self.refused = True
        # As werkzeug's _load_form_data stores them: the instance dict wins over its
        # cached properties, so `stream`, `form` and `files` are never read again.
        self.__dict__.update(
            stream=io.BytesIO(),
            form=self.parameter_storage_class(),
            files=self.parameter_storage_class(),
        )
        raise RequestEntityTooLarge(self._limits_in_words())

    def _limits_in_words(self) -> str:
        limits = []
        if self.max_content_length is not None:
            limits.append(f"{_size(self.max_content_length)} in all")
        if self.max_form_memory_size is not None:
            limits.append(f"{_size(self.max_form_memory_size)} in any one field")
        if self.max_form_parts is not None:
            limits.append(f"{self.max_form_parts:,} fields")
        # At least one: a body is refused only by a limit that is set.
        *most, last = limits
        listed = f"{', '.join(most)} and {last}" if most else last
        return f"That is more than this site accepts at once: at most {listed}."


def _not_a_form(silent: bool) -> None:
    if silent:
        return None
    raise BadRequest(NOT_A_FORM)


def _too_long(text: str, limit: int) -> bool:
    # UTF-8 takes at most 4 bytes a character: most texts are measured without encoding them.
    return len(text) > limit or (len(text) * 4 > limit and len(text.encode()) > limit)


def _size(size: int) -> str:
    return f"{size / 2**20:g} MB" if size >= 2**20 else f"{size / 2**10:g} KB"
