"""A blog's subscribers in a bundle: `subscribers.csv`, in the CSV the subscribers
page exports. Addresses are personal data, so an export holds them only when an
owner asks (`inkwell export --subscribers`, the Export page's box), and only an
owner's import brings them in (`newsletter.list_files`: each as the file says,
nobody mailed); export → import → export gives the same bytes."""

from inkwell.platform.core.models import Tenant
from inkwell.platform.core.newsletter import list_files
from inkwell.platform.core.newsletter.list_files import Restored
from inkwell.platform.core.newsletter.subscribers import export_csv
from inkwell.platform.core.portability.bundles import BundleFile, BundleFileError

NAME = "subscribers.csv"
OWNERS_ONLY = "not imported: only an owner of the blog may import its subscribers"


def exported(tenant: Tenant) -> str:
    return export_csv(tenant)


def planned(file: BundleFile | None, owner: bool) -> tuple[str | None, str]:
    """(the file's text an import would restore, or None; why it is refused)."""
    if file is None:
        return None, ""
    if not owner:
        return None, OWNERS_ONLY
    try:
        return file.read().decode("utf-8-sig"), ""
    except BundleFileError as error:
        return None, f"not imported: {error}"
    except UnicodeDecodeError as error:
        return None, f"not imported: not UTF-8 text (byte {error.start + 1})"


def store(tenant: Tenant, text: str) -> Restored:
    """Add the file's addresses the blog lacks, as the file has them."""
    return list_files.restore_csv(tenant, text)
