"""The editor setups in docs/editors.md are well formed and start `ormlint server`; the
Neovim one is run by tests/test_server_neovim.py."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

try:
    import tomllib
except ImportError:  # Python < 3.11
    import tomli as tomllib

PAGE = Path(__file__).resolve().parents[1] / "docs" / "editors.md"


def block(language: str) -> str:
    (found,) = re.findall(rf"```{language}\n(.*?)```", PAGE.read_text(), re.DOTALL)
    return found


def test_vs_code_settings_start_the_server_for_python():
    settings = json.loads(block("json"))
    assert [settings["glspc.server.command"], *settings["glspc.server.commandArguments"]] == ["ormlint", "server"]
    assert settings["glspc.server.languageId"] == ["python"]
    assert "source.fixAll.ormlint" in settings["editor.codeActionsOnSave"]


def test_helix_languages_toml_adds_the_server_to_python():
    languages = tomllib.loads(block("toml"))
    server = languages["language-server"]["ormlint"]
    assert [server["command"], *server["args"]] == ["ormlint", "server"]
    (python,) = [language for language in languages["language"] if language["name"] == "python"]
    assert "ormlint" in python["language-servers"]


def test_eglot_runs_the_server_for_python_modes():
    elisp = block("elisp")
    assert '. ("ormlint" "server")' in elisp and "python-mode" in elisp
    assert elisp.count("(") == elisp.count(")")


def test_the_command_the_setups_run_exists():
    completed = subprocess.run(
        [sys.executable, "-m", "ormlint", "server", "--help"], capture_output=True, text=True, timeout=60
    )
    assert completed.returncode == 0 and "language server" in completed.stdout
