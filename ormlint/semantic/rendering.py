"""Views that render a template with query rows in its context: the template's loops over
those rows read relations of each row (see ``templates``), which the N+1 rules report
where the rows' query is built.

Function views: ``render(request, "name.html", {"orders": qs})``, ``TemplateResponse``,
``render_to_string`` and Flask's ``render_template("name.html", orders=rows)``, with a
literal template name and a literal context (a dict display, ``dict(...)`` or a local
name bound once to one). Class-based views: a ``ListView`` with ``queryset`` or
``model``, its ``template_name`` or Django's default ``<app_label>/<model>_list.html``,
and the context names ``object_list``, ``<model>_list`` or ``context_object_name``.
"""

from __future__ import annotations

from typing import Dict, List, Optional

import libcst as cst

from ormlint.semantic.loops import LoopFacts, chain_reads, query_site
from ormlint.semantic.model import SemanticModel
from ormlint.semantic.relations import app_label
from ormlint.semantic.templates import find_template, read_template, template_loops
from ormlint.semantic.types import ModelClass, QueryType
from ormlint.syntax import class_body

#: Rendering functions: where the template name and the context are passed, by position
#: and keyword (``None``: the context is the keyword arguments).
_RENDERERS = {
    "django.shortcuts.render": ((1, "template_name"), (2, "context")),
    "django.template.response.TemplateResponse": ((1, "template"), (2, "context")),
    "django.template.loader.render_to_string": ((0, "template_name"), (1, "context")),
    "flask.render_template": ((0, "template_name_or_list"), None),
}
_LIST_VIEWS = frozenset({"django.views.generic.ListView", "django.views.generic.list.ListView"})


def render_facts(semantic: SemanticModel, call: cst.Call) -> List[LoopFacts]:
    key = ("render", id(call))
    if key not in semantic.memo:
        semantic.memo[key] = _render_facts(semantic, call)
    return semantic.memo[key]  # type: ignore[return-value]


def _render_facts(semantic: SemanticModel, call: cst.Call) -> List[LoopFacts]:
    if not semantic.index.templates:
        return []
    places = _RENDERERS.get(semantic.qualified_name(call.func) or "")
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
    return _facts(semantic, call, name.evaluated_value, context)


def list_view_facts(semantic: SemanticModel, node: cst.ClassDef) -> List[LoopFacts]:
    key = ("list-view", id(node))
    if key not in semantic.memo:
        semantic.memo[key] = _list_view_facts(semantic, node)
    return semantic.memo[key]  # type: ignore[return-value]


def _list_view_facts(semantic: SemanticModel, node: cst.ClassDef) -> List[LoopFacts]:
    if not semantic.index.templates or not node.bases:
        return []
    if not all(semantic.qualified_name(b.value) in _LIST_VIEWS for b in node.bases):
        return []
    declared, methods = class_body(node)
    if "get_queryset" in methods or "get_template_names" in methods:
        return []
    values = {name: [a.value for a in found] for name, found in declared.items()}
    if any(len(v) > 1 for v in values.values()):
        return []
    rows: Optional[cst.BaseExpression] = None
    if "queryset" in values:
        rows = values["queryset"][0]
        query = semantic.queryset_type(rows)
    elif "model" in values:
        rows = values["model"][0]
        model = semantic.type_of(rows)
        query = QueryType("django", model.qualname, "queryset") if isinstance(model, ModelClass) and model.orm == "django" else None
    else:
        return []
    if query is None or query.orm != "django" or not query.model:
        return []
    model_name = query.model.rpartition(".")[2].lower()
    template = values.get("template_name", [None])[0]
    if template is not None and not isinstance(template, cst.SimpleString):
        return []
    template_name = template.evaluated_value if template is not None else f"{app_label(semantic.index, query.model)}/{model_name}_list.html"
    names = ["object_list"]
    given = values.get("context_object_name", [None])[0]
    if isinstance(given, cst.SimpleString):
        names.append(given.evaluated_value)
    elif given is None:
        names.append(f"{model_name}_list")
    else:
        return []
    return _facts(semantic, node, template_name, {name: rows for name in names}, query)


def _facts(
    semantic: SemanticModel,
    node: cst.CSTNode,
    template_name: str,
    context: Dict[str, cst.BaseExpression],
    query: Optional[QueryType] = None,
) -> List[LoopFacts]:
    templates = semantic.index.templates
    path = find_template(templates, template_name)
    text = read_template(path) if path is not None else None
    if text is None:
        return []

    def load_include(name: str) -> Optional[str]:
        included = find_template(templates, name)
        return read_template(included) if included is not None else None

    loops = template_loops(text, load_include)
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
        facts = LoopFacts(node, rows, value, built_at, loops.variables[name], via=f"template `{template_name}`")
        facts.reads = chain_reads(semantic.index, rows.model, chains)
        found.append(facts)
    return found


def _argument(call: cst.Call, position: int, keyword: str) -> Optional[cst.BaseExpression]:
    for argument in call.args:
        if argument.keyword is not None and argument.keyword.value == keyword:
            return argument.value
    positional = [a.value for a in call.args if a.keyword is None and not a.star]
    return positional[position] if len(positional) > position else None


def _context(semantic: SemanticModel, value: Optional[cst.BaseExpression]) -> Dict[str, cst.BaseExpression]:
    """A literal context: ``{"orders": qs}``, ``dict(orders=qs)``, or a local name bound
    once to one of these."""
    if isinstance(value, cst.Name):
        found = semantic.lookup(value.value)
        if found is None or len(found[1]) != 1 or found[1][0].kind != "assign":
            return {}
        value = found[1][0].value
    if isinstance(value, cst.Dict):
        return {
            e.key.evaluated_value: e.value
            for e in value.elements
            if isinstance(e, cst.DictElement) and isinstance(e.key, cst.SimpleString)
        }
    if isinstance(value, cst.Call) and isinstance(value.func, cst.Name) and value.func.value == "dict":
        return {a.keyword.value: a.value for a in value.args if a.keyword is not None}
    return {}
