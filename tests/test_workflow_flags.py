"""ruff's workflow flags, through the installed ``ormlint`` executable on files on disk:
--fix-only, --show-fixes, --exit-non-zero-on-fix, --output-file, --show-files,
--show-settings, --isolated, --fixable / --unfixable, --extend-per-file-ignores, --color.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Dict, Optional

import pytest

from harness import make_project
from interactive import run_in_terminal

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.9 and 3.10 only
    import tomli as tomllib

ORMLINT = str(Path(sys.executable).with_name("ormlint"))
ESCAPE = "\x1b["

VIEWS = """\
import requests
from shop.models import Order


def has_orders():
    return Order.objects.filter(status="new").count() > 0


def fetch(url):
    return requests.get(url)


def wait(url):
    return requests.get(url, timeout=None)
"""

REPORTS = """\
from shop.models import Order


def names():
    return [order.customer.name for order in Order.objects.all()]
"""

#: Safe fixes: ORM101 and ORM301 in views.py, ORM001 in reports.py. ORM302's is unsafe.
VIEWS_ROWS = {"ORM101": 6, "ORM301": 10, "ORM302": 14}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path / "project", {"shop/views.py": VIEWS, "shop/reports.py": REPORTS})


def ormlint(*args: str, cwd: Path, env: Optional[Dict[str, str]] = None) -> subprocess.CompletedProcess:
    """Run the console script as a user would, colour settings of the test run's own
    environment left out so that each test says what it wants."""
    environment = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "ORMLINT_OUTPUT_FILE")}
    environment.update(env or {})
    return subprocess.run(
        [ORMLINT, *args], cwd=cwd, env=environment, capture_output=True, text=True, timeout=120
    )


def codes_in(output: str) -> set:
    return {line.split()[1] for line in output.splitlines() if ": ORM" in line}


# -- --show-fixes, --fix-only, --exit-non-zero-on-fix -------------------------------------


def test_show_fixes_lists_what_was_fixed_in_each_file(project):
    result = ormlint("--fix", "--show-fixes", "--no-cache", ".", cwd=project)
    assert result.returncode == 1, result.stderr  # ORM302 remains: its fix is unsafe
    listing = result.stdout.split("\n\n")
    assert listing[0].startswith(f"{os.path.join('shop', 'views.py')}:14:")
    assert listing[1].splitlines() == [
        "Fixed 3 problems:",
        f"- {os.path.join('shop', 'reports.py')}:",
        "    1 × ORM001 (n-plus-one-forward)",
        f"- {os.path.join('shop', 'views.py')}:",
        "    1 × ORM101 (count-for-existence)",
        "    1 × ORM301 (request-without-timeout)",
    ]
    assert listing[2].splitlines() == ["Found 4 problems (3 fixed, 1 remaining).", "1 more fixable with --unsafe-fixes."]
    assert ".exists()" in (project / "shop" / "views.py").read_text()
    assert 'select_related("customer")' in (project / "shop" / "reports.py").read_text()


def test_without_show_fixes_a_fix_run_lists_nothing(project):
    result = ormlint("--fix", ".", cwd=project)
    assert "Fixed" not in result.stdout
    assert result.stdout.split("\n\n")[1].startswith("Found 4 problems (3 fixed, 1 remaining).")


def test_show_fixes_counts_several_fixes_of_one_code(project):
    (project / "shop" / "views.py").write_text(VIEWS + "\n\ndef other(url):\n    return requests.post(url)\n")
    result = ormlint("--fix-only", "--show-fixes", "--select", "ORM301", ".", cwd=project)
    assert result.stdout.splitlines() == [
        "Fixed 2 problems:",
        f"- {os.path.join('shop', 'views.py')}:",
        "    2 × ORM301 (request-without-timeout)",
        "",
        "Fixed 2 problems.",
    ]


def test_fix_only_fixes_and_reports_neither_findings_nor_failure(project):
    result = ormlint("--fix-only", ".", cwd=project)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "Fixed 3 problems (1 more fix available with --unsafe-fixes).\n"
    assert "timeout=10" in (project / "shop" / "views.py").read_text()
    again = ormlint("--fix-only", ".", cwd=project)
    assert (again.returncode, again.stdout) == (0, "No problems fixed (1 more fix available with --unsafe-fixes).\n")
    nothing = ormlint("--fix-only", "--select", "ORM1", ".", cwd=project)
    assert (nothing.returncode, nothing.stdout) == (0, "")
    # The finding it left is still there for a plain check.
    assert codes_in(ormlint(".", cwd=project).stdout) == {"ORM302"}


def test_fix_only_says_when_only_unsafe_fixes_are_left(project):
    result = ormlint("--fix-only", "--select", "ORM302", ".", cwd=project)
    assert (result.returncode, result.stdout) == (0, "No problems fixed (1 more fix available with --unsafe-fixes).\n")
    unsafe = ormlint("--fix-only", "--unsafe-fixes", "--select", "ORM302", ".", cwd=project)
    assert unsafe.stdout == "Fixed 1 problem.\n"
    assert "timeout=None" not in (project / "shop" / "views.py").read_text()


def test_fix_only_prints_nothing_in_machine_formats(project):
    result = ormlint("--fix-only", "--output-format", "json", ".", cwd=project)
    assert (result.returncode, result.stdout) == (0, "")
    assert "timeout=10" in (project / "shop" / "views.py").read_text()


def test_exit_non_zero_on_fix(project):
    # Everything selected is fixable: --fix alone exits 0 once it has fixed it all ...
    safe = ("--select", "ORM101,ORM301")
    views = project / "shop" / "views.py"
    assert ormlint("--fix", *safe, ".", cwd=project).returncode == 0
    views.write_text(VIEWS)
    # ... and 1 with --exit-non-zero-on-fix, with --fix or with --fix-only ...
    result = ormlint("--fix", "--exit-non-zero-on-fix", *safe, ".", cwd=project)
    assert result.returncode == 1
    assert result.stdout.strip() == "Found 2 problems (2 fixed, 0 remaining)."
    views.write_text(VIEWS)
    assert ormlint("--fix-only", "--exit-non-zero-on-fix", *safe, ".", cwd=project).returncode == 1
    # ... but 0 when there was nothing left to fix, and 0 with --exit-zero.
    assert ormlint("--fix", "--exit-non-zero-on-fix", *safe, ".", cwd=project).returncode == 0
    views.write_text(VIEWS)
    assert ormlint("--fix", "--exit-non-zero-on-fix", "--exit-zero", *safe, ".", cwd=project).returncode == 0


# -- --output-file -------------------------------------------------------------------


def test_output_file_receives_the_report_and_stdout_stays_empty(project):
    target = project / "reports" / "ci" / "ormlint.json"
    result = ormlint("--output-format", "json", "--output-file", str(target), ".", cwd=project)
    assert result.returncode == 1
    assert result.stdout == ""
    findings = json.loads(target.read_text(encoding="utf-8"))
    assert {f["code"] for f in findings} == {"ORM001", "ORM101", "ORM301", "ORM302"}


def test_output_file_is_replaced_even_by_an_empty_report(project):
    target = project / "out.txt"
    ormlint("-o", str(target), ".", cwd=project)
    assert "ORM101" in target.read_text()
    (project / "shop" / "views.py").write_text("x = 1\n")
    (project / "shop" / "reports.py").write_text("y = 2\n")
    assert ormlint("-q", "-o", str(target), ".", cwd=project).returncode == 0
    assert target.read_text() == ""


def test_output_file_from_the_environment_and_without_colour_by_default(project):
    target = project / "out.txt"
    ormlint(".", cwd=project, env={"ORMLINT_OUTPUT_FILE": str(target)})
    text = target.read_text()
    assert "ORM101" in text and ESCAPE not in text
    ormlint("--color", "always", "-o", str(target), ".", cwd=project)
    assert f"{ESCAPE}31m" in target.read_text()


def test_an_output_file_that_cannot_be_written_is_an_error(project):
    (project / "taken").write_text("a file, not a folder\n")
    result = ormlint("-o", str(project / "taken" / "report.txt"), ".", cwd=project)
    assert result.returncode == 2
    assert "cannot write the output file" in result.stderr


# -- --show-files -----------------------------------------------------------------------


def test_show_files_lists_what_would_be_checked(project):
    (project / "shop" / "migrations").mkdir()
    (project / "shop" / "migrations" / "0001_initial.py").write_text(VIEWS)
    (project / "legacy").mkdir()
    (project / "legacy" / "old.py").write_text(VIEWS)
    (project / "pyproject.toml").write_text('[tool.ormlint]\nextend-exclude = ["legacy"]\n')
    result = ormlint("--show-files", ".", cwd=project)
    assert result.returncode == 0
    shop = os.path.join("shop", "")
    assert result.stdout.splitlines() == [f"{shop}__init__.py", f"{shop}models.py", f"{shop}reports.py", f"{shop}tables.py", f"{shop}views.py"]
    # The configuration decides: --isolated reads none, so `legacy` is listed again.
    isolated = ormlint("--show-files", "--isolated", ".", cwd=project)
    assert os.path.join("legacy", "old.py") in isolated.stdout.splitlines()
    assert "migrations" not in isolated.stdout  # a default exclusion


def test_show_files_with_no_files_warns_and_exits_0(tmp_path):
    result = ormlint("--show-files", ".", cwd=tmp_path)
    assert (result.returncode, result.stdout) == (0, "")
    assert "no Python files" in result.stderr


# -- --show-settings ----------------------------------------------------------------------


def _settings_table(output: str) -> dict:
    table = output[output.index("[tool.ormlint]") :]
    return tomllib.loads(table)["tool"]["ormlint"]


def _origins(output: str) -> Dict[str, str]:
    return {
        line.split(" = ", 1)[0]: line.rsplit("  # ", 1)[1]
        for line in output.splitlines()
        if " = " in line and "  # " in line
    }


def test_show_settings_says_where_each_value_came_from(project):
    pyproject = project / "pyproject.toml"
    pyproject.write_text('[tool.ormlint]\nignore = ["ORM302"]\nextend-per-file-ignores = { "scripts/*" = ["ORM3"] }\n')
    result = ormlint(
        "--show-settings", "--unfixable", "ORM001", "--extend-per-file-ignores", "shop/*:ORM101", "shop/views.py", cwd=project
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"Resolved settings for: {os.path.join('shop', 'views.py')}"
    assert lines[1] == f"Settings path: {pyproject.resolve()}"
    origins = _origins(result.stdout)
    assert origins["ignore"] == str(pyproject.resolve())
    assert origins["unfixable"] == "command line"
    assert origins["per-file-ignores"] == f"default + {pyproject.resolve()} + command line"
    assert origins["select"] == origins["default-timeout"] == "default"
    settings = _settings_table(result.stdout)
    assert settings["ignore"] == ["ORM302"]
    assert settings["unfixable"] == ["ORM001"]
    assert settings["per-file-ignores"]["scripts/*"] == ["ORM3"]
    assert settings["per-file-ignores"]["shop/*"] == ["ORM101"]
    assert "# rules that run: ORM001, ORM002, ORM003, ORM004, ORM102," in result.stdout  # ORM101 is off here
    may_fix = next(line for line in lines if line.startswith("# of which may be fixed:"))
    assert "ORM001" not in may_fix and "ORM004" not in may_fix and "ORM102" in may_fix


def test_show_settings_prints_a_table_that_configures_the_same_run(project, tmp_path):
    first = ormlint("--show-settings", "--select", "ORM1,ORM3", "--fixable", "ORM3", "--default-timeout", "5", ".", cwd=project)
    table = first.stdout[first.stdout.index("[tool.ormlint]") :]
    (project / "pyproject.toml").write_text(table)
    second = ormlint("--show-settings", ".", cwd=project)
    assert second.returncode == 0, second.stderr
    assert _settings_table(second.stdout) == _settings_table(first.stdout)
    assert set(_origins(second.stdout).values()) == {str((project / "pyproject.toml").resolve())}


def test_show_settings_with_isolated_ignores_a_broken_configuration(project):
    (project / "pyproject.toml").write_text("[tool.ormlint]\nselect = [\n")
    assert ormlint("--show-settings", ".", cwd=project).returncode == 2
    result = ormlint("--show-settings", "--isolated", ".", cwd=project)
    assert result.returncode == 0
    assert "Settings path: none (defaults)" in result.stdout
    assert set(_origins(result.stdout).values()) == {"default"}


def test_show_settings_with_no_file_is_an_error(tmp_path):
    result = ormlint("--show-settings", ".", cwd=tmp_path)
    assert result.returncode == 2
    assert "no Python files" in result.stderr


# -- --isolated -----------------------------------------------------------------------------


def test_isolated_ignores_the_configuration_file(project):
    (project / "pyproject.toml").write_text('[tool.ormlint]\nignore = ["ORM1"]\n')
    assert "ORM101" not in codes_in(ormlint(".", cwd=project).stdout)
    isolated = ormlint("--isolated", ".", cwd=project)
    assert "ORM101" in codes_in(isolated.stdout)
    # Options still apply on top of the defaults.
    assert codes_in(ormlint("--isolated", "--select", "ORM3", ".", cwd=project).stdout) == {"ORM301", "ORM302"}


def test_isolated_with_config_is_a_usage_error(project):
    result = ormlint("--isolated", "--config", str(project / "pyproject.toml"), ".", cwd=project)
    assert result.returncode == 2
    assert "--isolated" in result.stderr


# -- --fixable / --unfixable ------------------------------------------------------------------


def test_unfixable_findings_are_reported_without_a_fix(project):
    result = ormlint("--unfixable", "ORM101", ".", cwd=project)
    rows = {line.split()[1]: line for line in result.stdout.splitlines() if ": ORM" in line}
    assert "[*]" not in rows["ORM101"] and "[*]" in rows["ORM301"]
    findings = json.loads(ormlint("--unfixable", "ORM101", "--output-format", "json", ".", cwd=project).stdout)
    fixes = {f["code"]: f["fix"] for f in findings}
    assert fixes["ORM101"] is None and fixes["ORM301"] is not None
    ormlint("--fix", "--unfixable", "ORM101", ".", cwd=project)
    text = (project / "shop" / "views.py").read_text()
    assert ".count() > 0" in text and "timeout=10" in text


def test_unfixable_is_honoured_over_a_cached_result(project):
    assert "[*]" in ormlint("--select", "ORM101", ".", cwd=project).stdout  # fills the cache
    assert "[*]" not in ormlint("--select", "ORM101", "--unfixable", "ORM1", ".", cwd=project).stdout


def test_fixable_and_unfixable_in_configuration_the_more_specific_wins(project):
    (project / "pyproject.toml").write_text('[tool.ormlint]\nunfixable = ["ORM1"]\nfixable = ["ORM101", "ORM0"]\n')
    ormlint("--fix", ".", cwd=project)
    views = (project / "shop" / "views.py").read_text()
    assert ".exists()" in views  # ORM101 beats ORM1
    assert "requests.get(url)" in views  # ORM301 is not in `fixable`
    assert "select_related" in (project / "shop" / "reports.py").read_text()  # ORM0 covers ORM001
    # The command line replaces the file's list.
    (project / "shop" / "views.py").write_text(VIEWS)
    ormlint("--fix", "--fixable", "ORM3", ".", cwd=project)
    assert "timeout=10" in (project / "shop" / "views.py").read_text()


def test_a_bad_fixable_value_is_an_error_naming_the_key(project):
    (project / "pyproject.toml").write_text('[tool.ormlint]\nfixable = "E501"\n')
    result = ormlint(".", cwd=project)
    assert result.returncode == 2
    assert "`fixable`" in result.stderr
    assert ormlint("--unfixable", "E501", ".", cwd=project).returncode == 2


# -- --extend-per-file-ignores ------------------------------------------------------------------


def test_extend_per_file_ignores_adds_to_the_configuration(project):
    (project / "pyproject.toml").write_text('[tool.ormlint.per-file-ignores]\n"shop/views.py" = ["ORM3"]\n')
    assert codes_in(ormlint(".", cwd=project).stdout) == {"ORM001", "ORM101"}
    extended = ormlint("--extend-per-file-ignores", "shop/views.py:ORM101,shop/reports.py:ORM0", ".", cwd=project)
    assert (extended.returncode, codes_in(extended.stdout)) == (0, set())
    repeated = ormlint("--extend-per-file-ignores", "shop/views.py:ORM101", "--extend-per-file-ignores", "shop/*:ORM001", ".", cwd=project)
    assert codes_in(repeated.stdout) == set()


def test_extend_per_file_ignores_keeps_the_defaults(project):
    (project / "tests").mkdir()
    (project / "tests" / "test_orders.py").write_text(
        "from shop.models import Order\n\n\ndef test_save():\n    for order in Order.objects.all():\n        order.save()\n"
    )
    assert "ORM201" not in codes_in(ormlint("tests", cwd=project).stdout)  # off in tests by default
    extended = ormlint("--extend-per-file-ignores", "shop/*:ORM1", "tests", "shop", cwd=project)
    assert codes_in(extended.stdout) == {"ORM001", "ORM301", "ORM302"}


@pytest.mark.parametrize("value", ["ORM101", "shop/*:", ":ORM101", "shop/*:E501"])
def test_a_bad_per_file_ignore_pair_is_a_usage_error(project, value):
    result = ormlint("--extend-per-file-ignores", value, ".", cwd=project)
    assert result.returncode == 2
    assert "--extend-per-file-ignores" in result.stderr


# -- --color ------------------------------------------------------------------------------


def test_color_always_styles_findings_like_ruff(project):
    result = ormlint("--color", "always", "--select", "ORM101", ".", cwd=project)
    first = result.stdout.splitlines()[0]
    path = f"{os.path.join('shop', 'views.py')}:6:12:"
    assert first.startswith(f"{ESCAPE}1m{path}{ESCAPE}0m {ESCAPE}31m{ESCAPE}1mORM101{ESCAPE}0m{ESCAPE}36m [*]{ESCAPE}0m ")


@pytest.mark.parametrize(
    "args, env, coloured",
    [
        ((), {}, False),  # a pipe is not a terminal
        (("--color", "never"), {"FORCE_COLOR": "1"}, False),
        (("--color", "always"), {"NO_COLOR": "1"}, True),
        ((), {"FORCE_COLOR": "1"}, True),
        ((), {"NO_COLOR": "1", "FORCE_COLOR": "1"}, False),
        ((), {"NO_COLOR": ""}, False),
        ((), {"FORCE_COLOR": ""}, False),  # empty means unset, as the conventions say
    ],
)
def test_color_choice_and_environment(project, args, env, coloured):
    result = ormlint(*args, ".", cwd=project, env=env)
    assert "ORM101" in result.stdout
    assert (ESCAPE in result.stdout) is coloured


def test_color_auto_colours_a_terminal_unless_no_color(project):
    assert ESCAPE in run_in_terminal([ORMLINT, "."], cwd=project, env={}, timeout=60)
    assert ESCAPE not in run_in_terminal([ORMLINT, "."], cwd=project, env={"NO_COLOR": "1"}, timeout=60)
