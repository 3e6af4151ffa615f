"""``--add-noqa``: every finding suppressed where it is reported, no file ever broken,
and a second run adds nothing."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from ormlint.add_noqa import add_noqa
from repos import MODELS, git_repository, ormlint

FIXTURES = Path(__file__).parent / "fixtures"
FIXTURE_PROJECTS = sorted(
    [FIXTURES / "django_project", FIXTURES / "sqlalchemy_project", *(FIXTURES / "layouts").iterdir()]
)

# -- where a directive goes: (source, {row: codes}, expected) ------------------------------

PLACED = [
    ("x = qs.count() > 0\n", {1: {"ORM101"}}, "x = qs.count() > 0  # noqa: ORM101\n"),
    ("x = 1   \n", {1: {"ORM101"}}, "x = 1  # noqa: ORM101\n"),
    ("x = 1  # why\n", {1: {"ORM101"}}, "x = 1  # why  # noqa: ORM101\n"),
    ("x = 1  # noqa: E501\n", {1: {"ORM302", "ORM101"}}, "x = 1  # noqa: E501, ORM101, ORM302\n"),
    ("x = 1  # noqa:S310 - trusted\n", {1: {"ORM303"}}, "x = 1  # noqa: S310, ORM303 - trusted\n"),
    ('s = "a # b"\n', {1: {"ORM101"}}, 's = "a # b"  # noqa: ORM101\n'),
    ("f(a,\n  b)\n", {1: {"ORM004"}}, "f(a,  # noqa: ORM004\n  b)\n"),
    ("f(a,\n  b)\n", {2: {"ORM004"}}, "f(a,\n  b)  # noqa: ORM004\n"),
    ("x = 1\r\ny = 2\r\n", {2: {"ORM101"}}, "x = 1\r\ny = 2  # noqa: ORM101\r\n"),
    ("x = 1\ny = 2", {2: {"ORM101"}}, "x = 1\ny = 2  # noqa: ORM101"),
    ('s = """\n"""\n', {2: {"ORM101"}}, 's = """\n"""  # noqa: ORM101\n'),
    ("if a:\n    b = 1\n", {1: {"ORM103"}, 2: {"ORM201", "ORM101"}}, "if a:  # noqa: ORM103\n    b = 1  # noqa: ORM101, ORM201\n"),
]

#: Already covered: nothing to add.
COVERED = [
    ("x = 1  # noqa\n", {1: {"ORM101"}}),
    ("x = 1  # noqa: ORM1\n", {1: {"ORM101"}}),
    ("x = 1  # NOQA: orm101\n", {1: {"ORM101"}}),
]

#: Lines whose end is inside a string or a continuation cannot take a comment.
REFUSED = [
    ('x = q.count() > 0 or """\n"""\n', {1: {"ORM101"}}),
    ('x = f"""{\n  q.count()\n}"""\n', {1: {"ORM101"}, 2: {"ORM101"}}),
    ("x = q.count() > 0 and \\\n    y\n", {1: {"ORM101"}}),
    ("x = 'a' \\\n    'b'\n", {1: {"ORM101"}}),
]


@pytest.mark.parametrize("source, codes, expected", PLACED)
def test_directive_placement(source, codes, expected):
    edit = add_noqa(source, codes)
    assert edit.text == expected
    assert edit.added == len(codes) and edit.refused == ()
    compile(edit.text, "<fixed>", "exec")
    assert add_noqa(edit.text, codes).added == 0


@pytest.mark.parametrize("source, codes", COVERED)
def test_a_line_whose_noqa_covers_the_code_is_left_alone(source, codes):
    edit = add_noqa(source, codes)
    assert (edit.text, edit.added) == (source, 0)


@pytest.mark.parametrize("source, codes", REFUSED)
def test_a_line_ending_inside_a_string_or_a_continuation_is_refused_not_broken(source, codes):
    edit = add_noqa(source, codes)
    assert edit.text == source
    assert edit.refused == tuple(sorted(codes))


def test_a_multi_line_f_string_takes_the_directive_on_its_last_line():
    source = 'x = f"""{\n  q.count()\n}"""\n'
    edit = add_noqa(source, {3: {"ORM101"}})
    assert edit.text == 'x = f"""{\n  q.count()\n}"""  # noqa: ORM101\n'
    compile(edit.text, "<fixed>", "exec")


def test_text_that_does_not_tokenize_is_returned_unchanged():
    source = 'x = (1,\ny = """\n'
    edit = add_noqa(source, {1: {"ORM101"}})
    assert (edit.text, edit.added, edit.refused) == (source, 0, (1,))


# -- through the command line ---------------------------------------------------------

VIEWS = (
    "import requests\n"
    "from shop.models import Order\n\n\n"
    "def names():\n"
    "    return [order.customer.name for order in Order.objects.all()]  # the report\n\n\n"
    "def any_orders():\n"
    "    return Order.objects.count() > 0 or requests.get(  # noqa: E501\n"
    "        'https://example.com'\n"
    "    )\n"
)


@pytest.fixture
def shop(tmp_path):
    return git_repository(
        tmp_path / "repo",
        {"manage.py": "", "shop/__init__.py": "", "shop/models.py": MODELS, "shop/views.py": VIEWS},
    )


def test_add_noqa_suppresses_every_finding_and_a_second_run_adds_none(shop):
    before = ormlint(shop, ".")
    assert before.returncode == 1 and "Found 3 problems" in before.stdout
    added = ormlint(shop, "--add-noqa", ".")
    assert added.returncode == 0, added.stdout + added.stderr
    assert added.stderr.strip() == "Added 2 noqa directives."
    views = (shop / "shop" / "views.py").read_text()
    assert "Order.objects.all()]  # the report  # noqa: ORM001\n" in views
    assert "requests.get(  # noqa: E501, ORM101, ORM301\n" in views
    compile(views, "views.py", "exec")
    after = ormlint(shop, ".")
    assert (after.returncode, after.stdout.strip()) == (0, "All checks passed!")
    again = ormlint(shop, "--add-noqa", ".")
    assert again.stderr.strip() == "Added 0 noqa directives."
    assert (shop / "shop" / "views.py").read_text() == views


def test_a_finding_that_cannot_take_a_directive_is_reported_and_the_run_fails(shop):
    (shop / "shop" / "report.py").write_text(
        "from shop.models import Order\n\nbusy = Order.objects.count() > 0 or '''\n'''\n"
    )
    result = ormlint(shop, "--add-noqa", "shop/report.py")
    assert result.returncode == 1
    assert "shop/report.py:3:8: ORM101" in result.stdout
    assert result.stderr.strip() == "Added 0 noqa directives."
    assert (shop / "shop" / "report.py").read_text().endswith("or '''\n'''\n")


def test_a_read_only_file_is_left_alone_and_its_findings_reported(shop):
    views = shop / "shop" / "views.py"
    views.chmod(0o444)
    result = ormlint(shop, "--add-noqa", ".")
    assert result.returncode == 1
    assert "shop/views.py:1:1: ORM000 file is read-only; not fixed" in result.stdout
    assert [line.split(": ")[1][:6] for line in result.stdout.splitlines()[1:4]] == ["ORM001", "ORM101", "ORM301"]
    assert result.stderr.strip() == "Added 0 noqa directives."
    assert views.read_text() == VIEWS


def test_add_noqa_refuses_to_combine_with_fix_or_standard_input(shop):
    for args in (["--add-noqa", "--fix", "."], ["--add-noqa", "-"]):
        result = ormlint(shop, *args)
        assert result.returncode == 2
        assert "--add-noqa" in result.stderr
    assert (shop / "shop" / "views.py").read_text() == VIEWS


# -- the round trip over every fixture project ----------------------------------------


def _findings(project: Path):
    result = ormlint(project, "--output-format", "json", ".")
    return json.loads(result.stdout)


@pytest.mark.parametrize("fixture", FIXTURE_PROJECTS, ids=lambda p: p.name)
def test_round_trip_over_the_fixture_projects(fixture, tmp_path):
    project = shutil.copytree(fixture, tmp_path / fixture.name)
    git_repository(project, {})
    sources = {path: path.read_text() for path in project.rglob("*.py")}
    parsed = {path for path, text in sources.items() if _parses(text)}
    findings = [f for f in _findings(project) if f["code"] != "ORM000"]
    assert findings, "every fixture project has findings to suppress"
    lines = {(f["filename"], f["location"]["row"]) for f in findings}

    added = ormlint(project, "--add-noqa", ".")
    assert added.stderr.strip() == f"Added {len(lines)} noqa directive{'s' if len(lines) != 1 else ''}."
    assert [f for f in _findings(project) if f["code"] != "ORM000"] == []
    for path in parsed:
        assert _parses(path.read_text()), path
    changed = {path for path, text in sources.items() if path.read_text() != text}
    assert len(changed) == len({filename for filename, _ in lines})

    after = {path: path.read_bytes() for path in sources}
    again = ormlint(project, "--add-noqa", ".")
    assert again.stderr.strip() == "Added 0 noqa directives."
    assert {path: path.read_bytes() for path in sources} == after


def _parses(text: str) -> bool:
    try:
        compile(text, "<source>", "exec", dont_inherit=True)
    except SyntaxError:
        return False
    return True
