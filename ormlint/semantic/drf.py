"""What a Django REST framework list view serializes on each row, and what its queryset
loads.

A list view (``ModelViewSet``, ``ListAPIView``...) runs its ``serializer_class`` on every
row of its ``queryset``. The serializer reads per row: nested serializers of relations
(``many=True``: a related manager), dotted ``source='customer.name'``,
``SerializerMethodField`` methods reading ``obj.<relation>``, ``StringRelatedField``
(the target's ``__str__``), ``SlugRelatedField``, many-valued primary key fields, and a
``ModelSerializer``'s implicit fields (many-to-many primary keys; with ``Meta.depth``,
nested relations). A single foreign key is serialized by its ``<name>_id`` and reads
nothing.

Serializers are read as DRF runs them, as projects write them: a related field class of
the project given ``many=True`` becomes a ``ManyRelatedField`` that reads
``source.all()`` and gives each row to the class's ``to_representation``; a ``source``
that names a property follows the relation the property returns; ``ListSerializer(child=
...)`` is its child nested with ``many=True``; a ``SerializerMethodField`` that returns
``LineSerializer(obj.lines.all(), many=True).data`` nests ``LineSerializer``; and a base
imported through a module of the project is DRF's class that module imports.

Views are read through their lineage (``lineage``): project base views and mixins in
any module, ``queryset`` and ``serializer_class`` wherever the lineage sets them,
``get_queryset()`` and ``get_serializer_class()`` from their summaries (several
statements, ``super()``, helpers, branches on ``self.action`` for the list action).

The serializer is read from the project index (it usually lives in another module).
Anything ormlint cannot read for certain (a class from outside the project and DRF in the
lineage, a listing of its own, a queryset or serializer that cannot be named, a field
whose source does not resolve) keeps it silent, or drops that field.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field, replace
from typing import Callable, Dict, List, Optional, Set, Tuple

import libcst as cst

from ormlint.semantic.index import ClassFacts, ProjectIndex
from ormlint.semantic.lineage import DJANGO_ACCESS_MIXINS, Lineage, Member
from ormlint.semantic.loops import LoopFacts, RelationRead, _chain_reads, _resolve, _single_assignment, query_site
from ormlint.semantic.model import SemanticModel, _join
from ormlint.semantic.relations import Relation
from ormlint.semantic.summaries import action_may_run, attribute_path
from ormlint.semantic.types import ClassObject, QueryType
from ormlint.semantic.writes import passed_argument
from ormlint.syntax import class_body, walk

SERIALIZER_BASES = frozenset(
    {
        "rest_framework.serializers.ModelSerializer",
        "rest_framework.serializers.HyperlinkedModelSerializer",
        "rest_framework.serializers.Serializer",
    }
)
LIST_VIEWS = frozenset(
    {
        "rest_framework.viewsets.ModelViewSet",
        "rest_framework.viewsets.ReadOnlyModelViewSet",
        "rest_framework.generics.ListAPIView",
        "rest_framework.generics.ListCreateAPIView",
    }
)
#: What makes a list view of a class that assembles one from DRF's parts.
_LIST_MIXIN = "rest_framework.mixins.ListModelMixin"
_GENERIC_VIEWS = frozenset({"rest_framework.generics.GenericAPIView", "rest_framework.viewsets.GenericViewSet"})
#: Classes from outside the project that bind none of the names a list view's rows and
#: serializer come from (``queryset``, ``get_queryset``, ``serializer_class``, ...):
#: DRF's mixins (``ListModelMixin`` binds ``list``, which DRF's list action is) and the
#: access mixins of Django and DRF.
_NEUTRAL = frozenset(
    {
        _LIST_MIXIN,
        "rest_framework.mixins.CreateModelMixin",
        "rest_framework.mixins.RetrieveModelMixin",
        "rest_framework.mixins.UpdateModelMixin",
        "rest_framework.mixins.DestroyModelMixin",
        "rest_framework.viewsets.ViewSetMixin",
    }
    | DJANGO_ACCESS_MIXINS
)
#: The classes from outside the project a list view may derive from and still be read.
_KNOWN = LIST_VIEWS | _GENERIC_VIEWS | _NEUTRAL
#: View methods that decide how the rows are listed: a project override must only hand
#: the call on to DRF's, or, for those in ``_WRAPPED``, call DRF's and do more around it
#: that does not touch the rows or the serializer.
_LISTING = ("list", "get_serializer", "filter_queryset", "paginate_queryset", "get_paginated_response")
_WRAPPED = frozenset({"list", "get_paginated_response"})
#: The names that say which rows a list view lists and how it serializes them.
_LISTED_BY = ("queryset", "get_queryset", "serializer_class", "get_serializer_class")
_PK_FIELDS = frozenset({"PrimaryKeyRelatedField", "HyperlinkedRelatedField", "HyperlinkedIdentityField"})
#: DRF's related fields, which ``many=True`` turns into a ``ManyRelatedField`` of them.
_RELATED_FIELDS = frozenset({"RelatedField", "StringRelatedField", "SlugRelatedField"}) | _PK_FIELDS
_MAX_DEPTH = 3

#: A read and the serializer field it comes from.
FieldRead = Tuple[RelationRead, str]


@dataclass
class ViewFacts:
    node: cst.ClassDef
    #: What every queryset the list action may get its rows from loads (a relation counts
    #: as loaded when each of them loads it).
    query: QueryType
    #: Where a fix goes: the view's own ``queryset = ...`` value or the value its own
    #: ``get_queryset()`` returns; ``None`` when the rows come from elsewhere (a base
    #: class in another module), and the finding is reported at the class.
    queryset: Optional[cst.BaseExpression]
    serializer: str
    reads: List[RelationRead]
    fields: Dict[str, str] = field(default_factory=dict)
    #: Where the rows are made, when that is not in this class: ``OrderBaseViewSet.queryset``.
    rows_from: str = ""


def analyse_view(semantic: SemanticModel, node: cst.ClassDef) -> Optional[ViewFacts]:
    key = ("drf", id(node))
    if key not in semantic.memo:
        semantic.memo[key] = _analyse_view(semantic, node)
    return semantic.memo[key]  # type: ignore[return-value]


def _analyse_view(semantic: SemanticModel, node: cst.ClassDef) -> Optional[ViewFacts]:
    """A list view of this module, read through its lineage: what its list action's
    querysets load, and what every serializer the action may use reads on each row. A
    view that only inherits what a project base class already lists is that class's
    finding, not its own."""
    module = semantic.module_node
    if not node.bases or module is None or not any(statement is node for statement in module.body):
        return None  # the index knows the module's own classes only
    qualname = f"{semantic.module}.{node.name.value}"
    outcome = _list_outcome(semantic, qualname)
    if outcome is None:
        return None
    query, serializers, view = outcome
    lineage = view.lineage
    if not any(getattr(lineage.member(name), "position", None) == 0 for name in _LISTED_BY):
        for base, facts in zip(lineage.order[1:], lineage.facts[1:]):
            if facts is not None and (_list_outcome(semantic, base) or ())[:2] == outcome[:2]:
                return None  # it lists what a base lists, as the base does
    common: Optional[Dict[str, FieldRead]] = None
    for serializer in serializers:
        found = serializer_reads(semantic.index, serializer, query.model)
        if found is None:
            return None
        reads = {read.lookup: (read, name) for read, name in reversed(found)}  # the first field of a path names it
        common = reads if common is None else {lookup: common[lookup] for lookup in common if lookup in reads}
    assert common is not None
    fields = {lookup: name for lookup, (_, name) in common.items()}
    names = " / ".join(f"`{name.rpartition('.')[2]}`" for name in dict.fromkeys(serializers))
    serializer = names.strip("`") if len(set(serializers)) == 1 else names
    site = _fix_site(semantic, node, view)
    return ViewFacts(node, query, site, serializer, [read for read, _ in common.values()], fields, _rows_from(view) if site is None else "")


def _rows_from(view: ClassObject) -> str:
    """The project method or attribute the list action's rows come from, as ``Class.name``."""
    lineage = view.lineage
    getter = lineage.member("get_queryset", 0, view.neutral)
    found = getter if getter is not None and getter.kind != "outside" else lineage.member("queryset", 0, view.neutral)
    if found is None or found.kind == "outside":
        return ""
    return f"{found.owner.rpartition('.')[2]}.{'get_queryset()' if found is getter else 'queryset'}"


def _list_outcome(semantic: SemanticModel, qualname: str) -> Optional[Tuple[QueryType, Tuple[str, ...], ClassObject]]:
    """For a project class that is a DRF list view: what its list action's querysets
    load, the serializers it may use, and the view as ``self``; ``None`` when it is no
    list view or any of it cannot be read for certain."""
    key = ("drf-outcome", qualname)
    if key not in semantic.memo:
        semantic.memo[key] = _read_list_outcome(semantic, qualname)
    return semantic.memo[key]  # type: ignore[return-value]


def _read_list_outcome(semantic: SemanticModel, qualname: str) -> Optional[Tuple[QueryType, Tuple[str, ...], ClassObject]]:
    lineage = semantic.lineage(qualname)
    if lineage is None:
        return None
    outside = {_drf_name(name) for name in lineage.outside()}
    if not outside <= _KNOWN or not (outside & LIST_VIEWS or (_LIST_MIXIN in outside and outside & _GENERIC_VIEWS)):
        return None
    neutral = frozenset(_NEUTRAL | {name for name in lineage.outside() if _drf_name(name) in _NEUTRAL})
    view = ClassObject(lineage, neutral=neutral)
    for method in _LISTING:
        member = lineage.member(method, 0, neutral - {_LIST_MIXIN, "rest_framework.generics.mixins.ListModelMixin"})
        if member is not None and member.kind not in ("outside", "delegate") and not _wraps(lineage, member, method):
            return None  # a listing of its own
    query = _list_query(semantic, view)
    if query is None or query.orm != "django" or not query.model or not query.yields_instances or query.partial:
        return None
    if query.kind not in ("manager", "queryset"):
        return None
    serializers = _references(semantic, view, "get_serializer_class", call=True)
    if not serializers or not all(_is_serializer(semantic.index, name) for name in serializers):
        return None
    return query, tuple(sorted(set(serializers))), view


def _wraps(lineage: Lineage, member: Member, method: str) -> bool:
    """Whether a project override of ``method`` calls DRF's and only does more around it
    (answers 304 from a header, sets a header, logs), setting nothing on the view that
    DRF's would then read: on the path that calls it, the list is DRF's, and so are its
    queries."""
    facts = lineage.facts[member.position]
    return method in _WRAPPED and facts is not None and method in facts.extends


def _drf_name(name: str) -> str:
    """DRF's classes as DRF names them (``generics.mixins.ListModelMixin`` is the mixin
    ``rest_framework.generics`` imports)."""
    return name.replace("rest_framework.generics.mixins.", "rest_framework.mixins.")


def _list_query(semantic: SemanticModel, view: ClassObject) -> Optional[QueryType]:
    """What the querysets ``get_queryset()`` may give the list action load; a branch
    on ``self.action`` that excludes ``list`` does not count."""
    member = view.lineage.member("get_queryset", 0, view.neutral)
    if member is not None and member.kind == "method" and member.summary is not None and member.summary.actions:
        values = semantic.returned_values(member.summary, None, view.bound_at(member.position))
        if values is None:
            return None
        found = _join([t for t, actions in zip(values, member.summary.actions) if action_may_run(actions, "list")])
    else:
        found = semantic.member_call_type(view, "get_queryset", None)
    return found if isinstance(found, QueryType) else None


def _references(semantic: SemanticModel, receiver: ClassObject, name: str, call: bool, depth: int = 0) -> Optional[List[str]]:
    """The classes ``self.<name>`` (``call``: ``self.<name>()``) may be for the list
    action: a ``serializer_class`` set anywhere in the lineage, what a project
    ``get_serializer_class()`` returns (by ``self.action``), or DRF's, which is
    ``serializer_class``. ``None`` when one of them cannot be named."""
    lineage = receiver.lineage
    member = lineage.member(name, receiver.start, receiver.neutral)
    if member is None or depth > _MAX_DEPTH:
        return None
    if call and member.kind == "delegate":
        return _references(semantic, receiver.after(member.position), name, call, depth + 1)
    if call and member.kind == "outside":
        if name == "get_serializer_class" and _drf_name(member.owner) in _KNOWN:
            return _references(semantic, receiver.bound_at(0), "serializer_class", False, depth + 1)
        return None
    if member.summary is None or member.kind != ("method" if call else "attribute"):
        return None
    scope, values = semantic.summary_expressions(member.summary, receiver.bound_at(member.position))
    actions = member.summary.actions or ("",) * len(values)
    found: List[str] = []
    for value, reached in zip(values, actions):
        if not action_may_run(reached, "list"):
            continue
        named = _named_classes(semantic, value, scope, depth) if value is not None else None
        if named is None:
            return None
        found.extend(named)
    return found


def _named_classes(semantic: SemanticModel, value: cst.BaseExpression, scope, depth: int) -> Optional[List[str]]:
    """The class ``value`` names: ``OrderSerializer``, ``serializers.OrderSerializer``,
    ``self.serializer_class``, ``super().get_serializer_class()``, either side of an
    ``if`` expression."""
    if isinstance(value, cst.IfExp):
        body, orelse = (_named_classes(semantic, v, scope, depth) for v in (value.body, value.orelse))
        return body + orelse if body is not None and orelse is not None else None
    if isinstance(value, cst.Call) and not value.args and isinstance(value.func, cst.Attribute):
        receiver = semantic.type_of(value.func.value, scope)
        if isinstance(receiver, ClassObject):
            return _references(semantic, receiver, value.func.attr.value, True, depth + 1)
        return None
    if isinstance(value, cst.Attribute):
        receiver = semantic.type_of(value.value, scope)
        if isinstance(receiver, ClassObject):
            return _references(semantic, receiver, value.attr.value, False, depth + 1)
    if isinstance(value, (cst.Name, cst.Attribute)):
        qualname = semantic.qualified_name(value, scope)
        return [semantic.index.canonical(qualname)] if qualname and not qualname.startswith("builtins.") else None
    return None


def _fix_site(semantic: SemanticModel, node: cst.ClassDef, view: ClassObject) -> Optional[cst.BaseExpression]:
    """Where adding the load fixes every queryset of the list action: the value of the
    view's own ``get_queryset()`` when it has one ``return``, or its own ``queryset =
    ...`` when every such queryset is made from it (DRF's ``get_queryset()``, or a
    project mixin's that refines ``super().get_queryset()``)."""
    declared, methods = class_body(node)
    getter = view.lineage.member("get_queryset", 0, view.neutral)
    if getter is not None and getter.position == 0 and "get_queryset" in methods:
        returns = [n for n in walk([methods["get_queryset"].body]) if isinstance(n, cst.Return)]
        return returns[0].value if len(returns) == 1 else None
    own = semantic.member_type(view, "queryset") if len(declared.get("queryset", [])) == 1 else None
    if not isinstance(own, QueryType) or view.lineage.member("queryset", 0, view.neutral).position != 0:
        return None
    marked = own.derive(selected=own.selected | {_MARKER})
    rows = _list_query(semantic, replace(view, assumed=((0, "queryset", marked),)))
    return declared["queryset"][0].value if rows is not None and _MARKER in rows.selected else None


#: A relation path no model has, assumed loaded by a view's own queryset to see whether
#: the rows its list action gets come from there.
_MARKER = "\0own queryset"


def serializer_reads(index: ProjectIndex, serializer: str, model: str, depth: int = 0) -> Optional[List[FieldRead]]:
    """What ``serializer`` reads on an object of ``model``: (read, field) pairs; ``None``
    when the serializer cannot be read for certain."""
    lineage = index.lineage(serializer)
    if not lineage or depth > _MAX_DEPTH:
        return None
    outside = _outside_bases(index, lineage)
    if not outside or not outside <= SERIALIZER_BASES:
        return None
    declared: Dict[str, Tuple[str, Dict[str, str]]] = {}
    meta: Dict[str, str] = {}
    methods: Dict[str, ClassFacts] = {}
    for _, facts in lineage:  # the class first: its own declarations win
        options: Dict[str, Dict[str, str]] = {}
        for attribute, keyword, value in facts.call_options:
            options.setdefault(attribute, {})[keyword] = value
        for attribute, callee in facts.calls:
            declared.setdefault(attribute, (callee, options.get(attribute, {})))
        for key, value in facts.meta:
            meta.setdefault(key, value)
        for method in facts.methods:
            methods.setdefault(method, facts)
    if "model" in meta and index.model(meta["model"]) is not None and index.model(meta["model"]).qualname != model:
        return None
    names = list(declared)
    listed = meta.get("fields")
    if listed == "__all__":
        names += [n for n, r in index.relations.get(model, {}).items() if not r.reverse and n not in declared]
    elif listed:
        names += [n for n in listed.split(",") if n not in declared]
    excluded = set(meta.get("exclude", "").split(","))
    nesting = int(meta.get("depth", "0"))
    found: List[FieldRead] = []
    for name in names:
        if name in excluded:
            continue
        if name in declared:
            reads = _declared_reads(index, model, name, *declared[name], methods, depth)
        else:
            reads = _implicit_reads(index, model, name, nesting)
        found.extend((read, name) for read in reads)
    return found


def _outside_bases(index: ProjectIndex, lineage: List[Tuple[str, ClassFacts]]) -> Set[str]:
    """The bases of a class and of its project bases that the project does not define,
    by the names they are defined under: a base imported through a module of the project
    (``from api.base import ApiSerializer``) is DRF's class that module imports."""
    return {index.canonical(base) for _, facts in lineage for base in facts.bases if not index.lineage(base)}


def _declared_reads(
    index: ProjectIndex,
    model: str,
    name: str,
    callee: str,
    options: Dict[str, str],
    methods: Dict[str, ClassFacts],
    depth: int,
) -> List[RelationRead]:
    callee = index.canonical(callee)
    kind = callee.rpartition(".")[2]
    source = options.get("source", name)
    many = options.get("many") == "True"
    if kind == "SerializerMethodField":
        method = options.get("method_name", f"get_{name}")
        return _method_field_reads(index, model, methods[method], method, depth) if method in methods else []
    nested = _is_serializer(index, callee)
    if source == "*":
        inner = serializer_reads(index, callee, model, depth + 1) if nested else None
        return [read for read, _ in inner or []]
    path = tuple(source.split("."))
    if nested:
        return _nested_reads(index, model, path, callee, many, depth)
    drf_field = _drf_field(index, callee)
    if drf_field is None:
        return []  # a custom field: what it reads is its own business
    kind, own = drf_field
    if kind == "ListSerializer" and not own:
        child = options.get("child")
        return _nested_reads(index, model, path, child, True, depth) if child and _is_serializer(index, child) else []
    if kind == "ManyRelatedField" or (many and kind in _RELATED_FIELDS):
        return _many_related_reads(index, model, path, callee, own, options, many)
    if own:
        return []  # a field class of the project: what it reads is its own business
    if kind == "StringRelatedField":
        return _chain_reads(index, model, [path + ("__str__",)])
    if kind == "SlugRelatedField" and "slug_field" in options:
        return _chain_reads(index, model, [path + (options["slug_field"],)])
    if kind in _PK_FIELDS:
        return _chain_reads(index, model, [path[:-1]]) if len(path) > 1 else []
    return _chain_reads(index, model, [path])


def _is_serializer(index: ProjectIndex, qualname: str) -> bool:
    """A serializer class of the project (not a field class, which the project may also define)."""
    return bool(_outside_bases(index, index.lineage(qualname)) & SERIALIZER_BASES)


def _drf_field(index: ProjectIndex, field: str) -> Optional[Tuple[str, List[ClassFacts]]]:
    """The name of the DRF field class that ``field`` is, or derives from through classes
    of the project, with those classes (``field`` first); ``None`` when a base is neither."""
    if field.startswith("rest_framework."):
        return field.rpartition(".")[2], []
    lineage = index.lineage(field)
    outside = _outside_bases(index, lineage)
    if len(outside) != 1 or not min(outside).startswith("rest_framework."):
        return None
    return min(outside).rpartition(".")[2], [facts for _, facts in lineage]


def _method_field_reads(index: ProjectIndex, model: str, facts: ClassFacts, method: str, depth: int) -> List[RelationRead]:
    """What a ``SerializerMethodField``'s method reads on the row: the chains it reads,
    and the serializers it runs on a relation of the row (``LineSerializer(obj.lines.all(),
    many=True).data``) with what they read below it. Only the relation's rows as they are
    (``.all()``, or the manager) come from a prefetch: a serializer given
    ``obj.lines.filter(...)`` queries once per row whatever the view loads, which no
    ``prefetch_related`` fixes, and is not followed."""
    reads = _chain_reads(index, model, [chain for name, chain in facts.argument_reads if name == method])
    for name, serializer, chain, many in facts.serialized_chains:
        if name == method and _is_serializer(index, serializer):
            source = chain[:-1] if many and chain[-1] == "all" else chain
            reads += _nested_reads(index, model, source, serializer, many, depth)
    return reads


def _many_related_reads(
    index: ProjectIndex,
    model: str,
    path: Tuple[str, ...],
    field: str,
    own: List[ClassFacts],
    options: Dict[str, str],
    many: bool,
) -> List[RelationRead]:
    """A related field given ``many=True``, or a ``ManyRelatedField``: DRF builds (or it is)
    a ``ManyRelatedField``, whose ``get_attribute`` reads ``source.all()`` and whose
    ``to_representation`` gives each of those rows to the related field, the child
    (``RelatedField.many_init``). A project class that builds its own many field
    (``many_init``, ``__new__``) or reads its own rows (``get_attribute``,
    ``to_representation`` of a ``ManyRelatedField``) is not read."""
    if many:
        child, child_options = field, options
        overrides = ("many_init", "__new__")
    else:
        child, child_options = options.get("child_relation"), {}
        overrides = ("get_attribute", "to_representation")
    if child is None or any(name in facts.methods for facts in own for name in overrides):
        return []
    items = _item_chains(index, child, child_options)
    if items is None:
        return []
    return _reads_through(index, model, path, True, lambda target: _chain_reads(index, target, items))


def _item_chains(index: ProjectIndex, field: str, options: Dict[str, str]) -> Optional[List[Tuple[str, ...]]]:
    """What the related field ``field`` reads on each related row it represents: the
    chains its project ``to_representation(value)`` reads on ``value``, or what DRF's own
    class reads there (``str()``, the ``slug_field``; a key or a URL comes from the row
    already loaded). ``None`` when ``field`` is no related field ormlint can read, or
    builds each row's URL its own way (``get_url``), from what it may read anywhere."""
    found = _drf_field(index, index.canonical(field))
    if found is None or found[0] not in _RELATED_FIELDS:
        return None
    kind, own = found
    if any("get_url" in facts.methods for facts in own):
        return None
    for facts in own:
        if "to_representation" in facts.methods:
            return [chain for method, chain in facts.argument_reads if method == "to_representation"]
    if kind == "StringRelatedField":
        return [("__str__",)]
    if kind == "SlugRelatedField" and "slug_field" in options:
        return [(options["slug_field"],)]
    return []


def _nested_reads(
    index: ProjectIndex, model: str, path: Tuple[str, ...], serializer: str, many: bool, depth: int
) -> List[RelationRead]:
    """A nested serializer of the relation at ``path``: the relation itself, and what the
    nested serializer reads below it."""
    return _reads_through(
        index, model, path, many, lambda target: [read for read, _ in serializer_reads(index, serializer, target, depth + 1) or []]
    )


def _reads_through(
    index: ProjectIndex, model: str, path: Tuple[str, ...], many: bool, below: Callable[[str], List[RelationRead]]
) -> List[RelationRead]:
    """The relation that a field's ``source`` reads, a single row or, with ``many``, a
    related manager's rows, and what the field reads on each of those rows (``below`` the
    relation's target)."""
    found = _source_relation(index, model, path)
    if found is None or (found[1][-1].kind == "many") != many:
        return []
    path, relations = found
    reads = [RelationRead(path, relations)]
    reads += [RelationRead(path + read.path, relations + read.relations) for read in below(relations[-1].target)]
    return reads


def _source_relation(index: ProjectIndex, model: str, source: Tuple[str, ...]) -> Optional[Tuple[Tuple[str, ...], Tuple[Relation, ...]]]:
    """The relations a dotted ``source`` goes through, up to one of known target: the
    names of relations, the last of which may be a property of the row that returns a
    relation of it (``return self.lines.all()``, ``return self.customer``). The path is the
    relations' own, which a prefetch or a join names."""
    target, path, relations = _resolve(index, (model, (), ()), list(source))
    if path != source:
        if len(path) != len(source) - 1 or (relations and relations[-1].kind != "one"):
            return None
        returned = _returned_relation(index, target, source[-1])
        if returned is None:
            return None
        path, relations = path + returned[0], relations + returned[1]
    if not relations or relations[-1].target is None:
        return None
    return path, relations


def _returned_relation(index: ProjectIndex, model: str, name: str) -> Optional[Tuple[Tuple[str, ...], Tuple[Relation, ...]]]:
    """The relations that the property ``name`` of ``model`` returns, when all it returns
    is a relation of its row: ``self.lines.all()`` or ``self.lines`` (the related manager's
    rows), ``self.order.customer``. Anything else, such as ``self.lines.filter(...)``,
    whose query runs whatever is prefetched, is ``None``."""
    summary = index.method_returns(model, name)
    if summary is None or summary.kind != "property" or len(summary.values) != 1:
        return None
    try:
        value = ast.parse(summary.values[0], mode="eval").body
    except SyntaxError:
        return None
    rows = isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute) and value.func.attr == "all"
    if rows and (value.args or value.keywords):
        return None
    chain = attribute_path(value.func.value if rows else value)
    if chain is None or chain[0] != summary.receiver or len(chain) < 2:
        return None
    _, path, relations = _resolve(index, (model, (), ()), list(chain[1:]))
    if path != chain[1:] or (rows and relations[-1].kind != "many"):
        return None
    return path, relations


def _implicit_reads(index: ProjectIndex, model: str, name: str, nesting: int) -> List[RelationRead]:
    """A ``ModelSerializer`` field named in ``Meta.fields`` but not declared: a
    many-to-many or reverse relation is serialized as primary keys from its manager; a
    foreign key by its ``_id``, unless ``Meta.depth`` nests it; anything else that is no
    relation may be a property or method reading relations."""
    relation = index.relation(model, name)
    if relation is None:
        return _chain_reads(index, model, [(name,)])
    if relation.kind not in ("one", "many") or relation.target is None:
        return []
    if relation.kind == "one" and nesting == 0:
        return []
    reads = [RelationRead((name,), (relation,))]
    if nesting >= 1:
        # The nested serializer has every field of the target, one level less deep.
        for inner in index.relations.get(relation.target, {}):
            for read in _implicit_reads(index, relation.target, inner, nesting - 1):
                if not index.relation(relation.target, inner).reverse:
                    reads.append(RelationRead((name,) + read.path, (relation,) + read.relations))
    return reads


def serialized_rows(semantic: SemanticModel, node: cst.Attribute) -> Optional[LoopFacts]:
    """``OrderSerializer(orders, many=True).data``, or ``.data`` of a name bound once to
    such a call: the project serializer runs on every row of ``orders`` and reads there
    what ``serializer_reads`` says. Only reading ``.data`` serializes; a serializer given
    ``data=`` validates input and reads no rows."""
    if node.attr.value != "data":
        return None
    call = _single_assignment(semantic, node.value) if isinstance(node.value, cst.Name) else node.value
    if not isinstance(call, cst.Call):
        return None
    key = ("serialized", id(call))
    if key not in semantic.memo:
        semantic.memo[key] = _serialized_rows(semantic, call)
    return semantic.memo[key]  # type: ignore[return-value]


def _serialized_rows(semantic: SemanticModel, call: cst.Call) -> Optional[LoopFacts]:
    keywords = {arg.keyword.value: arg.value for arg in call.args if arg.keyword is not None}
    many = keywords.get("many")
    if not (isinstance(many, cst.Name) and many.value == "True") or "data" in keywords:
        return None
    serializer = semantic.qualified_name(call.func)
    index = semantic.index
    if serializer is None or not _is_serializer(index, serializer):
        return None
    rows = passed_argument(call, "instance", 0)
    query = semantic.queryset_type(rows) if rows is not None else None
    if query is None or query.orm != "django" or not query.iterated_rows or query.partial:
        return None
    reads = serializer_reads(index, serializer, query.model)
    if not reads:
        return None
    facts = LoopFacts(call, query, rows, query_site(semantic, rows), "", via=f"`{serializer.rpartition('.')[2]}(many=True)`")
    facts.reads = list({read.path: read for read, _ in reads}.values())  # several fields may read one path
    return facts
