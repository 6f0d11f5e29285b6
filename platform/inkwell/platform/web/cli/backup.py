"""`inkwell backup FILE` and `inkwell restore FILE`: the database across every
blog and the media area in one file (`core.administration.backups`, `restores`)."""

from pathlib import Path

import click
from flask.cli import with_appcontext

from inkwell.platform.core.administration import backup_format, backups, restores
from inkwell.platform.core.storage import StorageError
from inkwell.platform.core.template_filters import plural


def _progress(what: str, done: int, total: int, name: str) -> None:
    """One line per step: long runs show how far they are (tables, blogs, and
    files by the hundred)."""
    if what.endswith("files") and done % 100 and done != total:
        return
    click.echo(f"  {what} {done}/{total}: {name}", err=True)


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--no-media", is_flag=True, help="Leave the media area out (copy its bucket yourself)."
)
@with_appcontext
def backup_command(file: Path, no_media: bool) -> None:
    """Back up every blog's rows, the platform's and the media area to FILE."""
    try:
        manifest = backups.backup(file, _progress, media=not no_media)
    except backup_format.BackupError as error:
        raise click.ClickException(str(error)) from None
    except (OSError, StorageError) as error:
        raise click.ClickException(f"backup failed: {error}") from None
    rows = sum(table["rows"] for table in manifest["tables"].values())
    media = manifest["media"]
    click.echo(
        f"Backed up {plural(rows, 'row')} in {len(manifest['tables'])} tables (schema "
        f"{manifest['revision']}) and {plural(media['files'], 'media file')} "
        f"({media['bytes'] / 1e6:.1f} MB) to {file}."
    )


@click.command("restore")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace everything in a database that is not empty.")
@with_appcontext
def restore_command(file: Path, force: bool) -> None:
    """Restore a backup made by `inkwell backup` from FILE."""
    try:
        manifest = restores.restore(file, force=force, progress=_progress)
    except backup_format.BackupError as error:
        raise click.ClickException(str(error)) from None
    except (OSError, StorageError) as error:
        raise click.ClickException(f"restore failed: {error}") from None
    rows = sum(table["rows"] for table in manifest["tables"].values())
    click.echo(
        f"Restored {plural(rows, 'row')} and {plural(manifest['media']['files'], 'media file')} "
        f"from {file} "
        f"(made {manifest['created_at']}). Publish every mirror in full to match the "
        "restored blogs: inkwell publish --all --full"
    )
