"""Where the reported nodes are, without rendering the whole module.

libcst's ``PositionProvider`` renders the whole module with a code generator that records
where every node starts and ends, and ``MetadataWrapper.resolve`` visits the whole tree
besides: in one profile of a cold run that was 23% of the run, spent on the files with a
finding or two. A diagnostic needs the positions of a few nodes: its own and those its fix
replaces.

A statement's code depends on nothing before it but the indentation its enclosing blocks
put on its lines, and the module's default indent and newline. Rendered alone with those,
it is the very text the file holds at its place, from column 0 of the line where its
leading comments and blank lines begin; the positions recorded in that render are the
module's, lines counted from that line. Which line it is, the file's text tells: a
statement's code that occurs exactly once in the text occurs there, at the statement.

So a node is positioned by rendering the innermost statement around it, or, when that
statement's code occurs more than once in the file (the same ``return`` in two methods),
the statement around that one, and so on out to the top level. What no statement places
(the module itself, the comments of its header and footer, a top-level statement whose
code repeats) is positioned by rendering the whole module, as libcst does.
"""

from __future__ import annotations

import functools
from typing import Dict, Iterable, List, Mapping, Optional, Set, Tuple

import libcst as cst
from libcst.metadata import CodePosition, CodeRange, PositionProvider
from libcst.metadata.position_provider import PositionProvidingCodegenState

from ormlint.source import LineIndex
from ormlint.syntax import children

#: A statement and the indentation in effect where it stands, one entry per enclosing block.
Frame = Tuple[cst.BaseStatement, Tuple[str, ...]]
#: The statements around a node, outermost first.
Chain = Tuple[Frame, ...]


def node_positions(module: cst.Module, text: str, lines: LineIndex, nodes: Iterable[cst.CSTNode]) -> Mapping[cst.CSTNode, CodeRange]:
    """The positions of ``nodes`` of ``module`` (parsed from ``text``), exactly those that
    ``PositionProvider`` gives."""
    located = _Locator(module, text, lines)
    found: Dict[cst.CSTNode, CodeRange] = {}
    unplaced: List[cst.CSTNode] = []
    for node, chain in _chains(module, set(nodes)).items():
        span = located.span(node, chain)
        if span is None:
            unplaced.append(node)
        else:
            found[node] = span
    if unplaced:
        whole = _render(module, module, ())[0]
        found.update((node, whole[node]) for node in unplaced)
    return found


def _chains(module: cst.Module, wanted: Set[cst.CSTNode]) -> Dict[cst.CSTNode, Chain]:
    """The statements around each wanted node, found by a walk in source order that stops
    when every node is found. The module itself, and what the walk passes over (comments,
    commas), have no statement around them."""
    chains: Dict[cst.CSTNode, Chain] = {node: () for node in wanted}
    remaining = len(wanted)
    stack: List[Tuple[cst.CSTNode, Chain, Tuple[str, ...]]] = [(module, (), ())]
    while stack and remaining:
        node, chain, indents = stack.pop()
        if _is_statement(type(node)):
            chain = (*chain, (node, indents))
        elif type(node) is cst.IndentedBlock:
            indents = (*indents, module.default_indent if node.indent is None else node.indent)
        if node in wanted:
            chains[node] = chain
            remaining -= 1
        stack.extend((child, chain, indents) for child in reversed(children(node)))
    return chains


@functools.lru_cache(maxsize=None)
def _is_statement(kind: type) -> bool:
    """``issubclass(kind, cst.BaseStatement)``, which as an abstract class's check is slow."""
    return issubclass(kind, cst.BaseStatement)


class _Locator:
    """Statements rendered alone, and where their code is in the file; each statement is
    rendered and looked for once, however many nodes it holds."""

    def __init__(self, module: cst.Module, text: str, lines: LineIndex) -> None:
        self._module = module
        self._text = text
        self._lines = lines
        self._placed: Dict[cst.BaseStatement, Optional[Tuple[Mapping[cst.CSTNode, CodeRange], int]]] = {}

    def span(self, node: cst.CSTNode, chain: Chain) -> Optional[CodeRange]:
        """``node``'s position from the innermost statement of ``chain`` that the file's
        text places; ``None`` if none does."""
        for frame in reversed(chain):
            placed = self._place(frame)
            if placed is not None:
                spans, row = placed
                span = spans[node]
                return CodeRange(
                    CodePosition(span.start.line + row - 1, span.start.column),
                    CodePosition(span.end.line + row - 1, span.end.column),
                )
        return None

    def _place(self, frame: Frame) -> Optional[Tuple[Mapping[cst.CSTNode, CodeRange], int]]:
        statement, indents = frame
        if statement not in self._placed:
            spans, tokens = _render(self._module, statement, indents)
            row = self._row(tokens)
            self._placed[statement] = None if row is None else (spans, row)
        return self._placed[statement]

    def _row(self, tokens: List[str]) -> Optional[int]:
        """The row where the code made of ``tokens`` starts, where the text says so for
        sure: where the code occurs, if it occurs exactly once.

        A module without a final newline leaves out the last token of its code (that
        newline), so the code that ends the module is in the text without its last token,
        at the very end. A code whose shortened form ends the text is placed there when it
        occurs nowhere whole (it is the code that ends the module), and nowhere when it
        also occurs whole (either could be this statement).
        """
        text = self._text
        code = "".join(tokens)
        offset = _only_occurrence(text, code)
        if not self._module.has_trailing_newline:
            shortened = code[: len(code) - len(tokens[-1])]
            if text.endswith(shortened):
                offset = len(text) - len(shortened) if text.find(code) < 0 else None
        return None if offset is None else self._lines.row_starting_at(offset)


def _only_occurrence(text: str, code: str) -> Optional[int]:
    found = text.find(code) if code else -1
    if found < 0 or text.find(code, found + 1) >= 0:
        return None
    return found


def _render(module: cst.Module, node: cst.CSTNode, indents: Tuple[str, ...]) -> Tuple[Mapping[cst.CSTNode, CodeRange], List[str]]:
    """The positions libcst's code generator records in ``node`` and below, rendered alone
    with ``indents`` in effect, and the tokens it writes. This is what ``PositionProvider``
    does for the whole module, without the visit of the whole tree that ``resolve`` adds."""
    provider = PositionProvider()
    state = PositionProvidingCodegenState(
        default_indent=module.default_indent,
        default_newline=module.default_newline,
        provider=provider,
        indent_tokens=list(indents),
    )
    node._codegen(state)
    return provider._computed, state.tokens
