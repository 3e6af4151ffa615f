"""Which files to check: the ``.py`` files below the given paths, less the excluded ones
and, unless ``respect-gitignore = false``, less those git ignores."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable, Iterator, List, Optional, Set

from ormlint.config import Config
from ormlint.gitignore import GitIgnore
from ormlint.source import is_special_file


def discover(paths: Iterable[str], config: Config) -> List[str]:
    """Return the Python files below ``paths``, sorted and without duplicates.

    A path given explicitly is checked even when it does not end in ``.py`` (as ruff
    does), but not when it lies in an excluded folder such as ``migrations/``: pre-commit
    passes changed files one by one and they should be treated as a run over the tree.
    The same holds for a file that git ignores. Paths that do not exist are returned as
    they are so that the engine reports them.
    """
    ignored = GitIgnore() if config.respect_gitignore else None
    found: Set[str] = set()
    for given in paths:
        path = Path(given)
        if path.is_dir():
            if not _excluded(path, config, ignored):
                found.update(_walk(path, config, ignored))
        elif not _excluded(path, config, ignored):
            found.add(os.path.normpath(given))
    return sorted(found)


def _excluded(path: Path, config: Config, ignored: Optional[GitIgnore]) -> bool:
    """Whether ``path`` or one of its folders below the project is excluded or ignored by git.

    Only the folders below the configuration's root (or the working directory) count, so a
    project that itself lives under a folder called ``build`` is still checked.
    """
    if config.is_excluded(path) or (ignored is not None and ignored.is_ignored(path)):
        return True
    absolute = path.absolute()
    base = (config.root or Path.cwd()).absolute()
    try:
        parts = absolute.relative_to(base).parts[:-1]
    except ValueError:
        parts = path.parts[:-1]
    return any(config.is_excluded(Path(part)) for part in parts if part not in ("", ".", ".."))


def _walk(top: Path, config: Config, ignored: Optional[GitIgnore]) -> Iterator[str]:
    """The ``.py`` files below ``top``. Folder and file names are tested against the
    name patterns as the walk meets them; full-path patterns only when there are any.
    Named pipes, devices and sockets are left out: reading one would hang or never end."""
    seen: Set[str] = set()
    by_path = config.has_path_patterns
    for directory, subdirectories, files in os.walk(top, followlinks=True):
        real = os.path.realpath(directory)
        if real in seen:  # a symbolic link loop
            subdirectories[:] = []
            continue
        seen.add(real)
        subdirectories[:] = sorted(
            name
            for name in subdirectories
            if not config.is_excluded_name(name)
            and not (by_path and config.is_excluded(Path(directory, name)))
            and not (ignored is not None and ignored.is_ignored(Path(directory, name), is_dir=True))
        )
        for name in files:
            if name.endswith(".py") and not config.is_excluded_name(name):
                candidate = os.path.join(directory, name)
                if (
                    not (by_path and config.is_excluded(Path(candidate)))
                    and not (ignored is not None and ignored.is_ignored(Path(candidate), is_dir=False))
                    and not is_special_file(candidate)
                ):
                    yield os.path.normpath(candidate)
