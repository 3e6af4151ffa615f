"""Views that render a template with query rows in its context: the template's loops over
those rows read relations of each row (see ``templates``), which the N+1 rules report
where the rows' query is built.

Function views: ``render(request, "name.html", {"orders": qs})``, ``TemplateResponse``,
``render_to_string``, Flask's ``render_template("name.html", orders=rows)`` and project
functions that wrap one of them (``renderers``), with a literal template name and a
literal context: a dict display, ``dict(...)``, or a local name bound once to one, with
the keys the function then sets (``context["orders"] = qs``, ``context.update(orders=qs)``).

Class-based views, read through their lineage (project bases and mixins, see
``lineage``): a ``ListView`` with ``queryset`` or ``model``, its ``template_name`` or
Django's default ``<app_label>/<model>_list.html``, and the context names
``object_list``, ``<model>_list`` or ``context_object_name``; a ``DetailView`` likewise
(``<model>_detail.html``, ``object`` and ``<model>``), whose template loops over
relations of its one object; and the keys a template view's ``get_context_data()`` adds
to what ``super()`` gives.
"""

from __future__ import annotations

import ast
from typing import Dict, Iterator, List, Optional

import libcst as cst

from ormlint.semantic.lineage import DJANGO_ACCESS_MIXINS, Lineage
from ormlint.semantic.loops import LoopFacts, chain_reads, query_site
from ormlint.semantic.model import SemanticModel
from ormlint.semantic.relations import app_label
from ormlint.semantic.renderers import RENDERERS, renders_jinja
from ormlint.semantic.summaries import calls_super
from ormlint.semantic.templates import find_template, read_template, template_loops
from ormlint.semantic.types import ModelClass, QueryType
from ormlint.syntax import children, class_body, is_super_call

_LIST_VIEWS = frozenset({"django.views.generic.ListView", "django.views.generic.list.ListView"})
_DETAIL_VIEWS = frozenset({"django.views.generic.DetailView", "django.views.generic.detail.DetailView"})
#: Django's mixins that bind none of the names a view's rows and template depend on.
_NEUTRAL_MIXINS = DJANGO_ACCESS_MIXINS | {"django.contrib.messages.views.SuccessMessageMixin"}
#: What decides a list or detail view's rows, its template and the rows' names there.
_ROW_METHODS = ("get_queryset", "get_template_names", "get_object", "get_context_object_name")
#: What a ``get_queryset()`` override may call on ``super().get_queryset()`` and keep the
#: rows loading what the view's queryset loads.
_REFINING = frozenset({"filter", "exclude", "order_by", "distinct", "all", "reverse", "annotate", "alias"})
#: Django's views that render ``template_name`` with what ``get_context_data()`` returns.
_TEMPLATE_VIEWS = frozenset(
    f"django.views.generic.{module}{name}"
    for name, module in (
        ("TemplateView", "base."),
        ("TemplateResponseMixin", "base."),
        ("ListView", "list."),
        ("DetailView", "detail."),
        ("FormView", "edit."),
        ("CreateView", "edit."),
        ("UpdateView", "edit."),
        ("DeleteView", "edit."),
    )
    for module in ("", module)
)


def render_facts(semantic: SemanticModel, call: cst.Call) -> List[LoopFacts]:
    key = ("render", id(call))
    if key not in semantic.memo:
        semantic.memo[key] = _render_facts(semantic, call) or _context_data_facts(semantic, call)
    return semantic.memo[key]  # type: ignore[return-value]


def _render_facts(semantic: SemanticModel, call: cst.Call) -> List[LoopFacts]:
    if not semantic.index.templates:
        return []
    qualname = semantic.qualified_name(call.func) or ""
    places = RENDERERS.get(qualname)
    if places is None and qualname.rpartition(".")[2] in semantic.index.looping_functions:
        places = semantic.index.rendering_places(qualname)
    if places is None:
        return []
    name = _argument(call, *places[0])
    if not isinstance(name, cst.SimpleString):
        return []
    if places[1] is None:
        context = {a.keyword.value: a.value for a in call.args if a.keyword is not None}
    else:
        context = _context(semantic, _argument(call, *places[1]))
    if not context:
        return []
    return _facts(semantic, call, name.evaluated_value, context, jinja=renders_jinja(places, name.evaluated_value))


def _context_data_facts(semantic: SemanticModel, call: cst.Call) -> List[LoopFacts]:
    """``super().get_context_data(**kwargs)`` in a template view's ``get_context_data()``:
    the keys given to it, set on ``kwargs`` before and on the result after, are the
    template's context."""
    method = semantic.scope
    if not semantic.index.templates or not is_super_call(call, "get_context_data") or method is None:
        return []
    view = method.parent
    if method.kind != "function" or method.node.name.value != "get_context_data" or view is None or view.kind != "class":
        return []
    template = _template_name(semantic, view.node)
    if template is None:
        return []
    context: Dict[str, List[cst.BaseExpression]] = {}
    for argument in call.args:
        if argument.keyword is not None:
            context.setdefault(argument.keyword.value, []).append(argument.value)
        elif argument.star == "**" and isinstance(argument.value, cst.Name):
            _merge(context, _keys_set(method.node, argument.value.value))
    result = _assigned_to(method.node, call)
    if result is not None:
        _merge(context, _keys_set(method.node, result))
    # Read as the method's last line reads them: a name bound twice may be read before its
    # second binding here, which the traversal has not met yet.
    settled = {name: values[0] for name, values in context.items() if len(values) == 1 and _settled(semantic, values[0])}
    return _facts(semantic, call, template, settled)


def _template_name(semantic: SemanticModel, view: cst.ClassDef) -> Optional[str]:
    """The literal ``template_name`` of a project template view, along its lineage, when
    nothing there chooses the template otherwise (``get_template_names()``) and it
    reaches no framework class but Django's template views and neutral mixins."""
    lineage = semantic.lineage(f"{semantic.module}.{view.name.value}")
    if lineage is None:
        return None
    framework = set(lineage.outside()) - _NEUTRAL_MIXINS
    if not framework or not framework <= _TEMPLATE_VIEWS or not _framework_binds(lineage, "get_template_names"):
        return None
    return _literal_attribute(lineage, "template_name", "") or None


def list_view_facts(semantic: SemanticModel, node: cst.ClassDef) -> List[LoopFacts]:
    key = ("list-view", id(node))
    if key not in semantic.memo:
        semantic.memo[key] = _object_view_facts(semantic, node)
    return semantic.memo[key]  # type: ignore[return-value]


def _object_view_facts(semantic: SemanticModel, node: cst.ClassDef) -> List[LoopFacts]:
    """A ``ListView`` renders its rows as ``object_list`` and ``<model>_list``; a
    ``DetailView`` one row as ``object`` and ``<model>``, whose relations the template may
    loop over (``{% for line in object.lines.all %}``). The view may reach either through
    project bases and mixins (see ``_object_view_kind``); its rows are its own
    ``queryset`` or ``model``."""
    if not semantic.index.templates or not node.bases:
        return []
    lineage = semantic.lineage(f"{semantic.module}.{node.name.value}")
    kind = _object_view_kind(lineage) if lineage is not None else None
    if kind is None:
        return []
    declared, _ = class_body(node)
    values = {name: [a.value for a in found] for name, found in declared.items()}
    if any(len(v) > 1 for v in values.values()):
        return []
    rows: Optional[cst.BaseExpression] = None
    if "queryset" in values:
        rows = values["queryset"][0]
        query = semantic.queryset_type(rows)
    elif "model" in values and _framework_binds(lineage, "queryset"):
        rows = values["model"][0]
        model = semantic.type_of(rows)
        query = QueryType("django", model.qualname, "queryset") if isinstance(model, ModelClass) and model.orm == "django" else None
    else:
        return []
    if query is None or query.orm != "django" or not query.model:
        return []
    model_name = query.model.rpartition(".")[2].lower()
    template_name = _literal_attribute(lineage, "template_name", f"{app_label(semantic.index, query.model)}/{model_name}_{kind}.html")
    given = _literal_attribute(lineage, "context_object_name", f"{model_name}_list" if kind == "list" else model_name)
    if template_name is None or given is None:
        return []
    names = ["object_list" if kind == "list" else "object", given]
    return _facts(semantic, node, template_name, {name: rows for name in names}, query, one=kind == "detail")


def _object_view_kind(lineage: Lineage) -> Optional[str]:
    """``list`` or ``detail`` for a class whose lineage reaches Django's ``ListView`` or
    ``DetailView`` (besides mixins that bind none of the names the rows depend on), if
    every override along it of what decides the rows, the template and the rows' names
    there keeps what the framework does with ``queryset`` / ``model``."""
    framework = set(lineage.outside()) - _NEUTRAL_MIXINS
    kind = "list" if framework and framework <= _LIST_VIEWS else "detail" if framework and framework <= _DETAIL_VIEWS else None
    if kind is None or not all(_framework_binds(lineage, name) for name in _ROW_METHODS):
        return None
    return kind


def _framework_binds(lineage: Lineage, name: str) -> bool:
    """Whether ``name`` is, along the lineage, the framework's own or an override that
    hands on to it: one that only calls ``super()``, or a ``get_queryset()`` that only
    filters or orders ``super().get_queryset()``, which loads what the rows load."""
    position = 0
    while True:
        member = lineage.member(name, position, _NEUTRAL_MIXINS)
        if member is None or member.kind == "outside":
            return True
        refines = name == "get_queryset" and member.kind == "method" and member.summary is not None and all(
            _refines_super(value) for value in member.summary.values
        )
        if member.kind != "delegate" and not refines:
            return False
        position = member.position + 1


def _refines_super(source: str) -> bool:
    """``super().get_queryset().filter(...).order_by(...)``: rows of the framework's
    queryset, loading what it loads."""
    try:
        node = ast.parse(source, mode="eval").body
    except SyntaxError:
        return False
    while isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in _REFINING:
        node = node.func.value
    return calls_super(node, "get_queryset")


def _literal_attribute(lineage: Lineage, name: str, default: str) -> Optional[str]:
    """The string a class-level ``name`` is along the lineage, ``default`` when only the
    framework binds it, ``None`` when it is bound to anything else."""
    member = lineage.member(name, neutral=_NEUTRAL_MIXINS)
    if member is None or member.kind == "outside":
        return default
    if member.kind != "attribute" or member.summary is None or member.summary.names:
        return None
    try:
        value = ast.literal_eval(member.summary.values[0])
    except (ValueError, SyntaxError):
        return None
    return value if isinstance(value, str) else None


def _facts(
    semantic: SemanticModel,
    node: cst.CSTNode,
    template_name: str,
    context: Dict[str, cst.BaseExpression],
    query: Optional[QueryType] = None,
    one: bool = False,
    jinja: bool = False,
) -> List[LoopFacts]:
    """What the template reads on each row of the context's querysets; with ``one``, the
    context's values are one row of ``query`` each (a ``DetailView``'s object), and what
    is read per row is read on the items of its relations that the template loops over."""
    templates = semantic.index.templates
    path = find_template(templates, template_name)
    text = read_template(path) if path is not None else None
    if text is None:
        return []

    def load_include(name: str) -> Optional[str]:
        included = find_template(templates, name)
        return read_template(included) if included is not None else None

    loops = template_loops(text, load_include, tuple(context) if one else (), jinja)
    found: List[LoopFacts] = []
    for name, chains in loops.chains.items():
        value = context.get(name)
        if value is None:
            continue
        rows = query or semantic.queryset_type(value)
        # A template may loop over a manager too: ``{% for line in order.lines.all %}``.
        if rows is None or rows.partial or not (rows.iterated_rows or (rows.kind == "manager" and rows.model)):
            continue
        built_at = query_site(semantic, value) if query is None else (value if isinstance(value, cst.Call) else None)
        facts = LoopFacts(node, rows, value, built_at, loops.variables.get(name, name), via=f"template `{template_name}`")
        facts.reads = chain_reads(semantic.index, rows.model, chains)
        if one:
            # Each relation of the object that is looped over is one query.
            once = {read.path for read in chain_reads(semantic.index, rows.model, loops.iterated.get(name, []))}
            facts.reads = [read for read in facts.reads if read.path not in once]
        if facts.reads or not one:
            found.append(facts)
    return found


def _argument(call: cst.Call, position: int, keyword: str) -> Optional[cst.BaseExpression]:
    for argument in call.args:
        if argument.keyword is not None and argument.keyword.value == keyword:
            return argument.value
    positional = [a.value for a in call.args if a.keyword is None and not a.star]
    return positional[position] if 0 <= position < len(positional) else None


def _context(semantic: SemanticModel, value: Optional[cst.BaseExpression]) -> Dict[str, cst.BaseExpression]:
    """A literal context: ``{"orders": qs}``, ``dict(orders=qs)``, or a local name bound
    once to one of these, with the keys the function sets on it; a key set twice is
    left out."""
    context: Dict[str, List[cst.BaseExpression]] = {}
    if isinstance(value, cst.Name):
        found = semantic.lookup(value.value)
        if found is None or len(found[1]) != 1 or found[1][0].kind != "assign":
            return {}
        scope, name, value = found[0], value.value, found[1][0].value
        if scope.kind == "function":
            context = _keys_set(scope.node, name)
    _merge(context, _literal_keys(value))
    return {key: values[0] for key, values in context.items() if len(values) == 1}


def _literal_keys(value: Optional[cst.BaseExpression]) -> Dict[str, List[cst.BaseExpression]]:
    if isinstance(value, cst.Dict):
        return {
            e.key.evaluated_value: [e.value]
            for e in value.elements
            if isinstance(e, cst.DictElement) and isinstance(e.key, cst.SimpleString)
        }
    if isinstance(value, cst.Call) and isinstance(value.func, cst.Name) and value.func.value == "dict":
        return {a.keyword.value: [a.value] for a in value.args if a.keyword is not None}
    return {}


def _keys_set(function: cst.FunctionDef, name: str) -> Dict[str, List[cst.BaseExpression]]:
    """The values ``function`` sets on the dict ``name`` by key: ``name["k"] = v``,
    ``name.update(k=v)``, ``name.update({"k": v})``."""
    found: Dict[str, List[cst.BaseExpression]] = {}
    for statement in _statements(function):
        for small in statement.body:
            if isinstance(small, cst.Assign) and len(small.targets) == 1:
                target = small.targets[0].target
                if isinstance(target, cst.Subscript) and _is_name(target.value, name) and len(target.slice) == 1:
                    key = target.slice[0].slice
                    if isinstance(key, cst.Index) and isinstance(key.value, cst.SimpleString):
                        found.setdefault(key.value.evaluated_value, []).append(small.value)
            elif isinstance(small, cst.Expr) and isinstance(small.value, cst.Call):
                call = small.value
                if isinstance(call.func, cst.Attribute) and call.func.attr.value == "update" and _is_name(call.func.value, name):
                    positional = [a.value for a in call.args if a.keyword is None and not a.star]
                    _merge(found, _literal_keys(positional[0]) if len(positional) == 1 else {})
                    _merge(found, {a.keyword.value: [a.value] for a in call.args if a.keyword is not None})
    return found


def _assigned_to(function: cst.FunctionDef, value: cst.BaseExpression) -> Optional[str]:
    """The name ``function`` assigns ``value`` to (``context = value``), if it does."""
    for statement in _statements(function):
        for small in statement.body:
            if isinstance(small, cst.Assign) and small.value is value and len(small.targets) == 1:
                target = small.targets[0].target
                return target.value if isinstance(target, cst.Name) else None
    return None


def _statements(function: cst.FunctionDef) -> Iterator[cst.SimpleStatementLine]:
    """The simple statement lines of a function, in its blocks but not in the functions
    and classes it defines."""
    pending: List[cst.CSTNode] = [function.body]
    while pending:
        node = pending.pop()
        if isinstance(node, cst.SimpleStatementLine):
            yield node
        elif not isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.BaseExpression)):
            pending.extend(reversed(children(node)))


def _settled(semantic: SemanticModel, value: cst.BaseExpression) -> bool:
    """Whether the name an expression starts from has one binding in its function."""
    root = value
    while isinstance(root, (cst.Call, cst.Attribute, cst.Subscript)):
        root = root.func if isinstance(root, cst.Call) else root.value
    if not isinstance(root, cst.Name):
        return True
    found = semantic.lookup(root.value)
    return found is None or found[0].kind != "function" or len(found[1]) == 1


def _merge(into: Dict[str, List[cst.BaseExpression]], more: Dict[str, List[cst.BaseExpression]]) -> None:
    for key, values in more.items():
        into.setdefault(key, []).extend(values)


def _is_name(node: cst.BaseExpression, name: str) -> bool:
    return isinstance(node, cst.Name) and node.value == name
