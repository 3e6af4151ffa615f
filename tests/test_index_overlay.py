"""An editor's unsaved text patches one module into the project index
(``ProjectIndex.with_module``) instead of resolving the whole project again, when the edit
changes only what functions read, return or write. These tests prove the patch gives the
answers a full resolve gives, on every fixture project."""

import ast
import shutil
from pathlib import Path

import pytest

from ormlint.config import Config
from ormlint.project import Project
from ormlint.semantic.index import ProjectIndex, _resolved_part, facts_for_source
from ormlint.source import SourceFile
from ormlint.workers import process

from test_speed_safety import FIXTURE_PROJECTS

#: What resolving fills once, which a patched index shares with the index it patches.
RESOLVED = ("models", "relations", "queryset_methods", "session_factories", "flask_databases", "user_model",
            "_method_reads", "_method_guards", "_queryset_sources")


def resolved_state(index: ProjectIndex):
    return {name: getattr(index, name) for name in RESOLVED}


@pytest.mark.parametrize("project", FIXTURE_PROJECTS, ids=lambda path: path.name)
def test_resolving_never_reads_what_functions_do(project):
    """Each module without its summaries resolves to the same models, relations and
    custom queryset methods: so an edit that changes only summaries may keep them."""
    index = ProjectIndex.build(project)
    assert index.modules
    for name, facts in index.modules.items():
        bare = _resolved_part(facts)
        patched = index.with_module(bare)
        assert patched.models is index.models, f"{name}: the patch resolved again"
        full = ProjectIndex(root=index.root, modules={**index.modules, name: bare}, templates=index.templates)
        full._resolve()
        assert resolved_state(full) == resolved_state(patched), name


def _edits(text: str):
    """Versions of ``text`` with one function's body changed: its last statement gone
    (a ``pass`` in its place), and a loop over its first parameter reading a relation."""
    try:
        tree = ast.parse(text)
    except SyntaxError:  # newer syntax than this Python's: the file has its own tests
        return
    lines = text.splitlines(keepends=True)
    for node in ast.walk(tree):
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) or not node.body:
            continue
        last = node.body[-1]
        indent = " " * last.col_offset
        yield "".join([*lines[: last.lineno - 1], f"{indent}pass\n", *lines[last.end_lineno :]])
        parameters = [a.arg for a in node.args.args if a.arg not in ("self", "cls")]
        if parameters:
            loop = f"{indent}for _item in {parameters[0]}:\n{indent}    print(_item.customer.name)\n"
            yield "".join([*lines[: last.end_lineno], loop, *lines[last.end_lineno :]])


def _findings(result):
    return sorted((d.sort_key, d.message, d.fix) for d in result.diagnostics)


@pytest.mark.parametrize("project", FIXTURE_PROJECTS, ids=lambda path: path.name)
def test_an_unsaved_edit_finds_what_the_saved_edit_finds(project, tmp_path):
    """Each edit checked as an editor's unsaved text, with the project's index patched,
    finds what a fresh run finds once the edit is saved."""
    copy = Path(shutil.copytree(project, tmp_path / "copy"))
    config = Config(per_file_ignores={})
    editor = Project(fallback_root=copy)
    patched = compared = 0
    for path in sorted(copy.rglob("*.py")):
        original = path.read_text(encoding="utf-8")
        for edited in list(_edits(original))[:2]:
            unsaved = SourceFile(str(path), edited, "utf-8", edited.encode("utf-8"))
            index, module, is_package = editor.index_for(str(path))
            overlay = facts_for_source(edited, module, is_package, str(path))
            if overlay is not None and overlay != index.modules.get(module):
                patched += index.with_module(overlay).models is index.models
            as_typed = _findings(process(unsaved, config, editor, fixing=False))
            path.write_text(edited, encoding="utf-8")
            try:
                saved = _findings(process(SourceFile.read(str(path)), config, Project(fallback_root=copy), fixing=False))
            finally:
                path.write_text(original, encoding="utf-8")
            assert as_typed == saved, f"{path.relative_to(copy)}:\n{edited}"
            compared += 1
    # A project written in syntax newer than this Python has no edit to check.
    assert compared or project.name == "newer_syntax"
    if project.parent.name != "layouts":
        assert patched, "no edit took the patch"
