"""What checking one file gives, as plain data that can cross processes and be cached."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional

from ormlint import __version__
from ormlint.cache import load_entries, save_entries
from ormlint.diagnostics import Applicability, Diagnostic, Edit, Fix, Location

FORMAT = f"ormlint-results-{__version__}-1"


@dataclass
class FileResult:
    path: str
    diagnostics: List[Diagnostic] = field(default_factory=list)
    #: The fixed text when fixes were applied, else ``None``.
    fixed_text: Optional[str] = None
    #: The code of each fix applied, for ``--show-fixes``.
    fixed: List[str] = field(default_factory=list)
    #: Tracebacks of ormlint's own bugs met on this file (shown with ``--verbose``).
    internal_errors: List[str] = field(default_factory=list)


class ResultCache:
    """Each file's diagnostics from the last run, as JSON, reused while the file's content,
    ormlint's version, the configuration and the project index are unchanged.

    A cache that is missing, corrupt or from another version is not used, and one that
    cannot be written just means no cache.
    """

    def __init__(self, path: Optional[Path]) -> None:
        self.path = path
        self._entries: Dict[str, Any] = {}
        self._dirty = False
        if path is not None:
            self._entries = load_entries(path, FORMAT)

    def get(self, name: str, key: str) -> Optional[List[Diagnostic]]:
        entry = self._entries.get(name)
        if not isinstance(entry, dict) or entry.get("key") != key:
            return None
        try:
            return [diagnostic_from_json(d) for d in entry["diagnostics"]]
        except (KeyError, TypeError, ValueError):
            return None

    def put(self, name: str, key: str, diagnostics: List[Diagnostic]) -> None:
        self._entries[name] = {"key": key, "diagnostics": [diagnostic_to_json(d) for d in diagnostics]}
        self._dirty = True

    def save(self) -> None:
        if self.path is not None and self._dirty:
            save_entries(self.path, FORMAT, self._entries)
            self._dirty = False


def result_key(raw: bytes, salt: str) -> str:
    """What a file's result depends on: its bytes and the run's salt (version,
    configuration and the fingerprint of the project index)."""
    return hashlib.sha256(salt.encode() + b"\0" + raw).hexdigest()


def diagnostic_to_json(diagnostic: Diagnostic) -> Dict[str, Any]:
    fix = diagnostic.fix
    return {
        "code": diagnostic.code,
        "message": diagnostic.message,
        "path": diagnostic.path,
        "location": [diagnostic.location.row, diagnostic.location.column],
        "end": [diagnostic.end_location.row, diagnostic.end_location.column],
        "noqa_row": diagnostic.noqa_row,
        "fix": None
        if fix is None
        else {
            "title": fix.title,
            "applicability": fix.applicability.value,
            "edits": [
                [e.start, e.end, e.content, [e.location.row, e.location.column], [e.end_location.row, e.end_location.column]]
                for e in fix.edits
            ],
        },
    }


def diagnostic_from_json(data: Dict[str, Any]) -> Diagnostic:
    fix = data["fix"]
    return Diagnostic(
        code=str(data["code"]),
        message=str(data["message"]),
        path=str(data["path"]),
        location=Location(*map(int, data["location"])),
        end_location=Location(*map(int, data["end"])),
        noqa_row=data["noqa_row"],
        fix=None
        if fix is None
        else Fix(
            title=str(fix["title"]),
            applicability=Applicability(fix["applicability"]),
            edits=tuple(
                Edit(int(start), int(end), str(content), Location(*map(int, first)), Location(*map(int, last)))
                for start, end, content, first, last in fix["edits"]
            ),
        ),
    )
