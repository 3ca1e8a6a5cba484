"""Bar charts as static SVG text: the report's only drawing code.

Pure functions from numbers to markup, no I/O and no randomness, so the same figures always give the
same bytes. Every mark carries a ``<title>`` (the browser's tooltip) with its exact value, and every
chart a ``data-values`` attribute with the numbers behind it (the tests compare those with values they
compute on their own). Colours are the Okabe-Ito palette, which stays distinguishable for the common
kinds of colour blindness.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape

PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
OLD_COLOUR = "#555555"
FONT = 11


@dataclass(frozen=True)
class Series:
    """One named row of values, one per category.

    Attributes:
        name: legend text.
        values: one value per category of the chart (``None``: no value, nothing drawn).
        old: the same series in the older snapshot (``--against``), drawn as a dashed outline.
        colour: fill colour; default: the palette entry of the series' position.
    """

    name: str
    values: Sequence[float | None]
    old: Sequence[float | None] | None = None
    colour: str | None = None


@dataclass(frozen=True)
class Marker:
    """A labelled vertical rule at a fractional category position (e.g. a median)."""

    position: float
    label: str
    old: bool = False


@dataclass(frozen=True)
class Chart:
    """A bar chart: categories on one axis, one bar per series and category.

    Attributes:
        key: stable id (``chart-<key>``), also used by the tests.
        title: heading above the chart.
        categories: category labels, in drawing order.
        series: the series; several are drawn side by side (or stacked, see ``stacked``).
        horizontal: bars grow to the right, categories run downwards.
        stacked: stack the series instead of grouping them.
        percent: values are fractions, the axis shows percent.
        markers: rules drawn across the bars (histogram median and p90).
        targets: one value per category (or ``None``) drawn as a dashed tick across its bars, e.g.
            the configured rate a simulated rate should meet.
        target_label: the targets' legend text.
        note: a line of text under the title.
        empty_text: shown instead of bars when no series has a value.
        tick_every: label only every n-th category (0: choose from the count).
        category_titles: longer category text for tooltips (default: the labels).
    """

    key: str
    title: str
    categories: Sequence[str]
    series: Sequence[Series]
    horizontal: bool = False
    stacked: bool = False
    percent: bool = False
    markers: Sequence[Marker] = ()
    targets: Sequence[float | None] = ()
    target_label: str = ""
    note: str = ""
    empty_text: str = "No data in this snapshot."
    tick_every: int = 0
    category_titles: Sequence[str] | None = None
    extra_data: dict[str, object] = field(default_factory=dict)

    def has_data(self) -> bool:
        """Whether any series has a non-zero value (now or, with ``--against``, before)."""
        for s in self.series:
            for v in (*s.values, *(s.old or ())):
                if v:
                    return True
        return False


#: Longest category label drawn whole on a horizontal chart (GitHub bot logins such as
#: ``copilot-pull-request-reviewer[bot]`` are 34); longer ones are cut, the whole in a tooltip.
LABEL_CHARS = 40


def fmt_number(value: float, percent: bool = False) -> str:
    """Format a value for a label: ``12``, ``3.5``, ``1,234``, ``45.0%``."""
    if percent:
        return f"{value * 100:.1f}%"
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.1f}" if abs(value) >= 10 else f"{value:,.2f}".rstrip("0").rstrip(".")


def nice_ticks(maximum: float, count: int = 4, integer: bool = False) -> list[float]:
    """Return evenly spaced round tick values from 0 to at least ``maximum``.

    Steps are 1, 2 or 5 × 10^k, and at least 1 when ``integer`` (axes of counts).
    """
    if maximum <= 0:
        return [0.0, 1.0]
    raw = maximum / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    if integer:
        step = max(step, 1)
    n = math.ceil(maximum / step - 1e-9)  # the tolerance keeps 3.0000000001 / 1 at 3 steps ...
    if round(n * step, 10) < maximum:  # ... but never leaves the maximum above the top tick
        n += 1
    return [round(i * step, 10) for i in range(n + 1)]


def _f(value: float) -> str:
    """A coordinate with at most one decimal, so the text does not depend on float noise."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _values_json(chart: Chart) -> str:
    data: dict[str, object] = {
        "categories": list(chart.categories),
        "series": {s.name: list(s.values) for s in chart.series},
    }
    old = {s.name: list(s.old) for s in chart.series if s.old is not None}
    if old:
        data["old"] = old
    if chart.markers:
        data["markers"] = [m.label for m in chart.markers]
    if chart.targets:
        data["targets"] = list(chart.targets)
    data.update(chart.extra_data)
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def render(chart: Chart) -> str:
    """Return the chart as a ``<figure>`` holding its title, legend and SVG."""
    head = f"<h3>{escape(chart.title)}</h3>"
    if chart.note:
        head += f'<p class="note">{escape(chart.note)}</p>'
    data = escape(_values_json(chart), quote=True)
    if not chart.has_data():
        body = f'<p class="empty">{escape(chart.empty_text)}</p>'
        return f'<figure class="chart" id="chart-{chart.key}" data-values="{data}">{head}{body}</figure>\n'
    svg = _horizontal(chart) if chart.horizontal else _vertical(chart)
    return (
        f'<figure class="chart" id="chart-{chart.key}" data-values="{data}">'
        f"{head}{_legend(chart)}{svg}</figure>\n"
    )


def _colour(chart: Chart, index: int) -> str:
    return chart.series[index].colour or PALETTE[index % len(PALETTE)]


def _legend(chart: Chart) -> str:
    items = []
    if len(chart.series) > 1:
        for i, s in enumerate(chart.series):
            items.append(f'<span><i style="background:{_colour(chart, i)}"></i>{escape(s.name)}</span>')
    if any(s.old is not None for s in chart.series):
        items.append('<span><i class="old"></i>older snapshot</span>')
    for m in chart.markers:
        items.append(f'<span><i class="rule{" old" if m.old else ""}"></i>{escape(m.label)}</span>')
    if chart.targets:
        items.append(f'<span><i class="ref"></i>{escape(chart.target_label)}</span>')
    return f'<p class="legend">{"".join(items)}</p>' if items else ""


def _extent(chart: Chart) -> float:
    """Largest value the value axis must show (stacked: the largest stack)."""
    top = max((t for t in chart.targets if t is not None), default=0.0)
    n = len(chart.categories)
    for pick in ("values", "old"):
        rows = [getattr(s, pick) for s in chart.series if getattr(s, pick) is not None]
        if not rows:
            continue
        for i in range(n):
            column = [row[i] or 0.0 for row in rows]
            top = max(top, sum(column) if chart.stacked else max(column))
    return top


def _bars(chart: Chart) -> list[tuple[int, int, float, float, float | None, float]]:
    """Bars as (category, series, start, value, old, old start) in value units."""
    out = []
    for c in range(len(chart.categories)):
        base = old_base = 0.0
        for si, s in enumerate(chart.series):
            value = s.values[c] or 0.0
            old = s.old[c] if s.old is not None else None
            out.append((c, si, base, value, old, old_base))
            if chart.stacked:
                base += value
                old_base += old or 0.0
    return out


def _tooltip(chart: Chart, c: int, si: int, value: float, old: float | None) -> str:
    titles = chart.category_titles or chart.categories
    name = chart.series[si].name
    text = f"{titles[c]} · {name}: {fmt_number(value, chart.percent)}"
    if old is not None:
        text += f" (was {fmt_number(old, chart.percent)})"
    return escape(text)


def _axis_label(chart: Chart, value: float) -> str:
    return f"{round(value * 100, 6):g}%" if chart.percent else fmt_number(value)


def _vertical(chart: Chart) -> str:
    n = len(chart.categories)
    # marker labels get rows of their own above the bars: they never cover a bar or each other
    label_rows = 12 * len(chart.markers)
    left, right, top, bottom = 44, 10, 8 + label_rows, 34
    slot = max(14.0, min(60.0, 640 / max(n, 1)))
    width = left + right + slot * n
    height = 200 + label_rows
    plot_h = height - top - bottom
    ticks = nice_ticks(_extent(chart), integer=not chart.percent)
    vmax = ticks[-1]

    def y(v: float) -> float:
        return top + plot_h - plot_h * v / vmax

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_f(width)} {height}" '
        f'width="{_f(width)}" height="{height}" role="img" aria-label="{escape(chart.title)}">'
    ]
    for t in ticks:
        parts.append(
            f'<line class="grid" x1="{left}" x2="{_f(width - right)}" y1="{_f(y(t))}" y2="{_f(y(t))}"/>'
            f'<text class="tick" x="{left - 4}" y="{_f(y(t) + 4)}" text-anchor="end">'
            f"{_axis_label(chart, t)}</text>"
        )
    groups = 1 if chart.stacked else len(chart.series)
    bar_w = (slot - 4) / groups
    for c, si, base, value, old, old_base in _bars(chart):
        x = left + slot * c + 2 + (0 if chart.stacked else bar_w * si)
        if value:
            parts.append(
                f'<rect class="mark" x="{_f(x)}" y="{_f(y(base + value))}" width="{_f(bar_w)}" '
                f'height="{_f(y(base) - y(base + value))}" fill="{_colour(chart, si)}">'
                f"<title>{_tooltip(chart, c, si, value, old)}</title></rect>"
            )
        if old:
            parts.append(
                f'<rect class="old" x="{_f(x)}" y="{_f(y(old_base + old))}" width="{_f(bar_w)}" '
                f'height="{_f(y(old_base) - y(old_base + old))}">'
                f"<title>{_tooltip(chart, c, si, value, old)}</title></rect>"
            )
    every = chart.tick_every or max(1, math.ceil(n / 10))
    for c, label in enumerate(chart.categories):
        if c % every == 0:
            parts.append(
                f'<text class="tick" x="{_f(left + slot * c + slot / 2)}" y="{height - bottom + 14}" '
                f'text-anchor="middle">{escape(label)}</text>'
            )
    parts.append(f'<line class="axis" x1="{left}" x2="{_f(width - right)}" y1="{_f(y(0))}" y2="{_f(y(0))}"/>')
    for i, m in enumerate(chart.markers):
        x = left + slot * m.position
        cls = "rule old" if m.old else "rule"
        # each label has a row of its own, so that markers close together (a median and a p90,
        # now and older) never overprint each other
        near_end = x > width - right - 90
        anchor = ' text-anchor="end"' if near_end else ""
        parts.append(
            f'<line class="{cls}" x1="{_f(x)}" x2="{_f(x)}" y1="{8 + 12 * i}" y2="{_f(y(0))}">'
            f"<title>{escape(m.label)}</title></line>"
            f'<text class="mlabel" x="{_f(x - 3 if near_end else x + 3)}" y="{8 + 10 + 12 * i}"'
            f"{anchor}>{escape(m.label)}</text>"
        )
    for c, target in enumerate(chart.targets):
        if target is not None:
            x1, ty = left + slot * c, y(target)
            parts.append(
                f'<line class="ref" x1="{_f(x1)}" x2="{_f(x1 + slot)}" y1="{_f(ty)}" y2="{_f(ty)}">'
                f"<title>{escape(chart.target_label)}: {fmt_number(target, chart.percent)}</title></line>"
            )
    parts.append("</svg>")
    return "".join(parts)


def _horizontal(chart: Chart) -> str:
    n = len(chart.categories)
    label_w = min(LABEL_CHARS * 6.5 + 12, 12 + 6.5 * max((len(c) for c in chart.categories), default=4))
    left, right, top, bottom = label_w, 56, 4, 22
    groups = 1 if chart.stacked else len(chart.series)
    slot = 6 + 14 * groups
    # the plot keeps 300 px however long the labels are
    width = round(label_w + 300 + right)
    height = top + bottom + slot * n
    ticks = nice_ticks(_extent(chart), integer=not chart.percent)
    vmax = ticks[-1]
    plot_w = width - left - right

    def x(v: float) -> float:
        return left + plot_w * v / vmax

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {_f(height)}" '
        f'width="{width}" height="{_f(height)}" role="img" aria-label="{escape(chart.title)}">'
    ]
    for t in ticks:
        parts.append(
            f'<line class="grid" x1="{_f(x(t))}" x2="{_f(x(t))}" y1="{top}" y2="{_f(height - bottom)}"/>'
            f'<text class="tick" x="{_f(x(t))}" y="{_f(height - bottom + 14)}" text-anchor="middle">'
            f"{_axis_label(chart, t)}</text>"
        )
    bar_h = (slot - 6) / groups
    for c, si, base, value, old, old_base in _bars(chart):
        y = top + slot * c + 3 + (0 if chart.stacked else bar_h * si)
        if value:
            parts.append(
                f'<rect class="mark" x="{_f(x(base))}" y="{_f(y)}" width="{_f(x(base + value) - x(base))}" '
                f'height="{_f(bar_h)}" fill="{_colour(chart, si)}">'
                f"<title>{_tooltip(chart, c, si, value, old)}</title></rect>"
            )
        if old:
            parts.append(
                f'<rect class="old" x="{_f(x(old_base))}" y="{_f(y)}" '
                f'width="{_f(x(old_base + old) - x(old_base))}" height="{_f(bar_h)}">'
                f"<title>{_tooltip(chart, c, si, value, old)}</title></rect>"
            )
        if not chart.stacked or si == len(chart.series) - 1:
            end = base + value
            text = fmt_number(end, chart.percent)
            tx = x(end) + 4
            target = chart.targets[c] if c < len(chart.targets) else None
            if target is not None and tx - 6 <= x(target) <= tx + 6.5 * len(text):
                tx = x(target) + 4  # after the reference line, not under it
            parts.append(f'<text class="value" x="{_f(tx)}" y="{_f(y + bar_h / 2 + 4)}">{text}</text>')
    for c, label in enumerate(chart.categories):
        short = label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"
        parts.append(
            f'<text class="tick" x="{_f(left - 6)}" y="{_f(top + slot * c + slot / 2 + 4)}" '
            f'text-anchor="end"><title>{escape(label)}</title>{escape(short)}</text>'
        )
    parts.append(f'<line class="axis" x1="{left}" x2="{left}" y1="{top}" y2="{_f(height - bottom)}"/>')
    for c, target in enumerate(chart.targets):
        if target is not None:
            tx, y1 = x(target), top + slot * c
            parts.append(
                f'<line class="ref" x1="{_f(tx)}" x2="{_f(tx)}" y1="{_f(y1)}" y2="{_f(y1 + slot)}">'
                f"<title>{escape(chart.target_label)}: {fmt_number(target, chart.percent)}</title></line>"
            )
    parts.append("</svg>")
    return "".join(parts)
