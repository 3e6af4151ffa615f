"""JSON with the keys of ruff's JSON output, so tools that read ruff's read ours."""

from __future__ import annotations

import json
import os
from typing import Any, Dict, Optional

from ormlint.diagnostics import Diagnostic, Fix, Location
from ormlint.output import Report


def render(report: Report) -> str:
    return json.dumps([_diagnostic(d) for d in report.diagnostics], indent=2, ensure_ascii=False)


def _diagnostic(diagnostic: Diagnostic) -> Dict[str, Any]:
    return {
        "cell": None,
        "code": diagnostic.code,
        "end_location": _location(diagnostic.end_location),
        "filename": os.path.abspath(diagnostic.path) if diagnostic.path != "-" else "-",
        "fix": _fix(diagnostic.fix),
        "location": _location(diagnostic.location),
        "message": diagnostic.message,
        "noqa_row": diagnostic.noqa_row,
        "url": None,
    }


def _fix(fix: Optional[Fix]) -> Optional[Dict[str, Any]]:
    if fix is None:
        return None
    return {
        "applicability": fix.applicability.value,
        "edits": [
            {
                "content": edit.content,
                "end_location": _location(edit.end_location),
                "location": _location(edit.location),
            }
            for edit in fix.edits
        ],
        "message": fix.title,
    }


def _location(location: Location) -> Dict[str, int]:
    return {"column": location.column, "row": location.row}
