"""What a Django admin shows on each row, and what its query loads with the rows.

A ``ModelAdmin``'s change list shows one row per object with the columns of
``list_display``: a field (a relation is shown through its target's ``__str__``), a
``'relation__field'`` lookup, a method of the admin taking the object, or a method or
property of the model; with actions, Django's ``action_checkbox`` column first, whose label
is the row's ``__str__`` (since Django 5.0). Its query is the admin's ``get_queryset()``; Django's ``ChangeList``
then adds ``list_select_related`` (a tuple of paths, ``True`` for ``select_related()``, or
by default ``select_related()`` when ``list_display`` names a ForeignKey), but only when
that queryset selects no relation itself (``views/main.py``: ``if not
qs.query.select_related: qs = self.apply_select_related(qs)``).

An inline (``TabularInline``, ``StackedInline``) of a registered admin shows every related
row on the parent's change form: the row's ``__str__`` above its fields, and its
``readonly_fields`` read as change list columns are. Its rows are its own
``get_queryset()`` filtered on the parent. An editable field reads nothing of the row (a
widget's choices are queried per form, whatever ``get_queryset()`` loads).

Only what the source says for certain counts: an admin registered for one model in its
module, deriving from ``ModelAdmin`` (or an inline from ``TabularInline`` /
``StackedInline``) directly or through project classes (base admins, mixins), with literal
settings. Classes of the same module are read from their source, those of other modules
from the project index (``lineage.py``). The methods along that lineage are read: ``get_queryset()`` overrides that refine
``super().get_queryset(request)`` with queryset methods are evaluated, methods that only
return what ``super()`` returns change nothing, and any other method that decides the
rows, columns or fields at run time keeps the admin silent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Set, Tuple

import libcst as cst

from ormlint.semantic.index import ClassFacts
from ormlint.semantic.loops import RelationRead, _chain_reads, _relation_reads
from ormlint.semantic.model import SemanticModel, _parsed, _query_method
from ormlint.semantic.summaries import ReturnSummary
from ormlint.semantic.types import ModelClass, QueryType
from ormlint.syntax import class_body, is_super_call, string_elements, walk

ADMIN_BASES = frozenset({"django.contrib.admin.ModelAdmin", "django.contrib.admin.options.ModelAdmin"})
INLINE_BASES = frozenset(
    {
        "django.contrib.admin.TabularInline",
        "django.contrib.admin.StackedInline",
        "django.contrib.admin.options.TabularInline",
        "django.contrib.admin.options.StackedInline",
    }
)
#: The class-level settings the analyses read: a base class of another module binding one
#: to a value the index did not keep makes its admins silent.
_SETTINGS = frozenset(
    {"list_display", "list_select_related", "readonly_fields", "fields", "fieldsets", "formset", "template", "model", "inlines"}
)
_REGISTER = frozenset({"django.contrib.admin.register", "django.contrib.admin.decorators.register"})
#: Methods that may decide the change list's columns, query or page at run time: read
#: only when they keep what Django's own do (see ``_keeps_super``).
_DYNAMIC = frozenset(
    {
        "__init__", "get_list_select_related", "get_list_display", "get_changelist",
        "get_changelist_instance", "changelist_view", "get_urls",
    }
)
#: The same for an inline's fields, form or rendering.
_INLINE_DYNAMIC = frozenset({"__init__", "get_readonly_fields", "get_fields", "get_fieldsets", "get_exclude", "get_formset"})
#: Settings with which an inline may show other fields, rows or markup (a formset may
#: override the rows' query; a ``form`` changes editable fields only).
_INLINE_LAYOUT = frozenset({"fieldsets", "formset", "template"})
#: The same for the parent admin that shows the inlines, and its change form.
_INLINE_CHOICE = frozenset({"__init__", "get_inlines", "get_inline_instances", "get_formsets_with_inlines", "change_view", "get_urls"})


@dataclass
class AdminFacts:
    node: cst.ClassDef
    model: str
    #: What the change list's query loads with its rows.
    query: QueryType
    reads: List[RelationRead]
    #: The class's own ``list_display = ...`` and ``list_select_related = ...``
    #: statements, where a fix goes (``None`` when the class has none).
    list_display: Optional[cst.Assign]
    list_select_related: Optional[cst.Assign]
    #: For each read, the column that reads it, for messages.
    columns: Dict[str, str] = field(default_factory=dict)
    #: Whether ``list_select_related`` applies: ``get_queryset()`` selects no relation.
    setting_applies: bool = True
    #: Whether ``list_select_related`` comes from a base class: a fix in the class would
    #: have to repeat it, one in the base would change every admin deriving from it.
    inherits_setting: bool = False
    #: What the class's own ``get_queryset()`` returns, where a fix of the query goes.
    returned: Optional[cst.BaseExpression] = None


@dataclass
class InlineFacts:
    node: cst.ClassDef
    model: str
    #: What the inline's ``get_queryset()`` loads with the rows.
    query: QueryType
    reads: List[RelationRead]
    #: The class's own ``model = ...`` statement, reported (and where a new
    #: ``get_queryset()`` goes) when the class has no ``get_queryset()``.
    declared: Optional[cst.Assign]
    #: For each read, what shows it: ``__str__`` or a read-only field.
    columns: Dict[str, str] = field(default_factory=dict)
    #: What the class's own ``get_queryset()`` returns, where a fix goes.
    returned: Optional[cst.BaseExpression] = None
    #: Whether a base class of the module defines ``get_queryset()``: a new one in the
    #: class would have to keep what it does.
    inherits_query: bool = False


@dataclass
class _Method:
    """One definition of a method along a lineage: its statement when its class is in
    this module, read in full; otherwise what the index knows of it."""

    node: Optional[cst.FunctionDef] = None
    #: It only returns what ``super()``'s method returns, passing its own parameters.
    delegates: bool = False
    returns: Optional[ReturnSummary] = None
    #: The attribute chains it reads on the object it is given (a column method).
    argument_reads: Tuple[Tuple[str, ...], ...] = ()


@dataclass
class _Lineage:
    """A class statement and the project classes it derives from, in method resolution
    order up to the framework class, and what they declare, the nearest one winning."""

    node: cst.ClassDef
    #: Each class-level name's value.
    values: Dict[str, cst.BaseExpression]
    #: Each method's definitions, the nearest first.
    methods: Dict[str, List[_Method]]
    #: Where each name is declared nearest: 0 for the class itself.
    positions: Dict[str, int]
    #: Names whose nearest declaration is in another module: their values are text that
    #: this module's names do not resolve.
    remote: Set[str]

    def owns(self, name: str) -> bool:
        """Whether the class itself declares ``name``, or nothing along it does."""
        return self.positions.get(name, 0) == 0

    def declared_here(self, name: str) -> bool:
        return name in self.positions and self.positions[name] == 0


def analyse_admin(semantic: SemanticModel, node: cst.ClassDef) -> Optional[AdminFacts]:
    key = ("admin", id(node))
    if key not in semantic.memo:
        semantic.memo[key] = _analyse_admin(semantic, node)
    return semantic.memo[key]  # type: ignore[return-value]


def analyse_inline(semantic: SemanticModel, node: cst.ClassDef) -> Optional[InlineFacts]:
    key = ("inline", id(node))
    if key not in semantic.memo:
        semantic.memo[key] = _analyse_inline(semantic, node)
    return semantic.memo[key]  # type: ignore[return-value]


def _analyse_admin(semantic: SemanticModel, node: cst.ClassDef) -> Optional[AdminFacts]:
    lineage = _lineage(semantic, node, ADMIN_BASES)
    if lineage is None:
        return None
    model = _registered_model(semantic, node)
    if model is None or not _read_along(lineage, _DYNAMIC):
        return None
    found = _queryset(lineage, model)
    if found is None:
        return None
    query, returned = found
    display = lineage.values.get("list_display")
    select = lineage.values.get("list_select_related")
    entries = string_elements(display) if display is not None else ["__str__"]
    if entries is None:
        return None
    index = semantic.index
    # A foreign key column makes Django call select_related(), whether or not ormlint
    # knows where the key leads.
    forward_field_shown = bool(_unresolved_keys(index, model) & set(entries))
    forward_field_shown = forward_field_shown or any(
        relation is not None and relation.kind == "one" and not relation.reverse
        for relation in (index.relation(model, entry) for entry in entries)
    )
    checkbox = ["__str__"] if _shows_action_checkbox(lineage) else []
    reads, columns = _shown_reads(semantic, model, [*entries, *checkbox], lineage)
    if checkbox and "__str__" not in entries:
        columns = {lookup: "action_checkbox" if entry == "__str__" else entry for lookup, entry in columns.items()}
    setting_applies = not (query.selected or query.select_all)
    if setting_applies:
        query = _changelist_query(query, select, forward_field_shown)
        if query is None:
            return None
    own, _ = class_body(node)
    return AdminFacts(
        node, model, query, reads, own.get("list_display", [None])[0], own.get("list_select_related", [None])[0], columns,
        setting_applies=setting_applies,
        inherits_setting=not lineage.owns("list_select_related"),
        returned=returned,
    )


def _shows_action_checkbox(lineage: _Lineage) -> bool:
    """Whether the change list has actions, so that Django puts its ``action_checkbox``
    column first, labelled with each row's ``__str__`` (``ModelAdmin.action_checkbox``):
    unless ``actions = None``, or the actions are chosen at run time, or only the site's
    ``delete_selected`` is there and delete permission is decided at run time."""
    actions = lineage.values.get("actions")
    if isinstance(actions, cst.Name) and actions.value == "None":
        return False
    if "get_actions" in lineage.methods and not _read_along(lineage, frozenset({"get_actions"})):
        return False
    own_actions = isinstance(actions, (cst.List, cst.Tuple)) and bool(actions.elements)
    return own_actions or _read_along(lineage, frozenset({"has_delete_permission"}))


def _analyse_inline(semantic: SemanticModel, node: cst.ClassDef) -> Optional[InlineFacts]:
    lineage = _lineage(semantic, node, INLINE_BASES)
    if lineage is None or set(lineage.values) & _INLINE_LAYOUT or not _read_along(lineage, _INLINE_DYNAMIC):
        return None
    declared = lineage.values.get("model")
    model = semantic.type_of(declared) if declared is not None and "model" not in lineage.remote else None
    if not isinstance(model, ModelClass) or model.orm != "django" or not _shown_by_a_registered_admin(semantic, node):
        return None
    found = _queryset(lineage, model.qualname)
    if found is None:
        return None
    query, returned = found
    entries = _shown_read_only(lineage.values.get("readonly_fields"), lineage.values.get("fields"))
    if entries is None:
        return None
    reads, columns = _shown_reads(semantic, model.qualname, ["__str__", *entries], lineage)
    own_model = class_body(node)[0].get("model", [None])[0]
    inherited = len(lineage.methods.get("get_queryset", ())) > lineage.declared_here("get_queryset")
    return InlineFacts(node, model.qualname, query, reads, own_model, columns, returned, inherits_query=inherited)


def _shown_read_only(readonly: Optional[cst.BaseExpression], fields: Optional[cst.BaseExpression]) -> Optional[List[str]]:
    """The read-only fields an inline shows: all of them, or those its ``fields`` lists
    (a nested tuple puts fields on one line); ``None`` when a setting is not literal."""
    entries = string_elements(readonly) if readonly is not None else []
    if entries is None or fields is None:
        return entries
    if not isinstance(fields, (cst.List, cst.Tuple)):
        return None
    listed: Set[str] = set()
    for element in fields.elements:
        names = [element.value.evaluated_value] if isinstance(element.value, cst.SimpleString) else string_elements(element.value)
        if names is None:
            return None
        listed.update(names)
    return [entry for entry in entries if entry in listed]


def _shown_reads(
    semantic: SemanticModel, model: str, entries: Sequence[str], lineage: _Lineage
) -> Tuple[List[RelationRead], Dict[str, str]]:
    """What showing ``entries`` (``list_display`` columns, read-only fields) reads on a
    row, and for each read the entry that reads it."""
    index = semantic.index
    fields = index.model_fields(model)
    reads: List[RelationRead] = []
    columns: Dict[str, str] = {}
    for entry in entries:
        relation = index.relation(model, entry) if "__" not in entry else None
        # Django looks an entry up as a model field first, then as a method of the admin.
        if entry in lineage.methods and entry not in fields and relation is None:
            method = lineage.methods[entry][0]
            found = _method_reads(semantic, model, method.node) if method.node is not None else _chain_reads(index, model, list(method.argument_reads))
        else:
            chain = (entry,) if entry == "__str__" else tuple(entry.split("__"))
            if relation is not None and relation.kind == "one":
                chain = (entry, "__str__")
            elif relation is not None:
                chain = (entry, "all")  # a many-to-many field lists every related object
            found = _chain_reads(index, model, [chain])
        for read in found:
            if read.lookup not in columns:
                columns[read.lookup] = entry
                reads.append(read)
    return reads, columns


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


def _lineage(semantic: SemanticModel, node: cst.ClassDef, framework: frozenset) -> Optional[_Lineage]:
    """The class and the project classes it derives from, in method resolution order,
    when the order reaches one of ``framework`` after them and nothing else from outside
    the project: a base from elsewhere may set the rows or columns in ways the source
    does not show. Classes of this module are read from their statements, the others
    from the index; a setting the index could not keep as a value keeps it silent."""
    local = _module_classes(semantic)
    found = semantic.lineage(f"{semantic.module}.{node.name.value}") if local.get(node.name.value) is node else None
    if found is None or len(found.order) < 2 or found.order[-1] not in framework:
        return None
    lineage = _Lineage(node, {}, {}, {}, set())
    for position, (qualname, facts) in enumerate(zip(found.order[:-1], found.facts)):
        if facts is None:
            return None
        module_name, _, class_name = qualname.rpartition(".")
        here = module_name == semantic.module
        statement = local.get(class_name) if here else None
        if here and statement is None:
            return None
        if statement is not None:
            declared, defined = class_body(statement)
            if any(len(assignments) > 1 for assignments in declared.values()):
                return None
            values = {name: assignment.value for name, (assignment,) in declared.items()}
            methods = {name: _Method(node=method) for name, method in defined.items()}
        else:
            values = _remote_settings(facts)
            if values is None:
                return None
            methods = _remote_methods(facts)
        for name, value in values.items():
            if name not in lineage.positions:
                lineage.values[name], lineage.positions[name] = value, position
                if statement is None:
                    lineage.remote.add(name)
        for name, method in methods.items():
            lineage.methods.setdefault(name, []).append(method)
            lineage.positions.setdefault(name, position)
    return lineage


def _module_classes(semantic: SemanticModel) -> Dict[str, Optional[cst.ClassDef]]:
    """The module's classes by name, those under a module-level ``if`` / ``try`` /
    ``with`` too (``if settings.KB_ENABLED: class KBItemAdmin``); ``None`` for a name
    defined twice, which of them runs is not known."""
    key = ("admin-classes", id(semantic.module_node))
    if key not in semantic.memo:
        found: Dict[str, Optional[cst.ClassDef]] = {}
        pending = list(semantic.module_node.body) if semantic.module_node is not None else []
        while pending:
            statement = pending.pop()
            if isinstance(statement, cst.ClassDef):
                name = statement.name.value
                found[name] = None if name in found else statement
            elif isinstance(statement, (cst.If, cst.Else, cst.Try, cst.ExceptHandler, cst.Finally, cst.With)):
                pending.extend(statement.body.body if isinstance(statement.body, cst.IndentedBlock) else ())
                pending.extend(child for child in (getattr(statement, "orelse", None), getattr(statement, "finalbody", None)) if child is not None)
                pending.extend(getattr(statement, "handlers", ()))
        semantic.memo[key] = found
    return semantic.memo[key]  # type: ignore[return-value]


def _remote_settings(facts: ClassFacts) -> Optional[Dict[str, cst.BaseExpression]]:
    """The settings a class of another module declares, parsed from the index's text;
    ``None`` when one of them is bound to something the index did not keep."""
    values: Dict[str, cst.BaseExpression] = {}
    for name, summary in facts.attributes:
        if name in _SETTINGS:
            parsed = _parsed(summary.values[0]) if len(summary.values) == 1 else None
            if parsed is None:
                return None
            values[name] = parsed
    bound = {name for name, _ in facts.calls} | {name for name, _ in facts.constants}
    if (bound - set(values)) & _SETTINGS:
        return None
    return values


def _remote_methods(facts: ClassFacts) -> Dict[str, _Method]:
    returns = dict(facts.returns)
    reads: Dict[str, List[Tuple[str, ...]]] = {}
    for method, chain in facts.argument_reads:
        reads.setdefault(method, []).append(chain)
    return {
        name: _Method(delegates=name in facts.delegates, returns=returns.get(name), argument_reads=tuple(reads.get(name, ())))
        for name in facts.methods
    }


def _read_along(lineage: _Lineage, dynamic: frozenset) -> bool:
    """Whether every method of ``dynamic`` along the lineage keeps what Django's own does."""
    return all(
        _keeps_super(method.node) if method.node is not None else method.delegates
        for name in dynamic
        for method in lineage.methods.get(name, ())
    )


def _keeps_super(method: cst.FunctionDef) -> bool:
    """Whether a method leaves Django's behaviour in place: it sets nothing on the
    instance (a ``self.list_display = ...`` decides the columns at run time), and every
    ``return`` gives what ``super()``'s method gives (``get_urls()`` may add routes after
    Django's own, which match first); ``__init__`` returns nothing."""
    name = method.name.value
    nodes = list(walk([method.body]))
    if any(
        isinstance(node, (cst.Assign, cst.AugAssign, cst.AnnAssign))
        and any(isinstance(target, cst.Attribute) for target in _targets(node))
        for node in nodes
    ):
        return False
    returns = [node.value for node in nodes if isinstance(node, cst.Return)]
    if name == "__init__":
        return not returns
    return bool(returns) and all(_gives_super(value, name) for value in returns)


def _gives_super(value: Optional[cst.BaseExpression], name: str) -> bool:
    if name == "get_urls" and isinstance(value, cst.BinaryOperation) and isinstance(value.operator, cst.Add):
        return _gives_super(value.left, name)
    return isinstance(value, cst.Call) and is_super_call(value, name)


def _targets(node) -> List[cst.BaseExpression]:
    return [t.target for t in node.targets] if isinstance(node, cst.Assign) else [node.target]


def _queryset(lineage: _Lineage, model: str) -> Optional[Tuple[QueryType, Optional[cst.BaseExpression]]]:
    """What the lineage's ``get_queryset()`` returns, evaluated from Django's own (the
    model's rows) through each override, and the value the class's own override returns;
    ``None`` when an override does more than refine what ``super()`` gives."""
    query: Optional[QueryType] = QueryType("django", model, "queryset")
    definitions = lineage.methods.get("get_queryset", [])
    for method in reversed(definitions):
        if method.node is not None:
            query = _refined(method.node, query)
        elif not method.delegates:
            query = _summary_refined(method.returns, query)
        if query is None:
            return None
    own = definitions[0].node if lineage.declared_here("get_queryset") else None
    return query, (_returned_value(own) if own is not None else None)


def _summary_refined(summary: Optional[ReturnSummary], given: QueryType) -> Optional[QueryType]:
    """``_refined`` for a ``get_queryset(self, request)`` of another module, from the one
    value the index says it returns."""
    if summary is None or summary.kind != "method" or summary.parameters != (("request", 0),) or len(summary.values) != 1:
        return None
    returned = _parsed(summary.values[0])
    return _chain_query(returned, given, {}) if returned is not None else None


def _refined(method: cst.FunctionDef, given: QueryType) -> Optional[QueryType]:
    """The query ``get_queryset(self, request)`` returns when ``super().get_queryset(request)``
    gives ``given``: straight-line assignments of names, then one ``return``, all chains
    of queryset methods on ``super()``'s queryset or on names bound before."""
    if [p.name.value for p in method.params.params[1:]] != ["request"] or method.params.star_arg is not cst.MaybeSentinel.DEFAULT:
        return None
    statements = _statements(method)
    if not statements or not isinstance(statements[-1], cst.Return):
        return None
    bound: Dict[str, QueryType] = {}
    for statement in statements[:-1]:
        if not (isinstance(statement, cst.Assign) and len(statement.targets) == 1 and isinstance(statement.targets[0].target, cst.Name)):
            return None
        value = _chain_query(statement.value, given, bound)
        if value is None:
            return None
        bound[statement.targets[0].target.value] = value
    returned = statements[-1].value
    return _chain_query(returned, given, bound) if returned is not None else None


def _chain_query(node: cst.BaseExpression, given: QueryType, bound: Dict[str, QueryType]) -> Optional[QueryType]:
    if isinstance(node, cst.Name):
        return bound.get(node.value)
    if not isinstance(node, cst.Call) or not isinstance(node.func, cst.Attribute):
        return None
    if is_super_call(node, "get_queryset"):
        return given
    receiver = _chain_query(node.func.value, given, bound)
    return _query_method(receiver, node.func.attr.value, node) if receiver is not None else None


def _statements(method: cst.FunctionDef) -> Optional[List[cst.BaseSmallStatement]]:
    """The simple statements of a method's body, its docstring left out; ``None`` when it
    has a compound statement or several on a line."""
    body = method.body.body if isinstance(method.body, cst.IndentedBlock) else ()
    found: List[cst.BaseSmallStatement] = []
    for position, statement in enumerate(body):
        if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
            return None
        small = statement.body[0]
        if position == 0 and isinstance(small, cst.Expr) and isinstance(small.value, (cst.SimpleString, cst.ConcatenatedString)):
            continue
        found.append(small)
    return found


def _returned_value(method: cst.FunctionDef) -> Optional[cst.BaseExpression]:
    statements = _statements(method)
    if not statements or not isinstance(statements[-1], cst.Return):
        return None
    return statements[-1].value


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


def _shown_by_a_registered_admin(semantic: SemanticModel, inline: cst.ClassDef) -> bool:
    """Whether a registered admin of the module lists the inline in a literal ``inlines``
    and does not choose its inlines at run time: only then does a change form show it."""
    for statement in _module_classes(semantic).values():
        if statement is None or statement is inline:
            continue
        lineage = _lineage(semantic, statement, ADMIN_BASES)
        listed = lineage.values.get("inlines") if lineage is not None and "inlines" not in lineage.remote else None
        if not isinstance(listed, (cst.List, cst.Tuple)):
            continue
        names = {e.value.value for e in listed.elements if isinstance(e.value, cst.Name)}
        if inline.name.value in names and _read_along(lineage, _INLINE_CHOICE) and _registered_model(semantic, statement):
            return True
    return False


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


def _changelist_query(query: QueryType, select: Optional[cst.BaseExpression], forward_field_shown: bool) -> Optional[QueryType]:
    """What ``ChangeList.apply_select_related`` makes of the admin's query, which
    selects no relation yet."""
    if select is None or (isinstance(select, cst.Name) and select.value == "False"):
        return query.derive(select_all=forward_field_shown)
    if isinstance(select, cst.Name) and select.value == "True":
        return query.derive(select_all=True)
    paths = string_elements(select)
    if paths is None:
        return None
    return query.derive(selected=frozenset(paths))
