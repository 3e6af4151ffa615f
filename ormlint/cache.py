"""The on-disk cache of the project index, so that a hook or an editor checking one file
does not read the whole project again.

It holds data only, as JSON (never pickle): for each file of the project, its size and
modification time, the module name it was read as, and the facts the index took from it.
A file whose size, time or module name changed is read again. A cache that is missing,
corrupt, from another version, or cannot be written is simply not used.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

from ormlint import __version__
import dataclasses

from ormlint.semantic.index import ClassFacts, FieldFacts, ImperativeMapping, ModuleFacts
from ormlint.semantic.summaries import ReturnSummary

FORMAT = f"ormlint-index-{__version__}-27"
DEFAULT_DIRECTORY = ".ormlint_cache"


class IndexCache:
    def __init__(self, path: Optional[Path]) -> None:
        self.path = path
        self._entries: Dict[str, Any] = {}
        self._dirty = False
        if path is not None:
            self._entries = load_entries(path, FORMAT)

    @classmethod
    def for_root(cls, root: Path, directory: Optional[str] = None) -> "IndexCache":
        return cls(cache_folder(root, directory) / "index.json")

    def get(self, key: str, stat: os.stat_result, module: str) -> Tuple[bool, Optional[ModuleFacts]]:
        entry = self._entries.get(key)
        if not isinstance(entry, dict) or entry.get("stamp") != _stamp(stat) or entry.get("module") != module:
            return False, None
        try:
            facts = entry.get("facts")
            return True, None if facts is None else _facts_from_json(facts)
        except (KeyError, TypeError, ValueError):
            return False, None

    def put(self, key: str, stat: os.stat_result, module: str, facts: Optional[ModuleFacts]) -> None:
        self._entries[key] = {
            "stamp": _stamp(stat),
            "module": module,
            "facts": None if facts is None else _facts_to_json(facts),
        }
        self._dirty = True

    def prune(self, keep) -> None:
        """Forget files that no longer exist."""
        for key in [k for k in self._entries if k not in keep]:
            del self._entries[key]
            self._dirty = True

    def save(self) -> None:
        if self.path is not None and self._dirty:
            save_entries(self.path, FORMAT, self._entries)
            self._dirty = False


def cache_folder(root: Path, directory: Optional[str] = None) -> Path:
    """Where a project's caches live: ``cache-dir`` (relative to the root), by default
    ``.ormlint_cache`` in the project root."""
    folder = Path(directory) if directory else root / DEFAULT_DIRECTORY
    return folder if folder.is_absolute() else root / folder


def load_entries(path: Path, format: str) -> Dict[str, Any]:
    """The per-file entries of a cache file, or nothing if it is missing, corrupt or of
    another format (another ormlint version)."""
    try:
        with open(path, encoding="utf-8") as handle:
            document = json.load(handle)
    except (OSError, ValueError):
        return {}
    if not isinstance(document, dict) or document.get("format") != format:
        return {}
    files = document.get("files")
    return files if isinstance(files, dict) else {}


def save_entries(path: Path, format: str, entries: Dict[str, Any]) -> None:
    """Write a cache file atomically; a cache that cannot be written just means no cache."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        _gitignore(path.parent)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}-", suffix=".tmp")
        # ``dumps`` then one write: ``json.dump`` encodes in pure Python, ten times slower.
        text = json.dumps({"format": format, "files": entries}, separators=(",", ":"))
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(temporary, path)
    except OSError:
        pass


def _gitignore(folder: Path) -> None:
    marker = folder / ".gitignore"
    if not marker.exists():
        marker.write_text("# Created by ormlint.\n*\n", encoding="utf-8")


def _stamp(stat: os.stat_result) -> list:
    return [stat.st_size, stat.st_mtime_ns]


def _facts_to_json(facts: ModuleFacts) -> Dict[str, Any]:
    return {
        "module": facts.module,
        "path": facts.path,
        "classes": [
            {
                "name": c.name,
                "bases": list(c.bases),
                "calls": [list(p) for p in c.calls],
                "abstract": c.abstract,
                "fields": [dataclasses.asdict(f) for f in c.fields],
                "constants": [list(p) for p in c.constants],
                "methods": list(c.methods),
                "method_reads": [[m, list(chain)] for m, chain in c.method_reads],
                "method_guarded_reads": [[m, list(chain), g] for m, chain, g in c.method_guarded_reads],
                "returned_chains": [[m, list(chain)] for m, chain in c.returned_chains],
                "manager_querysets": [list(p) for p in c.manager_querysets],
                "call_options": [list(p) for p in c.call_options],
                "meta": [list(p) for p in c.meta],
                "argument_reads": [[m, list(chain)] for m, chain in c.argument_reads],
                "serialized_chains": [[m, s, list(chain), many] for m, s, chain, many in c.serialized_chains],
                "parameter_reads": _parameter_reads_to_json(c.parameter_reads),
                "static_methods": list(c.static_methods),
                "returns": _returns_to_json(c.returns),
                "parameter_chains": _parameter_reads_to_json(c.parameter_chains),
                "forwards": [list(f) for f in c.forwards],
                "guarded_chains": [[f, p, i, list(chain), g] for f, p, i, chain, g in c.guarded_chains],
                "callbacks": [list(callback) for callback in c.callbacks],
                "writes": [list(write) for write in c.writes],
                "self_call_chains": [[m, p, a, list(calls)] for m, p, a, calls in c.self_call_chains],
                "attributes": _returns_to_json(c.attributes),
                "delegates": list(c.delegates),
                "extends": list(c.extends),
            }
            for c in facts.classes
        ],
        "calls": [list(p) for p in facts.calls],
        "aliases": [list(p) for p in facts.aliases],
        "auth_user_model": facts.auth_user_model,
        "save_receivers": list(facts.save_receivers),
        "parameter_reads": _parameter_reads_to_json(facts.parameter_reads),
        "stars": list(facts.stars),
        "exports": None if facts.exports is None else list(facts.exports),
        "partial": facts.partial,
        "mappings": [
            {
                "mapped": m.mapped,
                "registry": m.registry,
                "table": m.table,
                "fields": [dataclasses.asdict(f) for f in m.fields],
            }
            for m in facts.mappings
        ],
        "tables": [[name, list(columns), [list(key) for key in keys]] for name, columns, keys in facts.tables],
        "returns": _returns_to_json(facts.returns),
        "parameter_chains": _parameter_reads_to_json(facts.parameter_chains),
        "forwards": [list(f) for f in facts.forwards],
        "guarded_chains": [[f, p, i, list(chain), g] for f, p, i, chain, g in facts.guarded_chains],
        "callbacks": [list(callback) for callback in facts.callbacks],
        "writes": [list(write) for write in facts.writes],
        "template_dirs": list(facts.template_dirs),
        "renders": [[name, list(template), None if context is None else list(context)] for name, (template, context) in facts.renders],
    }


def _facts_from_json(data: Dict[str, Any]) -> ModuleFacts:
    def pairs(items) -> Tuple[Tuple[str, str], ...]:
        return tuple((str(a), str(b)) for a, b in items)

    return ModuleFacts(
        module=str(data["module"]),
        path=str(data["path"]),
        classes=tuple(
            ClassFacts(
                name=str(c["name"]),
                bases=tuple(str(b) for b in c["bases"]),
                calls=pairs(c["calls"]),
                abstract=bool(c["abstract"]),
                fields=tuple(FieldFacts(**f) for f in c["fields"]),
                constants=pairs(c["constants"]),
                methods=tuple(str(m) for m in c["methods"]),
                method_reads=tuple((str(m), tuple(str(p) for p in chain)) for m, chain in c["method_reads"]),
                method_guarded_reads=tuple(
                    (str(m), tuple(str(p) for p in chain), str(g)) for m, chain, g in c["method_guarded_reads"]
                ),
                returned_chains=tuple((str(m), tuple(str(p) for p in chain)) for m, chain in c["returned_chains"]),
                manager_querysets=pairs(c["manager_querysets"]),
                call_options=tuple((str(a), str(b), str(v)) for a, b, v in c["call_options"]),
                meta=pairs(c["meta"]),
                argument_reads=tuple((str(m), tuple(str(p) for p in chain)) for m, chain in c["argument_reads"]),
                serialized_chains=tuple(
                    (str(m), str(s), tuple(str(p) for p in chain), bool(many)) for m, s, chain, many in c["serialized_chains"]
                ),
                parameter_reads=_parameter_reads_from_json(c["parameter_reads"]),
                static_methods=tuple(str(m) for m in c["static_methods"]),
                returns=_returns_from_json(c["returns"]),
                parameter_chains=_parameter_reads_from_json(c["parameter_chains"]),
                forwards=_forwards_from_json(c["forwards"]),
                guarded_chains=_guarded_from_json(c["guarded_chains"]),
                callbacks=_callbacks_from_json(c["callbacks"]),
                writes=_writes_from_json(c["writes"]),
                self_call_chains=tuple(
                    (str(m), bool(p), str(a), tuple(str(x) for x in calls)) for m, p, a, calls in c["self_call_chains"]
                ),
                attributes=_returns_from_json(c["attributes"]),
                delegates=tuple(str(m) for m in c["delegates"]),
                extends=tuple(str(m) for m in c["extends"]),
            )
            for c in data["classes"]
        ),
        calls=pairs(data["calls"]),
        aliases=pairs(data["aliases"]),
        auth_user_model=data["auth_user_model"],
        save_receivers=tuple(str(s) for s in data["save_receivers"]),
        parameter_reads=_parameter_reads_from_json(data["parameter_reads"]),
        stars=tuple(str(m) for m in data["stars"]),
        exports=None if data["exports"] is None else tuple(str(n) for n in data["exports"]),
        partial=None if data["partial"] is None else str(data["partial"]),
        mappings=tuple(
            ImperativeMapping(
                mapped=str(m["mapped"]),
                registry=str(m["registry"]),
                table=None if m["table"] is None else str(m["table"]),
                fields=tuple(FieldFacts(**f) for f in m["fields"]),
            )
            for m in data["mappings"]
        ),
        tables=tuple((str(n), tuple(str(c) for c in cs), tuple(tuple(str(part) for part in k) for k in ks)) for n, cs, ks in data["tables"]),
        returns=_returns_from_json(data["returns"]),
        parameter_chains=_parameter_reads_from_json(data["parameter_chains"]),
        forwards=_forwards_from_json(data["forwards"]),
        guarded_chains=_guarded_from_json(data["guarded_chains"]),
        callbacks=_callbacks_from_json(data["callbacks"]),
        writes=_writes_from_json(data["writes"]),
        template_dirs=tuple(str(folder) for folder in data["template_dirs"]),
        renders=tuple(
            (str(name), ((int(template[0]), str(template[1])), None if context is None else (int(context[0]), str(context[1]))))
            for name, template, context in data["renders"]
        ),
    )


def _parameter_reads_to_json(reads) -> List[Any]:
    return [[function, parameter, position, list(chain)] for function, parameter, position, chain in reads]


def _parameter_reads_from_json(items) -> Tuple[Tuple[str, str, int, Tuple[str, ...]], ...]:
    return tuple((str(f), str(p), int(i), tuple(str(a) for a in chain)) for f, p, i, chain in items)


def _returns_to_json(returns) -> List[Any]:
    return [
        [name, list(s.values), [list(p) for p in s.parameters], [list(n) for n in s.names], s.receiver, s.kind, list(s.actions)]
        for name, s in returns
    ]


def _returns_from_json(items) -> Tuple[Tuple[str, ReturnSummary], ...]:
    return tuple(
        (
            str(name),
            ReturnSummary(
                values=tuple(str(v) for v in values),
                parameters=tuple((str(p), int(i)) for p, i in parameters),
                names=tuple((str(n), str(q)) for n, q in names),
                receiver=str(receiver),
                kind=str(kind),
                actions=tuple(str(a) for a in actions),
            ),
        )
        for name, values, parameters, names, receiver, kind, actions in items
    )


def _forwards_from_json(items) -> Tuple[Tuple[str, str, int, str, str, int, str], ...]:
    return tuple((str(f), str(p), int(i), str(how), str(callee), int(j), str(k)) for f, p, i, how, callee, j, k in items)


def _guarded_from_json(items) -> Tuple[Tuple[str, str, int, Tuple[str, ...], str], ...]:
    return tuple((str(f), str(p), int(i), tuple(str(a) for a in chain), str(g)) for f, p, i, chain, g in items)


def _callbacks_from_json(items) -> Tuple[Tuple[str, str, int, str, int, str, int, str, int, str], ...]:
    return tuple(
        (str(f), str(r), int(i), str(c), int(j), str(callee), int(ra), str(rk), int(ca), str(ck))
        for f, r, i, c, j, callee, ra, rk, ca, ck in items
    )


def _writes_from_json(items) -> Tuple[Tuple[str, str, str, int, str, str], ...]:
    return tuple((str(f), str(k), str(p), int(i), str(r), str(m)) for f, k, p, i, r, m in items)
