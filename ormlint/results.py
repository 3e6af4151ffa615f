"""What checking one file gives, as plain data that can cross processes and be cached."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional

from ormlint import __version__
from ormlint.cache import load_entries, save_entries
from ormlint.diagnostics import Applicability, Diagnostic, Edit, Fix, Location

FORMAT = f"ormlint-results-{__version__}-3"


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

    A file whose size and modification time are those of the last run is taken as
    unchanged without being read (as ruff does); one whose stamp changed is read, and its
    result still holds if its bytes are the same. A cache that is missing, corrupt or from
    another version is not used, and one that cannot be written just means no cache.
    """

    def __init__(self, path: Optional[Path]) -> None:
        self.path = path
        self._entries: Dict[str, Any] = {}
        self._dirty = False
        if path is not None:
            self._entries = load_entries(path, FORMAT)

    def get(self, name: str, key: str, stamp: Optional[List[int]] = None) -> Optional[List[Diagnostic]]:
        """The result of ``name`` if its content key is ``key``; ``stamp`` is then
        remembered as the file's, for :meth:`unchanged`."""
        entry = self._entries.get(name)
        if not isinstance(entry, dict) or entry.get("key") != key:
            return None
        found = self._diagnostics(entry)
        if found is not None and stamp is not None and entry.get("stamp") != stamp:
            entry["stamp"] = stamp
            self._dirty = True
        return found

    def unchanged(self, name: str, stamp: Optional[List[int]], salt: str) -> Optional[List[Diagnostic]]:
        """The result of ``name`` if the file has the size and time it had then and the
        run's ``salt`` (version, configuration, project index) is the same."""
        entry = self._entries.get(name)
        if stamp is None or not isinstance(entry, dict) or entry.get("stamp") != stamp or entry.get("salt") != salt_digest(salt):
            return None
        return self._diagnostics(entry)

    def put(self, name: str, key: str, diagnostics: List[Diagnostic], stamp: Optional[List[int]] = None, salt: str = "") -> None:
        self._entries[name] = {
            "key": key,
            "stamp": stamp,
            "salt": salt_digest(salt),
            "diagnostics": [diagnostic_to_json(d) for d in diagnostics],
        }
        self._dirty = True

    @staticmethod
    def _diagnostics(entry: Dict[str, Any]) -> Optional[List[Diagnostic]]:
        try:
            return [diagnostic_from_json(d) for d in entry["diagnostics"]]
        except (KeyError, TypeError, ValueError):
            return None

    def save(self) -> None:
        if self.path is not None and self._dirty:
            save_entries(self.path, FORMAT, self._entries)
            self._dirty = False


def file_stamp(path: str) -> Optional[List[int]]:
    """A file's size and modification time, or ``None`` if it cannot be examined."""
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return [stat.st_size, stat.st_mtime_ns]


def run_salt(config, host: str = "") -> str:
    """What every cached result of a run depends on besides its file and the project:
    ormlint's version, the settings, the structural prefilter's switch, and the host
    (the flake8 plugin's settings differ from the command line's)."""
    from ormlint.structure import structural_prefilter_enabled

    return f"{__version__}|{host}|{config.fingerprint()}|{structural_prefilter_enabled()}"


def salt_digest(salt: str) -> str:
    return hashlib.sha256(salt.encode()).hexdigest()


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
