"""Every rule's documentation is complete, and its examples are true.

The *Example* block must fire, the *Use instead* block must not, and where the rule has a
fix, fixing the first gives the second.
"""

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from harness import check, fix
from ormlint import docs
from ormlint.cli import check as check_command
from ormlint.config import CONFIG_KEYS
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


# -- the README and docs/ ---------------------------------------------------------------

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()


def _fenced(language: str, containing: str) -> str:
    for block in re.findall(rf"```{language}\n(.*?)```", README, re.DOTALL):
        if containing in block:
            return block
    raise AssertionError(f"no ```{language} block with {containing!r} in README.md")


def test_rule_pages_and_readme_table_are_generated_from_the_rules():
    stale = [str(p.relative_to(ROOT)) for p, text in docs.expected_files(ROOT).items() if not p.exists() or p.read_text() != text]
    assert stale == [], "run `python -m ormlint.docs` to regenerate"


def test_every_configuration_key_is_documented():
    block = _fenced("toml", "[tool.ormlint]")
    documented = set(re.findall(r"^([a-z-]+)\s*=", block, re.MULTILINE))
    assert documented == set(CONFIG_KEYS)


def test_every_command_line_option_is_documented():
    for option in check_command.params:
        for name in option.opts:
            if name.startswith("--"):
                assert name in README, name


def test_readme_pre_commit_snippet_works_as_written(tmp_path):
    config = _fenced("yaml", "repo: local")
    repo = tmp_path / "repo"
    (repo / "shop").mkdir(parents=True)
    (repo / "pyproject.toml").write_text("[project]\nname = 'demo'\n")
    (repo / "shop" / "models.py").write_text("from django.db import models\n\nclass Order(models.Model):\n    pass\n")
    (repo / "shop" / "views.py").write_text("from shop.models import Order\n\nx = Order.objects.count() > 0\n")
    (repo / ".pre-commit-config.yaml").write_text(config)
    environment = dict(
        os.environ,
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        PRE_COMMIT_HOME=str(tmp_path / "home"),
        GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.com",
        GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.com",
    )
    for command in (["git", "init", "-q"], ["git", "add", "-A"]):
        subprocess.run(command, cwd=repo, env=environment, check=True)
    result = subprocess.run(
        [sys.executable, "-m", "pre_commit", "run", "--all-files"], cwd=repo, env=environment, capture_output=True, text=True
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "shop/views.py:3:5: ORM101" in result.stdout


def test_readme_workflow_commands_work_as_written(tmp_path):
    workflow = _fenced("yaml", "upload-sarif")
    commands = [line.split("run:", 1)[1].strip() for line in workflow.splitlines() if "run: ormlint" in line]
    assert len(commands) == 2
    project = shutil.copytree(ROOT / "examples" / "shop", tmp_path / "shop")
    environment = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    annotations = subprocess.run(shlex.split(commands[0]), cwd=project, env=environment, capture_output=True, text=True)
    assert annotations.returncode == 1
    assert annotations.stdout.startswith("::warning file=")
    sarif = subprocess.run(commands[1], shell=True, cwd=project, env=environment, capture_output=True, text=True)
    assert sarif.returncode == 0
    document = json.loads((project / "ormlint.sarif").read_text())
    assert document["version"] == "2.1.0" and document["runs"][0]["results"]
