"""The `media` part of `make bench` (issue 17): a 12-megapixel JPEG into all its
files, with Pillow (the app's) and pyvips (in the bench's own venv, never the
app's), each round in a fresh process; then upload-to-visible in the embedded
mode: the upload's POST, the post saved with its reference, until the post page
shows the srcset and its widest variant answers.

Targets: processing ≤ 1.5 s and ≤ 300 MB peak; upload-to-visible ≤ 3 s.
"""

import io
import json
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image

from bench import services

ROUNDS = 5
PHOTO = (4000, 3000)  # 12 megapixels, as a phone takes them
VIPS_VENV = services.ROOT / ".venv-bench-vips"
VIPS_PACKAGES = ("pyvips==3.2.0", "pyvips-binary==8.18.0")
PROCESS_TARGET_S, MEMORY_TARGET_MB, VISIBLE_TARGET_S = 1.5, 300, 3.0


@dataclass
class Library:
    name: str
    version: str
    rounds: list[dict[str, float]] = field(default_factory=list)

    def median(self, key: str) -> float:
        return statistics.median(r[key] for r in self.rounds)


@dataclass
class MediaRun:
    date: str
    load: str
    photo_mb: float
    libraries: list[Library]
    visible: list[float]


def photo(path: Path) -> Path:
    """A 12 MP JPEG that compresses like a photo (smooth areas and grain), turned
    by its EXIF orientation, with a GPS position: every step of processing has work."""
    width, height = PHOTO
    grain = Image.effect_noise((width, height), 12)
    smooth = Image.effect_noise((width // 4, height // 4), 40).resize((width, height))
    ramp = Image.linear_gradient("L").resize((width, height))
    bands = [ramp, smooth, ramp.transpose(Image.Transpose.FLIP_LEFT_RIGHT)]
    image = Image.merge("RGB", [Image.blend(band, grain, 0.15) for band in bands])
    exif = Image.Exif()
    exif[0x0112] = 6
    exif.get_ifd(0x8825).update({1: "N", 2: (52.0, 22.0, 7.5)})
    image.save(path, "JPEG", quality=90, exif=exif)
    return path


def vips_python() -> Path:
    """The bench venv with pyvips (installed once; its wheels carry libvips)."""
    python = VIPS_VENV / "bin" / "python"
    marker = VIPS_VENV / f".installed-{'-'.join(VIPS_PACKAGES)}"
    if not marker.exists():
        print(f"Installing {', '.join(VIPS_PACKAGES)} into {VIPS_VENV.name}...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", "--clear", VIPS_VENV], check=True)
        subprocess.run([python, "-m", "pip", "install", "--quiet", *VIPS_PACKAGES], check=True)
        marker.touch()
    return python


def processing(source: Path) -> list[Library]:
    """Alternating rounds of each library on `source`, each in a fresh process."""
    from PIL import __version__ as pillow

    vips = vips_python()
    asked = "import pyvips; print(*(pyvips.version(part) for part in range(3)))"
    version = subprocess.run(
        [vips, "-c", asked], check=True, capture_output=True, text=True
    ).stdout.split()
    libraries = [Library("Pillow", pillow), Library("pyvips", f"libvips {'.'.join(version)}")]
    commands = {
        "Pillow": [services.BIN / "python", "-m", "bench.media_pillow", source],
        "pyvips": [vips, "-m", "bench.media_vips", source],
    }
    for number in range(ROUNDS):
        print(f"Processing round {number + 1} of {ROUNDS}...", flush=True)
        for library in libraries:
            done = subprocess.run(
                commands[library.name], check=True, capture_output=True, text=True,
                cwd=services.ROOT,
            )  # fmt: skip
            library.rounds.append(json.loads(done.stdout))
    return libraries


def upload_to_visible(source: Path, instance: Path) -> list[float]:
    """Seconds from the upload's POST until the post page shows its srcset and the
    widest variant answers, in the embedded mode (SQLite, no broker: processing inline),
    through the app's WSGI interface (Flask's test client: no network)."""
    from inkwell.platform.core.accounts.registration import new_blog, new_user
    from inkwell.platform.core.extensions import db
    from inkwell.platform.wsgi import create_app

    app = create_app({
        "SECRET_KEY": "bench", "APP_HOST": "app.bench", "BLOG_DOMAIN": "blogs.bench",
        "DATABASE_URL": f"sqlite:///{instance / 'bench.db'}", "RATE_LIMITS_ENABLED": False,
        "MEDIA_URL": str(instance / "media"), "PASSWORD_HASH_PROFILE": "CHEAPEST",
    })  # fmt: skip
    with app.app_context():
        from inkwell.platform.core import database

        database.upgrade()
        user = new_user("bench@example.com", "bench-password", verified=True)
        new_blog(user, "bench", "Bench", "blogs.bench")
        db.session.commit()
    editor = _Browser(app, "app.bench")
    login = editor.get("/login").text
    editor.post("/login", data={"csrf_token": _token(login), "email": "bench@example.com",
                                "password": "bench-password"})  # fmt: skip
    data, seconds = source.read_bytes(), []
    for number in range(ROUNDS):
        seconds.append(_one_upload(app, editor, _renamed(data, number), number))
    return seconds


def _one_upload(app, editor, data: bytes, number: int) -> float:
    token = _token(editor.get("/blogs/bench/posts/new").text)
    started = time.perf_counter()
    answer = editor.post(
        "/blogs/bench/media",
        data={"file": (io.BytesIO(data), "photo.jpg"), "alt": "A photo"},
        headers={"X-CSRFToken": token},
    )
    if answer.status_code != 201:
        raise RuntimeError(f"upload refused: {answer.status_code} {answer.text}")
    post = {"csrf_token": token, "title": f"Photo {number}", "status": "published",
            "body_md": f"A photo.\n\n{answer.get_json()['markdown']}"}  # fmt: skip
    saved = editor.post("/blogs/bench/posts/new", data=post)
    if saved.status_code != 302:
        raise RuntimeError(f"post not saved: {saved.status_code}")
    reader = _Browser(app, "bench.blogs.bench")
    page = reader.get(f"/photo-{number}/").text
    if "srcset=" not in page:
        raise RuntimeError("the post page shows no srcset")
    widest = page.split('srcset="', 1)[1].split('"', 1)[0].split(", ")[-1].split()[0]
    if reader.get(widest).status_code != 200:
        raise RuntimeError(f"{widest} does not answer")
    return time.perf_counter() - started


class _Browser:
    """A test client whose requests go to one host."""

    def __init__(self, app, host: str) -> None:
        self.client, self.base = app.test_client(), f"http://{host}/"

    def get(self, path: str):
        return self.client.get(path, base_url=self.base)

    def post(self, path: str, **kwargs):
        return self.client.post(path, base_url=self.base, **kwargs)


def _token(page: str) -> str:
    return page.split('name="csrf_token" type="hidden" value="', 1)[1].split('"', 1)[0]


def _renamed(data: bytes, number: int) -> bytes:
    """The same photo as another file (a comment after the start marker), so no
    round is the image an earlier one uploaded."""
    comment = f"bench round {number}".encode()
    return data[:2] + b"\xff\xfe" + (len(comment) + 2).to_bytes(2, "big") + comment + data[2:]


def measure(tmp: Path, date: str, load: str) -> MediaRun:
    source = photo(tmp / "photo-12mp.jpg")
    libraries = processing(source)
    print("Upload to visible, embedded mode...", flush=True)
    (tmp / "media-instance").mkdir()
    visible = upload_to_visible(source, tmp / "media-instance")
    return MediaRun(date, load, source.stat().st_size / 1e6, libraries, visible)


def _verdict(value: float, target: float, unit: str) -> str:
    return "met" if value <= target else f"missed by {value - target:.2f} {unit}"


def _library_row(lib: Library) -> str:
    first = lib.rounds[0]
    walls = ", ".join(f"{r['wall']:.2f}" for r in lib.rounds)
    return (
        f"| {lib.name} ({lib.version}) | {lib.median('wall'):.2f} | {lib.median('cpu'):.2f} | "
        f"{lib.median('peak_mb'):.0f} | {lib.median('baseline_mb'):.0f} | "
        f"{first['files']:.0f}, {first['bytes'] / 1e6:.1f} MB | {walls} |"
    )


def _target_rows(pillow: Library, visible: float) -> str:
    wall, peak = pillow.median("wall"), pillow.median("peak_mb")
    targets = [
        (f"12 MP into all variants ≤ {PROCESS_TARGET_S} s (Pillow, wall)", f"{wall:.2f} s",
         _verdict(wall, PROCESS_TARGET_S, "s")),
        (f"peak memory ≤ {MEMORY_TARGET_MB} MB (Pillow)", f"{peak:.0f} MB",
         _verdict(peak, MEMORY_TARGET_MB, "MB")),
        (f"upload to visible ≤ {VISIBLE_TARGET_S} s (embedded)", f"{visible:.2f} s",
         _verdict(visible, VISIBLE_TARGET_S, "s")),
    ]  # fmt: skip
    return "\n".join(f"| {name} | {value} | {verdict} |" for name, value, verdict in targets)


def section(run: MediaRun) -> str:
    rows = "\n".join(_library_row(lib) for lib in run.libraries)
    visible = statistics.median(run.visible)
    rounds = ", ".join(f"{s:.2f}" for s in run.visible)
    return f"""## Images (issue 17)

Measured on {run.date} (load average at start {run.load}). `python -m bench.run media`.

A generated 12-megapixel JPEG ({PHOTO[0]} x {PHOTO[1]}, {run.photo_mb:.1f} MB, EXIF
orientation 6 and a GPS position) made into the files the `media` queue stores: the
original upright without metadata, and 320, 640, 1024 and 1600 px variants in WebP
(effort 2) and JPEG. {ROUNDS} alternating rounds, each in a fresh process
(`bench/media_pillow.py`: `core.media.images` itself; `bench/media_vips.py`: the
same files with pyvips, `thumbnail` shrinking on load), medians. *CPU s* is the
user + system time of the work: steadier than the wall clock while other work
shares the machine (with a load average above the CPU count, wall time is mostly
waiting for a core). *Peak MB* is the process's peak resident memory (VmHWM),
*baseline* the interpreter and library before the work; a Celery worker's process
also holds the app (85 MB here where the baseline is 19 MB), so its peak is that
much higher.

| library | wall s | CPU s | peak MB | baseline MB | files | rounds, wall s |
|---|---:|---:|---:|---:|---|---|
{rows}

Upload to visible, embedded mode (SQLite, no broker, processing inline; the app
through its WSGI interface with Flask's test client): the upload's POST, the post
saved with the returned `![alt](media:<id>)`, the post page fetched until it
shows the srcset, and its widest variant fetched. Median {visible:.2f} s
(rounds: {rounds}).

| target | measured | verdict |
|---|---:|---|
{_target_rows(run.libraries[0], visible)}
"""


def summary(run: MediaRun) -> str:
    libs = "; ".join(
        f"{lib.name} {lib.median('wall'):.2f} s, {lib.median('peak_mb'):.0f} MB"
        for lib in run.libraries
    )
    return f"Images: {libs}; upload to visible {statistics.median(run.visible):.2f} s."
