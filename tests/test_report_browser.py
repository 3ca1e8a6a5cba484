"""The report page in a real headless Chromium: no console error, no network, every chart drawn.

Chromium comes from the system's packages (Debian: ``chromium``; ``make test`` installs it when it is
missing and it runs as root with apt). Without a Chromium binary, or without Playwright (the ``dev``
extra), these tests are SKIPPED with the reason, never passed. Screenshots land in
``build/test-screenshots/``.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.snapgen import GenSpec, write_snapshot
from tests.test_report import DEMO, make_report, with_262_commits, write_variant

SCREENSHOTS = Path(__file__).parents[1] / "build" / "test-screenshots"
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")

# For every chart: how many bars it drew with a non-empty box, and whether its "no data" note shows.
INSPECT = """() => [...document.querySelectorAll('figure.chart')].map(f => {
  const boxes = sel => [...f.querySelectorAll(sel)].filter(m => {
    const b = m.getBBox(); return b.width > 0 && b.height > 0;
  }).length;
  const svg = f.querySelector('svg');
  const r = svg ? svg.getBoundingClientRect() : {width: 0, height: 0};
  const empty = f.querySelector('.empty');
  return {
    id: f.id,
    data: JSON.parse(f.dataset.values),
    marks: f.querySelectorAll('svg rect.mark').length,
    drawn: boxes('svg rect.mark'),
    old: boxes('svg rect.old'),
    svgArea: r.width * r.height,
    emptyShown: !!empty && empty.getBoundingClientRect().height > 0 && empty.textContent.trim() !== '',
  };
})"""


def chromium_path() -> str | None:
    """The system Chromium: ``PRSEED_CHROMIUM`` or the first known name on PATH."""
    given = os.environ.get("PRSEED_CHROMIUM")
    if given:
        return given
    return next((path for name in BROWSERS if (path := shutil.which(name))), None)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("Playwright is not installed: `make install` (the dev extra) brings it")
    executable = chromium_path()
    if executable is None:
        pytest.skip(
            "no Chromium found: install Debian's `chromium` (`make test` does as root) or set PRSEED_CHROMIUM"
        )
    # Chromium refuses its sandbox to root (CI runs as root).
    args = ["--no-sandbox"] if os.geteuid() == 0 else []
    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=executable, args=args)
        try:
            yield instance
        finally:
            instance.close()


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Report pages: the demo, the demo against an older snapshot, and the odd snapshots."""
    root = tmp_path_factory.mktemp("browser")
    old = root / "old"
    write_snapshot(old, GenSpec(n_prs=40))
    new = root / "new"
    write_snapshot(new, GenSpec(n_prs=40, extra=(GenSpec(n_prs=6, first_number=10_000, seed=5),)))
    snapshots = {
        "zero-prs": write_variant(root / "zero", GenSpec(n_prs=0)),
        "one-pr": write_variant(root / "one", GenSpec(n_prs=1)),
        "262-commits": write_variant(
            root / "big",
            GenSpec(n_prs=1, repos=("acme/api",)),
            with_262_commits,
            [{"repo": "acme/api", "number": 1, "commits": True, "files": False}],
        ),
    }
    out = {"demo": make_report(DEMO, root, "demo")[0]}
    out["against"] = make_report(new, root, "against", against=old)[0]
    for name, folder in snapshots.items():
        out[name] = make_report(folder, root, name)[0]
    return out


def values_drawn(values: list[float | None] | None) -> int:
    return sum(1 for v in values or () if v)


@pytest.mark.parametrize("case", ["demo", "against", "zero-prs", "one-pr", "262-commits"])
def test_page_renders_in_chromium(case: str, browser: Any, pages: dict[str, Path]) -> None:
    page = browser.new_page(viewport={"width": 1240, "height": 900})
    problems: list[str] = []
    requests: list[str] = []
    page.on(
        "console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None
    )
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url}"))
    page.on("request", lambda r: requests.append(r.url))
    url = pages[case].resolve().as_uri()
    page.goto(url, wait_until="load")
    charts = page.evaluate(INSPECT)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shot = SCREENSHOTS / f"report-{case}.png"
    page.screenshot(path=str(shot), full_page=True)
    page.close()

    assert problems == []
    assert requests == [url], "the page must not load anything else"
    assert len(charts) == (13 if case == "against" else 12)
    for chart in charts:
        data = chart["data"]
        expected = sum(values_drawn(v) for v in data["series"].values())
        expected_old = sum(values_drawn(v) for v in data.get("old", {}).values())
        if expected or expected_old:
            assert chart["svgArea"] > 0, chart["id"]
            assert chart["drawn"] == chart["marks"] == expected, chart["id"]
            assert chart["old"] == expected_old, chart["id"]
            assert not chart["emptyShown"], chart["id"]
        else:
            assert chart["emptyShown"], f"{chart['id']} drew nothing and says nothing"
    if case != "zero-prs":
        assert sum(c["drawn"] for c in charts) > 0
    assert shot.stat().st_size > 10_000
