"""What a template reads on each row of the querysets a view puts in its context.

Django templates and Jinja2 share what matters here: ``{% for x in rows %}`` loops over a
context variable, ``{{ x.customer.name }}`` and tags read attribute chains of the loop
variable (``{{ x }}`` its ``__str__``), ``{% for l in x.lines.all %}`` (Jinja:
``x.lines.all()`` or ``x.lines``) loops over a relation of each row, and
``{% include "name" %}`` with a literal name reads the included template in place.

A Jinja2 macro (``{% macro rows_table(rows) %}``, defined in the template or imported
with ``{% from "macros.html" import rows_table %}`` / ``{% import "macros.html" as m %}``)
is read where it is called, ``{{ rows_table(orders) }}``, with its parameters bound to the
call's arguments and nothing else of the caller's.

Names are followed as Django binds them: ``{% with c=order.customer %}`` (and the legacy
``{% with order.customer as c %}``) aliases a chain or a context variable until
``{% endwith %}``; ``{% include "card.html" with c=order.customer %}`` binds the names it
gives in the included template, and with ``only`` (Jinja: ``without context``) nothing
else. ``{% extends "base.html" %}`` renders the parent with the child's blocks in place of
the parent's, so a child's block inside a parent's loop runs on every row; a block the
parent does not have renders nothing, ``{{ block.super }}`` (Jinja: ``{{ super() }}``)
renders the parent's. A parent that cannot be read leaves the child as it is written.

Templates are found by name (see ``ProjectIndex.templates``); a name found twice, or not
at all, is not followed. Only files are read here, never executed; the index stamps them,
so that cached results are dropped when a template changes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, List, NamedTuple, Optional, Tuple

Chain = Tuple[str, ...]
Loader = Callable[[str], Optional[str]]

_TOKEN = re.compile(r"\{%-?\s*(.*?)\s*-?%\}|\{\{-?\s*(.*?)\s*-?\}\}|\{#.*?#\}", re.DOTALL)
_FOR = re.compile(r"^for\s+(\w+)\s+in\s+(.+?)(?:\s+reversed)?$", re.DOTALL)
_INCLUDE = re.compile(r"""^include\s+(["'])([^"']+)\1(.*)$""", re.DOTALL)
_EXTENDS = re.compile(r"""^extends\s+(["'])([^"']+)\1$""")
_BLOCK = re.compile(r"^block\s+(\w+)(\s+scoped\b)?")
_SUPER = re.compile(r"\{\{-?\s*(?:block\.super|super\(\))\s*-?\}\}")
_ASSIGNMENT = re.compile(r"(\w+)\s*=\s*([^\s=]+)")
_LEGACY_WITH = re.compile(r"^with\s+(\S+)\s+as\s+(\w+)$")
_CHAIN = re.compile(r"(?<![\w.'\"])([A-Za-z_]\w*)((?:\.[A-Za-z_]\w*)*)")
#: Blocks whose text is not rendered where it stands (a Jinja2 macro runs where called).
_SKIPPED_BLOCKS = {"comment": "endcomment", "verbatim": "endverbatim", "raw": "endraw", "macro": "endmacro"}
_MACRO = re.compile(r"^macro\s+(\w+)\s*\(([^)]*)\)")
_FROM_IMPORT = re.compile(r"""^from\s+(["'])([^"']+)\1\s+import\s+(.+?)(?:\s+(?:with|without)\s+context)?$""")
_IMPORT = re.compile(r"""^import\s+(["'])([^"']+)\1\s+as\s+(\w+)""")
_MACRO_CALL = re.compile(r"(?<![\w.])(\w+(?:\.\w+)?)\(([^()]*)\)")
_MAX_INCLUDES = 3
_MAX_PARENTS = 5


@dataclass
class TemplateLoops:
    """For each context variable a template loops over: the loop variable's name and the
    chains read on each item (``("customer", "name")``, ``("lines", "all", "product")``
    for a nested loop over a relation, ``("__str__",)`` for the item shown as text)."""

    variables: Dict[str, str] = field(default_factory=dict)
    chains: Dict[str, List[Chain]] = field(default_factory=dict)
    #: For a context variable that holds one row (a ``DetailView``'s ``object``), the
    #: chains of it the template loops over (``("lines", "all")``): each is one query,
    #: what the template reads on their items is read on every item.
    iterated: Dict[str, List[Chain]] = field(default_factory=dict)


@dataclass(frozen=True)
class _Bound:
    """What a name of the template stands for: a row of the context variable
    ``variable`` reached by ``chain`` (a loop variable, or an alias of one's relation),
    with ``rows`` the context variable's rows themselves (an alias of it), with ``one``
    the one row a context variable holds, or a chain of it."""

    variable: str
    chain: Chain = ()
    rows: bool = False
    one: bool = False

    @property
    def per_row(self) -> bool:
        return not self.rows and not self.one


@dataclass
class _Names:
    """The names bound where a tag is read: frames opened by ``for`` and ``with`` (a name
    bound to ``None`` hides what it shadows and is not followed), and whether the
    context's own variables are visible (not in an ``include ... only``)."""

    frames: List[Tuple[str, Dict[str, Optional[_Bound]]]] = field(default_factory=list)
    sees_context: bool = True

    def lookup(self, name: str) -> Optional[_Bound]:
        hidden = False
        for opener, frame in reversed(self.frames):
            # Past a Jinja2 block, only the context's own names are seen.
            hidden = hidden or opener == _UNSCOPED
            if name in frame and (not hidden or opener == "context"):
                return frame[name]
        return _Bound(name, rows=True) if self.sees_context else None

    def any_row(self) -> bool:
        return any(bound is not None and bound.per_row for _, frame in self.frames for bound in frame.values())

    def close(self, opener: str) -> None:
        if self.frames and self.frames[-1][0] == opener:
            self.frames.pop()


def template_loops(text: str, load_include: Loader, objects: Tuple[str, ...] = (), jinja: bool = False) -> TemplateLoops:
    """Read ``text``; ``load_include(name)`` gives another template's text or ``None``.
    The context variables ``objects`` hold one row each, not rows; ``jinja``: the
    template is a Jinja2 one."""
    found = TemplateLoops()
    names = _Names([("context", {name: _Bound(name, one=True) for name in objects})])
    _scan(rendered_text(text, load_include, jinja), load_include, found, names, 0, jinja)
    return found


#: The pseudo-tags that hold a Jinja2 block which does not see the loops around it.
_UNSCOPED = "unscoped-block"
_END_UNSCOPED = "end" + _UNSCOPED


def rendered_text(text: str, load: Loader, jinja: bool = False) -> str:
    """The text Django renders for ``text``: through ``{% extends %}``, the root parent's
    text with each block replaced by the most derived template's block of that name.
    For Jinja2, blocks not declared ``scoped`` are marked so that the scan hides the loop
    variables around them."""
    levels = [_blocks(text)]
    seen: List[str] = []
    parent = _extended(text)
    while parent is not None and parent not in seen and len(seen) < _MAX_PARENTS:
        parent_text = load(parent)
        if parent_text is None:
            break
        seen.append(parent)
        levels.append(_blocks(parent_text))
        text, parent = parent_text, _extended(parent_text)
    if len(levels) == 1 and not jinja:
        return text
    return _fill(text, levels, 0, jinja)


def _extended(text: str) -> Optional[str]:
    """The literal name a template extends: ``{% extends %}`` must be its first tag."""
    for match in _TOKEN.finditer(text):
        if match.group(1) is not None:
            extends = _EXTENDS.match(match.group(1))
            return extends.group(2) if extends else None
        if match.group(2) is not None:
            return None
    return None


class _Span(NamedTuple):
    """A ``{% block %}`` of a template: where its tag starts, where its body starts and
    ends, and where its ``{% endblock %}`` ends."""

    name: str
    scoped: bool
    start: int
    body: int
    body_end: int
    end: int


def _block_spans(text: str) -> List[_Span]:
    """Every ``{% block %}`` of ``text``, nested ones too, in order."""
    spans: List[_Span] = []
    open_blocks: List[Tuple[str, bool, int, int]] = []
    for match in _TOKEN.finditer(text):
        tag = match.group(1)
        if tag is None:
            continue
        block = _BLOCK.match(tag)
        if block is not None:
            open_blocks.append((block.group(1), block.group(2) is not None, match.start(), match.end()))
        elif tag.split(None, 1)[:1] == ["endblock"] and open_blocks:
            spans.append(_Span(*open_blocks.pop(), match.start(), match.end()))
    return sorted(spans, key=lambda span: span.start)


def _blocks(text: str) -> Dict[str, str]:
    """The body of each block of a template, by name."""
    return {span.name: text[span.body : span.body_end] for span in _block_spans(text)}


def _fill(text: str, levels: List[Dict[str, str]], depth: int, jinja: bool) -> str:
    """``text`` with each outermost block replaced by the most derived body of its name
    (``levels``: each template's blocks, the child's first), itself filled in turn."""
    if depth > _MAX_PARENTS * 4:
        return ""
    parts: List[str] = []
    position = 0
    for span in _block_spans(text):
        if span.start < position:
            continue  # nested in a block already replaced
        parts.append(text[position : span.start])
        body = _block_body(span.name, levels, 0, depth, jinja)
        parts.append(f"{{% {_UNSCOPED} %}}{body}{{% {_END_UNSCOPED} %}}" if jinja and not span.scoped else body)
        position = span.end
    parts.append(text[position:])
    return "".join(parts)


def _block_body(name: str, levels: List[Dict[str, str]], first: int, depth: int, jinja: bool) -> str:
    for level in range(first, len(levels)):
        if name in levels[level]:
            body = _SUPER.sub(lambda _: _block_body(name, levels, level + 1, depth + 1, jinja), levels[level][name])
            return _fill(body, levels, depth + 1, jinja)
    return ""


#: A macro's parameters and body.
Macro = Tuple[Tuple[str, ...], str]


def _macros(text: str, load: Loader, imports: bool = True) -> Dict[str, Macro]:
    """The macros a Jinja2 template defines and imports, by the name it calls them."""
    found: Dict[str, Macro] = {}
    opened: Optional[Tuple[str, Tuple[str, ...], int]] = None
    for match in _TOKEN.finditer(text):
        tag = match.group(1)
        if tag is None:
            continue
        macro = _MACRO.match(tag)
        if macro is not None and opened is None:
            parameters = tuple(p.split("=", 1)[0].strip() for p in macro.group(2).split(",") if p.strip())
            opened = (macro.group(1), parameters, match.end())
        elif tag.split(None, 1)[:1] == ["endmacro"] and opened is not None:
            found[opened[0]] = (opened[1], text[opened[2] : match.start()])
            opened = None
        elif imports and (_FROM_IMPORT.match(tag) or _IMPORT.match(tag)):
            found.update(_imported(tag, load))
    return found


def _imported(tag: str, load: Loader) -> Dict[str, Macro]:
    single = _FROM_IMPORT.match(tag)
    module = _IMPORT.match(tag)
    text = load((single or module).group(2))  # type: ignore[union-attr]
    if text is None:
        return {}
    macros = _macros(text, load, imports=False)
    if module is not None:
        return {f"{module.group(3)}.{name}": macro for name, macro in macros.items()}
    found: Dict[str, Macro] = {}
    for item in single.group(3).split(","):  # type: ignore[union-attr]
        name, _, alias = item.strip().partition(" as ")
        if name.strip() in macros:
            found[(alias or name).strip()] = macros[name.strip()]
    return found


def _call_macros(content: str, macros: Dict[str, Macro], load_include: Loader, found: TemplateLoops, names: _Names, depth: int) -> None:
    """Read the body of each known macro ``content`` calls, its parameters bound to the
    call's arguments (``rows_table(orders)``, ``rows_table(rows=order.lines)``)."""
    for call in _MACRO_CALL.finditer(content):
        macro = macros.get(call.group(1))
        if macro is None or depth >= _MAX_INCLUDES:
            continue
        parameters, body = macro
        bound: Dict[str, Optional[_Bound]] = {}
        arguments = [a.strip() for a in call.group(2).split(",") if a.strip()]
        for position, argument in enumerate(arguments):
            keyword = re.match(r"(\w+)\s*=(?!=)\s*(.+)$", argument)
            name = keyword.group(1) if keyword else parameters[position] if position < len(parameters) else None
            if name is not None:
                bound[name] = _value(keyword.group(2) if keyword else argument, names)
        frames = [("macro", {name: bound.get(name) for name in parameters})]
        _scan(body, load_include, found, _Names(frames, sees_context=False), depth + 1, True, macros)


def _scan(
    text: str, load_include: Loader, found: TemplateLoops, names: _Names, depth: int, jinja: bool, macros: Optional[Dict[str, Macro]] = None
) -> None:
    if jinja and macros is None:
        macros = _macros(text, load_include)
    skip_until: Optional[str] = None
    for match in _TOKEN.finditer(text):
        tag, variable = match.group(1), match.group(2)
        if tag is None and variable is None:
            continue  # {# comment #}
        if skip_until is not None:
            if tag is not None and tag.split(" ", 1)[0] == skip_until:
                skip_until = None
            continue
        if macros and not (tag is not None and _MACRO.match(tag)):
            _call_macros(tag if tag is not None else variable, macros, load_include, found, names, depth)
        content = (tag if tag is not None else variable).replace("()", "")
        if tag is not None:
            word = tag.split(None, 1)[0] if tag.split() else ""
            if word in _SKIPPED_BLOCKS:
                skip_until = _SKIPPED_BLOCKS[word]
                continue
            if word in ("endfor", "endwith", _END_UNSCOPED):
                names.close(word[3:])
                continue
            if word == _UNSCOPED:
                names.frames.append((_UNSCOPED, {}))
                continue
            if word == "for":
                _record(content, found, names, shown=False)
                names.frames.append(("for", _loop(content, found, names)))
                continue
            if word == "with":
                _record(content, found, names, shown=False)
                names.frames.append(("with", _aliases(content, names)))
                continue
            include = _INCLUDE.match(tag)
            if include:
                _record(include.group(3), found, names, shown=False)
                if depth < _MAX_INCLUDES:
                    _include(include.group(2), include.group(3), load_include, found, names, depth, jinja)
                continue
        _record(content, found, names, shown=variable is not None)


def _include(name: str, options: str, load_include: Loader, found: TemplateLoops, names: _Names, depth: int, jinja: bool) -> None:
    """Read an included template in place, with the names its tag binds (``with a=b``)
    and, with ``only`` or ``without context``, no other."""
    included = load_include(name)
    if included is None:
        return
    given = _aliases(options, names) if re.match(r"\s*with\s+\w+\s*=", options) else {}
    isolated = re.search(r"\bonly\b|\bwithout\s+context\b", options) is not None
    frames = [("include", given)] if isolated else [*names.frames, ("include", given)]
    _scan(rendered_text(included, load_include, jinja), load_include, found, _Names(frames, not isolated), depth + 1, jinja)


def _aliases(tag: str, names: _Names) -> Dict[str, Optional[_Bound]]:
    """The names a ``with`` (or ``include ... with``) binds, each to what its value is."""
    legacy = _LEGACY_WITH.match(tag)
    pairs = [(legacy.group(2), legacy.group(1))] if legacy else _ASSIGNMENT.findall(tag)
    return {alias: _value(value, names) for alias, value in pairs}


def _value(expression: str, names: _Names) -> Optional[_Bound]:
    """What an expression of the template stands for: a row of a context variable (a
    chain of a loop variable), the context variable's rows, or ``None`` (not followed)."""
    chain = _CHAIN.fullmatch(expression.split("|", 1)[0].strip())
    if chain is None:
        return None
    bound = names.lookup(chain.group(1))
    attributes = tuple(a for a in chain.group(2).split(".") if a)
    if bound is None or (bound.rows and attributes):
        return None
    return _Bound(bound.variable, bound.chain + attributes, bound.rows, bound.one)


def _loop(tag: str, found: TemplateLoops, names: _Names) -> Dict[str, Optional[_Bound]]:
    match = _FOR.match(tag)
    if match is None:
        return {}  # ``for a, b in ...``: nothing is followed, but ``endfor`` still closes it
    variable, iterable = match.group(1), match.group(2)
    bound = _value(iterable, names)
    if bound is None:
        return {variable: None}
    if bound.rows:
        found.variables.setdefault(bound.variable, variable)
    elif bound.one:
        iterated = found.iterated.setdefault(bound.variable, [])
        if bound.chain not in iterated:
            iterated.append(bound.chain)
    return {variable: _Bound(bound.variable, bound.chain)}


def _record(content: str, found: TemplateLoops, names: _Names, shown: bool) -> None:
    """The chains ``content`` reads on rows; a row shown on its own (``{{ x }}``,
    ``{{ x|upper }}``) reads its ``__str__``."""
    if not names.any_row():
        return
    expression = content.split("|", 1)[0].strip() if shown else None
    for match in _CHAIN.finditer(content):
        bound = names.lookup(match.group(1))
        if bound is None or not bound.per_row:
            continue
        attributes = tuple(a for a in match.group(2).split(".") if a)
        if not attributes and not (shown and expression == match.group(1)):
            continue
        chain = bound.chain + (attributes or ("__str__",))
        chains = found.chains.setdefault(bound.variable, [])
        if chain not in chains:
            chains.append(chain)


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
