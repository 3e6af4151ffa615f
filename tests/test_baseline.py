"""``--write-baseline`` / ``--baseline``: the findings of today are accepted wherever the
code moves; a new one is reported."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from ormlint.baseline import new_findings
from ormlint.diagnostics import Diagnostic, Location
from repos import MODELS, git_repository, ormlint

VIEWS = (
    "import requests\n"
    "from shop.models import Order\n\n\n"
    "def names():\n"
    "    return [order.customer.name for order in Order.objects.all()]\n\n\n"
    "def fetch(url):\n"
    "    return requests.get(url)\n"
)
N_PLUS_ONE = "    return [order.customer.name for order in Order.objects.all()]\n"


@pytest.fixture
def shop(tmp_path):
    root = git_repository(
        tmp_path / "repo",
        {"manage.py": "", "shop/__init__.py": "", "shop/models.py": MODELS, "shop/views.py": VIEWS},
    )
    written = ormlint(root, "--write-baseline", "baseline.json", ".")
    assert written.returncode == 0, written.stdout + written.stderr
    assert written.stderr.strip() == "Wrote 2 findings to baseline.json."
    return root


def reported(result) -> list:
    return [line.split(": ", 1)[0] for line in result.stdout.splitlines() if ": ORM" in line]


def test_the_baseline_records_file_code_message_and_line(shop):
    document = json.loads((shop / "baseline.json").read_text())
    assert document["ormlint-baseline"] == 1
    assert [(f["file"], f["code"], f["text"]) for f in document["findings"]] == [
        ("shop/views.py", "ORM001", "return [order.customer.name for order in Order.objects.all()]"),
        ("shop/views.py", "ORM301", "return requests.get(url)"),
    ]


def test_with_the_baseline_the_project_passes(shop):
    result = ormlint(shop, "--baseline", "baseline.json", ".")
    assert (result.returncode, result.stdout.strip()) == (0, "All checks passed!")


def test_moved_and_reindented_code_stays_accepted(shop):
    views = shop / "shop" / "views.py"
    moved = VIEWS.replace("def names():\n", "LIMIT = 10\n\n\nclass Reports:\n    @staticmethod\n    def names():\n    ")
    moved = moved.replace("\n\n\ndef fetch", "\n\n\n\n\n# fetching\ndef fetch")
    views.write_text(moved)
    assert ormlint(shop, ".").returncode == 1  # the findings are still there, elsewhere
    result = ormlint(shop, "--baseline", "baseline.json", ".")
    assert (result.returncode, result.stdout.strip()) == (0, "All checks passed!")


def test_a_new_finding_is_reported_and_fails_the_run(shop):
    (shop / "shop" / "reports.py").write_text("from shop.models import Order\n\n\ndef names():\n" + N_PLUS_ONE)
    result = ormlint(shop, "--baseline", "baseline.json", ".")
    assert result.returncode == 1
    assert reported(result) == ["shop/reports.py:5:12"]


def test_a_copy_of_an_accepted_finding_in_the_same_file_is_new(shop):
    views = shop / "shop" / "views.py"
    views.write_text(VIEWS + "\n\ndef more_names():\n" + N_PLUS_ONE)
    result = ormlint(shop, "--baseline", "baseline.json", ".")
    assert result.returncode == 1
    assert len(reported(result)) == 1 and "ORM001" in result.stdout


def test_a_changed_line_is_a_new_finding(shop):
    views = shop / "shop" / "views.py"
    views.write_text(VIEWS.replace("requests.get(url)", "requests.get(url, params={'q': 1})"))
    result = ormlint(shop, "--baseline", "baseline.json", ".")
    assert reported(result) == ["shop/views.py:10:12"]


def test_the_baseline_matches_from_a_subfolder_and_on_single_files_as_pre_commit_passes_them(shop):
    result = ormlint(shop / "shop", "--baseline", "../baseline.json", "views.py")
    assert (result.returncode, result.stdout.strip()) == (0, "All checks passed!")
    result = ormlint(shop, "--baseline", "baseline.json", "shop/views.py", "shop/models.py")
    assert result.returncode == 0


def test_a_missing_or_foreign_baseline_is_an_error(shop):
    missing = ormlint(shop, "--baseline", "absent.json", ".")
    assert missing.returncode == 2 and "absent.json: cannot read the baseline" in missing.stderr
    (shop / "other.json").write_text('{"findings": []}')
    foreign = ormlint(shop, "--baseline", "other.json", ".")
    assert foreign.returncode == 2 and "not an ormlint baseline" in foreign.stderr


def test_write_baseline_refuses_to_combine_with_fix(shop):
    result = ormlint(shop, "--write-baseline", "b.json", "--fix", ".")
    assert result.returncode == 2
    assert not (shop / "b.json").exists()
    assert (shop / "shop" / "views.py").read_text() == VIEWS


# -- matching, without the command line ------------------------------------------------


def _diagnostic(row: int, message: str = "m", code: str = "ORM001", path: str = "app/views.py") -> Diagnostic:
    return Diagnostic(code, message, path, Location(row, 1), Location(row, 5))


def test_entries_are_counted_and_rows_in_messages_do_not_count(tmp_path):
    path = str(tmp_path / "app" / "views.py")
    texts = {path: "for x in rows:\nfor x in rows:\n  for   x in rows:\n"}
    key = ("app/views.py", "ORM001", "Rows passed from views.py: loops", "for x in rows:")
    found = [_diagnostic(row, f"Rows passed from views.py:{row}: loops", path=path) for row in (1, 2, 3)]
    assert new_findings(found, Counter({key: 2}), tmp_path, texts) == found[2:]
    assert new_findings(found, Counter({key: 3}), tmp_path, texts) == []
    other_code = [_diagnostic(1, "Rows passed from views.py:1: loops", code="ORM002", path=path)]
    assert new_findings(other_code, Counter({key: 3}), tmp_path, texts) == other_code
