"""The project a checked file belongs to, and its index, built once per project root.

Free of libcst, so that a run answered from the cache never imports it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable, Dict, Optional, Tuple

from ormlint.cache import IndexCache
from ormlint.semantic.index import (
    ModuleFacts,
    ProjectIndex,
    facts_for_file,
    facts_for_source,
    find_project_root,
    module_name,
)
from ormlint.source import DEFAULT_MAX_FILE_SIZE, SourceFile


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
        #: The last index with an unsaved text's facts: the index it overlays, those
        #: facts, and the result.
        self._overlay: Optional[Tuple[ProjectIndex, ModuleFacts, ProjectIndex]] = None
        #: How to read many files for the index: ``map``, or a process pool's.
        self.mapper: Callable = map

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
        absolute = os.path.abspath(path)
        folder = absolute if os.path.isdir(absolute) else os.path.dirname(absolute)
        if folder not in self._roots:
            self._roots[folder] = find_project_root(Path(path)) or self.fallback_root
        return self._roots[folder]

    def fingerprint(self, path: str) -> str:
        """A digest of everything the index knows about the project of ``path``: a file's
        cached result stays valid only while this is unchanged."""
        root = self.root_of(path)
        if root not in self._fingerprints:
            index, _, _ = self.index_for(path)
            self._fingerprints[root] = index.fingerprint()
        return self._fingerprints[root]

    def forget(self, root: Optional[Path]) -> None:
        """Drop what was built for ``root``, so the next file asks the disk again: a
        long-lived host (the language server) calls this when a project file changed.
        The rebuild reads only the files the on-disk cache does not describe."""
        self._indexes.pop(root, None)
        self._fingerprints.pop(root, None)
        self._overlay = None

    def file_changed(self, path: str) -> None:
        """A file of a project changed on disk (saved, created, deleted): forget the
        project's index unless the file still gives the facts the index holds, which is
        what most saves of a view or a test are (a saved edit of a function body), so
        that they cost one file's read rather than a rebuild."""
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
            overlay = facts_for_source(source.text, module, is_package, path)
            if overlay is not None and overlay != index.modules.get(module):
                index = self._overlaid(index, overlay)
        return index, module, is_package

    def _overlaid(self, index: ProjectIndex, overlay: ModuleFacts) -> ProjectIndex:
        """``index`` with one module's facts replaced by those of an unsaved text.

        Most edits change no fact of the module (a keystroke in a function body, a
        comment), and the index as it is serves them; an edit that does costs a resolve
        of the whole project, so the last such index is kept for the keystrokes that
        follow it and change nothing more (an editor checks as the user types)."""
        kept = self._overlay
        if kept is not None and kept[0] is index and kept[1] == overlay:
            return kept[2]
        built = ProjectIndex.build(None, extra=[*index.modules.values(), overlay])
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
