"""Configuration: ``[tool.ormlint]`` in ``pyproject.toml`` or the top level of ``ormlint.toml``.

The file nearest above the checked paths wins, as with ruff. Command-line options are
applied on top of it with :meth:`Config.override`. Every problem with a file is a
:class:`ConfigError` whose message names the file and the key, because the user has to find
and fix it.
"""

from __future__ import annotations

import fnmatch
import re
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

from ormlint.source import DEFAULT_MAX_FILE_SIZE

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.9 and 3.10 only
    import tomli as tomllib

#: Directories no one wants linted: version control, environments, caches, build output.
DEFAULT_EXCLUDE = (
    ".bzr", ".direnv", ".eggs", ".git", ".hg", ".ipynb_checkpoints", ".mypy_cache", ".nox",
    ".ormlint_cache", ".pytest_cache", ".pytype", ".ruff_cache", ".svn", ".tox", ".venv",
    "__pycache__", "__pypackages__", "_build", "build", "dist", "node_modules",
    "site-packages", "venv",
    # Migrations are one-off data code that runs once; see DESIGN.md.
    "migrations",
)

#: Test code gets the timeout rules only: building rows one by one is what fixtures do,
#: ``assert qs.count() == 0`` fails with a better message than ``exists()``, and a test's
#: query count is not what this tool is for; a request that hangs hangs CI too (ORM3xx).
DEFAULT_PER_FILE_IGNORES: Tuple[Tuple[str, Tuple[str, ...]], ...] = tuple(
    (pattern, ("ORM0", "ORM1", "ORM2"))
    for pattern in ("tests/*", "tests.py", "test_*.py", "*_test.py", "conftest.py")
)

_CODE_SELECTOR = re.compile(r"^(ALL|ORM\d{0,3})$")
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(B|KB|MB|GB)?\s*$", re.IGNORECASE)
_SIZE_UNITS = {"B": 1, "KB": 1024, "MB": 1024**2, "GB": 1024**3}

#: Where a setting nobody set comes from, for ``--show-settings``.
DEFAULT_ORIGIN = "default"
#: Where a setting given as a command-line option comes from.
COMMAND_LINE = "command line"


class ConfigError(Exception):
    """A configuration problem, worded for the user (it names the file and the key)."""


@dataclass(frozen=True)
class Config:
    select: Tuple[str, ...] = ("ALL",)
    ignore: Tuple[str, ...] = ()
    extend_select: Tuple[str, ...] = ()
    per_file_ignores: Tuple[Tuple[str, Tuple[str, ...]], ...] = DEFAULT_PER_FILE_IGNORES
    exclude: Tuple[str, ...] = DEFAULT_EXCLUDE
    extend_exclude: Tuple[str, ...] = ()
    #: Leave out what ``.gitignore`` (nested ones and ``.git/info/exclude`` too) ignores.
    respect_gitignore: bool = True
    default_timeout: float = 10
    unsafe_fixes: bool = False
    #: The codes whose fixes are applied and marked ``[*]``; ``unfixable`` wins where it is
    #: the more specific selector, as with ``select`` and ``ignore``.
    fixable: Tuple[str, ...] = ("ALL",)
    unfixable: Tuple[str, ...] = ()
    cache_dir: Optional[str] = None
    #: Files larger than this many bytes are reported, not read, and left out of the index.
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    #: The folder the configuration file was found in; patterns are relative to it.
    root: Optional[Path] = field(default=None, compare=False)
    source: Optional[Path] = field(default=None, compare=False)
    #: Where each setting that is not a default came from (a file's path, or the command
    #: line), by attribute name: ``--show-settings`` says so for every value.
    origins: Mapping[str, str] = field(default_factory=dict, compare=False)

    def override(self, **changes: Any) -> "Config":
        """Apply command-line options; a value of ``None`` leaves the setting as it is."""
        changes = {k: v for k, v in changes.items() if v is not None}
        return replace(self, **changes, origins={**self.origins, **{k: COMMAND_LINE for k in changes}})

    def extend_per_file_ignores(self, extra: Sequence[Tuple[str, Tuple[str, ...]]]) -> "Config":
        """Add command-line ``--extend-per-file-ignores`` to the ignores already in force."""
        if not extra:
            return self
        origin = f"{self.origin('per_file_ignores')} + {COMMAND_LINE}"
        return replace(
            self,
            per_file_ignores=self.per_file_ignores + tuple(extra),
            origins={**self.origins, "per_file_ignores": origin},
        )

    def origin(self, attribute: str) -> str:
        return self.origins.get(attribute, DEFAULT_ORIGIN)

    def is_selected(self, code: str, path: Optional[str] = None) -> bool:
        """Whether ``code`` runs on ``path``, as ruff decides: most specific selector wins."""
        return self.is_selected_globally(code) and (path is None or _best_match(code, self.ignored_in(path)) < 0)

    def is_selected_globally(self, code: str) -> bool:
        return _wins(code, self.select + self.extend_select, self.ignore)

    def is_fixable(self, code: str) -> bool:
        """Whether the fixes of ``code`` may be applied (``fixable`` / ``unfixable``)."""
        return _wins(code, self.fixable, self.unfixable)

    def ignored_in(self, path: str) -> Tuple[str, ...]:
        """The codes ``per-file-ignores`` turns off for ``path``."""
        return tuple(
            code for pattern, codes in self.per_file_ignores if self.matches(pattern, path) for code in codes
        )

    def is_excluded(self, path: Path) -> bool:
        """Whether a file or folder is excluded by name or by path below the root."""
        parts = _relative_parts(path, self.root)
        return any(_matches_parts(pattern, parts) for pattern in self.exclude + self.extend_exclude)

    def is_excluded_name(self, name: str) -> bool:
        """Whether a folder or file of this name is excluded wherever it is (patterns
        without ``/``): the cheap test for a walk that has already checked the parents."""
        return any("/" not in p and fnmatch.fnmatchcase(name, p.rstrip("/")) for p in self.exclude + self.extend_exclude)

    @property
    def has_path_patterns(self) -> bool:
        return any("/" in p.rstrip("/") for p in self.exclude + self.extend_exclude)

    def matches(self, pattern: str, path: str) -> bool:
        """Whether ``pattern`` matches ``path``, as ruff's globs do, but within the project.

        A pattern without ``/`` matches one part of the path (``migrations``, ``test_*.py``);
        a pattern with ``/`` matches the path from any folder down (``tests/*``). The path
        is taken relative to the configuration's folder (or the working directory), so the
        folders above the project never match.
        """
        return _matches_parts(pattern, _relative_parts(Path(path), self.root))

    def fingerprint(self) -> str:
        """Every setting that changes findings, as text: part of each cached result's key.
        The folder path patterns are matched from counts too (``tests/*`` from ``/p`` is
        not ``tests/*`` from ``/p/tests``)."""
        return repr(
            (
                self.select, self.ignore, self.extend_select, self.per_file_ignores,
                self.default_timeout, self.unsafe_fixes, self.max_file_size,
                self.fixable, self.unfixable, str((self.root or Path.cwd()).absolute()),
            )
        )

    @property
    def timeout_literal(self) -> str:
        value = self.default_timeout
        return str(int(value)) if float(value).is_integer() else repr(float(value))


def _matches_parts(pattern: str, parts: Tuple[str, ...]) -> bool:
    pattern = pattern.rstrip("/")
    if "/" not in pattern:
        return any(fnmatch.fnmatchcase(part, pattern) for part in parts)
    return any(fnmatch.fnmatchcase("/".join(parts[i:]), pattern) for i in range(len(parts)))


def _relative_parts(path: Path, root: Optional[Path]) -> Tuple[str, ...]:
    absolute = path.absolute()
    for base in (root, Path.cwd()):
        if base is None:
            continue
        try:
            return absolute.relative_to(base.absolute()).parts
        except ValueError:
            continue
    return tuple(part for part in path.parts if part not in ("/", ""))


def _wins(code: str, on: Iterable[str], off: Iterable[str]) -> bool:
    """Whether ``code`` is turned on: some selector in ``on`` matches it and no selector in
    ``off`` matches it as specifically or more."""
    enabled = _best_match(code, on)
    disabled = _best_match(code, off)
    return enabled >= 0 and not (disabled >= 0 and disabled >= enabled)


def _best_match(code: str, selectors: Iterable[str]) -> int:
    """Length of the longest selector that matches ``code`` (``ALL`` counts as 0), or -1."""
    best = -1
    for selector in selectors:
        if selector == "ALL":
            best = max(best, 0)
        elif code.startswith(selector):
            best = max(best, len(selector))
    return best


#: The files a configuration is read from; a change of one changes the settings.
CONFIG_NAMES = ("pyproject.toml", "ormlint.toml")


def find_config_file(start: Path) -> Optional[Path]:
    """The nearest ``ormlint.toml``, or ``pyproject.toml`` with a ``[tool.ormlint]`` table."""
    start = start.resolve()
    folder = start if start.is_dir() else start.parent
    for directory in (folder, *folder.parents):
        candidate = directory / "ormlint.toml"
        if candidate.is_file():
            return candidate
        candidate = directory / "pyproject.toml"
        if candidate.is_file() and _has_ormlint_table(candidate):
            return candidate
    return None


def _has_ormlint_table(path: Path) -> bool:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    return "[tool.ormlint" in text or "tool.ormlint" in text


def load_config(path: Optional[Path]) -> Config:
    """Read a configuration file; ``None`` gives the defaults."""
    if path is None:
        return Config()
    try:
        with open(path, "rb") as handle:
            document = tomllib.load(handle)
    except OSError as error:
        raise ConfigError(f"{path}: cannot read configuration: {error.strerror or error}") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: invalid TOML: {error}") from None
    if path.name == "pyproject.toml":
        table = document.get("tool", {}).get("ormlint", {})
    else:
        table = document
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.ormlint] must be a table")
    settings = _parse_table(path, table)
    origins = {attribute: str(path) for attribute in settings}
    if "per_file_ignores" in settings and "per-file-ignores" not in table:
        origins["per_file_ignores"] = f"{DEFAULT_ORIGIN} + {path}"
    return Config(root=path.parent, source=path, origins=origins, **settings)


def _parse_table(path: Path, table: Mapping[str, Any]) -> Dict[str, Any]:
    settings: Dict[str, Any] = {}
    for key, value in table.items():
        parser = _KEYS.get(key)
        if parser is None:
            known = ", ".join(sorted(_KEYS))
            raise ConfigError(f"{path}: unknown key `{key}` (known keys: {known})")
        attribute = key.replace("-", "_")
        try:
            settings[attribute] = parser(value)
        except ValueError as error:
            raise ConfigError(f"{path}: invalid value for `{key}`: {error}") from None
    if "extend_per_file_ignores" in settings:
        base = settings.get("per_file_ignores", DEFAULT_PER_FILE_IGNORES)
        settings["per_file_ignores"] = base + settings.pop("extend_per_file_ignores")
    return settings


def parse_codes(value: Any) -> Tuple[str, ...]:
    if isinstance(value, str):
        value = [part for part in re.split(r"[,\s]+", value) if part]
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValueError("expected a list of rule codes such as [\"ORM101\", \"ORM3\"]")
    for code in value:
        if not _CODE_SELECTOR.match(code):
            raise ValueError(f"`{code}` is not a rule code or prefix (ORM101, ORM1, ALL)")
    return tuple(value)


def parse_per_file_ignore_pairs(values: Iterable[str]) -> Tuple[Tuple[str, Tuple[str, ...]], ...]:
    """Command-line per-file ignores, as ruff takes them: comma-separated ``PATTERN:CODE``
    pairs (``"tests/*:ORM1,scripts/*:ORM301"``), the option given as often as needed."""
    by_pattern: Dict[str, List[str]] = {}
    for value in values:
        for pair in (part.strip() for part in value.split(",")):
            pattern, colon, code = pair.rpartition(":")
            if not pair or not colon or not pattern:
                raise ValueError(f"`{pair}` is not PATTERN:CODE (such as `tests/*:ORM1`)")
            by_pattern.setdefault(pattern, []).extend(parse_codes([code]))
    return tuple((pattern, tuple(codes)) for pattern, codes in by_pattern.items())


def _parse_patterns(value: Any) -> Tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValueError("expected a list of glob patterns")
    return tuple(value)


def _parse_per_file_ignores(value: Any) -> Tuple[Tuple[str, Tuple[str, ...]], ...]:
    if not isinstance(value, dict):
        raise ValueError("expected a table of glob pattern = [codes]")
    return tuple((pattern, parse_codes(codes)) for pattern, codes in value.items())


def parse_timeout(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise ValueError("expected a positive number of seconds")
    return value


def parse_size(value: Any) -> int:
    """A number of bytes, or a size with a unit: ``2097152``, ``"2 MB"``, ``"512KB"``."""
    match = _SIZE.match(value) if isinstance(value, str) else None
    if match is not None:
        value = float(match.group(1)) * _SIZE_UNITS[(match.group(2) or "B").upper()]
    elif isinstance(value, bool) or not isinstance(value, int):
        raise ValueError("expected a size such as \"2 MB\", \"512 KB\" or a number of bytes")
    if value < 1:
        raise ValueError("expected a size of at least one byte")
    return int(value)


def _parse_bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError("expected true or false")
    return value


def _parse_string(value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise ValueError("expected a path")
    return value


_KEYS = {
    "select": parse_codes,
    "ignore": parse_codes,
    "extend-select": parse_codes,
    "per-file-ignores": _parse_per_file_ignores,
    "extend-per-file-ignores": _parse_per_file_ignores,
    "exclude": _parse_patterns,
    "extend-exclude": _parse_patterns,
    "respect-gitignore": _parse_bool,
    "default-timeout": parse_timeout,
    "unsafe-fixes": _parse_bool,
    "fixable": parse_codes,
    "unfixable": parse_codes,
    "cache-dir": _parse_string,
    "max-file-size": parse_size,
}

#: Every key the configuration accepts, for documentation and its test.
CONFIG_KEYS = tuple(sorted(_KEYS))
