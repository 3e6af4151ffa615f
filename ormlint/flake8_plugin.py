"""The flake8 plugin: the same engine and rules as the command line, inside flake8.

flake8 owns the choice of files, ``--select`` / ``--ignore`` / ``--per-file-ignores`` and
``noqa``; ``[tool.ormlint]`` still supplies settings such as ``default-timeout``. The
source comes from flake8 (standard input included, as editors send it), and the project
index from the file's project and its on-disk cache, so a view sees models defined in
other files at the cost of one file's work.
"""

from __future__ import annotations

from pathlib import Path
from typing import Dict, Iterator, List, Optional, Tuple

from ormlint import __version__
from ormlint.config import Config, ConfigError, find_config_file, load_config

_configs: Dict[Optional[Path], Config] = {}
_project = None


class OrmlintChecker:
    name = "ormlint"
    version = __version__

    def __init__(self, tree, filename: str, lines: List[str]) -> None:
        self.filename = filename
        self.lines = lines

    def run(self) -> Iterator[Tuple[int, int, str, type]]:
        from ormlint.engine import Project, check_source
        from ormlint.rules import ALL_RULES
        from ormlint.source import SourceFile

        global _project
        if _project is None:
            _project = Project(use_cache=True)
        text = "".join(self.lines)
        source = SourceFile(self.filename, text, "utf-8", text.encode("utf-8", "surrogatepass"))
        config = _config_for(self.filename)
        for diagnostic in check_source(source, config, _project, ALL_RULES).diagnostics:
            yield (
                diagnostic.location.row,
                diagnostic.location.column - 1,
                f"{diagnostic.code} {diagnostic.message}",
                type(self),
            )


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
