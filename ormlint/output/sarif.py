"""SARIF 2.1.0, the format code-scanning dashboards (GitHub's among them) read."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Dict, List

from ormlint import __version__
from ormlint.diagnostics import Diagnostic
from ormlint.output import Report

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://pypi.org/project/ormlint/"


def render(report: Report) -> str:
    from ormlint.rules import ALL_RULES

    rules: List[Dict[str, Any]] = [
        {
            "id": "ORM000",
            "name": "syntax-error",
            "shortDescription": {"text": "A file that could not be read or parsed."},
            "fullDescription": {"text": "ormlint could not read, decode or parse this file, so it was not checked."},
            "help": {"text": "Fix the syntax or encoding error; the rest of the run is unaffected."},
            "defaultConfiguration": {"level": "error"},
        }
    ]
    rules += [
        {
            "id": rule.code,
            "name": rule.name,
            "shortDescription": {"text": rule.summary()},
            "fullDescription": {"text": rule.documentation()},
            "help": {"text": rule.documentation(), "markdown": rule.documentation()},
            "defaultConfiguration": {"level": "warning"},
        }
        for rule in ALL_RULES
    ]
    index = {rule["id"]: position for position, rule in enumerate(rules)}
    document = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "ormlint",
                        "version": __version__,
                        "informationUri": INFORMATION_URI,
                        "rules": rules,
                    }
                },
                "results": [_result(d, index, report.root) for d in report.diagnostics],
            }
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False)


def _result(diagnostic: Diagnostic, index: Dict[str, int], root: str) -> Dict[str, Any]:
    result: Dict[str, Any] = {
        "ruleId": diagnostic.code,
        "level": "error" if diagnostic.code == "ORM000" else "warning",
        "message": {"text": diagnostic.message},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": _uri(diagnostic.path, root)},
                    "region": {
                        "startLine": diagnostic.location.row,
                        "startColumn": diagnostic.location.column,
                        "endLine": diagnostic.end_location.row,
                        "endColumn": diagnostic.end_location.column,
                    },
                }
            }
        ],
    }
    if diagnostic.code in index:
        result["ruleIndex"] = index[diagnostic.code]
    return result


def _uri(path: str, root: str) -> str:
    try:
        relative = os.path.relpath(os.path.abspath(path), os.path.abspath(root))
    except ValueError:
        relative = os.path.abspath(path)
    parts: List[str] = Path(relative).parts  # type: ignore[assignment]
    return "/".join(parts)
