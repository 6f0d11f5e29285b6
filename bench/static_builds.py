"""The builds the mirror benchmark times (issue 6, point 8): Inkwell's
`inkwell publish --full` into a local folder, and Hugo and Pelican building
the same corpus. Hugo's and Pelican's configuration and layouts live next to
this file (bench/hugo/, bench/pelican/); each gets its own copy of the corpus.
Every build writes into an emptied output folder and is timed as a whole
command, start-up included: wall clock, and the CPU time it used (on a
shared machine, the steadier of the two)."""

import hashlib
import os
import resource
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bench import services

HERE = Path(__file__).resolve().parent
# Pelican is no dependency of Inkwell: it gets a virtualenv of its own, kept
# between runs (and reinstalled when this pin changes).
PELICAN_VENV = services.ROOT / ".venv-bench"
PELICAN = "pelican[markdown]==4.12.0"
CODE_STYLE = "friendly"


@dataclass(frozen=True)
class Builder:
    """A command that builds the whole corpus into `output`."""

    name: str
    version: str
    command: list[str]
    output: Path
    env: dict[str, str] | None = field(default=None, repr=False)

    def build(self) -> "Build":
        """Empty `output` and build into it."""
        shutil.rmtree(self.output, ignore_errors=True)
        cpu, started = _children_cpu(), time.perf_counter()
        result = subprocess.run(
            self.command, env=self.env, cwd=self.output.parent,
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        seconds, cpu = time.perf_counter() - started, _children_cpu() - cpu
        if result.returncode != 0:
            raise RuntimeError(f"{self.name} failed: {(result.stderr or result.stdout)[-2000:]}")
        return Build(seconds, cpu, result.stdout + result.stderr)


@dataclass(frozen=True)
class Build:
    seconds: float  # wall clock
    cpu: float  # user + system seconds of the command (every core)
    output: str  # what it printed


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def count_files(folder: Path) -> int:
    return sum(1 for path in folder.rglob("*") if path.is_file())


def inkwell(env: dict[str, str], blog: str, mirror: Path) -> Builder:
    """A full publish of `blog` into the folder `mirror`, emptied before each build."""
    env = {**env, "INKWELL_MIRROR_URL": mirror.as_uri()}
    command = [str(services.BIN / "inkwell"), "publish", blog, "--full"]
    commit = _output("git", "-C", str(services.ROOT), "rev-parse", "--short", "HEAD").strip()
    return Builder("Inkwell", f"at {commit}", command, mirror, env)


def hugo(corpus: Path, site: Path) -> Builder:
    """A Hugo site of the corpus in `site`: the posts go in as they are (YAML front matter)."""
    if shutil.which("hugo") is None:
        services.apt_install("hugo")
    shutil.copytree(HERE / "hugo", site)
    posts = site / "content" / "posts"
    posts.mkdir(parents=True)
    for post in corpus.glob("*.md"):
        shutil.copy(post, posts / post.name)
    (site / "static").mkdir()
    # One stylesheet for Chroma's classes, as Inkwell serves one for Pygments'.
    css = _output("hugo", "gen", "chromastyles", f"--style={CODE_STYLE}")
    (site / "static" / "code.css").write_text(css)
    output = site / "public"
    command = ["hugo", "--source", str(site), "--destination", str(output), "--quiet"]
    # Its own cache folder, so nothing is reused from outside the run.
    command += ["--cacheDir", str(site / "cache")]
    return Builder("Hugo", _output("hugo", "version").split()[1], command, output)


def pelican(corpus: Path, site: Path) -> Builder:
    """A Pelican site of the corpus in `site`, with the front matter as Pelican's headers."""
    venv = _pelican_venv()
    shutil.copytree(HERE / "pelican", site)
    content = site / "content"
    content.mkdir()
    for post in corpus.glob("*.md"):
        (content / post.name).write_text(pelican_post(post.read_text()))
    output = site / "output"
    binary = str(venv / "bin" / "pelican")
    command = [binary, str(content), "-o", str(output), "-s", str(site / "pelicanconf.py"), "-q"]
    return Builder("Pelican", _output(binary, "--version").strip(), command, output)


def pelican_post(text: str) -> str:
    """A corpus post with its YAML front matter turned into Pelican's `Key: value` header."""
    _, front, body = text.split("---\n", 2)
    meta = yaml.safe_load(front)
    header = (
        f"Title: {meta['title']}\nDate: {meta['date'].isoformat()}\n"
        f"Tags: {', '.join(meta['tags'])}\nSlug: {meta['slug']}\n"
    )
    return f"{header}\n{body}"


def _pelican_venv() -> Path:
    marker = PELICAN_VENV / f".installed-{hashlib.sha256(PELICAN.encode()).hexdigest()[:12]}"
    if not marker.exists():
        print(f"Installing {PELICAN} into {PELICAN_VENV.name}...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", "--clear", PELICAN_VENV], check=True)
        pip = [PELICAN_VENV / "bin" / "python", "-m", "pip", "install", "--quiet"]
        subprocess.run([*pip, PELICAN], check=True)
        marker.touch()
    return PELICAN_VENV


def _output(*command: str) -> str:
    return subprocess.run(
        command, capture_output=True, text=True, check=True, env={**os.environ, "NO_COLOR": "1"}
    ).stdout
