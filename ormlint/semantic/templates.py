"""What a template reads on each row of the querysets a view puts in its context.

Django templates and Jinja2 share what matters here: ``{% for x in rows %}`` loops over a
context variable, ``{{ x.customer.name }}`` and tags read attribute chains of the loop
variable (``{{ x }}`` its ``__str__``), ``{% for l in x.lines.all %}`` (Jinja:
``x.lines.all()`` or ``x.lines``) loops over a relation of each row, and
``{% include "name" %}`` with a literal name reads the included template in place.
Templates are found by their name below any ``templates`` folder of the project; a name
found twice, or not at all, is not followed.

Only files are read here, never executed; the index stamps them, so that cached results
are dropped when a template changes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Tuple


Chain = Tuple[str, ...]

_TOKEN = re.compile(r"\{%-?\s*(.*?)\s*-?%\}|\{\{-?\s*(.*?)\s*-?\}\}|\{#.*?#\}", re.DOTALL)
_FOR = re.compile(r"^for\s+(\w+)\s+in\s+(.+?)(?:\s+reversed)?$", re.DOTALL)
_INCLUDE = re.compile(r"""^include\s+(["'])([^"']+)\1""")
_CHAIN = re.compile(r"(?<![\w.'\"])([A-Za-z_]\w*)((?:\.[A-Za-z_]\w*)*)")
_SKIPPED_BLOCKS = {"comment": "endcomment", "verbatim": "endverbatim", "raw": "endraw"}
_MAX_INCLUDES = 3


@dataclass
class TemplateLoops:
    """For each context variable a template loops over: the loop variable's name and the
    chains read on each item (``("customer", "name")``, ``("lines", "all", "product")``
    for a nested loop over a relation, ``("__str__",)`` for the item shown as text)."""

    variables: Dict[str, str] = field(default_factory=dict)
    chains: Dict[str, List[Chain]] = field(default_factory=dict)


def template_loops(text: str, load_include) -> TemplateLoops:
    """Read ``text``; ``load_include(name)`` gives an included template's text or ``None``."""
    found = TemplateLoops()
    #: Active loops: (loop variable, context variable it stems from, chain prefix).
    stack: List[Optional[Tuple[str, str, Chain]]] = []
    _scan(text, load_include, found, stack, 0)
    return found


def _scan(text: str, load_include, found: TemplateLoops, stack, depth: int) -> None:
    skip_until: Optional[str] = None
    for match in _TOKEN.finditer(text):
        tag, variable = match.group(1), match.group(2)
        if tag is None and variable is None:
            continue  # {# comment #}
        if skip_until is not None:
            if tag is not None and tag.split(" ", 1)[0] == skip_until:
                skip_until = None
            continue
        content = (tag if tag is not None else variable).replace("()", "")
        if tag is not None:
            word = tag.split(None, 1)[0] if tag.split() else ""
            if word in _SKIPPED_BLOCKS:
                skip_until = _SKIPPED_BLOCKS[word]
                continue
            if word == "endfor":
                if stack:
                    stack.pop()
                continue
            if word == "for":
                _record(content, found, stack, shown=False)
                stack.append(_loop(content, found, stack))
                continue
            include = _INCLUDE.match(tag)
            if include and depth < _MAX_INCLUDES:
                included = load_include(include.group(2))
                if included is not None:
                    _scan(included, load_include, found, stack, depth + 1)
                continue
        _record(content, found, stack, shown=variable is not None)


def _loop(tag: str, found: TemplateLoops, stack) -> Optional[Tuple[str, str, Chain]]:
    match = _FOR.match(tag)
    if match is None:
        return None  # ``for a, b in ...``: nothing is followed, but ``endfor`` still pops
    variable, iterable = match.group(1), match.group(2).split("|", 1)[0].strip()
    chain = _CHAIN.fullmatch(iterable)
    if chain is None:
        return None
    name, attributes = chain.group(1), tuple(a for a in chain.group(2).split(".") if a)
    outer = _active(stack, name)
    if outer is not None:
        return variable, outer[1], outer[2] + attributes
    if attributes or any(entry is not None and entry[0] == name for entry in stack):
        return None
    found.variables.setdefault(name, variable)
    return variable, name, ()


def _record(content: str, found: TemplateLoops, stack, shown: bool) -> None:
    """The chains ``content`` reads on active loop variables; a variable shown on its own
    (``{{ x }}``, ``{{ x|upper }}``) reads its ``__str__``."""
    if not any(entry is not None for entry in stack):
        return
    expression = content.split("|", 1)[0].strip() if shown else None
    for match in _CHAIN.finditer(content):
        active = _active(stack, match.group(1))
        if active is None:
            continue
        attributes = tuple(a for a in match.group(2).split(".") if a)
        if not attributes and not (shown and expression == match.group(1)):
            continue
        chain = active[2] + (attributes or ("__str__",))
        chains = found.chains.setdefault(active[1], [])
        if chain not in chains:
            chains.append(chain)


def _active(stack, name: str) -> Optional[Tuple[str, str, Chain]]:
    for entry in reversed(stack):
        if entry is not None and entry[0] == name:
            return entry
    return None


def find_template(templates: Dict[str, List[Path]], name: str) -> Optional[Path]:
    paths = templates.get(name, [])
    return paths[0] if len(paths) == 1 else None


_texts: Dict[Tuple[str, int, int], str] = {}


def read_template(path: Path) -> Optional[str]:
    """A template's text, read once per process while it does not change."""
    try:
        stat = path.stat()
        key = (str(path), stat.st_size, stat.st_mtime_ns)
        if key not in _texts:
            _texts[key] = path.read_text(encoding="utf-8", errors="replace")
        return _texts[key]
    except OSError:
        return None
