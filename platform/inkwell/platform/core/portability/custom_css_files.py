"""A blog's custom CSS in a bundle: `custom.css`, the owner's text as typed. An
import cleans it again (`content.custom_css`), so a bundle from anyone serves only
what the CSS page would; export → import → export gives the same bytes."""

from flask import current_app

from inkwell.platform.core.content import custom_css
from inkwell.platform.core.content.changes import content_changed
from inkwell.platform.core.content.conflicts import claim_settings
from inkwell.platform.core.models import Tenant
from inkwell.platform.core.portability.bundles import BundleFile, BundleFileError

NAME = "custom.css"


def exported(tenant: Tenant) -> str | None:
    """The file's text, or None for a blog without custom CSS."""
    return tenant.custom_css_source or None


def planned(tenant: Tenant, file: BundleFile | None) -> tuple[str | None, str]:
    """(the CSS an import would store, or None to leave it; why the file is refused)."""
    if file is None:
        return None, ""
    limit = current_app.config["CUSTOM_CSS_MAX_BYTES"]
    try:
        text = file.read(limit).decode("utf-8")
    except BundleFileError as error:
        return None, f"not imported: {error}"
    except UnicodeDecodeError as error:
        return None, f"not imported: not UTF-8 text (byte {error.start + 1})"
    text = text.replace("\r\n", "\n")
    return (None if text == tenant.custom_css_source else text), ""


def store(tenant: Tenant, text: str) -> None:
    """Make `text` the blog's CSS, as a save of the CSS page does."""
    cleaned = custom_css.clean(text, current_app.config["CUSTOM_CSS_MAX_BYTES"])
    claim_settings(tenant, None)  # an open settings form then gets a conflict
    tenant.custom_css_source, tenant.custom_css = text, cleaned.css
    content_changed(tenant, "settings")
