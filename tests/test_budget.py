"""Memory is bounded per file: a file of too many tokens is given to no parser, and one
whose libcst parse would cost too much is checked with Python's parser only. Each is
reported as ORM000 with the reason, and the other files are still checked."""

import json
import subprocess
import sys

import libcst
import pytest
from click.testing import CliRunner

from harness import make_project
from ormlint import budget
from ormlint.cli import main
from ormlint.semantic.index import ProjectIndex, facts_for_source
from ormlint.structure import structure_of

FINDING = "from shop.models import Order\n\n\ndef f():\n    return Order.objects.count() > 0\n"
#: A call ORM301 reports, so that the rules need libcst for the file.
CANDIDATE = "import requests\n\nrequests.get(url)\n"
#: Far too many tokens for Python's parser: 260,000 (a list of 130,000 numbers), 390 KB.
TOO_MANY_TOKENS = "x = [" + "1, " * 130_000 + "]\n"
#: Few tokens, but calls 60 deep: libcst would take some 1.7 GB for these 25 KB.
TOO_DEEP = "".join("x = " + "f(" * 60 + "1" + ")" * 60 + "\n" for _ in range(200))


def run(tmp_path, monkeypatch, files):
    make_project(tmp_path, {"shop/good.py": FINDING, **files})
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["--no-cache", "--output-format", "json", "."], catch_exceptions=False)
    return {(f["filename"].replace("\\", "/").rsplit("/", 2)[-2:][-1], f["code"], f["message"]) for f in json.loads(result.output)}


def test_tokens_are_counted_as_python_would_near_enough():
    assert budget.too_many_tokens("x = 1\n" * 10) is None
    text = "x = [" + "1, " * (budget.MAX_TOKENS // 2) + "]\n"
    assert budget.too_many_tokens(text) == f"too large to check ({budget.MAX_TOKENS + 4:,} tokens > limit of {budget.MAX_TOKENS:,})"
    # A string or a comment is one token, however long.
    assert budget.too_many_tokens('x = """' + "a b c " * budget.MAX_TOKENS + '"""\n# ' + "d e " * budget.MAX_TOKENS) is None


def test_a_file_of_too_many_tokens_is_reported_and_the_others_are_checked(tmp_path, monkeypatch):
    found = run(tmp_path, monkeypatch, {"shop/data.py": CANDIDATE + TOO_MANY_TOKENS})
    assert ("data.py", "ORM000", f"too large to check (260,012 tokens > limit of {budget.MAX_TOKENS:,})") in found
    assert {code for name, code, _ in found if name == "good.py"} == {"ORM101"}


def test_the_index_leaves_out_a_module_of_too_many_tokens_and_says_why(tmp_path):
    facts = facts_for_source("class Order:\n    pass\n" + TOO_MANY_TOKENS, "shop.data", False, "shop/data.py")
    assert facts.classes == () and facts.partial.startswith("too large to check (")
    make_project(tmp_path, {"shop/data.py": "from django.db import models\n\n\nclass Big(models.Model):\n    pass\n" + TOO_MANY_TOKENS})
    index = ProjectIndex.build(tmp_path)
    assert "shop.data.Big" not in index.models and "shop.models.Order" in index.models
    assert any("shop/data.py: partial (too large to check" in gap for gap in index.gaps()["indexed in part (the statements around the error were read)"])


def test_a_file_too_complex_for_libcst_is_reported_without_parsing_it(tmp_path, monkeypatch):
    parsed = []
    real_parse = libcst.parse_module
    monkeypatch.setattr(libcst, "parse_module", lambda text, *a, **k: parsed.append(text) or real_parse(text, *a, **k))
    found = run(tmp_path, monkeypatch, {"shop/deep.py": CANDIDATE + TOO_DEEP, "shop/inert.py": TOO_DEEP})
    deep = [message for name, code, message in found if name == "deep.py"]
    assert len(deep) == 1 and deep[0].startswith("too complex to check: parsing it with libcst would take about ")
    assert deep[0].endswith(f"MB of memory (limit {budget.LIBCST_BUDGET // 2**20} MB)")
    # Without a candidate there is nothing libcst is needed for, and nothing to report.
    assert not [f for f in found if f[0] == "inert.py"]
    assert not any(TOO_DEEP in text for text in parsed)
    assert {code for name, code, _ in found if name == "good.py"} == {"ORM101"}


def test_a_large_file_python_cannot_parse_gets_pythons_error_without_libcst(tmp_path, monkeypatch):
    broken = CANDIDATE + "x = 1\n" * 20_000 + "def f(:\n    pass\n"
    real_parse = libcst.parse_module

    def parse(text, *arguments, **keywords):
        assert text != broken, "libcst was asked"
        return real_parse(text, *arguments, **keywords)

    monkeypatch.setattr(libcst, "parse_module", parse)
    found = run(tmp_path, monkeypatch, {"shop/broken.py": broken})
    assert ("broken.py", "ORM000", "SyntaxError: invalid syntax") in found


#: Shapes that cost libcst the most memory for their size; each is measured at some 40 to
#: 120 MB, where the process's own memory is small beside it.
SHAPES = {
    "list": "x = [" + "1, " * 20_000 + "]\n",
    "names": "x = (" + "a, " * 20_000 + ")\n",
    "assignments": "x = 1\n" * 20_000,
    "functions": "def f():\n    return 1\n" * 8_000,
    "dict": "DATA = {\n" + '    "key": [1, 2, 3],\n' * 8_000 + "}\n",
    "calls": "f(a, b=1, c=[x.y for x in z])\n" * 4_000,
    "nested calls": ("x = " + "f(" * 30 + "1" + ")" * 30 + "\n") * 150,
    "nested lists": ("x = " + "[" * 60 + "1" + "]" * 60 + "\n") * 40,
    "nested blocks": ("".join(" " * depth + "if x:\n" for depth in range(60)) + " " * 60 + "pass\n") * 20,
    "comments": "# a comment\n" * 60_000,
    "grouping parentheses": ("x = " + "(" * 80 + "1" + ")" * 80 + "\n") * 600,
}

#: The peak of the process's own memory (``VmHWM``: ``ru_maxrss`` keeps the parent's
#: peak across ``exec``) before and after one parse.
_MEASURE = """
import sys
import libcst

def peak():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) * 1024

text = sys.stdin.read()
before = peak()
module = libcst.parse_module(text)
print(peak() - before)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads the peak from /proc/self/status")
@pytest.mark.parametrize("shape", SHAPES)
def test_the_libcst_cost_is_at_least_what_libcst_takes(shape):
    text = SHAPES[shape]
    taken = int(subprocess.run([sys.executable, "-c", _MEASURE], input=text, capture_output=True, text=True, check=True).stdout)
    estimate = structure_of(text).libcst_cost
    assert taken > 20 * 2**20, "the shape is too small to measure"
    assert taken <= estimate, f"libcst took {taken / 2**20:.0f} MB, estimated {estimate / 2**20:.0f} MB"
    # The estimate for a text Python's parser does not read, from its tokens alone.
    assert taken <= budget.unparsed_cost(text)


def test_a_large_file_of_syntax_newer_than_this_python_is_still_checked(tmp_path, monkeypatch):
    """Python 3.11 does not read ``def f[T]``, libcst does: a 90 KB file whose libcst
    parse fits the budget gets its findings, not a syntax error (on newer Pythons both
    parsers read it)."""
    newer = "def first[T](items: list[T]) -> T:\n    return items[0]\n\n\n" + "x = 1\n" * 15_000 + CANDIDATE
    found = run(tmp_path, monkeypatch, {"shop/newer.py": newer})
    assert [code for name, code, _ in found if name == "newer.py"] == ["ORM301"]


def test_a_small_broken_file_too_complex_for_libcst_gets_pythons_error_without_libcst(tmp_path, monkeypatch):
    """8 KB of brackets 100 deep and a syntax error: libcst would take some 330 MB to say
    where the error is, so Python says it."""
    broken = CANDIDATE + ("x = " + "[" * 100 + "1" + "]" * 100 + "\n") * 40 + "def f(:\n    pass\n"
    real_parse = libcst.parse_module

    def parse(text, *arguments, **keywords):
        assert text != broken, "libcst was asked"
        return real_parse(text, *arguments, **keywords)

    monkeypatch.setattr(libcst, "parse_module", parse)
    found = run(tmp_path, monkeypatch, {"shop/broken.py": broken, "shop/inert_broken.py": broken.replace("requests", "nothing")})
    assert ("broken.py", "ORM000", "SyntaxError: invalid syntax") in found
    assert ("inert_broken.py", "ORM000", "SyntaxError: invalid syntax") in found


def test_the_token_count_is_linear_on_unclosed_quotes():
    """Each quote that opens no string it closes is a token of its own, found at once: a
    line of escaped quotes once took seconds per 10 KB, growing with its square (400 KB
    of them would take hours, and the run's timeout would fail this test)."""
    text = "x = '" + "\\'" * 200_000 + "\n"
    assert budget._TOKEN.subn("", text)[1] == 3
