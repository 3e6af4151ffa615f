"""ormlint.fixers.timeout on libcst nodes: add_keyword and replace_value keep the layout."""

import libcst as cst
import libcst.matchers as m
import pytest

from ormlint.fixers.timeout import add_keyword, replace_value


def _outer_call(module: cst.Module) -> cst.Call:
    """The first call in source order whose callee is not itself a call's argument."""
    calls = m.findall(module, m.Call(func=m.Name("f") | m.Attribute(attr=m.Name("f"))))
    assert calls, "no call to f in the snippet"
    return calls[0]


def _add(code: str, value: str = "10") -> str:
    module = cst.parse_module(code)
    call = _outer_call(module)
    new = add_keyword(call, "timeout", value)
    fixed = module.deep_replace(call, new).code
    cst.parse_module(fixed)
    return fixed


ADD = [
    ("no-arguments", "f()\n", "f(timeout=10)\n"),
    ("one-argument", "f(a)\n", "f(a, timeout=10)\n"),
    ("keyword-argument", "f(a, b=1)\n", "f(a, b=1, timeout=10)\n"),
    ("trailing-comma-single-line", "f(a, b,)\n", "f(a, b, timeout=10,)\n"),
    ("space-before-close", "f( a )\n", "f( a, timeout=10 )\n"),
    ("attribute-callee", "x.f(a)\n", "x.f(a, timeout=10)\n"),
    (
        "one-per-line-trailing-comma",
        "f(\n    a,\n    b=1,\n)\n",
        "f(\n    a,\n    b=1,\n    timeout=10,\n)\n",
    ),
    (
        "one-per-line-no-trailing-comma",
        "f(\n    a,\n    b=1\n)\n",
        "f(\n    a,\n    b=1,\n    timeout=10\n)\n",
    ),
    (
        "single-argument-own-line-trailing-comma",
        "f(\n    a,\n)\n",
        "f(\n    a,\n    timeout=10,\n)\n",
    ),
    (
        "single-argument-own-line-no-trailing-comma",
        "f(\n    a\n)\n",
        "f(\n    a,\n    timeout=10\n)\n",
    ),
    (
        "comment-after-last-argument",
        "f(\n    a,\n    b=1,  # why b\n)\n",
        "f(\n    a,\n    b=1,  # why b\n    timeout=10,\n)\n",
    ),
    (
        "comment-after-last-argument-no-trailing-comma",
        "f(\n    a,\n    b=1  # why b\n)\n",
        "f(\n    a,\n    b=1,  # why b\n    timeout=10\n)\n",
    ),
    (
        "comment-line-between-arguments",
        "f(\n    a,\n    # about b\n    b=1,\n)\n",
        "f(\n    a,\n    # about b\n    b=1,\n    timeout=10,\n)\n",
    ),
    (
        "comment-line-before-closing-parenthesis",
        "f(\n    a,\n    b=1,\n    # the end\n)\n",
        "f(\n    a,\n    b=1,\n    timeout=10,\n    # the end\n)\n",
    ),
    (
        "blank-line-before-closing-parenthesis",
        "f(\n    a,\n    b=1,\n\n)\n",
        "f(\n    a,\n    b=1,\n    timeout=10,\n\n)\n",
    ),
    (
        "aligned-continuation",
        "x = f(a,\n      b=1)\n",
        "x = f(a,\n      b=1, timeout=10)\n",
    ),
    (
        "hanging-arguments-on-one-line",
        "f(\n    a, b=1\n)\n",
        "f(\n    a, b=1, timeout=10\n)\n",
    ),
    (
        "nested-in-with-in-indented-block",
        "def g(u):\n    if u:\n        with f(\n            u,\n            stream=True,\n        ) as r:\n            return r\n",
        "def g(u):\n    if u:\n        with f(\n            u,\n            stream=True,\n            timeout=10,\n        ) as r:\n            return r\n",
    ),
    (
        "crlf-single-line",
        "x = 1\r\nf(a)\r\n",
        "x = 1\r\nf(a, timeout=10)\r\n",
    ),
    (
        "crlf-one-per-line",
        "f(\r\n    a,\r\n    b=1,\r\n)\r\n",
        "f(\r\n    a,\r\n    b=1,\r\n    timeout=10,\r\n)\r\n",
    ),
    (
        "crlf-comment-no-trailing-comma",
        "f(\r\n    a,\r\n    b=1  # why b\r\n)\r\n",
        "f(\r\n    a,\r\n    b=1,  # why b\r\n    timeout=10\r\n)\r\n",
    ),
]


@pytest.mark.parametrize("before, after", [case[1:] for case in ADD], ids=[case[0] for case in ADD])
def test_add_keyword(before, after):
    assert _add(before) == after


@pytest.mark.parametrize("value", ["5", "2.5", "(3, 10)"])
def test_add_keyword_value_is_written_as_given(value):
    assert _add("f(a)\n", value) == f"f(a, timeout={value})\n"


def test_add_keyword_with_code_for_node():
    module = cst.parse_module("f(\n    a,\n    b=1,\n)\n")
    call = _outer_call(module)
    assert module.code_for_node(add_keyword(call, "timeout", "10")) == "f(\n    a,\n    b=1,\n    timeout=10,\n)"


def test_add_keyword_does_not_mutate_input():
    module = cst.parse_module("f(a, b=1)\n")
    call = _outer_call(module)
    add_keyword(call, "timeout", "10")
    assert module.code_for_node(call) == "f(a, b=1)"


REPLACE = [
    ("plain", "f(a, timeout=None)\n", "f(a, timeout=10)\n"),
    ("spaces-around-equals", "f(a, timeout = None)\n", "f(a, timeout = 10)\n"),
    ("trailing-comma-and-comment", "f(\n    a,\n    timeout=None,  # forever\n)\n", "f(\n    a,\n    timeout=10,  # forever\n)\n"),
    ("not-last", "f(timeout=None, b=1)\n", "f(timeout=10, b=1)\n"),
]


@pytest.mark.parametrize("before, after", [case[1:] for case in REPLACE], ids=[case[0] for case in REPLACE])
def test_replace_value(before, after):
    module = cst.parse_module(before)
    call = _outer_call(module)
    (arg,) = [a for a in call.args if a.keyword is not None and a.keyword.value == "timeout"]
    assert module.deep_replace(arg, replace_value(arg, "10")).code == after


def test_replace_value_with_float():
    module = cst.parse_module("f(timeout=None)\n")
    arg = _outer_call(module).args[0]
    assert module.deep_replace(arg, replace_value(arg, "2.5")).code == "f(timeout=2.5)\n"
