"""A fake GitHub REST API for tests: real HTTP on 127.0.0.1, generated data, rate limits, faults.

Example:
    repo = generate_repo("octo-org/demo", n_prs=300, seed=7)
    with FakeGitHub(repos=[repo], tokens={"ghp_valid_token_1"}) as gh:
        ...  # point the extractor at gh.url; read gh.stats afterwards
        with gh.mutate() as m:  # then change the repository and extract again
            m.advance(days=1)
            m.add_prs(3)
"""

from tests.fakegithub.faults import Faults
from tests.fakegithub.generate import GeneratedRepo, generate_repo
from tests.fakegithub.mutate import MutationError, Mutator
from tests.fakegithub.quirks import Override, Quirks, pushed_down, updated_between_pages
from tests.fakegithub.server import FakeGitHub, Stats, paginate

__all__ = [
    "FakeGitHub",
    "Faults",
    "GeneratedRepo",
    "MutationError",
    "Mutator",
    "Override",
    "Quirks",
    "Stats",
    "generate_repo",
    "paginate",
    "pushed_down",
    "updated_between_pages",
]
