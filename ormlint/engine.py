"""The engine: source -> parse once -> one batched traversal -> diagnostics -> fixes.

Hosts (the command line, the flake8 plugin, pre-commit through the command line) are thin
adapters over :func:`check_source` and :func:`fix_source`.
"""

from __future__ import annotations

import ast
from dataclasses import replace
import re
import warnings
from collections import Counter
from typing import Iterable, Iterator, List, Optional, Sequence, Tuple, Type

import libcst as cst

from ormlint.budget import too_complex, too_many_tokens, unparsed_cost
from ormlint.config import Config
from ormlint.diagnostics import Diagnostic, Edit, Fix, Location, file_error, internal_error
from ormlint.fixers import bare, comments, render
from ormlint.rules import Rule, selected_rules
from ormlint.rules.base import FileContext, Finding
from ormlint.positions import node_positions
from ormlint.project import Project
from ormlint.reparse import Reparser
from ormlint.results import FileResult
from ormlint.semantic.index import ProjectIndex
from ormlint.semantic.model import SemanticModel
from ormlint.source import LineIndex, SourceFile
from ormlint.structure import structural_prefilter_enabled, structure_of
from ormlint.suppression import is_suppressed, parse_noqa
from ormlint.syntax import traverse

#: Enough rounds for fixes that enable further fixes; a fix that never converges stops here.
MAX_FIX_ROUNDS = 10


def check_source(
    source: SourceFile,
    config: Config,
    project: Project,
    rules: Optional[Sequence[Type[Rule]]] = None,
) -> FileResult:
    """Check one file's text and return its diagnostics, ``noqa`` applied, and without
    the fixes of the rules that ``unfixable`` (or a narrower ``fixable``) turns off, as
    ruff drops them: such a finding is reported, never fixed or marked fixable."""
    rules = selected_rules(config, source.path) if rules is None else rules
    result = FileResult(source.path)
    if not rules:
        return result
    index, module, is_package = project.index_for(source.path, source)
    diagnostics = _run_rules(
        source.path, source.text, config, rules, index, module, is_package, result.internal_errors,
        # Only an editor's own texts are kept for their next parse, not the files read
        # from disk on the way (the callers of a helper).
        edited=source.edited, reparser=project.reparser if not source.on_disk else None,
    )
    noqa = parse_noqa(source.text)
    result.diagnostics = [
        d if d.fix is None or config.is_fixable(d.code) else replace(d, fix=None)
        for d in diagnostics
        if not is_suppressed(noqa, d.location.row, d.code)
    ]
    return result


def fix_source(
    source: SourceFile,
    config: Config,
    project: Project,
    unsafe: bool,
    rules: Optional[Sequence[Type[Rule]]] = None,
) -> FileResult:
    """Apply fixes until none applies; return what remains and the fixed text.

    Fixes that overlap are not applied in the same round; the file is checked again after
    each round. A round whose result would not parse is discarded, so the file never gets
    worse than it was.
    """
    rules = selected_rules(config, source.path) if rules is None else rules
    text = source.text
    fixed: List[str] = []
    current = source
    result = check_source(current, config, project, rules)
    for _ in range(MAX_FIX_ROUNDS):
        codes = {d.fix: d.code for d in result.diagnostics if d.is_fixable(unsafe) and d.fix is not None}
        chosen = non_overlapping(codes)
        new_text = apply_edits(text, chosen)
        if not chosen or new_text == text or not within_budget(new_text) or not parses(new_text):
            break
        text = new_text
        fixed.extend(codes[fix] for fix in chosen)
        current = replace(source, text=text, edited=True)
        result = check_source(current, config, project, rules)
    result.fixed_text = text if fixed else None
    result.fixed = fixed
    return result


def non_overlapping(fixes: Iterable[Fix]) -> List[Fix]:
    """The fixes that can be applied together: in order of position, each one that does
    not overlap (or start where) an earlier one does."""
    chosen: List[Fix] = []
    taken: List[Tuple[int, int]] = []
    for fix in sorted(fixes, key=lambda f: f.span):
        start, end = fix.span
        if any(start < t_end and t_start < end or start == t_start for t_start, t_end in taken):
            continue
        chosen.append(fix)
        taken.append((start, end))
    return chosen


def apply_edits(text: str, fixes: Sequence[Fix]) -> str:
    edits = sorted((edit for fix in fixes for edit in fix.edits), key=lambda e: (e.start, e.end), reverse=True)
    for edit in edits:
        text = text[: edit.start] + edit.content + text[edit.end :]
    return text


def parses(text: str) -> bool:
    try:
        cst.parse_module(text)
    except (cst.ParserSyntaxError, RecursionError, ValueError):
        return False
    return True


def _run_rules(
    path: str,
    text: str,
    config: Config,
    rules: Sequence[Type[Rule]],
    index: ProjectIndex,
    module_name_: str,
    is_package: bool,
    internal_errors: List[str],
    edited: bool = False,
    reparser: Optional[Reparser] = None,
) -> List[Diagnostic]:
    if "\0" in text:
        return [_syntax_error(path, *_null_byte_position(text), "source code cannot contain null bytes")]
    used: Optional[frozenset] = None
    applicable = []
    for rule in rules:
        if rule.needs_orm or rule.follows_calls:
            used = frozenset(a or b for a, b in _WORD.findall(text)) if used is None else used
        if not _may_apply(rule, text, used, index):
            continue
        if rule.needs_orm and not used & index.vocabulary:
            continue
        applicable.append(rule)
    if not applicable:
        return _syntax_check(path, text)
    too_large = too_many_tokens(text)
    if too_large is not None:
        return [file_error(path, too_large)]
    structure = structure_of(text)
    if structure is not None:
        candidates = [rule for rule in applicable if rule.has_candidate(structure)]
        if structural_prefilter_enabled():
            applicable = candidates
            if not applicable:
                return []  # Python read the whole file: there is no syntax error to report
        too_deep = too_complex(structure.libcst_cost)
        if too_deep is not None:
            # Without a candidate there is nothing to find, whether the prefilter skips
            # such files or not.
            return [file_error(path, too_deep)] if candidates else []
    elif too_complex(unparsed_cost(text)) is not None:
        # Python's parser did not read it, and asking libcst could cost any amount of
        # memory: Python's error is reported.
        error = _python_syntax_error(path, text)
        return [error] if error is not None else []
    try:
        module = reparser.parse(path, text) if reparser is not None else cst.parse_module(text)
    except cst.ParserSyntaxError as error:
        return [_parse_error(path, text, error)]
    except RecursionError:
        return [_syntax_error(path, 1, 0, "too deeply nested to parse")]
    # A text the index does not describe (a round of --fix changed it) is read again where
    # the analyses need this module's own facts (``SemanticModel.lineage``).
    semantic = SemanticModel(index, module_name_, is_package, text if edited else None)
    context = FileContext(path=path, config=config, semantic=semantic)
    instances = [rule(context) for rule in applicable]
    traverse(module, [semantic, *instances])
    failures = [
        internal_error(path, f"in {rule.code} ({rule.name}), its findings on this file are incomplete")
        for rule in instances
        if rule.failure is not None
    ]
    internal_errors.extend(rule.failure for rule in instances if rule.failure is not None)
    if not context.findings:
        return failures
    lines = LineIndex(text)
    positions = node_positions(module, text, lines, _positioned_nodes(context.findings))
    return sorted(
        [*(_diagnostic(path, module, finding, positions, lines) for finding in context.findings), *failures],
        key=lambda d: d.sort_key,
    )


def _null_byte_position(text: str) -> Tuple[int, int]:
    offset = text.index("\0")
    before = text[:offset]
    row = before.count("\n") + 1
    return row, offset - (before.rfind("\n") + 1)


#: A name used in code the way a model, a session factory or ``get_user_model`` is used:
#: followed by ``.``, ``(`` or ``[`` (``Order.objects``, ``select(Order)``'s ``select``,
#: ``class Order(``), or following ``(``, ``[``, ``=``, ``,``, an annotation's ``:`` or
#: ``->``, with or without a quote (``select(Order``, ``QuerySet[Order``, ``model =
#: Order``, ``order: "Order"``), or imported under another name (``Order as O``).
#: Mentions in prose rarely look like that.
_WORD = re.compile(r"([A-Za-z_]\w*)(?=\s*[.(\[]|\s+as\b)|(?:[(\[=,:]|->)\s*[\"']?([A-Za-z_]\w*)")


def _may_apply(rule: Type[Rule], text: str, used: Optional[frozenset], index: ProjectIndex) -> bool:
    """The cheap text prefilter: a rule needs one of its words in the file to fire, or,
    for a rule that follows rows into calls, a call of a project function that loops."""
    if not rule.required_text or any(word in text for word in rule.required_text):
        return True
    return rule.follows_calls and used is not None and bool(used & index.looping_functions)


def _parse_error(path: str, text: str, error: cst.ParserSyntaxError) -> Diagnostic:
    """Report where Python itself sees the error, with its message, which is more precise
    than libcst's (``Missing parentheses in call to 'print'``, the right line). If Python
    parses the file and only libcst does not, say so."""
    found = _python_syntax_error(path, text)
    if found is not None:
        return found
    message = f"not supported by the parser: {_first_line(error.message)}"
    return _syntax_error(path, error.raw_line, error.raw_column, message)


def _syntax_check(path: str, text: str) -> List[Diagnostic]:
    """A file no rule can find anything in: libcst is spared, but Python's own parser
    still checks that the file is Python, so that broken files are reported wherever
    they are. What this interpreter is too old for, libcst's grammar (the newest
    Python's) judges, where its parse fits the memory budget: ``def f[T]()`` on Python
    3.11 is not an error of the file's."""
    if _chunks_compile(text):
        return []
    too_large = too_many_tokens(text)
    if too_large is not None:
        return [file_error(path, too_large)]  # Python's parser is not given it whole
    error = _python_syntax_error(path, text)
    if error is None or too_complex(unparsed_cost(text)) is not None:
        return [error] if error is not None else []
    return [error] if not parses(text) else []


def within_budget(text: str) -> bool:
    """Whether libcst may be given ``text``: it has not too many tokens, and its parse
    fits the memory budget (see ``budget``)."""
    if too_many_tokens(text) is not None:
        return False
    structure = structure_of(text)
    cost = structure.libcst_cost if structure is not None else unparsed_cost(text)
    return too_complex(cost) is None


#: The size of the pieces in which :func:`_chunks_compile` checks a file, and how many
#: times a piece that does not parse takes in the next one.
_CHUNK = 64 * 1024
_PIECE_RETRIES = 3
#: Where a piece may start: a line at column 0 that does not continue the statement above
#: (``else:``, ``except``, a closing bracket) and is not a comment.
_PIECE_START = re.compile(r"^(?![\s#)\]}]|(?:else|elif|except|finally)\b)", re.MULTILINE)


def _chunks_compile(text: str) -> bool:
    """Whether Python parses ``text``, told in pieces of about ``_CHUNK`` characters.

    Python's parser takes some 400 bytes of memory per byte of source, 800 MB for a 2 MB
    file of short statements; a piece at a time, only the largest top-level statement
    counts. Pieces start at lines at column 0, so pieces that each parse, each ending in
    a newline, parse together: ``True`` is always right. A piece that does not parse may
    be a cut in the wrong place (inside a string, below a decorator): the piece then takes
    in the next one and is asked again, a few times (a real error would have every
    larger piece asked), so ``False`` only means the whole text must be asked. A piece
    too large to parse in memory is not asked (``budget.too_many_tokens``).
    """
    start = 0
    while start < len(text):
        end = _piece_end(text, start)
        for _ in range(_PIECE_RETRIES + 1):
            if too_many_tokens(text[start:end]) is not None:
                return False
            try:
                _python_parse(text[start:end], "<piece>")
                break
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                if end == len(text):
                    return False
                end = _piece_end(text, end)
        else:
            return False
        start = end
    return True


def _piece_end(text: str, start: int) -> int:
    """Where the piece from ``start`` ends: at the first line after ``_CHUNK`` characters
    that may start a piece and does not follow a decorator, or at the end of the text."""
    position = start + _CHUNK
    while position < len(text):
        found = _PIECE_START.search(text, position)
        if found is None:
            break
        line_above = text.rfind("\n", 0, found.start() - 1) + 1
        if not text.startswith("@", line_above):
            return found.start()
        position = found.start() + 1
    return len(text)


def _python_syntax_error(path: str, text: str) -> Optional[Diagnostic]:
    try:
        _python_parse(text, path)
    except SyntaxError as error:
        return _syntax_error(path, error.lineno or 1, max((error.offset or 1) - 1, 0), error.msg)
    except (ValueError, RecursionError, MemoryError) as error:
        return _syntax_error(path, 1, 0, str(error))
    return None


def _python_parse(text: str, path: str) -> None:
    """Parse ``text`` with Python's own parser; raises what it raises."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SyntaxWarnings are the code's business
        compile(text, path, "exec", flags=ast.PyCF_ONLY_AST, dont_inherit=True)


def _syntax_error(path: str, row: int, column: int, message: str) -> Diagnostic:
    return file_error(path, f"SyntaxError: {message}", row, column + 1)


def _first_line(message: str) -> str:
    return message.strip().splitlines()[0] if message.strip() else "invalid syntax"


def _diagnostic(path: str, module: cst.Module, finding: Finding, positions, lines: LineIndex) -> Diagnostic:
    span = positions[finding.node]
    start = Location(span.start.line, span.start.column + 1)
    end = Location(span.end.line, span.end.column + 1)
    fix = None
    if finding.fix is not None and _keeps_comments(finding.fix.replacements):
        edits = []
        for old, new in finding.fix.replacements:
            old_span = positions[old]
            content = new if isinstance(new, str) else render(module, new, finding.indentation)
            edits.append(
                Edit(
                    start=lines.offset(old_span.start.line, old_span.start.column),
                    end=lines.offset(old_span.end.line, old_span.end.column),
                    content=content,
                    location=Location(old_span.start.line, old_span.start.column + 1),
                    end_location=Location(old_span.end.line, old_span.end.column + 1),
                )
            )
        fix = Fix(finding.fix.title, finding.fix.applicability, tuple(edits))
    return Diagnostic(finding.code, finding.message, path, start, end, fix, noqa_row=start.row, helper=finding.helper)


def _positioned_nodes(findings: Sequence[Finding]) -> Iterator[cst.CSTNode]:
    """The nodes whose positions diagnostics give: each finding's, and those its fix replaces."""
    for finding in findings:
        yield finding.node
        if finding.fix is not None:
            yield from (old for old, _ in finding.fix.replacements)


def _keeps_comments(replacements) -> bool:
    """Whether every comment inside a replaced node survives in its replacement.

    Rewrites reuse the original subtrees, but a comment written between the parts that a
    rewrite drops (``qs.count()  # n`` + ``> 0``) would be lost: such a fix is not offered,
    and the finding is reported without it.
    """
    for old, new in replacements:
        if isinstance(new, str):
            continue
        # A node's own parentheses lie outside the replaced text, and so do their comments.
        if Counter(comments(bare(old))) - Counter(comments(bare(new))):
            return False
    return True


__all__ = ["FileResult", "Project", "check_source", "fix_source", "non_overlapping", "apply_edits", "parses"]
