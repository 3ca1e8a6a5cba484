"""``prseed snapshot verify`` checks that key typed columns agree with ``raw`` (issue 11).

The transform reads the typed columns; the extract derives them from the API object it keeps in
``raw``. Real extractions (REST and GraphQL, from the fake GitHub over real HTTP) pass; a snapshot
whose typed column was edited without its raw is refused with a one-line error naming the column.
"""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from prseed.extract import ExtractConfig, run

from prseed import contracts
from prseed.cli import cli
from prseed.registry import adhoc_project
from prseed.snapshots import verify_snapshot
from tests import shapes
from tests.fakegithub import FakeGitHub, generate_repo

TOKEN = "fake-raw-check-token-0123456789"
REPO = "octo-org/rawcheck"


@pytest.mark.parametrize("api", ["rest", "graphql"])
def test_extracted_snapshots_pass_the_raw_check(tmp_path: Path, api: str) -> None:
    if api == "graphql":
        pytest.importorskip("tests.fakegithub.graphql.endpoint", reason="the fake GitHub has no /graphql yet")
    repo = generate_repo(REPO, n_prs=12, seed=5)
    with FakeGitHub(repos=[repo], tokens={TOKEN}) as gh:
        config = ExtractConfig(
            project=adhoc_project(REPO).manifest_block(),
            out_dir=tmp_path / "snap",
            tokens=(TOKEN,),
            api_url=gh.url,
            batch_delay=0.0,
            points_per_minute=100_000,
            secondary_min_wait=1.0,
            backoff_base=0.05,
            max_prs=None,
            synthetic=True,
            api=api,
        )
        run(config)
    assert verify_snapshot(tmp_path / "snap")["completed"]


def _rewrite(folder: Path, name: str, table: pa.Table) -> None:
    pq.write_table(table, folder / f"{name}.parquet")
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["tables"][name].update(
        rows=table.num_rows, sha256=contracts.sha256_file(folder / f"{name}.parquet")
    )
    (folder / "manifest.json").write_bytes(contracts.dumps_manifest(manifest))


@pytest.mark.parametrize(
    ("table", "column", "value"),
    [
        ("pull_requests", "created_at", datetime(2024, 1, 1, tzinfo=UTC)),
        ("pull_requests", "title", "Edited by hand"),
        ("check_runs", "started_at", datetime(1970, 1, 1, tzinfo=UTC)),
        ("commits", "authored_at", None),
    ],
)
def test_typed_column_edited_without_raw_is_refused(
    tmp_path: Path, table: str, column: str, value: object
) -> None:
    folder = tmp_path / "snap"
    shutil.copytree(shapes.fixture_dir("timestamps", 1), folder)
    assert verify_snapshot(folder)
    data = pq.read_table(folder / f"{table}.parquet")
    i = data.schema.get_field_index(column)
    values = data[column].to_pylist()
    values[0] = value
    _rewrite(
        folder, table, data.set_column(i, data.schema.field(i), pa.array(values, data.schema.field(i).type))
    )
    result = CliRunner().invoke(cli, ["snapshot", "verify", str(folder)])
    assert result.exit_code != 0
    assert f"rows have a {column} that disagrees with their raw API object" in result.output
    assert len(result.output.strip().splitlines()) == 1
