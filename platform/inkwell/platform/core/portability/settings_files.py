"""A blog's settings in a bundle: `settings.yaml`, its title, description, theme,
code colours, language, time zone and icon (the icon as its image's file in the
export's `media/`), so an import into another blog restores how it reads and
looks; export → import → export gives the same bytes.

An import checks each value as the settings form would; a bad one is reported by
name and leaves that setting as it is, the others still apply. A bundle without
the file (or without `icon:` in it, then the default icon) changes nothing of it."""

from dataclasses import dataclass, field, replace

import yaml
from pygments.styles import get_all_styles

from inkwell.platform.core.content.changes import content_changed
from inkwell.platform.core.content.conflicts import claim_settings
from inkwell.platform.core.content.languages import language_problem, normalize_language
from inkwell.platform.core.content.search import follow_language
from inkwell.platform.core.content.themes import THEME_CODE, theme_problem
from inkwell.platform.core.models import Tenant
from inkwell.platform.core.portability.bundles import BundleFile, BundleFileError
from inkwell.platform.core.portability.image_export import FOLDER
from inkwell.platform.core.time_zones import zone_problem
from inkwell.platform.core.validation import single_line_problem, strip_forbidden

NAME = "settings.yaml"
MAX_BYTES = 64 * 1024
FIELDS = ("title", "description", "theme", "code_style", "language", "time_zone")
OWNERS_ONLY = "not imported: only the blog's owners can change its settings"
TITLE_MAX, DESCRIPTION_MAX = 200, 2000  # as the settings form takes them


@dataclass(frozen=True)
class SettingsPlan:
    changes: dict[str, str] = field(default_factory=dict)  # the settings that change
    icon: str | None = None  # the bundle's image that becomes the icon
    clear_icon: bool = False  # the file names none: the default icon


def exported(tenant: Tenant, images: dict[int, str]) -> str:
    """The file's text; `images`: the export's file name of each library image."""
    data: dict[str, str] = {name: getattr(tenant, name) for name in FIELDS}
    if icon := images.get(tenant.icon_media_id or 0):
        data["icon"] = FOLDER + icon
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def planned(
    tenant: Tenant, file: BundleFile | None, images: dict[str, int | None]
) -> tuple[SettingsPlan | None, list[str]]:
    """(what the import changes, None for nothing; each problem, "name: why").
    `images`: the bundle's images the import brings in, each with the library image
    it already is (None: a new one)."""
    if file is None:
        return None, []
    try:
        data = yaml.safe_load(file.read(MAX_BYTES).decode("utf-8"))
    except (BundleFileError, UnicodeDecodeError, yaml.YAMLError) as error:
        return None, [f"not read: {str(error).splitlines()[0]}"]
    if not isinstance(data, dict):
        return None, ["not read: expected one “name: value” line per setting"]
    changes, problems = {}, []
    for name in FIELDS:
        if name not in data:
            continue
        value, problem = _checked(name, data[name])
        if problem:
            problems.append(f"{name}: {problem}")
        elif value != getattr(tenant, name):
            changes[name] = value
    plan = SettingsPlan(changes)
    icon = data.get("icon")
    if icon is None:
        plan = replace(plan, clear_icon=tenant.icon_media_id is not None)
    elif not isinstance(icon, str) or icon not in images:
        problems.append(f"icon: {icon!r} is not an image this import brings in")
    elif tenant.icon_media_id is None or images[icon] != tenant.icon_media_id:
        plan = replace(plan, icon=icon)
    changed = plan.changes or plan.icon or plan.clear_icon
    return (plan if changed else None), problems


def _checked(name: str, value: object) -> tuple[str, str | None]:
    """(the stored form of one setting, why it cannot be stored)."""
    if not isinstance(value, str):
        return "", "expected text"
    if name == "title":
        value = value.strip()
        too_long = len(value) > TITLE_MAX and f"longer than {TITLE_MAX} characters"
        return value, single_line_problem(value) or too_long or (not value and "empty") or None
    if name == "description":
        value = strip_forbidden(value)
        return value, f"longer than {DESCRIPTION_MAX} characters" if len(
            value
        ) > DESCRIPTION_MAX else None
    if name == "theme":
        return value, theme_problem(value)
    if name == "code_style":
        known = value == THEME_CODE or value in get_all_styles()
        return value, None if known else f"{value!r} is not a code style"
    if name == "language":
        value = normalize_language(value)
        return value, language_problem(value)
    return value, zone_problem(value)


def store(tenant: Tenant, plan: SettingsPlan, icon_id: int | None) -> None:
    """Apply `plan`, the icon being the image `icon_id` (None: leave it), as a save of
    the settings form does (an open form then gets a conflict)."""
    claim_settings(tenant, None)
    for name, value in plan.changes.items():
        setattr(tenant, name, value)
    if plan.clear_icon:
        tenant.icon_media_id = None
    elif icon_id is not None:
        tenant.icon_media_id = icon_id
    follow_language(tenant)  # search stems words as the blog's language does
    content_changed(tenant, "settings")
