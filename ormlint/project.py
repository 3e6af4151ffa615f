"""The project a checked file belongs to, and its index, built once per project root.

Free of libcst, so that a run answered from the cache never imports it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Dict, Iterable, List, Optional, Tuple

from ormlint.config import Config
from ormlint.cache import FORMAT, IndexCache, cache_folder, load_entries, save_entries
from ormlint.semantic.index import (
    ROOT_MARKERS,
    ROOT_SCRIPTS,
    ModuleFacts,
    ProjectIndex,
    StatementMemo,
    facts_for_file,
    facts_for_source,
    find_project_root,
    module_name,
    project_stamp,
)
from ormlint.source import DEFAULT_MAX_FILE_SIZE, SourceFile

if TYPE_CHECKING:
    from ormlint.reparse import Reparser  # libcst: imported where a file needs it


#: Files whose coming or going changes the project's layout: its roots, module names.
_LAYOUT_FILES = frozenset({"__init__.py", *ROOT_MARKERS, *ROOT_SCRIPTS})
#: The project state file's format: the index's, since a new index format means new facts.
_STATE_FORMAT = FORMAT.replace("index", "project")


class Project:
    """The project index for each project root met in a run, built once per root."""

    def __init__(
        self,
        fallback_root: Optional[Path] = None,
        use_cache: bool = False,
        cache_dir: Optional[str] = None,
        max_file_size: int = DEFAULT_MAX_FILE_SIZE,
    ) -> None:
        self._indexes: Dict[Optional[Path], ProjectIndex] = {}
        #: Where to index when a file lies in no folder with a project marker: the folder
        #: the user asked to check.
        self.fallback_root = fallback_root.resolve() if fallback_root else None
        self.use_cache = use_cache
        self.cache_dir = cache_dir
        #: Larger files are left out of the index, as they are not checked.
        self.max_file_size = max_file_size
        self._fingerprints: Dict[Optional[Path], str] = {}
        self._roots: Dict[str, Optional[Path]] = {}
        self._root_of_path: Dict[str, Optional[Path]] = {}
        #: ``find_project_root``'s answer for each folder met on the way up.
        self._folder_roots: Dict[Path, Optional[Path]] = {}
        #: For each root walked: ``project_stamp``'s digest and Python files.
        self._walked: Dict[Path, Tuple[str, List[str]]] = {}
        #: The last index with an unsaved text's facts: the index it overlays, those
        #: facts, and the result.
        self._overlay: Optional[Tuple[ProjectIndex, ModuleFacts, ProjectIndex]] = None
        #: How to read many files for the index: ``map``, or a process pool's.
        self.mapper: Callable = map
        #: The last libcst parse of each file, for a host that checks the same files
        #: again and again as they are edited (the language server); none for a run.
        self.reparser: Optional[Reparser] = None
        #: The same host's memo of the facts of each top-level statement of those files.
        self.statement_memo: Optional[StatementMemo] = None

    def forget_document(self, path: str) -> None:
        """An editor closed ``path``: its last parse and facts are not kept for it."""
        if self.reparser is not None:
            self.reparser.forget(path)
        if self.statement_memo is not None:
            self.statement_memo.forget(path)

    def arguments(self) -> Dict[str, object]:
        """What a worker process needs to rebuild this project (from the disk cache)."""
        return {
            "fallback_root": self.fallback_root,
            "use_cache": self.use_cache,
            "cache_dir": self.cache_dir,
            "max_file_size": self.max_file_size,
        }

    def root_of(self, path: str) -> Optional[Path]:
        """The project root of ``path``, found once per folder: the files of one folder
        share it, and a run asks for every file several times."""
        if path in self._root_of_path:
            return self._root_of_path[path]
        absolute = os.path.abspath(path)
        folder = absolute if os.path.isdir(absolute) else os.path.dirname(absolute)
        if folder not in self._roots:
            self._roots[folder] = find_project_root(Path(folder), self._folder_roots) or self.fallback_root
        self._root_of_path[path] = self._roots[folder]
        return self._roots[folder]

    def fingerprint(self, path: str) -> str:
        """A digest of everything the index knows about the project of ``path``: a file's
        cached result stays valid only while this is unchanged.

        With the cache, the digest of the last run is reused while no file the index reads
        has changed size or time (``project_stamp``), so that a run whose results all come
        from the cache neither reads the project nor builds its index."""
        root = self.root_of(path)
        if root not in self._fingerprints:
            state = self._state_path(root)
            known = load_entries(state, _STATE_FORMAT) if state is not None else {}
            stamp = self._stamp(root, known.get("folders", ())) if state is not None else None
            if stamp is not None and known.get("stamp") == stamp[0] and isinstance(known.get("index"), str):
                self._fingerprints[root] = known["index"]
            else:
                index, _, _ = self.index_for(path)
                self._fingerprints[root] = index.fingerprint()
                if state is not None:
                    # The stamp taken before the build: a file changed during it makes the
                    # next run build again, never trust a digest of older facts. Template
                    # folders first named now count from the next stamp on.
                    folders = sorted({f for facts in index.modules.values() for f in facts.template_dirs})
                    save_entries(state, _STATE_FORMAT, {"stamp": stamp[0] if stamp else None, "index": self._fingerprints[root], "folders": folders})
        return self._fingerprints[root]

    def checks_all(self, paths: Iterable[str], config: Config) -> bool:
        """Whether ``paths`` hold every Python file of their projects but the excluded
        ones: then no file of theirs is left unchecked to call a checked one's helpers."""
        given = {os.path.normpath(os.path.abspath(p)) for p in paths}
        for root in {self.root_of(p) for p in given}:
            if root is None:
                return False
            _, files = self._walked.get(root) or self._stamp(root, ())
            if any(os.path.normpath(f) not in given and not config.is_excluded(Path(f)) for f in files):
                return False
        return True

    def _stamp(self, root: Path, folders: Iterable[str]) -> Tuple[str, List[str]]:
        self._walked[root] = project_stamp(root, self.max_file_size, folders)
        return self._walked[root]

    def _state_path(self, root: Optional[Path]) -> Optional[Path]:
        """Where the project's last fingerprint is kept, or ``None`` without a cache."""
        if not self.use_cache or root is None:
            return None
        return cache_folder(root, self.cache_dir) / "project.json"
    def forget(self, root: Optional[Path]) -> None:
        """Drop what was built for ``root``, so the next file asks the disk again: a
        long-lived host (the language server) calls this when a project file changed.
        The rebuild reads only the files the on-disk cache does not describe."""
        self._indexes.pop(root, None)
        self._fingerprints.pop(root, None)
        self._walked.pop(root, None)
        self._overlay = None

    def file_changed(self, path: str) -> None:
        """A file of a project changed on disk (saved, created, deleted): forget the
        project's index unless the file still gives the facts the index holds, which is
        what most saves of a view or a test are (a saved edit of a function body), so
        that they cost one file's read rather than a rebuild."""
        if os.path.basename(path) in _LAYOUT_FILES:
            # It moves project roots or module names (``shop/__init__.py`` makes
            # ``models`` ``shop.models``), which no facts of its own would show.
            self._roots.clear()
            self._root_of_path.clear()
            self._folder_roots.clear()
            for root in {*self._indexes, *self._fingerprints, *self._walked}:
                self.forget(root)
            return
        root = self.root_of(path)
        index = self._indexes.get(root)
        if index is None:
            return
        module, _ = module_name(Path(path), root)
        known = index.modules.get(module)
        where = Path(known.path) if known is not None else Path(path)
        try:
            fits = os.path.getsize(where) <= self.max_file_size
        except OSError:
            fits = False
        if not fits or facts_for_file(where, root) != known:
            self.forget(root)

    def is_indexed(self, path: str) -> bool:
        """Whether the index of the project of ``path`` is built (or loaded) already."""
        return self.root_of(path) in self._indexes

    def index_for(self, path: str, source: Optional[SourceFile] = None) -> Tuple[ProjectIndex, str, bool]:
        root = self.root_of(path)
        index = self._indexes.get(root)
        if index is None:
            cache = IndexCache.for_root(root, self.cache_dir) if self.use_cache and root is not None else None
            index = self._indexes[root] = ProjectIndex.build(
                root, cache=cache, mapper=self.mapper, max_file_size=self.max_file_size
            )
        module, is_package = module_name(Path(path), root)
        if source is not None and not source.on_disk and not _matches_disk(path, source):
            overlay = facts_for_source(source.text, module, is_package, path, self.statement_memo)
            if overlay is not None and overlay != index.modules.get(module):
                index = self._overlaid(index, overlay)
        return index, module, is_package

    def _overlaid(self, index: ProjectIndex, overlay: ModuleFacts) -> ProjectIndex:
        """``index`` with one module's facts replaced by those of an unsaved text.

        Many edits change no fact of the module (a comment, a name inside an
        expression), and the index as it is serves them; most others change only what
        a function reads or returns, which ``with_module`` patches in. The last
        overlaid index is kept for the keystrokes that follow and change nothing more
        (an editor checks as the user types)."""
        kept = self._overlay
        if kept is not None and kept[0] is index and kept[1] == overlay:
            return kept[2]
        built = index.with_module(overlay)
        self._overlay = (index, overlay, built)
        return built


def _matches_disk(path: str, source: SourceFile) -> bool:
    if not os.path.isfile(path):  # a named pipe would block the open
        return False
    try:
        with open(path, "rb") as handle:
            return handle.read() == source.raw
    except OSError:
        return False
