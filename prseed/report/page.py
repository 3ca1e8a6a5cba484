"""The report page: header, counts, extraction cost, charts, all in one HTML string.

Pure: figures in, text out. No clock, no paths of this machine, no unordered iteration, so one snapshot
and one set of flags always give the same bytes.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from html import escape
from string import Template
from typing import Any

from prseed import __version__
from prseed.contracts import dataset_digest
from prseed.report.charts import all_charts
from prseed.report.figures import Figures
from prseed.report.svg import render
from prseed.resources import read_text
from prseed.snapshots import SnapshotDiff

# Manifest keys with a place of their own on the page; any other key (records added by newer
# extractors: refusals, redirects, repairs, GraphQL points...) is listed under "Other records".
KNOWN_KEYS = frozenset(
    {
        "kind",
        "schema_version",
        "tool_version",
        "project",
        "parameters",
        "window",
        "started_at",
        "finished_at",
        "completed",
        "synthetic",
        "tables",
        "requests",
        "retries",
        "waits",
        "truncated_prs",
    }
)
LIST_LIMIT = 100


def render_page(new: Figures, old: Figures | None = None, diff: SnapshotDiff | None = None) -> str:
    """Return the whole report page.

    Args:
        new: figures of the snapshot reported on.
        old: figures of the older snapshot (``--against``), drawn under the new ones.
        diff: ``snapshot diff`` from old to new (given with ``old``).
    """
    m = new.manifest
    project = m["project"]
    body = [_header(new, old)]
    body.append(_cards(new, old))
    body.append(_extraction(new, old))
    sections = all_charts(new, old, diff)
    if diff is not None and old is not None:
        body.append('<section id="changes"><h2>Changes since the older snapshot</h2>')
        body.append('<div class="grid">' + "".join(render(c) for c in sections["changes"]) + "</div>")
        body.append(_diff_lists(diff))
        body.append("</section>")
    body.append('<section id="real"><h2>From GitHub</h2><div class="grid">')
    body.extend(render(c) for c in sections["real"])
    body.append("</div></section>")
    build = new.build
    body.append(
        '<section id="simulated" class="sim"><h2>Simulated '
        f'<span class="badge sim">deterministic: seed {build["seed"]}, as of {escape(build["as_of"])}</span>'
        '</h2><p class="note">Made up by the transform from hashes of stable keys, shaped by the project\'s '
        'configured rates; shown beside the real values they are built on.</p><div class="grid">'
    )
    body.extend(render(c) for c in sections["simulated"])
    body.append("</div></section>")
    body.append(
        f"<footer>prseed {escape(__version__)} · snapshot digest <code>{dataset_digest(m)[:16]}</code>"
        + (f" · older snapshot <code>{dataset_digest(old.manifest)[:16]}</code>" if old else "")
        + " · the same snapshot and options give the same page, byte for byte.</footer>\n"
    )
    return Template(read_text("prseed.report", "templates", "report.html")).substitute(
        version=escape(__version__),
        title=escape(f"prseed report: {project['key']}"),
        style=read_text("prseed.report", "templates", "report.css"),
        body="\n".join(body),
    )


def _header(new: Figures, old: Figures | None) -> str:
    m = new.manifest
    project = m["project"]
    window = m.get("window") or {}
    kind = "synthetic data" if m.get("synthetic") or project.get("synthetic") else "real data"
    lines = [
        f'<h1>prseed report: {escape(project["key"])} <span class="badge">{kind}</span></h1>',
        f'<p class="sub">{escape(project.get("team_name", ""))} · '
        + ", ".join(f"<code>{escape(r)}</code>" for r in project.get("repos", []))
        + "</p>",
        f'<p class="sub">PRs created {escape(str(window.get("since") or "…"))} to '
        f"{escape(str(window.get('until') or '…'))} · extracted {escape(m['started_at'])} to "
        f"{escape(m['finished_at'])} by prseed {escape(m['tool_version'])}</p>",
    ]
    if old is not None:
        ow = old.manifest.get("window") or {}
        lines.append(
            '<p class="sub">Compared with the older snapshot extracted '
            f"{escape(old.manifest['finished_at'])} "
            f"(PRs created {escape(str(ow.get('since') or '…'))} to {escape(str(ow.get('until') or '…'))}): "
            "its values are drawn as dashed outlines.</p>"
        )
    return "<header>" + "".join(lines) + "</header>"


def _card(label: str, value: float, old: float | None, unit: str = "") -> str:
    text = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"
    delta = ""
    if old is not None:
        change = value - old
        if change:
            cls = "up" if change > 0 else "down"
            shown = f"{change:+,.0f}" if float(change).is_integer() else f"{change:+,.1f}"
            delta = f' <em class="{cls}">{shown}</em>'
        else:
            delta = " <em>±0</em>"
    return f'<div class="card"><b>{text}{unit}{delta}</b><span>{escape(label)}</span></div>'


def _card_values(fig: Figures) -> list[tuple[str, float]]:
    m = fig.manifest
    rows = {name: entry["rows"] for name, entry in m["tables"].items()}
    prs = rows.get("pull_requests", 0)
    requests = m.get("requests", {}).get("total", 0)
    waits = m.get("waits", {})
    return [
        ("pull requests", prs),
        ("merged", fig.states["merged"]),
        ("closed unmerged", fig.states["closed"]),
        ("open", fig.states["open"]),
        ("authors", fig.states["authors"]),
        ("commits", rows.get("commits", 0)),
        ("reviews", rows.get("reviews", 0)),
        ("changed files", rows.get("files", 0)),
        ("check runs", rows.get("check_runs", 0)),
        ("contributors", rows.get("contributors", 0)),
        ("requests spent", requests),
        ("requests per PR", round(requests / prs, 2) if prs else 0),
        ("rate-limit waits", waits.get("count", 0)),
        ("seconds waited", round(float(waits.get("seconds", 0)), 1)),
        ("retries", m.get("retries", 0)),
        ("truncated PRs", len(m.get("truncated_prs", []))),
        *_extra_cards(m),
    ]


def _extra_cards(manifest: dict[str, Any]) -> list[tuple[str, float]]:
    """A card for each manifest record prseed does not know that has a single number to show.

    A number is shown as it is, a list by its length, an object by its ``total``, ``count`` or
    ``points`` (e.g. ``graphql.points``: the rate-limit points a GraphQL extraction spent).
    """
    cards = []
    for key in sorted(set(manifest) - KNOWN_KEYS):
        value, label = manifest[key], key.replace("_", " ")
        if isinstance(value, dict):
            field = next((f for f in ("total", "count", "points") if f in value), None)
            value = value.get(field) if field else None
            if field == "points":
                label += " points"
        if isinstance(value, list):
            value = len(value)
        if isinstance(value, int | float) and not isinstance(value, bool):
            cards.append((label, value))
    return cards


def _cards(new: Figures, old: Figures | None) -> str:
    before = dict(_card_values(old)) if old else {}
    cards = [_card(label, value, before.get(label) if old else None) for label, value in _card_values(new)]
    return '<section id="counts" class="cards">' + "".join(cards) + "</section>"


def flatten(value: Any, prefix: str = "") -> list[tuple[str, str]]:
    """Flatten a manifest value into ``(dotted key, text)`` rows, dict keys sorted.

    Lists of objects become one row per item (up to ``LIST_LIMIT``), as compact JSON.
    """
    if isinstance(value, dict):
        if not value:
            return [(prefix, "none")]
        rows: list[tuple[str, str]] = []
        for key in sorted(value):
            rows.extend(flatten(value[key], f"{prefix}.{key}" if prefix else str(key)))
        return rows
    if isinstance(value, list):
        if not value:
            return [(prefix, "none")]
        if all(not isinstance(v, dict | list) for v in value):
            return [(prefix, ", ".join(_scalar(v) for v in value))]
        rows = [
            (f"{prefix}[{i}]", json.dumps(v, sort_keys=True, ensure_ascii=False)) for i, v in enumerate(value)
        ]
        if len(rows) > LIST_LIMIT:
            rows = [*rows[:LIST_LIMIT], (prefix, f"… {len(rows) - LIST_LIMIT} more")]
        return rows
    return [(prefix, _scalar(value))]


def _scalar(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.1f}".rstrip("0").rstrip(".")
    return str(value)


# Groups of the manifest's ``requests`` and ``waits`` records, read as words on the page.
_GROUPS = {"by_kind": "", "by_resource": "resource ", "by_reason": "", "by_status": "status "}


def label(key: str) -> str:
    """A flattened manifest key as a reader's label: ``by_reason.pacing.seconds`` → ``pacing: seconds``.

    The grouping prefix (``by_kind``...) is dropped or made a word, dots become ``: `` and
    underscores spaces; list indexes (``[0]``) are kept.
    """
    head, _, rest = key.partition(".")
    if head in _GROUPS and rest:
        parts = rest.split(".")
        parts[0] = _GROUPS[head] + parts[0]
    else:
        parts = key.split(".")
    return ": ".join(p.replace("_", " ") for p in parts)


#: What a record missing from a manifest means, for records whose absence has a known meaning:
#: snapshots made before the ``api`` record existed were all extracted over REST.
_MISSING = {"api": "REST (not recorded)"}


def _table(rows: Iterable[tuple[str, str]], old: dict[str, str] | None = None, words: bool = True) -> str:
    """A two- (or, with ``old``, three-) column table; ``words``: keys read as :func:`label`, else as is."""
    out = ["<table>"]
    if old is not None:
        out.append("<tr><th></th><th>now</th><th>older</th></tr>")
    for key, text in rows:
        cells = f'<td class="n">{escape(text)}</td>'
        if old is not None:
            cells += f'<td class="n">{escape(old.get(key, "–"))}</td>'
        head = f'<th title="{escape(key)}">{escape(label(key))}</th>' if words else f"<th>{escape(key)}</th>"
        out.append(f"<tr>{head}{cells}</tr>")
    out.append("</table>")
    return "".join(out)


def _extraction(new: Figures, old: Figures | None) -> str:
    m = new.manifest
    om = old.manifest if old else None

    def block(title: str, key: str) -> str:
        rows = flatten(m.get(key, {}))
        before = dict(flatten(om.get(key, {}))) if om is not None else None
        return f"<div><h3>{escape(title)}</h3>{_table(rows, before)}</div>"

    parts = [
        '<section id="extraction"><h2>Extraction</h2><div class="cols">',
        block("Requests", "requests"),
        block("Waits", "waits"),
        block("Parameters", "parameters"),
    ]
    truncated = m.get("truncated_prs", [])
    items = "".join(
        f"<li><code>{escape(str(t.get('repo')))}#{escape(str(t.get('number')))}</code>: "
        + escape(", ".join(p for p in ("commits", "files") if t.get(p)) or "capped")
        + " capped by GitHub</li>"
        for t in truncated[:LIST_LIMIT]
    )
    parts.append(
        f"<div><h3>Truncated PRs ({len(truncated)})</h3>"
        + (f"<ul>{items}</ul>" if truncated else "<p>None: every PR's commit and file lists are whole.</p>")
        + "</div>"
    )
    extra = sorted(set(m) - KNOWN_KEYS)
    if om is not None:
        extra = sorted(set(extra) | (set(om) - KNOWN_KEYS))
    # lists of objects (refusals, redirects, ...) get a table of their own, one row per item
    for key in [k for k in extra if _is_record_list(m.get(k))]:
        parts.append(_record_table(key, m[key]))
    extra = [k for k in extra if not _is_record_list(m.get(k))]
    if extra:
        rows = [r for key in extra for r in flatten(m.get(key, _MISSING.get(key, "not recorded")), key)]
        before = (
            dict(r for key in extra for r in flatten(om.get(key, _MISSING.get(key, "not recorded")), key))
            if om is not None
            else None
        )
        parts.append(f"<div><h3>Other records</h3>{_table(rows, before)}</div>")
    build = new.build
    build_rows = [("seed", str(build["seed"])), ("as of", str(build["as_of"]))] + [
        (name, f"{entry['rows']:,} rows") for name, entry in sorted(build["tables"].items())
    ]
    parts.append(f"<div><h3>Build (transform output)</h3>{_table(build_rows, words=False)}</div>")
    parts.append("</div></section>")
    return "".join(parts)


def _is_record_list(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def _record_table(key: str, records: list[dict[str, Any]]) -> str:
    """A manifest list of objects as a table: one column per field (in first-seen order)."""
    columns: list[str] = []
    for record in records:
        columns.extend(c for c in record if c not in columns)
    title = escape(key.replace("_", " ").capitalize())
    # A table of its own across the whole row: its columns do not fit beside other blocks.
    out = [f'<div class="records"><h3>{title} ({len(records):,})</h3><table><tr>']
    out.extend(f"<th>{escape(c.replace('_', ' '))}</th>" for c in columns)
    out.append("</tr>")
    for record in records[:LIST_LIMIT]:
        cells = "".join(
            f"<td>{escape(_scalar(record[c]) if c in record else '')}</td>"
            if not isinstance(record.get(c), dict | list)
            else f"<td>{escape(json.dumps(record[c], sort_keys=True, ensure_ascii=False))}</td>"
            for c in columns
        )
        out.append(f"<tr>{cells}</tr>")
    out.append("</table>")
    if len(records) > LIST_LIMIT:
        out.append(f"<p>… {len(records) - LIST_LIMIT:,} more</p>")
    out.append("</div>")
    return "".join(out)


def _pr_list(
    title: str, keys: Sequence[tuple[str, int]], detail: dict[tuple[str, int], list[str]] | None
) -> str:
    if not keys:
        return ""
    items = []
    for key in keys[:LIST_LIMIT]:
        text = f"<code>{escape(key[0])}#{key[1]}</code>"
        if detail is not None:
            text += ": " + escape(", ".join(detail[key]))
        items.append(f"<li>{text}</li>")
    more = f"<li>… {len(keys) - LIST_LIMIT:,} more</li>" if len(keys) > LIST_LIMIT else ""
    summary = f"<summary>{escape(title)} ({len(keys):,})</summary>"
    return f"<details>{summary}<ul>{''.join(items)}{more}</ul></details>"


def _diff_lists(diff: SnapshotDiff) -> str:
    rows = [
        (name, f"{before:,} → {after:,} ({after - before:+,})")
        for name, (before, after) in sorted(diff.rows.items())
    ]
    return (
        '<div class="cols"><div><h3>Rows per table</h3>'
        + _table(rows, words=False)
        + "</div><div><h3>Pull requests</h3>"
        + _pr_list("added", diff.added, None)
        + _pr_list("changed", list(diff.changed), diff.changed)
        + _pr_list("removed", diff.removed, None)
        + (
            f"<p>Contributors: {len(diff.contributors_added):,} added, "
            f"{len(diff.contributors_removed):,} removed.</p>"
        )
        + ("<p>Identical data.</p>" if diff.empty else "")
        + "</div></div>"
    )
