"""Which paths git ignores, so that ormlint leaves out what ``.gitignore`` says is not the project's.

Generated code, vendored folders and local scratch files are listed in ``.gitignore`` by
the people who know; checking them only buries a team's findings under someone else's.
The rules are git's: every ``.gitignore`` from the repository's top down to the file's
folder, each relative to its own folder, and ``.git/info/exclude``; a deeper file
overrides a shallower one, the last matching pattern wins (``!`` re-includes), and
nothing below an ignored folder can be re-included. The patterns are matched by
pathspec's ``GitIgnoreSpec``, which implements git's wildmatch, not by hand.

Only paths inside a git work tree are affected, as with ruff: outside one there is no
``.gitignore`` to honour. The user's global excludes file (``core.excludesFile``) is
personal, not the project's, and is not read.

This decides which files are checked, not what the project index knows: models defined
in an ignored folder are still read (see ``semantic.index.iter_project_files``).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import pathspec

#: (the folder whose ``.gitignore`` this is, its patterns)
_Spec = Tuple[Path, pathspec.GitIgnoreSpec]


class GitIgnore:
    """Answers "does git ignore this path?" for any number of paths, reading each
    ``.gitignore`` once and remembering each folder's answer, so a walk pays one
    pattern test per entry."""

    def __init__(self) -> None:
        self._work_trees: Dict[Path, Optional[Path]] = {}
        self._specs: Dict[Path, Optional[pathspec.GitIgnoreSpec]] = {}
        self._ignored: Dict[Path, bool] = {}

    def is_ignored(self, path: Path, is_dir: Optional[bool] = None) -> bool:
        """Whether git ignores ``path`` (a file or a folder), or a folder it lies in.

        ``is_dir`` spares a ``stat`` when the caller knows; patterns ending in ``/``
        match folders only.
        """
        absolute = Path(os.path.abspath(path))
        if is_dir is None:
            is_dir = absolute.is_dir()
        top = self._work_tree(absolute if is_dir else absolute.parent)
        if top is None or absolute == top:
            return False
        return self._ignored_below(absolute, is_dir, top)

    def _ignored_below(self, path: Path, is_dir: bool, top: Path) -> bool:
        if is_dir and path in self._ignored:
            return self._ignored[path]
        parent = path.parent
        ignored = (parent != top and self._ignored_below(parent, True, top)) or self._matches(path, is_dir, top)
        if is_dir:
            self._ignored[path] = ignored
        return ignored

    def _matches(self, path: Path, is_dir: bool, top: Path) -> bool:
        """The verdict of the last pattern that matches ``path`` itself, the deepest
        ``.gitignore`` having the last word."""
        verdict = False
        for folder, spec in self._specs_above(path.parent, top):
            relative = path.relative_to(folder).as_posix() + ("/" if is_dir else "")
            include = spec.check_file(relative).include
            if include is not None:
                verdict = include
        return verdict

    def _specs_above(self, folder: Path, top: Path) -> List[_Spec]:
        """``.git/info/exclude`` first (lowest precedence), then each ``.gitignore`` from
        ``top`` down to ``folder``."""
        parts = folder.relative_to(top).parts
        folders = [top.joinpath(*parts[:depth]) for depth in range(len(parts) + 1)]
        specs: List[_Spec] = []
        exclude = self._spec(top / ".git" / "info" / "exclude")
        if exclude is not None:
            specs.append((top, exclude))
        for each in folders:
            spec = self._spec(each / ".gitignore")
            if spec is not None:
                specs.append((each, spec))
        return specs

    def _spec(self, file: Path) -> Optional[pathspec.GitIgnoreSpec]:
        if file not in self._specs:
            try:
                with open(file, encoding="utf-8", errors="replace") as handle:
                    lines = handle.read().splitlines()
            except OSError:  # absent, a folder, unreadable: git reads nothing either
                lines = []
            self._specs[file] = pathspec.GitIgnoreSpec.from_lines(lines) if lines else None
        return self._specs[file]

    def _work_tree(self, folder: Path) -> Optional[Path]:
        """The top of the git work tree that holds ``folder``: the nearest folder with a
        ``.git`` (a folder, or the file a submodule or worktree has), or ``None``."""
        if folder not in self._work_trees:
            if (folder / ".git").exists():
                self._work_trees[folder] = folder
            elif folder.parent == folder:
                self._work_trees[folder] = None
            else:
                self._work_trees[folder] = self._work_tree(folder.parent)
        return self._work_trees[folder]
