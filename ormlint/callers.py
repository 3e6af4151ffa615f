"""Findings that a change to a helper causes, for a run that checks the helper alone.

An N+1 through a helper is reported where the query is built, in the caller, since that
is where the fix goes. But pre-commit checks only the files a commit changes: when the
commit changes ``render_rows(rows)`` to read ``row.customer.name``, the caller that
passes unloaded rows is not checked, and the N+1 the commit brings in would go unseen.
So, for each project function in the checked files that loops over a parameter, the
project files that are not checked and mention its name are checked too, and what they
would report about rows passed to it is reported at the function's loop instead, naming
the call site. A file that is checked keeps its findings where they are: one finding per
call site and run, never both.
"""

from __future__ import annotations

import ast
import os
import re
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

from ormlint.config import Config
from ormlint.diagnostics import Diagnostic, Location
from ormlint.project import Project
from ormlint.semantic.index import ProjectIndex
from ormlint.semantic.trees import walk
from ormlint.source import SourceError, SourceFile
from ormlint.suppression import is_suppressed, parse_noqa

#: At most this many unchecked files are read for the callers of one project's helpers
#: (in path order): a run on a few changed files stays a run on a few files.
MAX_CALLER_FILES = 64


def caller_findings(sources: Sequence[SourceFile], config: Config, project: Project) -> List[Diagnostic]:
    """What the unchecked callers of the checked files' row-looping functions would
    report about the rows they pass them, moved to those functions' loops."""
    checked = {_absolute(source.path): source for source in sources}
    by_root: Dict[Optional[Path], List[SourceFile]] = {}
    for source in sources:
        root = project.root_of(source.path)
        if root is not None:
            by_root.setdefault(root, []).append(source)
    found: List[Diagnostic] = []
    for group in by_root.values():
        index, _, _ = project.index_for(group[0].path)
        helpers = _row_helpers(index, checked)
        if helpers:
            found.extend(_moved_findings(index, helpers, checked, config, project))
    return found


def _row_helpers(index: ProjectIndex, checked: Dict[str, SourceFile]) -> Dict[str, Tuple[SourceFile, List[str]]]:
    """The functions and methods defined in the checked files that loop over one of
    their parameters and read something on its items, by qualified name, with the file
    and the names that lead to their definition (``["render_rows"]``,
    ``["Report", "rows_of"]``)."""
    helpers: Dict[str, Tuple[SourceFile, List[str]]] = {}
    for facts in index.modules.values():
        source = checked.get(_absolute(facts.path))
        if source is None:
            continue
        for function in dict.fromkeys(f for f, *_ in facts.parameter_reads):
            helpers[f"{facts.module}.{function}"] = (source, [function])
        for class_facts in facts.classes:
            for method in dict.fromkeys(m for m, *_ in class_facts.parameter_reads):
                helpers[f"{facts.module}.{class_facts.name}.{method}"] = (source, [class_facts.name, method])
    return {qualname: found for qualname, found in helpers.items() if index.parameter_reads(qualname)}


def _moved_findings(
    index: ProjectIndex,
    helpers: Dict[str, Tuple[SourceFile, List[str]]],
    checked: Dict[str, SourceFile],
    config: Config,
    project: Project,
) -> List[Diagnostic]:
    names = sorted({parts[-1] for _, parts in helpers.values()})
    mentions = re.compile(r"\b(?:" + "|".join(map(re.escape, names)) + r")\b")
    callers = list(_callers(index, checked, config, mentions))
    if not callers:
        return []
    from ormlint.engine import check_source  # libcst only when there is a caller to check
    from ormlint.rules import selected_rules

    moved: List[Diagnostic] = []
    for caller in callers:
        rules = [rule for rule in selected_rules(config, caller.path) if rule.follows_calls]
        for diagnostic in check_source(caller, config, project, rules).diagnostics:
            helper = diagnostic.helper
            target = helpers.get(index.canonical(helper[0])) if helper is not None else None
            if target is None or not config.is_selected(diagnostic.code, target[0].path):
                continue
            relocated = _at_helper(diagnostic, target[0], target[1], helper[2], config)
            if relocated is not None:
                moved.append(relocated)
    return moved


def _callers(index: ProjectIndex, checked: Dict[str, SourceFile], config: Config, mentions: "re.Pattern[str]") -> Iterable[SourceFile]:
    count = 0
    for facts in sorted(index.modules.values(), key=lambda f: f.path):
        path = Path(facts.path)
        if _absolute(facts.path) in checked or config.is_excluded(path):
            continue
        try:
            source = SourceFile.read(facts.path, config.max_file_size)
        except SourceError:
            continue
        if not mentions.search(source.text):
            continue
        yield source
        count += 1
        if count >= MAX_CALLER_FILES:
            return


def _at_helper(diagnostic: Diagnostic, helper: SourceFile, parts: List[str], parameter: str, config: Config) -> Optional[Diagnostic]:
    """``diagnostic`` of a caller, reported at the helper's loop over ``parameter`` (or
    its ``def`` when the loop is further on), naming the call site; ``None`` when the
    helper's line has a ``noqa`` for the code."""
    try:
        tree = ast.parse(helper.text)
    except (SyntaxError, ValueError):
        return None
    function = _definition(tree.body, parts)
    if function is None:
        return None
    node = _loop_over(function, parameter) or function
    row, column = node.lineno, node.col_offset + 1
    if is_suppressed(parse_noqa(helper.text), row, diagnostic.code):
        return None
    call_site = f"{_shown(diagnostic.path, config)}:{diagnostic.location.row}"
    message = f"Rows passed from `{call_site}`: {diagnostic.message}"
    end = Location(row, column + len(helper.text.splitlines()[row - 1].strip()))
    return Diagnostic(diagnostic.code, message, helper.path, Location(row, column), end, None, noqa_row=row)


def _definition(body: List[ast.stmt], parts: List[str]):
    for statement in body:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)) and len(parts) == 1 and statement.name == parts[0]:
            return statement
        if isinstance(statement, ast.ClassDef) and len(parts) == 2 and statement.name == parts[0]:
            return _definition(statement.body, parts[1:])
    return None


def _loop_over(function: ast.AST, parameter: str) -> Optional[ast.AST]:
    """The first loop (or comprehension) over ``parameter`` as it is, in source order."""
    loops = []
    for node in walk(function):
        if isinstance(node, (ast.For, ast.AsyncFor)) and isinstance(node.iter, ast.Name) and node.iter.id == parameter:
            loops.append(node)
        elif isinstance(node, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
            first = node.generators[0].iter
            if isinstance(first, ast.Name) and first.id == parameter:
                loops.append(node)
    return min(loops, key=lambda n: (n.lineno, n.col_offset)) if loops else None


def _absolute(path: str) -> str:
    """``path`` made absolute without asking the file system: the index and the checked
    files name a file the same way, and a run may check thousands."""
    return os.path.normpath(os.path.abspath(path))


def _shown(path: str, config: Config) -> str:
    absolute = Path(path).resolve()
    base = (config.root or Path.cwd()).resolve()
    try:
        return absolute.relative_to(base).as_posix()
    except ValueError:
        return Path(path).as_posix()
