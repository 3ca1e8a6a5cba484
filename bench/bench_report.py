"""Report page size: our static SVG against the charting libraries we considered.

Generates a snapshot of N PRs (tests/snapgen.py), builds it, computes the report's charts once and draws
the same charts with each candidate that is installed: prseed's own SVG (the full page, as shipped),
matplotlib (inline SVG), Plotly (plotly.js inlined once), Vega-Lite via Altair (vega, vega-lite and
vega-embed inlined) and pygal (SVG, no tooltip script). For each it prints page bytes, render time and
whether two renders give the same bytes. Candidates that are not installed are listed as skipped; install
them by hand (``pip install matplotlib plotly altair vl-convert-python pygal``) for the comparison.

Usage: ``python -m bench.bench_report [--prs 1000]``.
"""

from __future__ import annotations

import argparse
import importlib.util
import io
import json
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from prseed.contracts import verify_dataset
from prseed.report import ReportConfig, ensure_build
from prseed.report.charts import all_charts
from prseed.report.figures import fetch_figures
from prseed.report.page import render_page
from prseed.report.svg import Chart
from tests.snapgen import GenSpec, write_snapshot


def _rows(chart: Chart) -> list[dict[str, object]]:
    return [
        {"category": c, "series": s.name, "value": s.values[i] or 0.0, "order": i}
        for s in chart.series
        for i, c in enumerate(chart.categories)
    ]


def page_matplotlib(charts: list[Chart]) -> str:
    import matplotlib

    matplotlib.use("svg")
    import matplotlib.pyplot as plt

    matplotlib.rcParams.update({"svg.hashsalt": "prseed", "svg.fonttype": "none"})
    parts = []
    for chart in charts:
        fig, ax = plt.subplots(figsize=(6.4, 2.4))
        n, k = len(chart.categories), len(chart.series)
        width = 0.8 / (1 if chart.stacked else k)
        base = [0.0] * n
        for si, s in enumerate(chart.series):
            vals = [v or 0.0 for v in s.values]
            pos = [i + (0 if chart.stacked else (si - (k - 1) / 2) * width) for i in range(n)]
            if chart.horizontal:
                ax.barh(pos, vals, height=width, left=base if chart.stacked else None, label=s.name)
            else:
                ax.bar(pos, vals, width=width, bottom=base if chart.stacked else None, label=s.name)
            if chart.stacked:
                base = [b + v for b, v in zip(base, vals, strict=True)]
        for m in chart.markers:
            ax.axvline(m.position - 0.5, color="black")
        if chart.horizontal:
            ax.set_yticks(range(n), list(chart.categories))
        else:
            ax.set_xticks(range(n), list(chart.categories), rotation=90, fontsize=6)
        ax.set_title(chart.title)
        out = io.StringIO()
        fig.savefig(out, format="svg", metadata={"Date": None}, bbox_inches="tight")
        plt.close(fig)
        parts.append(out.getvalue().split("?>", 1)[-1])
    return "<!DOCTYPE html><html><body>" + "".join(parts) + "</body></html>"


def page_plotly(charts: list[Chart]) -> str:
    import plotly.graph_objects as go

    parts = []
    for i, chart in enumerate(charts):
        fig = go.Figure()
        for s in chart.series:
            xs, ys = list(chart.categories), [v or 0.0 for v in s.values]
            if chart.horizontal:
                fig.add_trace(go.Bar(x=ys, y=xs, name=s.name, orientation="h"))
            else:
                fig.add_trace(go.Bar(x=xs, y=ys, name=s.name))
        fig.update_layout(title=chart.title, barmode="stack" if chart.stacked else "group", height=300)
        parts.append(fig.to_html(full_html=False, include_plotlyjs=(i == 0), div_id=f"chart-{chart.key}"))
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'></head><body>" + "".join(parts) + "</body></html>"
    )


def page_altair(charts: list[Chart]) -> str:
    import altair as alt

    specs = []
    for chart in charts:
        data = alt.Data(values=_rows(chart))
        base = alt.Chart(data, title=chart.title).mark_bar()
        cat = alt.X("category:N", sort=None) if not chart.horizontal else alt.Y("category:N", sort=None)
        val = alt.Y("value:Q") if not chart.horizontal else alt.X("value:Q")
        enc = {"color": "series:N"}
        if not chart.stacked and len(chart.series) > 1:
            enc["xOffset" if not chart.horizontal else "yOffset"] = "series:N"
        specs.append(base.encode(cat, val, **enc).properties(width=520, height=160))
    return str(alt.vconcat(*specs).to_html(inline=True))


def page_pygal(charts: list[Chart]) -> str:
    import pygal

    parts = []
    for chart in charts:
        cls = pygal.StackedBar if chart.stacked else pygal.HorizontalBar if chart.horizontal else pygal.Bar
        pc = cls(title=chart.title, js=[], disable_xml_declaration=True, width=640, height=260)
        pc.x_labels = list(chart.categories)
        for s in chart.series:
            pc.add(s.name, [v or 0.0 for v in s.values])
        parts.append(pc.render(is_unicode=True))
    return "<!DOCTYPE html><html><body>" + "".join(parts) + "</body></html>"


CANDIDATES: dict[str, tuple[str | None, Callable[[list[Chart]], str]]] = {
    "matplotlib (inline SVG)": ("matplotlib", page_matplotlib),
    "Plotly (plotly.js inlined)": ("plotly", page_plotly),
    "Vega-Lite via Altair (JS inlined)": ("vl_convert", page_altair),
    "pygal (SVG)": ("pygal", page_pygal),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prs", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="prseed-bench-report-") as temp:
        snap, build = Path(temp) / "snap", Path(temp) / "build"
        write_snapshot(snap, GenSpec(n_prs=args.prs))
        config = ReportConfig(snapshot_dir=snap, build_dir=build, out=Path(temp) / "r.html")
        manifest = verify_dataset(snap, "snapshot")
        ensure_build(snap, manifest, build, config.seed, None)
        figures = fetch_figures(snap, manifest, build, verify_dataset(build, "build"))
        charts = [c for section in all_charts(figures, None, None).values() for c in section]
        results = {}
        runners: dict[str, tuple[str | None, Callable[[list[Chart]], str]]] = {
            "prseed static SVG (whole page)": (None, lambda _c: render_page(figures)),
            **CANDIDATES,
        }
        for name, (module, func) in runners.items():
            if module and importlib.util.find_spec(module) is None:
                print(f"{name:<36} skipped: {module} not installed")
                continue
            started = time.perf_counter()
            first = func(charts)
            seconds = time.perf_counter() - started
            same = func(charts) == first
            size = len(first.encode("utf-8"))
            results[name] = {"bytes": size, "seconds": round(seconds, 3), "deterministic": same}
            print(f"{name:<36} {size:>10,} bytes  {seconds:6.2f} s  same bytes twice: {same}")
        print(json.dumps({"prs": args.prs, "charts": len(charts), "results": results}, indent=2))


if __name__ == "__main__":
    main()
