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

The serializer is read from the project index (it usually lives in another module);
the view from its own source. Anything ormlint cannot read for certain (a base class
outside the project and DRF, an overridden ``get_queryset`` or ``get_serializer_class``,
a field whose source does not resolve) keeps it silent, or drops that field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

import libcst as cst

from ormlint.semantic.index import ProjectIndex
from ormlint.semantic.loops import LoopFacts, RelationRead, _chain_reads, _resolve, _single_assignment, query_site
from ormlint.semantic.model import SemanticModel
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
    known = {qualname for qualname, _ in lineage}
    if not all(base in known or base in SERIALIZER_BASES for _, facts in lineage for base in facts.bases):
        return None
    if not any(base in SERIALIZER_BASES for _, facts in lineage for base in facts.bases):
        return None
    declared: Dict[str, Tuple[str, Dict[str, str]]] = {}
    meta: Dict[str, str] = {}
    argument_reads: Dict[str, List[Tuple[str, ...]]] = {}
    for _, facts in lineage:  # the class first: its own declarations win
        options: Dict[str, Dict[str, str]] = {}
        for attribute, keyword, value in facts.call_options:
            options.setdefault(attribute, {})[keyword] = value
        for attribute, callee in facts.calls:
            declared.setdefault(attribute, (callee, options.get(attribute, {})))
        for key, value in facts.meta:
            meta.setdefault(key, value)
        own: Dict[str, List[Tuple[str, ...]]] = {}
        for method, chain in facts.argument_reads:
            own.setdefault(method, []).append(chain)
        for method in facts.methods:
            argument_reads.setdefault(method, own.get(method, []))
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
            reads = _declared_reads(index, model, name, *declared[name], argument_reads, depth)
        else:
            reads = _implicit_reads(index, model, name, nesting)
        found.extend((read, name) for read in reads)
    return found


def _declared_reads(
    index: ProjectIndex,
    model: str,
    name: str,
    callee: str,
    options: Dict[str, str],
    argument_reads: Dict[str, List[Tuple[str, ...]]],
    depth: int,
) -> List[RelationRead]:
    kind = callee.rpartition(".")[2]
    source = options.get("source", name)
    many = options.get("many") == "True"
    if kind == "SerializerMethodField":
        return _chain_reads(index, model, argument_reads.get(options.get("method_name", f"get_{name}"), []))
    nested = _is_serializer(index, callee)
    if source == "*":
        inner = serializer_reads(index, callee, model, depth + 1) if nested else None
        return [read for read, _ in inner or []]
    path = tuple(source.split("."))
    if nested:
        return _nested_reads(index, model, path, callee, many, depth)
    if index.lineage(callee) and not callee.startswith("rest_framework."):
        return []  # a field class of the project: what it reads is its own business
    if kind == "StringRelatedField":
        return _chain_reads(index, model, [path + (("all",) if many else ("__str__",))])
    if kind == "SlugRelatedField" and not many and "slug_field" in options:
        return _chain_reads(index, model, [path + (options["slug_field"],)])
    if many and (kind in _PK_FIELDS or kind == "SlugRelatedField"):
        return _chain_reads(index, model, [path + ("all",)])
    if kind in _PK_FIELDS:
        return _chain_reads(index, model, [path[:-1]]) if len(path) > 1 else []
    if not callee.startswith("rest_framework."):
        return []  # a custom field: what it reads is its own business
    return _chain_reads(index, model, [path])


def _is_serializer(index: ProjectIndex, qualname: str) -> bool:
    """A serializer class of the project (not a field class, which the project may also define)."""
    return any(base in SERIALIZER_BASES for _, facts in index.lineage(qualname) for base in facts.bases)


def _nested_reads(
    index: ProjectIndex, model: str, path: Tuple[str, ...], serializer: str, many: bool, depth: int
) -> List[RelationRead]:
    """A nested serializer of the relation at ``path``: the relation itself, and what the
    nested serializer reads below it."""
    target, resolved, relations = _resolve(index, (model, (), ()), list(path))
    if resolved != path or not relations or relations[-1].target is None:
        return []
    if (relations[-1].kind == "many") != many:
        return []
    target = relations[-1].target
    inner = serializer_reads(index, serializer, target, depth + 1) or []
    reads = [RelationRead(path, relations)]
    reads += [RelationRead(path + read.path, relations + read.relations) for read, _ in inner]
    return reads


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
