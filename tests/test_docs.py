"""Every rule's documentation is complete, and its examples are true.

The *Example* block must fire, the *Use instead* block must not, and where the rule has a
fix, fixing the first gives the second.
"""

import re

import pytest

from harness import check, fix
from ormlint.rules import ALL_RULES

HEADINGS = ("What it does", "Why is this bad?", "Example", "Use instead", "Fix safety", "When it does not fire")


def _block(documentation: str, heading: str) -> str:
    section = documentation.split(f"## {heading}", 1)[1]
    return re.search(r"```python\n(.*?)```", section, re.DOTALL).group(1)


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda rule: rule.code)
def test_documentation_has_every_heading(rule):
    documentation = rule.documentation()
    for heading in HEADINGS:
        assert f"## {heading}" in documentation, heading
    assert rule.summary()


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda rule: rule.code)
def test_example_fires_and_use_instead_does_not(tmp_path, rule):
    example = _block(rule.documentation(), "Example")
    instead = _block(rule.documentation(), "Use instead")
    assert [d.code for d in check(tmp_path / "a", example, rule.code)] == [rule.code]
    assert check(tmp_path / "b", instead, rule.code) == []


@pytest.mark.parametrize("rule", [r for r in ALL_RULES if r.fix_applicability], ids=lambda rule: rule.code)
def test_fixing_the_example_gives_use_instead(tmp_path, rule):
    example = _block(rule.documentation(), "Example")
    instead = _block(rule.documentation(), "Use instead")
    assert fix(tmp_path, example, rule.code, unsafe=True) == instead


def test_codes_are_unique_and_sorted():
    codes = [rule.code for rule in ALL_RULES]
    assert codes == sorted(set(codes))
    names = [rule.name for rule in ALL_RULES]
    assert len(names) == len(set(names))
