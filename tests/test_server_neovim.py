"""A real editor: headless Neovim starts ``ormlint server``, opens a fixture view, waits
for the diagnostics, applies the quick fix and writes the file, which must then be what
``ormlint --fix`` writes. ``.ci/run`` installs Neovim from the distribution's packages
where it can; elsewhere the test says why it did not run."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
FIXTURE = HERE / "fixtures" / "editor_project"
EDITORS_PAGE = HERE.parent / "docs" / "editors.md"
#: Seconds Neovim may take for the whole session, server start included.
TIMEOUT = 180

pytestmark = pytest.mark.skipif(
    shutil.which("nvim") is None,
    reason="Neovim (`nvim`) is not installed; .ci/run installs it with apt-get where it can",
)


def test_neovim_applies_the_quick_fix_as_ormlint_fix_would(tmp_path):
    edited = Path(shutil.copytree(FIXTURE, tmp_path / "edited"))
    fixed = Path(shutil.copytree(FIXTURE, tmp_path / "fixed"))
    subprocess.run(
        [sys.executable, "-m", "ormlint", "--no-cache", "--fix", "."],
        cwd=fixed, capture_output=True, text=True, timeout=TIMEOUT,
    )
    expected = (fixed / "shop" / "views.py").read_text()
    assert expected != (FIXTURE / "shop" / "views.py").read_text(), "the fixture has a fix to apply"

    report = tmp_path / "report.txt"
    setup = tmp_path / "setup.lua"
    (snippet,) = re.findall(r"```lua\n(.*?)```", EDITORS_PAGE.read_text(), re.DOTALL)
    setup.write_text(snippet)
    environment = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",  # this ormlint
        "ORMLINT_NVIM_SETUP": str(setup),
        "ORMLINT_NVIM_REPORT": str(report),
        "XDG_STATE_HOME": str(tmp_path / "state"),  # Neovim's LSP log, out of the home folder
        "XDG_DATA_HOME": str(tmp_path / "data"),
    }
    completed = subprocess.run(
        ["nvim", "--headless", "-n", "-i", "NONE", "-u", str(HERE / "editor_init.lua"), "shop/views.py"],
        cwd=edited, env=environment, capture_output=True, text=True, timeout=TIMEOUT,
    )
    steps = report.read_text() if report.exists() else ""
    assert completed.returncode == 0, f"{steps}\n{completed.stderr}"
    assert re.search(r"^setup (docs/editors.md|vim.lsp.start_client)$", steps, re.MULTILINE), steps
    assert "diagnostic ormlint 10:5 Loop reads `order.customer` on every row" in steps
    assert "applied Add `.select_related('customer')`" in steps
    assert (edited / "shop" / "views.py").read_text() == expected
