"""GitHub Actions workflow commands: one ``::warning`` annotation per finding."""

from __future__ import annotations

from ormlint.output import Report


def render(report: Report) -> str:
    lines = []
    for d in report.diagnostics:
        properties = ",".join(
            [
                f"file={_property(d.path)}",
                f"line={d.location.row}",
                f"col={d.location.column}",
                f"endLine={d.end_location.row}",
                f"endColumn={d.end_location.column}",
                f"title={_property(d.code)}",
            ]
        )
        lines.append(f"::warning {properties}::{_data(f'{d.code} {d.message}')}")
    return "\n".join(lines)


def _data(text: str) -> str:
    """Escape a workflow command's message, as the runner's toolkit does."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")
