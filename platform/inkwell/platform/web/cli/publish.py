"""`inkwell publish`: publish blogs' static mirrors from the command line, in
this process, with a progress bar."""

from typing import Any

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from inkwell.platform.core.extensions import db
from inkwell.platform.core.models import PublishRun, Tenant
from inkwell.platform.core.publishing import mirrors
from inkwell.platform.web.cli.args import blog_named
from inkwell.workers.publish import run_requested


@click.command("publish")
@click.argument("subdomains", nargs=-1)
@click.option("--all", "every", is_flag=True, help="Every active blog.")
@click.option("--full", is_flag=True, help="Rebuild every page, not only what changed.")
@click.option(
    "--force", is_flag=True, help="Sync even a build that lacks pages or empties the mirror."
)
@with_appcontext
def publish_command(subdomains: tuple[str, ...], every: bool, full: bool, force: bool) -> None:
    """Publish the static mirror of each blog SUBDOMAIN (or --all) to MIRROR_URL."""
    if bool(subdomains) == every:
        raise click.UsageError("name one or more blogs, or --all")
    failed = 0
    for tenant in _blogs(subdomains, every):
        mirrors.request_publish(tenant.id, full=full, force=force)
        db.session.commit()
        failed += run_here(tenant)
    if failed:
        raise click.exceptions.Exit(1)


def run_here(tenant: Tenant) -> int:
    """Run the blog's open publish requests in this process, with progress bars
    and a summary of each; how many failed."""
    bar = _Bar(tenant.subdomain)
    # An operator's publish is not limited by the blog's publishes per hour.
    runs = run_requested(tenant.id, bar.show, limited=False)
    bar.close()
    if not runs:
        click.echo(f"{tenant.subdomain}: a publish is running elsewhere; it will run again.")
    for run in runs:
        click.echo(f"{tenant.subdomain}: {summary(run)}")
    return sum(run.status != "succeeded" for run in runs)


def summary(run: PublishRun) -> str:
    seconds = (run.finished_at - run.started_at).total_seconds() if run.finished_at else 0.0
    line = (
        f"{run.status} ({'full' if run.full else 'changes only'}): pages {run.pages_built}, "
        f"uploaded {run.uploaded}, skipped {run.skipped}, deleted {run.deleted}, "
        f"{run.bytes_uploaded / 1e6:.1f} MB in {seconds:.2f} s"
    )
    return f"{line}. {run.error}" if run.error else line


def _blogs(subdomains: tuple[str, ...], every: bool) -> list[Tenant]:
    if every:
        active = select(Tenant).where(Tenant.status == "active").order_by(Tenant.subdomain)
        return list(db.session.scalars(active))
    found = [blog_named(name) for name in subdomains]
    if inactive := [blog for blog in found if blog.status != "active"]:
        blog = inactive[0]
        raise click.ClickException(
            f"{blog.subdomain} is {blog.status}: its mirror is not published"
        )
    return found


class _Bar:
    """One click progress bar per phase (building pages, then uploading) of each run."""

    def __init__(self, label: str) -> None:
        self.label, self.at, self.done = label, (0, ""), 0
        self.bar: Any = None

    def show(self, run: PublishRun) -> None:
        phase, total, done = _position(run)
        # By run too: a failed run ends in its phase, which the next run may start in.
        if (run.id, phase) != self.at:
            self.close()
            self.at, self.done = (run.id, phase), 0
        if self.bar is None and total:
            self.bar = click.progressbar(length=total, label=f"{self.label}: {phase}")
            self.bar.__enter__()
        if self.bar is not None and done > self.done:
            self.bar.update(done - self.done)
            self.done = done

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


def _position(run: PublishRun) -> tuple[str, int, int]:
    if run.phase == "building":
        return "building", run.pages_total, run.pages_built
    if run.phase == "uploading":
        return "uploading", run.uploads_total, run.uploaded
    return run.phase, 0, 0
