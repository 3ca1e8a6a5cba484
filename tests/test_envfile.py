import os

from prseed.envfile import load_dotenv


def test_dotenv_sets_missing_variables_only(tmp_path, monkeypatch):
    env = tmp_path / ".env"
    env.write_text(
        "# comment\n\nexport GITHUB_TOKEN='from-file'\nDATABASE_URL=\"postgresql://x/y\"\n"
        "PRSEED_PGDATA=/tmp/pg\nnot a pair\n"
    )
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("PRSEED_PGDATA", "/already/set")
    loaded = load_dotenv(env)
    assert loaded == ["GITHUB_TOKEN", "DATABASE_URL"]
    assert os.environ["GITHUB_TOKEN"] == "from-file"
    assert os.environ["DATABASE_URL"] == "postgresql://x/y"
    assert os.environ["PRSEED_PGDATA"] == "/already/set"


def test_missing_dotenv_is_fine(tmp_path):
    assert load_dotenv(tmp_path / ".env") == []
