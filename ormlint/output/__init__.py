"""Output formats. Each module renders a finished run: a list of diagnostics and a summary."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import List

from ormlint.diagnostics import Diagnostic


@dataclass
class Report:
    """Everything an output format may show about a run."""

    diagnostics: List[Diagnostic] = field(default_factory=list)
    unsafe_fixes: bool = False
    fixing: bool = False
    fixed: int = 0
    #: The folder SARIF and GitHub paths are made relative to.
    root: str = "."
