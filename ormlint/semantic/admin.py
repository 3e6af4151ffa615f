"""What a Django ``ModelAdmin``'s change list reads on each row, and what it loads.

The change list shows one row per object with the columns of ``list_display``: a field
(a relation is shown through its target's ``__str__``), a ``'relation__field'`` lookup, a
method of the admin taking the object, or a method or property of the model. It loads
the rows with ``list_select_related``: a tuple of paths, ``True`` for ``select_related()``,
or by default ``select_related()`` when ``list_display`` names a ForeignKey, and nothing
otherwise.

Only what the source says for certain counts: an admin registered for one model in its
module, deriving from ``ModelAdmin`` directly, with literal
``list_display`` and ``list_select_related``, and without methods that change the change
list's query or columns at run time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, Optional, Set

import libcst as cst

from ormlint.semantic.loops import RelationRead, _chain_reads, _relation_reads
from ormlint.semantic.model import SemanticModel
from ormlint.semantic.types import ModelClass, QueryType
from ormlint.syntax import class_body, string_elements

ADMIN_BASES = frozenset({"django.contrib.admin.ModelAdmin", "django.contrib.admin.options.ModelAdmin"})
_REGISTER = frozenset({"django.contrib.admin.register", "django.contrib.admin.decorators.register"})
#: Methods that decide the change list's query or columns at run time.
_DYNAMIC = frozenset(
    {"get_queryset", "get_list_select_related", "get_list_display", "get_changelist", "get_changelist_instance"}
)


@dataclass
class AdminFacts:
    node: cst.ClassDef
    model: str
    #: What the change list's query loads with its rows.
    query: QueryType
    reads: List[RelationRead]
    #: The ``list_display = ...`` statement (``None`` when the default is used) and the
    #: ``list_select_related = ...`` one, if the class has them.
    list_display: Optional[cst.Assign]
    list_select_related: Optional[cst.Assign]
    #: For each read, the column that reads it, for messages.
    columns: Dict[str, str] = field(default_factory=dict)


def analyse_admin(semantic: SemanticModel, node: cst.ClassDef) -> Optional[AdminFacts]:
    key = ("admin", id(node))
    if key not in semantic.memo:
        semantic.memo[key] = _analyse_admin(semantic, node)
    return semantic.memo[key]  # type: ignore[return-value]


def _analyse_admin(semantic: SemanticModel, node: cst.ClassDef) -> Optional[AdminFacts]:
    if not _derives_from_model_admin(semantic, node):
        return None
    model = _registered_model(semantic, node)
    if model is None:
        return None
    assignments, methods = class_body(node)
    if set(methods) & _DYNAMIC or any(len(v) > 1 for v in assignments.values()):
        return None
    display = assignments.get("list_display", [None])[0]
    select = assignments.get("list_select_related", [None])[0]
    entries = string_elements(display.value) if display is not None else ["__str__"]
    if entries is None:
        return None
    index = semantic.index
    reads: List[RelationRead] = []
    columns: Dict[str, str] = {}
    fields = index.model_fields(model)
    # A foreign key column makes Django call select_related(), whether or not ormlint
    # knows where the key leads.
    forward_field_shown = bool(_unresolved_keys(index, model) & set(entries))
    for entry in entries:
        # Django looks a column up as a model field first, then as a method.
        if entry in methods and entry not in fields and index.relation(model, entry) is None:
            found = _method_reads(semantic, model, methods[entry])
        else:
            chain = tuple(entry.split("__"))
            relation = index.relation(model, chain[0]) if len(chain) == 1 else None
            if relation is not None and relation.kind == "one":
                forward_field_shown = forward_field_shown or not relation.reverse
                chain = (chain[0], "__str__")
            found = _chain_reads(index, model, [chain])
        for read in found:
            if read.lookup not in columns:
                columns[read.lookup] = entry
                reads.append(read)
    query = _changelist_query(model, select, forward_field_shown)
    if query is None:
        return None
    return AdminFacts(node, model, query, reads, display, select, columns)


def automatic_select_related(index, model: str, depth: int = 5) -> Optional[List[str]]:
    """What Django's ``select_related()`` without arguments loads: every non-null forward
    ForeignKey / OneToOne, followed up to five levels. ``None`` when a relation on the way
    has a target the index does not know."""
    paths: List[str] = []
    if depth == 0:
        return paths
    if _unresolved_keys(index, model):
        return None
    for name, relation in sorted(index.relations.get(model, {}).items()):
        if relation.kind != "one" or relation.reverse or relation.null or relation.orm != "django":
            continue
        if relation.target is None:
            return None
        inner = automatic_select_related(index, relation.target, depth - 1)
        if inner is None:
            return None
        paths.append(name)
        paths.extend(f"{name}__{path}" for path in inner)
    return paths


def _unresolved_keys(index, model: str) -> Set[str]:
    """Foreign keys of the model whose target the index does not know (a third-party
    model): Django follows them, ormlint cannot."""
    return {
        name
        for _, facts in index.lineage(model)
        for name, callee in facts.calls
        if callee.rpartition(".")[2] in ("ForeignKey", "OneToOneField")
        and getattr(index.relation(model, name), "target", None) is None
    }


def _derives_from_model_admin(semantic: SemanticModel, node: cst.ClassDef) -> bool:
    """Directly and only: a mixin or project base class may set the change list's query
    or columns in ways the source of this class does not show."""
    return bool(node.bases) and all(semantic.qualified_name(base.value) in ADMIN_BASES for base in node.bases)


def _registered_model(semantic: SemanticModel, node: cst.ClassDef) -> Optional[str]:
    """The one model ``@admin.register(M)`` or ``admin.site.register(M, ThisAdmin)`` in
    the same module registers this admin for."""
    models: Set[str] = set()
    for decorator in node.decorators:
        call = decorator.decorator
        if isinstance(call, cst.Call) and semantic.qualified_name(call.func) in _REGISTER:
            models.update(_models(semantic, [a.value for a in call.args if a.keyword is None]))
    module = semantic.module_node
    for statement in module.body if module is not None else ():
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            call = small.value if isinstance(small, cst.Expr) else None
            if (
                isinstance(call, cst.Call)
                and isinstance(call.func, cst.Attribute)
                and call.func.attr.value == "register"
                and len(call.args) >= 2
                and isinstance(call.args[1].value, cst.Name)
                and call.args[1].value.value == node.name.value
            ):
                models.update(_models(semantic, [call.args[0].value]))
    return models.pop() if len(models) == 1 and "?" not in models else None


def _models(semantic: SemanticModel, values: List[cst.BaseExpression]) -> Set[str]:
    found: Set[str] = set()
    for value in values:
        elements = [e.value for e in value.elements] if isinstance(value, (cst.List, cst.Tuple)) else [value]
        for element in elements:
            model = semantic.type_of(element)
            if isinstance(model, ModelClass) and model.orm == "django":
                found.add(model.qualname)
            else:
                found.add("?")  # a model ormlint does not know: the admin's rows are unknown
    return found


def _method_reads(semantic: SemanticModel, model: str, method: cst.FunctionDef) -> List[RelationRead]:
    """What an admin column method ``def column(self, obj)`` reads on ``obj``."""
    params = method.params.params
    if len(params) != 2:
        return []
    return _relation_reads(semantic, model, params[1].name.value, [method.body])


def _changelist_query(model: str, select: Optional[cst.Assign], forward_field_shown: bool) -> Optional[QueryType]:
    if select is None or (isinstance(select.value, cst.Name) and select.value.value == "False"):
        return QueryType("django", model, "queryset", select_all=forward_field_shown)
    if isinstance(select.value, cst.Name) and select.value.value == "True":
        return QueryType("django", model, "queryset", select_all=True)
    paths = string_elements(select.value)
    if paths is None:
        return None
    return QueryType("django", model, "queryset", selected=frozenset(paths))
