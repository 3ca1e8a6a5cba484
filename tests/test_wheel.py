"""The built wheel works on its own: installed into a fresh venv, run from an unrelated folder.

Issue 9 §1: a plain install used to fail at once (registry and schemas not in the wheel, found
relative to the source tree) and installed generic top-level packages. This test builds the wheel
offline from a copy of the sources (``--no-build-isolation``, with the setuptools of the dev
extras), installs only it into a new venv, and runs the console script of that venv from a folder
outside the repository: ``projects``, ``snapshot verify``, ``transform``, ``db init`` and ``load``
on the committed demo snapshot. The venv gets its dependencies (pyarrow, duckdb, ...) from the test
venv through a ``.pth`` line, so nothing is downloaded; the ``.pth`` files of the test venv (the
editable install's import hook) are not run, so ``prseed`` can only come from the wheel.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ("pyproject.toml", "README.md", "prseed", "extract", "transform", "load", "schemas")

pytestmark = pytest.mark.slow


def _run(argv: list[str], cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, f"{' '.join(argv)} failed:\n{proc.stdout}\n{proc.stderr}"
    return proc


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    src = tmp_path_factory.mktemp("src")
    for name in SOURCES:
        path = ROOT / name
        if path.is_dir():
            shutil.copytree(path, src / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(path, src / name)
    dist = tmp_path_factory.mktemp("dist")
    _run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(dist),
            str(src),
        ],
        cwd=src,
    )
    (built,) = dist.glob("prseed-*.whl")
    return built


@pytest.fixture(scope="module")
def fresh_bin(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    venv = tmp_path_factory.mktemp("fresh") / "venv"
    _run([sys.executable, "-m", "venv", str(venv)], cwd=venv.parent)
    _run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "--no-deps", "--no-index", str(wheel)],
        cwd=venv.parent,
    )
    site = _run(
        [str(venv / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        cwd=venv.parent,
    ).stdout.strip()
    deps = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (Path(site) / "_prseed_test_deps.pth").write_text("\n".join(sorted(deps)) + "\n")
    return venv / "bin"


def test_wheel_holds_one_top_level_package_and_all_package_data(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    assert {n.split("/")[0] for n in names} == {"prseed", "prseed-0.1.0.dist-info"}
    expected = {"prseed/projects.toml"}
    for folder, package in (
        ("prseed", "prseed"),
        ("extract", "prseed/extract"),
        ("transform", "prseed/transform"),
    ):
        expected |= {f"{package}/sql/{p.name}" for p in (ROOT / folder / "sql").glob("*.sql")}
    expected |= {f"prseed/load/sql/{p.name}" for p in (ROOT / "load" / "sql").glob("*.sql")}
    expected |= {
        f"prseed/schemas/{p.relative_to(ROOT / 'schemas')}" for p in (ROOT / "schemas").rglob("*.json")
    }
    assert len(expected) > 40
    assert expected <= set(names), sorted(expected - set(names))


def test_installed_wheel_runs_the_pipeline_from_an_unrelated_folder(
    fresh_bin: Path, pg_url: str, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "DATABASE_URL", "PRSEED_PROJECTS")}
    env["PRSEED_PGDATA"] = str(tmp_path / "no-pgdata")  # nothing may start an embedded server here

    def prseed(*args: str) -> subprocess.CompletedProcess[str]:
        return _run([str(fresh_bin / "prseed"), *args], cwd=elsewhere, env=env)

    where = _run(
        [
            str(fresh_bin / "python"),
            "-c",
            "import prseed, prseed.extract; print(prseed.__file__, prseed.extract.__file__)",
        ],
        cwd=elsewhere,
        env=env,
    ).stdout
    assert str(ROOT) not in where and str(fresh_bin.parent) in where

    assert "polarsource/polar" in prseed("projects").stdout
    demo = ROOT / "snapshots" / "demo"
    assert "ok" in prseed("snapshot", "verify", str(demo)).stdout
    # The conditional-request cache beside the tables (issue 14) is no table: even damaged, it is ignored.
    cached = tmp_path / "cached-demo"
    shutil.copytree(demo, cached)
    (cached / "etags").mkdir()
    (cached / "etags" / "0123456789abcdef.json").write_text('{"format": "prseed-etags", cut')
    assert "ok" in prseed("snapshot", "verify", str(cached)).stdout
    assert "etags        1 token(s)" in prseed("snapshot", "info", str(cached)).stdout
    out = prseed("transform", "demo", "--snapshot", str(demo), "--out", "build/demo").stdout
    assert "metrics_pullrequest" in out and (elsewhere / "build" / "demo" / "manifest.json").is_file()
    prseed("db", "init", "--database-url", pg_url)
    loaded = prseed("load", "demo", "--snapshots", str(ROOT / "snapshots"), "--database-url", pg_url).stdout
    assert "loaded 1 project(s)" in loaded
    assert sorted(p.name for p in elsewhere.iterdir()) == ["build"]  # no .pgdata, no lock files
    assert not (tmp_path / "no-pgdata").exists()
