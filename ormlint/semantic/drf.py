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

The serializer is read from the project index (it usually lives in another module);
the view from its own source. Anything ormlint cannot read for certain (a base class
outside the project and DRF, an overridden ``get_queryset`` or ``get_serializer_class``,
a field whose source does not resolve) keeps it silent, or drops that field.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional, Set, Tuple

import libcst as cst

from ormlint.semantic.index import ClassFacts, ProjectIndex
from ormlint.semantic.loops import LoopFacts, RelationRead, _chain_reads, _resolve, _single_assignment, query_site
from ormlint.semantic.model import SemanticModel
from ormlint.semantic.relations import Relation
from ormlint.semantic.summaries import attribute_path
from ormlint.semantic.types import QueryType
from ormlint.semantic.writes import passed_argument
from ormlint.syntax import class_body

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
#: View methods that decide the rows or the serializer at run time.
_VIEW_OVERRIDES = frozenset(
    {"get_queryset", "get_serializer_class", "get_serializer", "list", "filter_queryset", "paginate_queryset"}
)
#: Methods that may stand for an attribute when they only return its value.
_ONE_RETURN = {"get_queryset": "queryset", "get_serializer_class": "serializer_class"}
_PK_FIELDS = frozenset({"PrimaryKeyRelatedField", "HyperlinkedRelatedField", "HyperlinkedIdentityField"})
#: DRF's related fields, which ``many=True`` turns into a ``ManyRelatedField`` of them.
_RELATED_FIELDS = frozenset({"RelatedField", "StringRelatedField", "SlugRelatedField"}) | _PK_FIELDS
_MAX_DEPTH = 3

#: A read and the serializer field it comes from.
FieldRead = Tuple[RelationRead, str]


@dataclass
class ViewFacts:
    node: cst.ClassDef
    query: QueryType
    #: The ``queryset = ...`` value, where a fix goes.
    queryset: cst.BaseExpression
    serializer: str
    reads: List[RelationRead]
    fields: Dict[str, str] = field(default_factory=dict)


def analyse_view(semantic: SemanticModel, node: cst.ClassDef) -> Optional[ViewFacts]:
    key = ("drf", id(node))
    if key not in semantic.memo:
        semantic.memo[key] = _analyse_view(semantic, node)
    return semantic.memo[key]  # type: ignore[return-value]


def _analyse_view(semantic: SemanticModel, node: cst.ClassDef) -> Optional[ViewFacts]:
    if not node.bases or not all(semantic.qualified_name(b.value) in LIST_VIEWS for b in node.bases):
        return None
    declared, methods = class_body(node)
    assignments = {name: [a.value for a in found] for name, found in declared.items()}
    for name, method in methods.items():
        if name in _VIEW_OVERRIDES:
            # ``def get_queryset(self): return Order.objects...`` and
            # ``def get_serializer_class(self): return OrderSerializer`` say it all in one
            # return, and stand for the attribute; anything more decides at run time.
            returned = _single_return(method) if name in _ONE_RETURN else None
            if returned is None:
                return None
            assignments[_ONE_RETURN[name]] = [returned]
    querysets, serializers = assignments.get("queryset", []), assignments.get("serializer_class", [])
    if len(querysets) != 1 or len(serializers) != 1:
        return None
    query = semantic.queryset_type(querysets[0])
    if query is None or query.orm != "django" or not query.model or not query.yields_instances or query.partial:
        return None
    if query.kind not in ("manager", "queryset"):
        return None
    serializer = semantic.qualified_name(serializers[0])
    if serializer is None:
        return None
    found = serializer_reads(semantic.index, serializer, query.model)
    if found is None:
        return None
    reads: List[RelationRead] = []
    fields: Dict[str, str] = {}
    for read, name in found:
        if read.lookup not in fields:
            fields[read.lookup] = name
            reads.append(read)
    return ViewFacts(node, query, querysets[0], serializer.rpartition(".")[2], reads, fields)


def _single_return(function: cst.FunctionDef) -> Optional[cst.BaseExpression]:
    """The value of a method whose body is one ``return`` (after a docstring)."""
    body = function.body.body if isinstance(function.body, cst.IndentedBlock) else ()
    statements = [s for s in body if not (isinstance(s, cst.SimpleStatementLine) and isinstance(s.body[0], cst.Expr) and isinstance(s.body[0].value, cst.SimpleString))]
    if len(statements) != 1 or not isinstance(statements[0], cst.SimpleStatementLine):
        return None
    small = statements[0].body
    if len(small) != 1 or not isinstance(small[0], cst.Return) or small[0].value is None:
        return None
    return small[0].value


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
