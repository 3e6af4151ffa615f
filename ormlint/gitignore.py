"""Which paths git ignores, so that ormlint leaves out what ``.gitignore`` says is not the project's.

Generated code, vendored folders and local scratch files are listed in ``.gitignore`` by
the people who know; checking them only buries a team's findings under someone else's.
The rules are git's: every ``.gitignore`` from the repository's top down to the file's
folder, each relative to its own folder, and ``.git/info/exclude``; a deeper file
overrides a shallower one, the last matching pattern wins (``!`` re-includes), and
nothing below an ignored folder can be re-included. The patterns are matched by
pathspec's ``GitIgnoreSpec``, which implements git's wildmatch, not by hand.

Only paths inside a git work tree are affected: outside one there is no repository
whose ``.gitignore`` could be meant. The user's global excludes file (``core.excludesFile``) is
personal, not the project's, and is not read.

This decides which files are checked, not what the project index knows: models defined
in an ignored folder are still read (see ``semantic.index.iter_project_files``).
"""

from __future__ import annotations

import os
from typing import Dict, List, Optional, Tuple, Union

import pathspec

#: (the folder whose ``.gitignore`` this is, its patterns)
_Spec = Tuple[str, pathspec.GitIgnoreSpec]


class GitIgnore:
    """Answers "does git ignore this path?" for any number of paths, reading each
    ``.gitignore`` once and remembering each folder's answer, so a walk pays one
    pattern test per entry. Paths are plain strings here: a walk asks thousands of
    times, and ``pathlib`` cost more than the matching."""

    def __init__(self) -> None:
        self._work_trees: Dict[str, Optional[str]] = {}
        self._chains: Dict[str, List[_Spec]] = {}
        self._ignored: Dict[str, bool] = {}

    def is_ignored(self, path: Union[str, "os.PathLike[str]"], is_dir: Optional[bool] = None) -> bool:
        """Whether git ignores ``path`` (a file or a folder), or a folder it lies in.

        ``is_dir`` spares a ``stat`` when the caller knows; patterns ending in ``/``
        match folders only.
        """
        absolute = os.path.abspath(path)
        if is_dir is None:
            is_dir = os.path.isdir(absolute)
        top = self._work_tree(absolute if is_dir else os.path.dirname(absolute))
        if top is None or absolute == top:
            return False
        return self._ignored_below(absolute, is_dir, top)

    def _ignored_below(self, path: str, is_dir: bool, top: str) -> bool:
        if is_dir and path in self._ignored:
            return self._ignored[path]
        parent = os.path.dirname(path)
        ignored = (parent != top and self._ignored_below(parent, True, top)) or self._matches(path, is_dir, parent, top)
        if is_dir:
            self._ignored[path] = ignored
        return ignored

    def _matches(self, path: str, is_dir: bool, parent: str, top: str) -> bool:
        """The verdict of the last pattern that matches ``path`` itself, the deepest
        ``.gitignore`` having the last word."""
        verdict = False
        for folder, spec in self._chain(parent, top):
            relative = path[len(folder.rstrip(os.sep)) + 1 :].replace(os.sep, "/") + ("/" if is_dir else "")
            include = spec.check_file(relative).include
            if include is not None:
                verdict = include
        return verdict

    def _chain(self, folder: str, top: str) -> List[_Spec]:
        """The patterns that apply in ``folder``, lowest precedence first:
        ``.git/info/exclude``, then each ``.gitignore`` from ``top`` down to ``folder``."""
        if folder not in self._chains:
            if folder == top:
                above = [(top, spec) for spec in (_read(os.path.join(top, ".git", "info", "exclude")),) if spec]
            else:
                above = self._chain(os.path.dirname(folder), top)
            own = _read(os.path.join(folder, ".gitignore"))
            self._chains[folder] = [*above, (folder, own)] if own is not None else above
        return self._chains[folder]

    def _work_tree(self, folder: str) -> Optional[str]:
        """The top of the git work tree that holds ``folder``: the nearest folder with a
        ``.git`` (a folder, or the file a submodule or worktree has), or ``None``."""
        if folder not in self._work_trees:
            parent = os.path.dirname(folder)
            if os.path.exists(os.path.join(folder, ".git")):
                self._work_trees[folder] = folder
            elif parent == folder:
                self._work_trees[folder] = None
            else:
                self._work_trees[folder] = self._work_tree(parent)
        return self._work_trees[folder]


def _read(file: str) -> Optional[pathspec.GitIgnoreSpec]:
    """The patterns of one ignore file, or ``None`` when it has none."""
    try:
        with open(file, encoding="utf-8", errors="replace") as handle:
            lines = handle.read().splitlines()
    except OSError:  # absent, a folder, unreadable: git reads nothing either
        return None
    return pathspec.GitIgnoreSpec.from_lines(lines) if lines else None
