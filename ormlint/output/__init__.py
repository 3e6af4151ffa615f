"""Output formats. Each module renders a finished run: a list of diagnostics and a summary."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List

from ormlint.diagnostics import Diagnostic


@dataclass
class Report:
    """Everything an output format may show about a run."""

    diagnostics: List[Diagnostic] = field(default_factory=list)
    unsafe_fixes: bool = False
    fixing: bool = False
    #: The code of each fix applied, by file: what ``--show-fixes`` lists.
    fixes: Dict[str, List[str]] = field(default_factory=dict)
    #: The folder SARIF and GitHub paths are made relative to.
    root: str = "."

    @property
    def fixed(self) -> int:
        return sum(len(codes) for codes in self.fixes.values())

    def record_fixes(self, path: str, codes: List[str]) -> None:
        if codes:
            self.fixes.setdefault(path, []).extend(codes)
