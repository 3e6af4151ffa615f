"""The template folders a Django settings module names, read without running it.

Django looks a template up in each backend's ``TEMPLATES[i]["DIRS"]`` (before Django 1.8,
``TEMPLATE_DIRS``) and then in the apps' ``templates`` folders. A project's own folder may
have any name (``frontend/``, ``project_templates/``), so the index reads it from the
settings: module-level assignments are evaluated in order over the few expressions that
settings use to build paths (``Path(__file__).resolve().parent.parent``,
``os.path.dirname(os.path.abspath(__file__))``, ``BASE_DIR / "templates"``,
``os.path.join(BASE_DIR, "templates")``, ``str(...)``). A folder that is not built from
the module's own location, or not from those expressions, is not added: a relative path
depends on where the server starts, an environment variable on how.
"""

from __future__ import annotations

import ast
from pathlib import Path, PurePath
from typing import Dict, List, Optional, Tuple, Union

Value = Union[str, PurePath, list, dict, None]

_SAME_PATH = frozenset({"os.path.abspath", "os.path.realpath", "os.path.normpath", "str"})
_PATH_CLASSES = frozenset({"Path", "pathlib.Path", "PurePath", "pathlib.PurePath"})
_SAME_PATH_METHODS = frozenset({"resolve", "absolute", "expanduser"})


def template_folders(tree: ast.Module, path: str) -> Tuple[str, ...]:
    """The absolute template folders the settings module ``tree`` (the file ``path``) sets."""
    values: Dict[str, Value] = {"__file__": PurePath(Path(path).resolve())}
    folders: List[str] = []
    for statement in tree.body:
        if not isinstance(statement, (ast.Assign, ast.AnnAssign)) or statement.value is None:
            continue
        targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
        if len(targets) != 1 or not isinstance(targets[0], ast.Name):
            continue
        name, value = targets[0].id, _evaluate(statement.value, values)
        values[name] = value
        if name == "TEMPLATES" and isinstance(value, list):
            for backend in value:
                if isinstance(backend, dict):
                    folders.extend(_folders(backend.get("DIRS")))
        elif name == "TEMPLATE_DIRS":
            folders.extend(_folders(value))
    return tuple(dict.fromkeys(folders))


def _folders(value: Value) -> List[str]:
    if not isinstance(value, list):
        return []
    return [str(path) for path in map(_path, value) if path is not None]


def _path(value: Value) -> Optional[PurePath]:
    """``value`` as an absolute path, if it is one."""
    if isinstance(value, str):
        value = PurePath(value)
    return value if isinstance(value, PurePath) and value.is_absolute() else None


def _evaluate(node: ast.expr, values: Dict[str, Value]) -> Value:
    """The value of a settings expression built of strings, paths, lists and dicts;
    ``None`` for anything else."""
    if isinstance(node, ast.Constant):
        return node.value if isinstance(node.value, str) else None
    if isinstance(node, ast.Name):
        return values.get(node.id)
    if isinstance(node, (ast.List, ast.Tuple)):
        return [_evaluate(element, values) for element in node.elts]
    if isinstance(node, ast.Dict):
        return {
            key.value: _evaluate(value, values)
            for key, value in zip(node.keys, node.values)
            if isinstance(key, ast.Constant) and isinstance(key.value, str)
        }
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
        base, part = _path(_evaluate(node.left, values)), _evaluate(node.right, values)
        return base / part if base is not None and isinstance(part, str) else None
    if isinstance(node, ast.Attribute) and node.attr == "parent":
        base = _path(_evaluate(node.value, values))
        return base.parent if base is not None else None
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute) and node.value.attr == "parents":
        base, index = _path(_evaluate(node.value.value, values)), node.slice
        if base is not None and isinstance(index, ast.Constant) and isinstance(index.value, int) and 0 <= index.value < len(base.parents):
            return base.parents[index.value]
        return None
    if isinstance(node, ast.Call) and not node.keywords:
        return _call(node, values)
    return None


def _call(node: ast.Call, values: Dict[str, Value]) -> Value:
    arguments = [_evaluate(argument, values) for argument in node.args]
    function = _dotted(node.func)
    if isinstance(node.func, ast.Attribute) and node.func.attr in _SAME_PATH_METHODS and not arguments:
        return _path(_evaluate(node.func.value, values))
    if isinstance(node.func, ast.Attribute) and node.func.attr == "joinpath":
        return _joined([_evaluate(node.func.value, values), *arguments])
    if function in _SAME_PATH or function in _PATH_CLASSES:
        return _path(arguments[0]) if len(arguments) == 1 else None
    if function == "os.path.dirname" and len(arguments) == 1:
        base = _path(arguments[0])
        return base.parent if base is not None else None
    if function == "os.path.join":
        return _joined(arguments)
    return None


def _joined(parts: List[Value]) -> Optional[PurePath]:
    base = _path(parts[0]) if parts else None
    if base is None or not all(isinstance(part, str) for part in parts[1:]):
        return None
    return base.joinpath(*parts[1:])


def _dotted(node: ast.expr) -> Optional[str]:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr}" if base else None
    return None
