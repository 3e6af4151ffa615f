"""Property-based tests: whatever valid Python comes in, the engine does not raise, fixes
parse and converge, positions lie inside the file, and a file's findings do not depend on
whether it is checked alone or with its project.

Programs come from hypothesmith (any valid Python), from hypothesmith programs with a
function the rules must report and fix appended (so that random code reaches the rules and
the fixers too), and from templates that combine the ORM and HTTP shapes the rules look
for with random names, layouts and comments.
"""

import ast
import warnings
from pathlib import Path

import hypothesmith
import libcst as cst
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from harness import make_project
from ormlint.config import Config
from ormlint.engine import Project, check_source, fix_source
from ormlint.source import LineIndex, SourceFile

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
CONFIG = Config(unsafe_fixes=True)

QUERYSETS = st.sampled_from(
    [
        "Order.objects.filter(status={value})",
        "Order.objects.all()",
        "Order.archived.exclude(status={value})",
        "Customer.objects.filter(name={value}).order_by('name')",
        "qs",
        "items",
    ]
)
TESTS = st.sampled_from(
    [
        "{q}.count() > 0", "{q}.count() == 0", "0 < {q}.count()", "{q}.count() >= 1", "not {q}.count()",
        "bool({q})", "len({q}) > 0", "len({q})", "{q}.count() > 3", "{q}.exists()", "{q}",
    ]
)
STATEMENTS = st.sampled_from(
    [
        "if {t}:\n{i}    pass",
        "x = {t}",
        "return {t}",
        "while {t}:\n{i}    break",
        "assert {t}",
        "for row in {q}:\n{i}    print(row)",
        "requests.get({value}{kw})",
        "session.post(\n{i}    {value},\n{i}    data={value},{kw}\n{i})",
        "urlopen({value}{kw})",
        "httpx.get({value}, timeout=None)",
    ]
)
VALUES = st.sampled_from(["'x'", "1", "name", "f'{name}'", "(1 + 2)"])
KEYWORDS = st.sampled_from(["", ", timeout=5", ", **options", "  # comment\n"])


@st.composite
def orm_programs(draw):
    lines = [
        "import requests",
        "import httpx",
        "from urllib.request import urlopen",
        "from shop.models import Customer, Order",
        "",
        "",
        "def view(name, items):",
        "    session = requests.Session()",
        f"    qs = {draw(QUERYSETS).format(value=draw(VALUES))}",
    ]
    for _ in range(draw(st.integers(1, 6))):
        query = draw(QUERYSETS).format(value=draw(VALUES))
        test = draw(TESTS).format(q=query)
        keyword = draw(KEYWORDS)
        statement = draw(STATEMENTS).format(t=test, q=query, value=draw(VALUES), kw=keyword if "\n" not in keyword else "", i="    ")
        if draw(st.booleans()):
            statement += "  # keep me"
        lines.append("    " + statement.replace("\n", "\n    "))
    lines.append("    return None")
    return "\n".join(lines) + "\n"


def _project(tmp_path_factory) -> Path:
    return make_project(tmp_path_factory.mktemp("project"))


def check_properties(root: Path, code: str) -> None:
    path = root / "shop" / "generated.py"
    path.write_text(code, encoding="utf-8")
    source = SourceFile.read(str(path))
    result = check_source(source, CONFIG, Project())
    lines = LineIndex(code)
    for diagnostic in result.diagnostics:
        assert 1 <= diagnostic.location.row <= lines.row_count()
        assert (diagnostic.location.row, diagnostic.location.column) <= (diagnostic.end_location.row, diagnostic.end_location.column)
        assert diagnostic.code != "ORM000" or "internal error" not in diagnostic.message, diagnostic.message
    fixed = fix_source(source, CONFIG, Project(), unsafe=True)
    if fixed.fixed_text is not None:
        cst.parse_module(fixed.fixed_text)
        again = fix_source(SourceFile(source.path, fixed.fixed_text, "utf-8", fixed.fixed_text.encode()), CONFIG, Project(), unsafe=True)
        assert again.fixed_text is None
        assert "# keep me" not in code or fixed.fixed_text.count("# keep me") == code.count("# keep me")
    # Checked as the only path given, the file still sees its project's models.
    alone = check_source(source, CONFIG, Project(fallback_root=path.parent)).diagnostics
    assert alone == result.diagnostics


@SETTINGS
@given(code=orm_programs())
def test_orm_shaped_programs(tmp_path_factory, code):
    check_properties(_project(tmp_path_factory), code)


@SETTINGS
@given(code=hypothesmith.from_grammar())
def test_any_valid_python(tmp_path_factory, code):
    check_properties(_project(tmp_path_factory), code)


#: Functions that the rules report and fix wherever they stand, each with its code.
FOUND_AND_FIXED = [
    ("def _has_orders():\n    return Order.objects.filter(status='x').count() > 0\n", "ORM101"),
    ("def _fetch(url):\n    return requests.get(url)\n", "ORM301"),
    ("def _names():\n    return [order.customer.name for order in Order.objects.all()]\n", "ORM001"),
    ("def _close():\n    for order in Order.objects.all():\n        order.status = 'closed'\n        order.save()\n", "ORM201"),
]
IMPORTS = "import requests\nfrom shop.models import Order\n"


def _compiles(code: str) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(code)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


@st.composite
def programs_with_findings(draw):
    """Any valid Python, followed by imports and a function with a finding and a fix."""
    code = draw(hypothesmith.from_grammar())
    function, expected = draw(st.sampled_from(FOUND_AND_FIXED))
    combined = f"{code}\n\n{IMPORTS}\n\n{function}"
    assume(_compiles(combined))
    return combined, expected


@settings(SETTINGS, max_examples=25)  # each example is checked and fixed twice over
@given(case=programs_with_findings())
def test_any_valid_python_around_a_finding(tmp_path_factory, case):
    code, expected = case
    root = _project(tmp_path_factory)
    check_properties(root, code)
    source = SourceFile.read(str(root / "shop" / "generated.py"))
    assert expected in {d.code for d in check_source(source, CONFIG, Project()).diagnostics}
    assert fix_source(source, CONFIG, Project(), unsafe=True).fixed_text is not None


def test_a_file_has_the_same_findings_alone_and_with_its_project(tmp_path, monkeypatch):
    import json

    from click.testing import CliRunner

    from ormlint.cli import main

    make_project(tmp_path, {"shop/views.py": "from shop.models import Order\nx = Order.objects.count() > 0\n"})
    monkeypatch.chdir(tmp_path)

    def findings(*paths):
        output = CliRunner().invoke(main, ["--no-cache", "--output-format", "json", *paths]).output
        return [(d["filename"], d["location"], d["code"]) for d in json.loads(output)]

    alone = findings("shop/views.py")
    assert alone == findings(".") == findings("shop")
    assert [code for _, _, code in alone] == ["ORM101"]
