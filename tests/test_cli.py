"""The command line as a user meets it: exit status, output formats, fixes, stdin, errors."""

import json
import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

from harness import make_project
from ormlint import __version__
from ormlint.cli import main

VIEW = """\
import requests
from shop.models import Order


def has_orders():
    return Order.objects.filter(status="new").count() > 0  # a comment


def fetch(url):
    return requests.get(url, timeout=None)
"""


@pytest.fixture
def project(tmp_path, monkeypatch):
    make_project(tmp_path, {"shop/views.py": VIEW})
    monkeypatch.chdir(tmp_path)
    return tmp_path


def invoke(*args, input=None):
    return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)


def test_findings_are_reported_with_positions_and_exit_1(project):
    result = invoke("shop")
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0] == (
        f"{os.path.join('shop', 'views.py')}:6:12: ORM101 [*] "
        "`count()` used to test for existence counts every matching row; use `exists()`"
    )
    assert lines[1].startswith(f"{os.path.join('shop', 'views.py')}:10:30: ORM302 `timeout=None`")
    assert lines[-1] == "Found 2 problems (1 fixable with --fix, 1 more with --unsafe-fixes)."


def test_default_path_is_the_current_folder(project):
    assert invoke().exit_code == 1


def test_clean_project_exits_0(project):
    (project / "shop" / "views.py").write_text("x = 1\n")
    result = invoke(".")
    assert result.exit_code == 0
    assert result.output.strip() == "All checks passed!"


def test_exit_zero_and_quiet(project):
    result = invoke("--exit-zero", "--quiet", ".")
    assert result.exit_code == 0
    assert "Found" not in result.output
    assert len(result.output.splitlines()) == 2


def test_select_and_ignore(project):
    assert "ORM302" not in invoke("--select", "ORM1", ".").output
    assert "ORM101" not in invoke("--ignore", "ORM101", ".").output
    assert "ORM302" in invoke("--select", "ORM1", "--extend-select", "ORM302", ".").output


def test_bad_select_is_a_usage_error(project):
    result = CliRunner().invoke(main, ["--select", "E501", "."])
    assert result.exit_code == 2
    assert "E501" in result.output


def test_fix_rewrites_the_file_and_a_second_fix_changes_nothing(project):
    result = invoke("--fix", ".")
    assert result.exit_code == 1  # the unsafe ORM302 fix remains
    text = (project / "shop" / "views.py").read_text()
    assert 'return Order.objects.filter(status="new").exists()  # a comment' in text
    assert "timeout=None" in text
    assert "Found 2 problems (1 fixed, 1 remaining)." in result.output
    again = invoke("--fix", ".")
    assert (project / "shop" / "views.py").read_text() == text
    assert "(0 fixed, 1 remaining)" in again.output


def test_unsafe_fixes_apply_with_the_flag_or_the_setting(project):
    assert invoke("--fix", "--unsafe-fixes", ".").exit_code == 0
    assert "timeout=10" in (project / "shop" / "views.py").read_text()


def test_unsafe_fixes_from_configuration(project):
    (project / "pyproject.toml").write_text("[tool.ormlint]\nunsafe-fixes = true\ndefault-timeout = 3\n")
    assert invoke("--fix", ".").exit_code == 0
    assert "timeout=3)" in (project / "shop" / "views.py").read_text()


def test_diff_prints_and_writes_nothing(project):
    before = (project / "shop" / "views.py").read_text()
    result = invoke("--diff", ".")
    assert result.exit_code == 1
    assert "-    return Order.objects.filter(status=\"new\").count() > 0  # a comment" in result.output
    assert "+    return Order.objects.filter(status=\"new\").exists()  # a comment" in result.output
    assert (project / "shop" / "views.py").read_text() == before


def test_diff_with_nothing_to_fix_exits_0(project):
    (project / "shop" / "views.py").write_text("x = 1\n")
    assert invoke("--diff", ".").exit_code == 0


def test_stdin_is_checked_under_its_filename(project):
    result = invoke("--stdin-filename", "shop/other.py", "-", input=VIEW)
    assert result.exit_code == 1
    assert "shop/other.py:6:12: ORM101" in result.output


def test_stdin_fix_writes_the_fixed_source_to_stdout(project):
    result = invoke("--fix", "--stdin-filename", "shop/other.py", "-", input=VIEW)
    assert result.stdout.startswith("import requests\n")
    assert ".exists()  # a comment" in result.stdout
    assert "ORM302" in result.stderr


def test_json_has_ruff_keys(project):
    data = json.loads(invoke("--output-format", "json", ".").output)
    assert [d["code"] for d in data] == ["ORM101", "ORM302"]
    first = data[0]
    assert set(first) == {"cell", "code", "end_location", "filename", "fix", "location", "message", "noqa_row", "url"}
    assert first["location"] == {"row": 6, "column": 12}
    assert first["end_location"] == {"row": 6, "column": 54}
    assert first["fix"]["applicability"] == "safe"
    assert first["fix"]["edits"] == [
        {"content": 'Order.objects.filter(status="new").exists()', "location": {"row": 6, "column": 12}, "end_location": {"row": 6, "column": 58}}
    ]
    assert os.path.isabs(first["filename"])
    assert data[1]["fix"]["applicability"] == "unsafe"


def test_github_annotations(project):
    lines = invoke("--output-format", "github", ".").output.splitlines()
    path = os.path.join("shop", "views.py")
    assert lines[0] == (
        f"::warning file={path},line=6,col=12,endLine=6,endColumn=54,title=ORM101::"
        "ORM101 `count()` used to test for existence counts every matching row; use `exists()`"
    )


def test_sarif_structure(project):
    document = json.loads(invoke("--output-format", "sarif", ".").output)
    assert document["version"] == "2.1.0"
    assert "sarif" in document["$schema"]
    driver = document["runs"][0]["tool"]["driver"]
    assert driver["name"] == "ormlint" and driver["version"] == __version__ and driver["informationUri"]
    ids = [rule["id"] for rule in driver["rules"]]
    assert "ORM101" in ids and "ORM303" in ids
    for rule in driver["rules"]:
        assert {"id", "name", "shortDescription", "fullDescription", "help", "defaultConfiguration"} <= set(rule)
        assert rule["shortDescription"]["text"] and rule["fullDescription"]["text"] and rule["help"]["text"]
        assert rule["defaultConfiguration"]["level"] in ("warning", "error")
    result = document["runs"][0]["results"][0]
    assert result["ruleId"] == "ORM101"
    assert result["level"] == "warning"
    assert result["message"]["text"].startswith("`count()` used to test for existence")
    assert driver["rules"][result["ruleIndex"]]["id"] == "ORM101"
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "shop/views.py"
    assert location["region"] == {"startLine": 6, "startColumn": 12, "endLine": 6, "endColumn": 54}


def test_statistics(project):
    output = invoke("--statistics", ".").output.splitlines()
    assert output == ["1\tORM101\t[*] count-for-existence", "1\tORM302\t    timeout-none"]


@pytest.mark.parametrize(
    "content, expected",
    [
        ("[tool.ormlint]\nselct = ['ORM1']\n", "unknown key `selct`"),
        ("[tool.ormlint]\ndefault-timeout = 'soon'\n", "invalid value for `default-timeout`"),
        ("[tool.ormlint]\nselect = ['X1']\n", "invalid value for `select`"),
        ("[tool.ormlint\nselect = 1\n", "invalid TOML"),
    ],
)
def test_configuration_errors_name_file_and_key_and_exit_2(project, content, expected):
    (project / "pyproject.toml").write_text(content)
    result = CliRunner().invoke(main, ["."])
    assert result.exit_code == 2
    assert expected in result.output
    assert "pyproject.toml" in result.output
    assert "Traceback" not in result.output


def test_ormlint_toml_and_explicit_config(project):
    (project / "ormlint.toml").write_text("ignore = ['ORM101']\n")
    assert "ORM101" not in invoke(".").output
    other = project / "other.toml"
    other.write_text("select = ['ORM101']\n")
    output = invoke("--config", str(other), ".").output
    assert "ORM101" in output and "ORM302" not in output


def test_command_line_overrides_configuration(project):
    (project / "pyproject.toml").write_text("[tool.ormlint]\nselect = ['ORM3']\n")
    assert "ORM101" in invoke("--select", "ORM101", ".").output


def test_rules_and_rule(project):
    listing = invoke("rules").output
    for code in ("ORM101", "ORM102", "ORM103", "ORM301", "ORM302", "ORM303"):
        assert code in listing
    documentation = invoke("rule", "ORM101").output
    assert "count-for-existence" in documentation and "## Why is this bad?" in documentation
    assert CliRunner().invoke(main, ["rule", "ORM999"]).exit_code == 2


def test_version():
    result = invoke("--version")
    assert result.exit_code == 0 and __version__ in result.output


def test_python_dash_m_and_console_script(project):
    completed = subprocess.run([sys.executable, "-m", "ormlint", "--select", "ORM101", "."], capture_output=True, text=True)
    assert completed.returncode == 1
    assert "ORM101" in completed.stdout


def test_sarif_paths_are_relative_to_the_project_root(project, monkeypatch):
    monkeypatch.chdir(project / "shop")
    document = json.loads(invoke("--output-format", "sarif", "views.py").output)
    location = document["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "shop/views.py"


def test_quiet_prints_findings_only_and_nothing_when_clean(project):
    assert invoke("--quiet", ".").output.splitlines()[-1].startswith("shop")
    (project / "shop" / "views.py").write_text("x = 1\n")
    result = invoke("--quiet", ".")
    assert result.exit_code == 0
    assert result.output == ""
