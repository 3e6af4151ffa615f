"""Turning import statements into the qualified names they bind.

Shared by the project index (which reads files with :mod:`ast`) and the semantic model
(which reads the checked file with libcst), so both resolve imports identically.
"""

from __future__ import annotations

from typing import Dict, Iterable, Optional, Tuple


def resolve_relative(module: Optional[str], level: int, current: str, is_package: bool) -> Optional[str]:
    """The absolute module of ``from <level dots><module> import ...`` inside ``current``."""
    if level == 0:
        return module
    parts = current.split(".") if current else []
    if not is_package:
        parts = parts[:-1]
    if level - 1 > len(parts):
        return None
    parts = parts[: len(parts) - (level - 1)]
    if module:
        parts.append(module)
    return ".".join(parts) or None


def import_bindings(names: Iterable[Tuple[str, Optional[str]]]) -> Dict[str, str]:
    """Bindings of ``import a.b.c`` / ``import a.b as c``: local name to qualified name."""
    bound: Dict[str, str] = {}
    for dotted, alias in names:
        if alias:
            bound[alias] = dotted
        else:
            head = dotted.split(".", 1)[0]
            bound[head] = head
    return bound


def from_import_bindings(
    module: Optional[str], names: Iterable[Tuple[str, Optional[str]]]
) -> Dict[str, str]:
    """Bindings of ``from module import a, b as c`` (``module`` already made absolute)."""
    if module is None:
        return {}
    return {(alias or name): f"{module}.{name}" for name, alias in names if name != "*"}
