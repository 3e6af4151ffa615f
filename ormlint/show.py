"""What a run would use, without checking anything: its files (``--show-files``) and the
settings in force for a file (``--show-settings``), each value with where it came from.

When a setting surprises (a folder not checked, a rule silent in one file), the question
is which file or option set it; ruff's ``--show-settings`` answers what, this also says
where from.
"""

from __future__ import annotations

import json
from dataclasses import fields
from typing import Any, List, Sequence, Tuple

from ormlint.cache import DEFAULT_DIRECTORY
from ormlint.config import CONFIG_KEYS, Config
from ormlint.discovery import discover

#: The configuration's bookkeeping, not settings a user writes.
_NOT_SETTINGS = ("root", "source", "origins")
#: Origins line up in this column, unless a value is longer (a long ``exclude``).
_ORIGIN_COLUMN = 40


def show_files(paths: Sequence[str], config: Config) -> Tuple[str, bool]:
    """The files a run over ``paths`` would check, one a line, and whether there were any."""
    files = discover(paths, config)
    return "\n".join(files), bool(files)


def show_settings(paths: Sequence[str], config: Config) -> Tuple[str, bool]:
    """The settings for the first file a run over ``paths`` would check, as TOML that
    could be pasted into ``[tool.ormlint]``, each line commented with its origin; and
    whether there was a file to show them for."""
    from ormlint.rules import ALL_RULES

    files = discover(paths, config)
    if not files:
        return "", False
    path = files[0]
    lines: List[str] = [
        f"Resolved settings for: {path}",
        f"Settings path: {config.source if config.source is not None else 'none (defaults)'}",
        "",
        "[tool.ormlint]",
    ]
    keyed = {key.replace("-", "_"): key for key in CONFIG_KEYS}
    rows = [
        (f"{keyed[f.name]} = {_toml(f.name, getattr(config, f.name))}", config.origin(f.name))
        for f in fields(config)
        if f.name not in _NOT_SETTINGS
    ]
    in_force = [rule.code for rule in ALL_RULES if config.is_selected(rule.code, path)]
    fixable = [
        rule.code for rule in ALL_RULES if rule.code in in_force and rule.fix_applicability and config.is_fixable(rule.code)
    ]
    width = min(_ORIGIN_COLUMN, max(len(text) for text, _ in rows))
    lines += [f"{text:<{width}}  # {origin}" for text, origin in rows]
    lines += [
        "",
        f"# In {path}, after select, ignore and per-file-ignores:",
        f"# rules that run: {', '.join(in_force) or 'none'}",
        f"# of which may be fixed: {', '.join(fixable) or 'none'}",
    ]
    return "\n".join(lines), True


def _toml(attribute: str, value: Any) -> str:
    """A setting's value written as TOML: strings and lists as JSON writes them (which TOML
    reads), ``per-file-ignores`` as an inline table, an unset ``cache-dir`` as the folder
    it stands for."""
    if attribute == "per_file_ignores":
        pairs = ", ".join(f"{json.dumps(pattern)} = {json.dumps(list(codes))}" for pattern, codes in value)
        return f"{{ {pairs} }}" if pairs else "{}"
    if attribute == "cache_dir" and value is None:
        return json.dumps(DEFAULT_DIRECTORY)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):
        return json.dumps(list(value))
    return json.dumps(value)
