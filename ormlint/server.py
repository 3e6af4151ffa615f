"""``ormlint server``: a language server over stdio, another thin adapter over the engine.

An editor sends the text it holds; the server checks it with the same engine,
configuration (``[tool.ormlint]`` of the file's project) and project index as the command
line, so the diagnostics have the codes, messages and ranges of ``ormlint --output-format
json``. What costs, the project index, is built once per project and kept warm; a saved or
changed project file (``didSave``, watched files) whose facts changed drops it, and the
open files are checked again, so a model added in ``models.py`` changes the findings of
the views open beside it.

Code actions offer each finding's fix (preferred when safe, labelled when unsafe), the
file's safe fixes at once (``source.fixAll.ormlint``, what ``ormlint --fix`` writes) and a
``# noqa`` for the line. Hover on a finding shows its rule's documentation.

Checks run on the server's event loop, one at a time: the project index is not shared
between threads. With the index warm, a check of an edited file reads the module's facts
again and parses again only the statements around the edit (``reparse``); ``python
benchmarks/run.py --server`` measures it.
"""

from __future__ import annotations

import asyncio
import gc
import os
import traceback
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Dict, List, Optional, Set, Tuple

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import from_fs_path, to_fs_path

from ormlint import __version__
from ormlint.callers import caller_findings
from ormlint.config import CONFIG_NAMES, Config, ConfigError, find_config_file, load_config
from ormlint.diagnostics import Applicability, Diagnostic
from ormlint.discovery import discover
from ormlint.project import Project
from ormlint.reparse import Reparser
from ormlint.rules import rule_by_code
from ormlint.semantic.index import StatementMemo
from ormlint.server_edits import Lines, fix_edits, fix_title, intersects, lsp_diagnostic, noqa_edit, replace_all
from ormlint.source import SourceFile
from ormlint.workers import process

#: Seconds of quiet after a change before the file is checked: the changes an editor
#: sends together (a paste, a rename across lines, a formatter's edits) cost one check.
#: Keystrokes that come while a check runs wait for it, and only the last is checked.
#: Anything longer is latency: letters typed by hand come further apart than this.
CHANGE_DELAY = 0.02
#: Seconds to wait after a project file changed before rebuilding the index: a save
#: comes as ``didSave`` and as a watched-file event, and a branch switch as hundreds.
REFRESH_DELAY = 0.1

#: More changed files than this at once (a branch switch) rebuild the index outright
#: rather than compare each file's facts with it.
MANY_CHANGES = 32

FIX_ALL = "source.fixAll.ormlint"
#: The rule pages, beside the package in a source checkout (there is no published site).
RULE_PAGES = Path(__file__).resolve().parent.parent / "docs" / "rules"


@dataclass(frozen=True)
class Checked:
    """The last check of an open document: the text it saw and what it found."""

    text: str
    source: SourceFile
    config: Config
    project: Project
    diagnostics: Tuple[Diagnostic, ...]


class OrmlintServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("ormlint", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Full)
        self.checked: Dict[str, Checked] = {}
        self._timers: Dict[str, asyncio.TimerHandle] = {}
        self._projects: Dict[Tuple[Optional[str], int], Project] = {}
        self._configs: Dict[Optional[Path], Config] = {}
        self._reported: Set[str] = set()
        self._changed: Set[str] = set()

    # Configuration and projects

    def config_for(self, path: str) -> Config:
        """The configuration of the file's project; a broken one is said in the editor's
        log (once per error) and the defaults are used, as ruff's server does."""
        start = Path(path)
        if not start.exists():
            start = start.parent if start.parent.exists() else Path.cwd()
        found = find_config_file(start)
        if found not in self._configs:
            try:
                self._configs[found] = load_config(found)
            except ConfigError as error:
                self.report(f"ormlint: {error}; using the default settings until it is fixed")
                self._configs[found] = Config()
        return self._configs[found]

    def project_for(self, config: Config) -> Project:
        """One project per cache folder and size limit, as the command line builds one
        per run; its indexes stay warm between checks."""
        cache_dir = config.cache_dir
        if cache_dir and config.root is not None and not Path(cache_dir).is_absolute():
            cache_dir = str(config.root / cache_dir)
        key = (cache_dir, config.max_file_size)
        if key not in self._projects:
            root = self.workspace.root_path
            project = self._projects[key] = Project(
                fallback_root=Path(root) if root else None,
                use_cache=True,
                cache_dir=cache_dir,
                max_file_size=config.max_file_size,
            )
            # Each keystroke's check parses again, and reads the facts of, only the
            # statements around the edit.
            project.reparser = Reparser()
            project.statement_memo = StatementMemo()
        return self._projects[key]

    def report(self, message: str, level: types.MessageType = types.MessageType.Error) -> None:
        """Say ``message`` in the editor's log; an error is also shown once."""
        self.window_log_message(types.LogMessageParams(type=level, message=message))
        if level == types.MessageType.Error and message not in self._reported:
            self._reported.add(message)
            self.window_show_message(types.ShowMessageParams(type=level, message=message))

    # Checking

    def check(self, uri: str) -> Optional[Checked]:
        """Check the document's current text, as ``ormlint --output-format json FILE``
        would check it: excluded files give nothing, helpers' callers are included."""
        document = self.workspace.get_text_document(uri)
        path = document.path
        if path is None:
            return None
        text = document.source
        config = self.config_for(path)
        project = self.project_for(config)
        source = SourceFile(path, text, "utf-8", text.encode("utf-8", "surrogatepass"))
        found: List[Diagnostic] = []
        if discover([path], config):  # not excluded; an unsaved new file is checked too
            if not project.is_indexed(path):
                self._build_index(project, path)
            result = process(source, config, project, fixing=False)
            for trace in result.internal_errors:
                self.report(f"ormlint: internal error on {path}:\n{trace}")
            found = list(result.diagnostics)
            if os.path.exists(path):
                found.extend(self._callers(source, config, project))
        found.sort(key=lambda d: d.sort_key)
        return Checked(text, source, config, project, tuple(found))

    def _build_index(self, project: Project, path: str) -> None:
        """Build (or load from its disk cache) the project's index, saying so in the log:
        a project's first file waits for the whole project. In this process alone: a
        worker pool forked from the server's threads could deadlock."""
        self.report(f"ormlint: indexing the project of {path}", types.MessageType.Info)
        project.index_for(path)
        self._settle()

    def _settle(self) -> None:
        """Keep what the server holds now out of the garbage collector's way. The index
        is most of the server's objects and lives until a project file changes, and each
        check's libcst parse makes enough objects to start a full collection: without
        this, every keystroke would go through the whole index again. ``refresh``
        unfreezes first, so a forgotten index can be collected."""
        gc.collect()
        gc.freeze()

    def _callers(self, source: SourceFile, config: Config, project: Project) -> List[Diagnostic]:
        try:
            return [d for d in caller_findings([source], config, project) if d.path == source.path]
        except Exception:  # noqa: BLE001 - the file's own findings still count
            self.report(f"ormlint: internal error in the callers of {source.path}:\n{traceback.format_exc()}")
            return []

    def current(self, uri: str) -> Optional[Checked]:
        """The check of the document's text as it is now, checking again if it changed."""
        checked = self.checked.get(uri)
        document = self.workspace.text_documents.get(uri)
        if document is None:
            return None
        if checked is None or checked.text != document.source:
            self.publish(uri)
        return self.checked.get(uri)

    def publish(self, uri: str) -> None:
        self._timers.pop(uri, None)
        document = self.workspace.text_documents.get(uri)
        if document is None:
            return
        checked = self.check(uri)
        if checked is None:
            return
        self.checked[uri] = checked
        lines = self.lines(checked)
        diagnostics = [lsp_diagnostic(d, lines, rule_page(d.code)) for d in checked.diagnostics]
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics, version=document.version)
        )

    def lines(self, checked: Checked) -> Lines:
        return Lines(checked.text, self.workspace.position_encoding or types.PositionEncodingKind.Utf16)

    def publish_later(self, uri: str, delay: float = CHANGE_DELAY) -> None:
        timer = self._timers.pop(uri, None)
        if timer is not None:
            timer.cancel()
        self._timers[uri] = asyncio.get_running_loop().call_later(delay, self.publish, uri)

    # Project changes

    def project_file_changed(self, path: str) -> None:
        """Note a changed file of a project; the refresh comes after the burst."""
        if not self._changed:
            asyncio.get_running_loop().call_later(REFRESH_DELAY, self.refresh)
        self._changed.add(path)

    def refresh(self) -> None:
        """Forget the indexes (and configurations) the changed files belong to, then check
        every open document again."""
        changed, self._changed = self._changed, set()
        gc.unfreeze()  # an index forgotten now can be collected
        for path in changed:
            configuration = os.path.basename(path) in CONFIG_NAMES
            if configuration:
                self._configs.clear()
                self._reported.clear()
            for project in self._projects.values():
                if configuration or len(changed) > MANY_CHANGES:
                    project.forget(project.root_of(path))
                else:
                    project.file_changed(path)
        for uri in list(self.workspace.text_documents):
            self.publish(uri)
        self._settle()

    # Code actions and hover

    def code_actions(self, params: types.CodeActionParams) -> List[types.CodeAction]:
        checked = self.current(params.text_document.uri)
        if checked is None:
            return []
        uri = params.text_document.uri
        lines = self.lines(checked)
        wanted = params.context.only
        actions: List[types.CodeAction] = []
        shown = ((d, lsp_diagnostic(d, lines, rule_page(d.code))) for d in checked.diagnostics)
        here = [(d, s) for d, s in shown if intersects(s.range, params.range)]
        if _wanted(types.CodeActionKind.QuickFix, wanted):
            for diagnostic, reported in here:
                if diagnostic.fix is not None and diagnostic.fix.applicability is not Applicability.DISPLAY_ONLY:
                    safe = diagnostic.fix.applicability is Applicability.SAFE
                    edits = fix_edits(diagnostic, lines)
                    actions.append(_action(fix_title(diagnostic), types.CodeActionKind.QuickFix, uri, edits, [reported], safe))
            for diagnostic, reported in here:
                if diagnostic.code == "ORM000" or diagnostic.noqa_row is None:
                    continue
                edit = noqa_edit(lines, diagnostic.noqa_row, diagnostic.code)
                if edit is not None:
                    title = f"Ignore {diagnostic.code} on this line"
                    actions.append(_action(title, types.CodeActionKind.QuickFix, uri, [edit], [reported]))
        if _wanted(FIX_ALL, wanted) and any(d.is_fixable(unsafe=False) for d in checked.diagnostics):
            fixed = self.fix_all(checked)
            if fixed is not None:
                actions.append(_action("Fix all ormlint findings in this file", FIX_ALL, uri,
                                       [replace_all(lines, fixed)], []))
        return actions

    def fix_all(self, checked: Checked) -> Optional[str]:
        """The text with every safe fix applied, as ``ormlint --fix`` would write it."""
        config = replace(checked.config, unsafe_fixes=False)
        result = process(checked.source, config, checked.project, fixing=True)
        for trace in result.internal_errors:
            self.report(f"ormlint: internal error while fixing {checked.source.path}:\n{trace}")
        return result.fixed_text

    def hover(self, params: types.HoverParams) -> Optional[types.Hover]:
        checked = self.current(params.text_document.uri)
        if checked is None:
            return None
        lines = self.lines(checked)
        point = types.Range(start=params.position, end=params.position)
        pages: List[str] = []
        for diagnostic in checked.diagnostics:
            rule = rule_by_code(diagnostic.code)
            if rule is None or not intersects(lsp_diagnostic(diagnostic, lines, None).range, point):
                continue
            fix = "never" if rule.fix_applicability is None else rule.fix_applicability.value
            page = f"# {rule.code}: {rule.name}\n\nFix: {fix}.\n\n{rule.documentation()}"
            if page not in pages:
                pages.append(page)
        if not pages:
            return None
        return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value="\n\n---\n\n".join(pages)))


def rule_page(code: str) -> Optional[str]:
    """The address of a rule's page, when the pages are on this machine."""
    page = RULE_PAGES / f"{code}.md"
    return from_fs_path(str(page)) if page.is_file() else None


def _wanted(kind: str, only: Optional[List[str]]) -> bool:
    """Whether a client that asked for ``only`` these kinds wants ``kind`` (a kind covers
    the kinds below it: ``source`` covers ``source.fixAll.ormlint``)."""
    return only is None or any(kind == w or kind.startswith(f"{w}.") for w in only)


def _action(
    title: str, kind: str, uri: str, edits: List[types.TextEdit], diagnostics: List[types.Diagnostic], preferred: bool = False
) -> types.CodeAction:
    return types.CodeAction(
        title=title,
        kind=kind,
        diagnostics=diagnostics or None,
        is_preferred=preferred or None,
        edit=types.WorkspaceEdit(changes={uri: edits}),
    )


WATCHED = ("**/*.py", "**/pyproject.toml", "**/ormlint.toml")


def build_server() -> OrmlintServer:
    server = OrmlintServer()

    @server.feature(types.INITIALIZED)
    def initialized(ls: OrmlintServer, params: types.InitializedParams) -> None:
        watched = ls.client_capabilities.workspace and ls.client_capabilities.workspace.did_change_watched_files
        if watched and watched.dynamic_registration:
            options = types.DidChangeWatchedFilesRegistrationOptions(
                watchers=[types.FileSystemWatcher(glob_pattern=pattern) for pattern in WATCHED]
            )
            registration = types.Registration(
                id="ormlint-watched-files", method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES, register_options=options
            )
            ls.client_register_capability(types.RegistrationParams(registrations=[registration]))

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: OrmlintServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.publish(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    async def did_change(ls: OrmlintServer, params: types.DidChangeTextDocumentParams) -> None:
        ls.publish_later(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    async def did_save(ls: OrmlintServer, params: types.DidSaveTextDocumentParams) -> None:
        path = to_fs_path(params.text_document.uri)
        if path is not None:
            ls.project_file_changed(path)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: OrmlintServer, params: types.DidCloseTextDocumentParams) -> None:
        ls.checked.pop(params.text_document.uri, None)
        path = to_fs_path(params.text_document.uri)
        for project in ls._projects.values():
            if path is not None:
                project.forget_document(path)
        timer = ls._timers.pop(params.text_document.uri, None)
        if timer is not None:
            timer.cancel()
        ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=params.text_document.uri, diagnostics=[]))

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    async def did_change_watched_files(ls: OrmlintServer, params: types.DidChangeWatchedFilesParams) -> None:
        for change in params.changes:
            path = to_fs_path(change.uri)
            if path is not None:
                ls.project_file_changed(path)

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix, FIX_ALL]),
    )
    def code_action(ls: OrmlintServer, params: types.CodeActionParams) -> List[types.CodeAction]:
        return ls.code_actions(params)

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def hover(ls: OrmlintServer, params: types.HoverParams) -> Optional[types.Hover]:
        return ls.hover(params)

    return server


def serve() -> None:
    """Serve one editor over standard input and output until it says ``exit``."""
    build_server().start_io()
