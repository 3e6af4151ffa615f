"""The structure the engine reads with Python's parser: each fact is there when the code a
rule starts from is, whatever it is called, and absent when it is not."""

import pytest

from ormlint.structure import structure_of


@pytest.mark.parametrize(
    "text, callees",
    [
        ("requests.get(url)\n", {"get"}),
        ("session.post(url, timeout=3)\n", {"post"}),
        ("from urllib.request import urlopen as fetch\nfetch(url)\n", {"fetch", "urlopen"}),
        ("import builtins\nbuiltins.len(rows)\n", {"len"}),
        ("f()(x)\nitems[0]()\n", {"f"}),
        ("'urlopen(url)'\n# len(rows)\n", set()),
    ],
)
def test_callees_are_known_by_their_last_name_and_their_imported_one(text, callees):
    assert structure_of(text).callees == callees


@pytest.mark.parametrize(
    "text, untimed",
    [
        ("requests.get(url)\n", {"get"}),
        ("requests.get(url, timeout=5)\n", set()),
        ("requests.get(url, **options)\n", set()),
        ("urlopen(*arguments)\n", set()),
    ],
)
def test_a_call_that_may_pass_a_timeout_is_not_untimed(text, untimed):
    assert structure_of(text).untimed_callees == untimed


@pytest.mark.parametrize(
    "text, expected",
    [
        ("httpx.get(url, timeout=None)\n", True),
        ("httpx.get(url, timeout=(None))\n", True),
        ("httpx.get(url, timeout=0)\ndef f(x=None):\n    return x is None\n", False),
    ],
)
def test_timeout_none_is_the_keyword_with_the_literal(text, expected):
    assert structure_of(text).timeout_none is expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("for row in rows:\n    pass\n", True),
        ("async def f():\n    for row in rows:\n        pass\n", True),
        ("async def f():\n    async for row in rows:\n        pass\n", False),
        ("[row for row in rows]\n", False),
    ],
)
def test_for_loop_is_a_for_statement(text, expected):
    assert structure_of(text).for_loop is expected


@pytest.mark.parametrize(
    "text",
    [
        "if rows:\n    pass\n",
        "while queue[0]:\n    pass\n",
        "x = 1 if Order.objects.all() else 2\n",
        "assert rows\n",
        "[r for r in rows if children(r)]\n",
        "x = not rows\n",
        "x = bool(rows)\n",
        "if a == 1 and (b or c):\n    pass\n",
        "if x is None:\n    pass\nelif rows:\n    pass\n",
    ],
)
def test_a_tested_name_call_or_subscript_is_a_truth_test(text):
    assert structure_of(text).truth_test


@pytest.mark.parametrize(
    "text",
    [
        "if a == 1:\n    pass\n",
        "while True:\n    pass\n",
        "x = rows or []\n",
        "assert a.b is not None, rows\n",
        "if (rows := f()):\n    pass\n",
        "x = bool()\n",
    ],
)
def test_comparisons_constants_and_values_are_not_truth_tests(text):
    assert not structure_of(text).truth_test


def test_attribute_tests_are_not_truth_tests():
    # ORM103 judges names, calls and subscripts: ``if self.rows:`` is none of them.
    assert not structure_of("if self.rows:\n    pass\n").truth_test


@pytest.mark.parametrize("text", ["def f(:\n", "print 'x'\n", "x = 1\0\n"])
def test_text_python_does_not_read_has_no_structure(text):
    assert structure_of(text) is None
