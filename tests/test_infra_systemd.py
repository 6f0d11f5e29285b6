"""infra/systemd: the units pass `systemd-analyze verify` (with the checkout's
paths put in, as an install does), exactly one beat is said so, and the log
rotation parses."""

import shutil
import subprocess
import sys
from pathlib import Path

from fixtures.services import unavailable

ROOT = Path(__file__).resolve().parents[1]
UNITS = ROOT / "infra" / "systemd"
LOGROTATE = shutil.which("logrotate") or "/usr/sbin/logrotate"


def installed_units(folder: Path) -> list[Path]:
    """The units with /opt/inkwell (the checkout) and its venv replaced by this one."""
    venv = Path(sys.executable).parent.parent
    units = []
    for unit in sorted([*UNITS.glob("*.service"), *UNITS.glob("*.path")]):
        text = unit.read_text().replace("/opt/inkwell/.venv", str(venv))
        units.append(folder / unit.name)
        units[-1].write_text(text.replace("/opt/inkwell/", f"{ROOT}/"))
    return units


def test_units_verify(tmp_path: Path) -> None:
    if shutil.which("systemd-analyze") is None:
        unavailable("systemd-analyze is not installed (.ci/run installs systemd)")
    units = installed_units(tmp_path)
    names = {unit.name for unit in units}
    assert {"inkwell-web.service", "inkwell-worker.service", "inkwell-beat.service"} <= names
    result = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *units],
        capture_output=True, text=True, cwd=tmp_path, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    complaints = [line for line in result.stderr.splitlines() if str(tmp_path) in line]
    assert complaints == []  # no unknown keys, no missing commands


def test_the_beat_unit_says_there_is_exactly_one() -> None:
    beat = (UNITS / "inkwell-beat.service").read_text()
    assert "EXACTLY ONE beat" in beat and "celery -A inkwell.workers.worker beat" in beat
    for unit in ("inkwell-web.service", "inkwell-worker.service"):
        text = (UNITS / unit).read_text()
        assert "EnvironmentFile=/etc/inkwell/inkwell.env" in text
        assert "ReadWritePaths=/srv/inkwell" in text  # the data directory, not the checkout


def test_log_rotation_parses(tmp_path: Path) -> None:
    if not Path(LOGROTATE).exists():
        unavailable("logrotate is not installed (.ci/run installs it)")
    state = tmp_path / "state"
    result = subprocess.run(
        [LOGROTATE, "--debug", "--state", state, UNITS / "inkwell.logrotate"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "error" not in result.stderr.lower(), result.stderr
