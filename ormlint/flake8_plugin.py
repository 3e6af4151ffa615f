"""The flake8 plugin: the same engine and rules as the command line, inside flake8.

flake8 owns the choice of files, ``--select`` / ``--ignore`` / ``--per-file-ignores`` and
``noqa``; ``[tool.ormlint]`` still supplies settings such as ``default-timeout``. The
source comes from flake8 (standard input included, as editors send it), and the project
index from the file's project and its on-disk cache, so a view sees models defined in
other files at the cost of one file's work.
"""

from __future__ import annotations

import atexit
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Tuple

from ormlint import __version__
from ormlint.config import Config, ConfigError, find_config_file, load_config

_configs: Dict[Optional[Path], Config] = {}
_project = None
#: The plugin's result cache of each project root met by this process.
_caches: Dict[Path, object] = {}


class OrmlintChecker:
    name = "ormlint"
    version = __version__

    def __init__(self, tree, filename: str, lines: List[str]) -> None:
        self.filename = filename
        self.lines = lines

    def run(self) -> Iterator[Tuple[int, int, str, type]]:
        from ormlint.project import Project

        global _project
        if _project is None:
            _project = Project(use_cache=True)
        text = "".join(self.lines)
        raw = text.encode("utf-8", "surrogatepass")
        for diagnostic in _diagnostics(self.filename, text, raw, _config_for(self.filename), _project):
            yield (
                diagnostic.location.row,
                diagnostic.location.column - 1,
                f"{diagnostic.code} {diagnostic.message}",
                type(self),
            )


def _diagnostics(filename: str, text: str, raw: bytes, config: Config, project) -> List:
    """The file's diagnostics: from the plugin's result cache when the text, the settings
    and the project are those of an earlier check (an editor checks the same file again
    and again), else from the engine. The cache answers without libcst or the index."""
    cache, key = _result_cache(filename, raw, config, project)
    if cache is not None:
        found = cache.get(filename, key)
        if found is not None:
            return found
    from ormlint.engine import check_source
    from ormlint.rules import ALL_RULES
    from ormlint.source import SourceFile

    result = check_source(SourceFile(filename, text, "utf-8", raw), config, project, ALL_RULES)
    if cache is not None and not result.internal_errors:
        cache.put(filename, key, result.diagnostics)
    return result.diagnostics


def _result_cache(filename: str, raw: bytes, config: Config, project):
    """The project's plugin result cache and this text's key in it, or ``(None, None)``
    for standard input or a file in no project. It is apart from the command line's,
    whose settings differ (flake8 owns the selection), and it is written when flake8's
    process ends: flake8's parallel workers end without writing theirs, which only
    means no cache for them."""
    from ormlint.cache import cache_folder
    from ormlint.results import ResultCache, result_key, run_salt

    root = project.root_of(filename) if filename not in ("stdin", "-") else None
    if root is None:
        return None, None
    if root not in _caches:
        _caches[root] = ResultCache(cache_folder(root, project.cache_dir) / "flake8.json")
        atexit.register(_caches[root].save)
    salt = f"{run_salt(config, 'flake8')}|{project.fingerprint(filename)}"
    return _caches[root], result_key(raw, salt)


def _config_for(filename: str) -> Config:
    """``[tool.ormlint]`` settings for the file, less selection, which flake8 owns."""
    start = Path(filename) if filename not in ("stdin", "-") else Path.cwd()
    if not start.exists():
        start = start.parent if start.parent.exists() else Path.cwd()
    path = find_config_file(start)
    if path not in _configs:
        try:
            config = load_config(path)
        except ConfigError:
            config = Config()
        _configs[path] = config.override(
            select=("ALL",), ignore=(), extend_select=(), per_file_ignores=()
        )
    return _configs[path]
