"""The design card's folders must never shadow the standard library or Alembic."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("folder", ["platform", "tenants", "workers", "alembic", "tests"])
def test_source_roots_are_not_packages(folder: str) -> None:
    assert (ROOT / folder).is_dir()
    assert not (ROOT / folder / "__init__.py").exists()


def test_stdlib_platform_still_imports_from_repo_root() -> None:
    code = "import platform, sqlalchemy; print(platform.python_implementation())"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() in {"CPython", "PyPy"}


def test_installed_alembic_wins_over_migrations_folder() -> None:
    code = "import alembic.command, inkwell.platform.core.database as d; print(d.MIGRATIONS_DIR)"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert Path(result.stdout.strip()) == ROOT / "alembic"


def test_inkwell_is_one_namespace_over_three_roots() -> None:
    import inkwell.platform
    import inkwell.tenants
    import inkwell.workers

    roots = {Path(p).parent.name for p in __import__("inkwell").__path__}
    assert roots == {"platform", "tenants", "workers"}
    assert Path(inkwell.tenants.__file__).is_relative_to(ROOT / "tenants")
