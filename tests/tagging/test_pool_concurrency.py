"""The pool claim under real concurrency: 20 taggers in threads, each with its own connection,
press "Next title" until there is no work. No title may get more taggers than its overlap, no
pair twice, no error — on a file SQLite always, and on PostgreSQL when DATABASE_URL is postgres."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from accounts.roles import Role
from tests.catalog.factories import TitleFactory
from tests.tagging.claim_race import race

ROOT = Path(__file__).resolve().parents[2]
TAGGERS, TITLES, OVERLAP = 20, 15, 2


def check(report: dict) -> None:
    assert report["errors"] == []
    assert report["titles_over_overlap"] == 0
    assert report["max_per_title"] == OVERLAP
    assert report["duplicate_pairs"] == 0
    # every title reached its overlap exactly: nobody got "no work" while a slot was open
    assert report["per_title"] == [OVERLAP] * TITLES
    assert report["claims"] == TITLES * OVERLAP


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="in-process threads need a server database"
)
@pytest.mark.django_db(transaction=True)
def test_pool_claim_never_exceeds_overlap_on_postgresql(make_user):
    taggers = [make_user(Role.TAGGER) for _ in range(TAGGERS)]
    TitleFactory.create_batch(TITLES)
    check(race(taggers=taggers, overlap=OVERLAP))


# Always runs (the embedded default is SQLite even when the suite itself runs on PostgreSQL).
def test_pool_claim_never_exceeds_overlap_on_file_sqlite(tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'race.sqlite3'}",
        "TAGLINE_VAR_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "-m", "tests.tagging.claim_race", str(TAGGERS), str(TITLES), str(OVERLAP)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    check(json.loads(result.stdout.strip().splitlines()[-1]))
