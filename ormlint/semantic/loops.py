"""What a loop does with the rows it iterates: which relations it reads per row, and
which queries it runs per iteration.

Used by the N+1 rules (ORM001-ORM004). A loop is a ``for`` statement or a comprehension
(list, set, dict, generator). Reads are attribute chains on the loop variable, or on a
local alias of it (``b = o.buyer; b.name``), resolved relation by relation through the
project index, so ``o.customer_id`` or ``o.total`` are never relations.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Callable, Dict, Iterable, Iterator, List, Optional, Set, Tuple, Union

import libcst as cst

from ormlint.semantic.model import ROWS_ARGUMENT, SemanticModel, string_arguments
from ormlint.semantic.relations import Relation
from ormlint.semantic.scope import Binding, enumerated_rows, reads_below, unpacked_rows
from ormlint.semantic.summaries import ITERATED, constant_class, guard_may_run
from ormlint.semantic.writes import passed_argument
from ormlint.syntax import children
from ormlint.semantic.types import ANY_RELATION, Instance, ModelClass, QueryType

Comprehension = Union[cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp]
Loop = Union[cst.For, Comprehension]

_TERMINAL = frozenset({"get", "first", "last", "count", "exists", "aggregate", "earliest", "latest", "in_bulk", "contains"})


@dataclass
class RelationRead:
    path: Tuple[str, ...]
    relations: Tuple[Relation, ...]

    @property
    def lookup(self) -> str:
        return "__".join(self.path)

    @property
    def many(self) -> bool:
        return self.relations[-1].kind != "one"

    @property
    def joinable(self) -> bool:
        """Every step is a single related row: ``select_related`` loads the path."""
        return all(r.kind == "one" for r in self.relations)

    @property
    def prefetchable(self) -> bool:
        """Some step is a many-valued relation, or the path ends in a generic foreign key:
        ``prefetch_related`` loads the path."""
        kinds = [r.kind for r in self.relations]
        if kinds[-1] == "generic":
            return all(kind == "one" for kind in kinds[:-1])
        return "many" in kinds and all(kind in ("one", "many") for kind in kinds)

    @property
    def shown(self) -> str:
        return ".".join(self.path)


@dataclass
class LoopFacts:
    node: Loop
    query: QueryType
    #: The expression the loop iterates (``for x in <iterable>``).
    iterable: cst.BaseExpression
    #: Where the query is built, for a fix: the iterable itself, or the value of the one
    #: assignment of the variable it names; ``None`` when that is not certain.
    built_at: Optional[cst.BaseExpression]
    variable: str
    reads: List[RelationRead] = field(default_factory=list)
    #: For rows looped over elsewhere, where: a project function they are passed to
    #: (```render_rows()```) or a template that renders them (``template `x.html` ``).
    via: Optional[str] = None
    #: The callbacks given with the rows that ``via`` calls on each of them and that
    #: read relations there (```order_line()```, ``a lambda``).
    called: Tuple[str, ...] = ()
    #: For rows a project function loops over: its qualified name, whether it is called
    #: through its class, and the parameter the rows are passed to. A run that checks the
    #: function without this caller reports there instead (``callers``).
    helper: Optional[Tuple[str, bool, str]] = None

    @property
    def reported_at(self) -> cst.CSTNode:
        """A loop is reported where it starts; rows a function loops over, where the
        query is built (or passed, when that is elsewhere), which is where the fix goes."""
        if self.via is None:
            return self.node
        return self.built_at if self.built_at is not None else self.iterable


def loop_parts(
    node: Loop, clause: Optional[cst.CompFor] = None
) -> Optional[Tuple[cst.BaseExpression, cst.BaseExpression, List[cst.CSTNode]]]:
    """The target, the iterable and the nodes evaluated per row of a loop: a ``for``
    statement, or one ``for`` clause of a comprehension (the first by default)."""
    if isinstance(node, cst.For):
        return node.target, node.iter, [node.body]
    clause = clause or node.for_in
    body: List[cst.CSTNode] = list(clause.ifs)
    if clause.inner_for_in is not None:
        body.append(clause.inner_for_in)
    if isinstance(node, cst.DictComp):
        body += [node.key, node.value]
    else:
        body.append(node.elt)
    return clause.target, clause.iter, body


def analyse_loop(semantic: SemanticModel, node: Loop, clause: Optional[cst.CompFor] = None) -> Optional[LoopFacts]:
    """The facts of a loop over the rows of a query, or ``None`` for any other loop.
    Computed once per loop, however many rules ask."""
    key = ("loop", id(clause or node))
    if key not in semantic.memo:
        semantic.memo[key] = _analyse_loop(semantic, node, clause)
    return semantic.memo[key]  # type: ignore[return-value]


#: Functions that call a callable once per item: ``groupby(qs, key=lambda r: r.fk)``.
_PER_ITEM = {
    "itertools.groupby": ("key", 1),
    "builtins.sorted": ("key", None),
    "builtins.min": ("key", None),
    "builtins.max": ("key", None),
    "builtins.map": (None, 0),
    "builtins.filter": (None, 0),
}


def analyse_callable(semantic: SemanticModel, call: cst.Call) -> Optional[LoopFacts]:
    """``groupby(qs, key=lambda r: r.customer)``, ``sorted(qs, key=...)``,
    ``map(lambda r: r.customer, qs)``: a lambda run on every row is a loop body."""
    key = ("callable", id(call))
    if key not in semantic.memo:
        semantic.memo[key] = _analyse_callable(semantic, call)
    return semantic.memo[key]  # type: ignore[return-value]


def _analyse_callable(semantic: SemanticModel, call: cst.Call) -> Optional[LoopFacts]:
    qualname = semantic.qualified_name(call.func)
    if qualname not in _PER_ITEM:
        return _helper_facts(semantic, call)
    keyword, position = _PER_ITEM[qualname]
    function = iterable = None
    positional = [a.value for a in call.args if a.keyword is None and not a.star]
    if keyword is not None:
        function = next((a.value for a in call.args if a.keyword and a.keyword.value == keyword), None)
        if function is None and position is not None and len(positional) > position:
            function = positional[position]
        iterable = positional[0] if positional else None
    elif len(positional) == 2:
        function, iterable = positional
    if iterable is None:
        return None
    if not isinstance(function, cst.Lambda):
        return _function_per_item(semantic, call, function, iterable)
    parameters = function.params.params
    if len(parameters) != 1:
        return None
    return _rows_facts(semantic, call, iterable, parameters[0].name.value, [function.body])


def _function_per_item(semantic: SemanticModel, call: cst.Call, function, iterable) -> Optional[LoopFacts]:
    """``map(label, rows)``, ``sorted(rows, key=sort_key)``: a project function called
    with each row reads what it reads on its first parameter."""
    callee = semantic.project_callee(function) if function is not None else None
    if callee is None:
        return None
    chains = [chain for _, position, chain in semantic.index.parameter_chains(*callee) if position == 0]
    facts = _rows_facts(semantic, call, iterable, "", []) if chains else None
    if facts is not None:
        facts.reads = _chain_reads(semantic.index, facts.query.model, chains)
        facts.via = f"`{callee[0].rpartition('.')[2]}()`"
    return facts


def _helper_facts(semantic: SemanticModel, call: cst.Call) -> Optional[LoopFacts]:
    """Rows passed to a project function (or a method of the class at hand) that loops
    over that parameter: what the function reads on each item is read on each row, and
    so is what a callback passed with them reads, where the function calls it on each
    item (``render_page(rows, order_line)``)."""
    func = call.func
    callee = semantic.project_callee(func)
    if callee is None:
        return None
    index = semantic.index
    reads = index.parameter_reads(*callee)
    # Past a ``*args`` the positions of the arguments are unknown.
    callbacks = [] if any(a.star for a in call.args) else index.callbacks(*callee)
    for parameter, position in dict.fromkeys([(p, i) for p, i, _ in reads] + [(p, i) for p, i, _, _ in callbacks]):
        argument = passed_argument(call, parameter, position)
        if argument is None:
            continue
        query = semantic.queryset_type(argument)
        if query is None or not query.iterated_rows or query.partial:
            continue
        chains = [chain for p, _, chain in reads if p == parameter]
        shown = func.attr.value if isinstance(func, cst.Attribute) else getattr(func, "value", "the function")
        facts = LoopFacts(
            call, query, argument, query_site(semantic, argument), parameter, via=f"`{shown}()`", helper=(*callee, parameter)
        )
        facts.reads = chain_reads(index, query.model, chains)
        for name, at in dict.fromkeys((q, j) for p, _, q, j in callbacks if p == parameter):
            called = _callback_reads(semantic, query.model, passed_argument(call, name, at))
            if called is not None and called[1]:
                facts.called += (called[0],)
                facts.reads += [read for read in called[1] if read not in facts.reads]
        return facts
    return None


def _callback_reads(
    semantic: SemanticModel, model: str, callback: Optional[cst.BaseExpression]
) -> Optional[Tuple[str, List[RelationRead]]]:
    """How a callback called with each row of ``model`` is shown, and what it reads on
    the row: a lambda's body, or what a project function reads on its first parameter.
    ``None`` for anything else (``str``, a parameter, a function of a library)."""
    if isinstance(callback, cst.Lambda):
        parameters = callback.params.params
        if len(parameters) != 1:
            return None
        return "a lambda", _relation_reads(semantic, model, parameters[0].name.value, [callback.body])
    callee = semantic.project_callee(callback) if callback is not None else None
    if callee is None:
        return None
    chains = [chain for _, position, chain in semantic.index.parameter_chains(*callee) if position == 0]
    return f"`{callee[0].rpartition('.')[2]}()`", _chain_reads(semantic.index, model, chains)


def _chain_reads(index, model: str, chains: List[Tuple[str, ...]], depth: int = 0) -> List[RelationRead]:
    """The relation reads that attribute ``chains`` on a row of ``model`` amount to, as
    ``_relation_reads`` finds them in a loop body here."""
    start = (model, (), ())
    found: Dict[Tuple[str, ...], RelationRead] = {}
    for chain in chains:
        resolved = _resolve(index, start, list(chain))
        following = list(chain[len(resolved[1]) :])
        if following and _on_a_row(resolved, start):
            for expanded in _method_reads(index, resolved, following[0], depth):
                found.setdefault(expanded[1], RelationRead(expanded[1], expanded[2]))
        _, path, relations = resolved
        if not relations:
            continue
        if relations[-1].orm == "django" and relations[-1].kind == "many" and following != ["all"]:
            continue
        found.setdefault(path, RelationRead(path, relations))
    kept = {p: r for p, r in found.items() if not any(rel.queries_on_every_read for rel in r.relations)}
    return [
        read
        for path, read in kept.items()
        if not any(other != path and other[: len(path)] == path and not kept[other].many for other in kept)
    ]


def chain_reads(index, model: str, chains: List[Tuple[str, ...]], depth: int = 0) -> List[RelationRead]:
    """The relation reads of template chains on a row of ``model``: through single
    relations, through a many-valued relation that is looped over (``lines.all`` /
    ``lines``) into its items, and into the methods a chain ends in."""
    found: Dict[Tuple[str, ...], RelationRead] = {}
    for chain in chains:
        current, path, relations, position = model, (), (), 0
        while position < len(chain):
            relation = index.relation(current, chain[position])
            if relation is None or relation.target is None or relation.kind not in ("one", "many"):
                for read in _chain_reads(index, current, [chain[position:]], depth):
                    found.setdefault(path + read.path, RelationRead(path + read.path, relations + read.relations))
                break
            path, relations = path + (chain[position],), relations + (relation,)
            found.setdefault(path, RelationRead(path, relations))
            position += 1
            if relation.kind == "many":
                if position < len(chain) and chain[position] == "all":
                    position += 1
                elif position < len(chain) and relation.orm == "django":
                    # ``x.lines.count``: a query per row whatever is prefetched.
                    del found[path]
                    break
            current = relation.target
    reads = [r for r in found.values() if not any(rel.queries_on_every_read for rel in r.relations)]
    return reads


def comprehension_clauses(node: Loop) -> List[Optional[cst.CompFor]]:
    """Each ``for`` of a comprehension is a loop of its own; a ``for`` statement is one."""
    if isinstance(node, cst.For):
        return [None]
    clauses: List[Optional[cst.CompFor]] = []
    clause: Optional[cst.CompFor] = node.for_in
    while clause is not None:
        clauses.append(clause)
        clause = clause.inner_for_in
    return clauses


def analyse_unpacked_loop(semantic: SemanticModel, node: Loop, clause: Optional[cst.CompFor] = None) -> List[LoopFacts]:
    """The facts of a loop that unpacks tuple rows (``for topic, read in
    session.query(Topic, TopicRead)``), one per name bound to an entity the loop is sure
    of, with what the query loads for that entity. Computed once per loop."""
    key = ("unpacked", id(clause or node))
    if key not in semantic.memo:
        semantic.memo[key] = _analyse_unpacked_loop(semantic, node, clause)
    return semantic.memo[key]  # type: ignore[return-value]


def _analyse_unpacked_loop(semantic: SemanticModel, node: Loop, clause: Optional[cst.CompFor]) -> List[LoopFacts]:
    parts = loop_parts(node, clause)
    if parts is None:
        return []
    target, iterable, body = parts
    unpacked = unpacked_rows(target, iterable)
    rows = semantic.queryset_type(unpacked[1]) if unpacked is not None else None
    if unpacked is None or rows is None or rows.partial:
        return []
    elements, iterable = unpacked
    found = []
    for position, element in enumerate(elements):
        entity = rows.entity_at(position, len(elements)) if isinstance(element, cst.Name) else None
        if entity is not None:
            facts = LoopFacts(node, entity, iterable, query_site(semantic, iterable), element.value)  # type: ignore[union-attr]
            facts.reads = _relation_reads(semantic, entity.model, facts.variable, body)
            found.append(facts)
    return found


def _analyse_loop(semantic: SemanticModel, node: Loop, clause: Optional[cst.CompFor]) -> Optional[LoopFacts]:
    parts = loop_parts(node, clause)
    if parts is None:
        return None
    target, iterable, body = parts
    enumerated = enumerated_rows(target, iterable)
    if enumerated is not None:
        return _rows_facts(semantic, node, enumerated[1], enumerated[0], body)
    if not isinstance(target, cst.Name):
        return None
    return _rows_facts(semantic, node, iterable, target.value, body)


def _rows_facts(semantic: SemanticModel, node, iterable, variable: str, body) -> Optional[LoopFacts]:
    """The facts of running ``body`` once per row of ``iterable`` with the row bound to
    ``variable``, when ``iterable`` gives model instances from a query built here."""
    query = semantic.queryset_type(iterable)
    if query is None or not query.iterated_rows or query.partial:
        return None
    query = _prefetched_in_place(semantic, iterable, query)
    if query is None:
        return None
    if query.prefetched_rows and isinstance(iterable, (cst.Call, cst.Attribute)) and _chain(_bare_call(iterable)):
        return None  # ``for line in order.lines.all()`` inside the loop over orders: that loop's
    facts = LoopFacts(node, query, iterable, query_site(semantic, iterable), variable)
    facts.reads = _relation_reads(semantic, query.model, variable, body)
    return facts


#: ``prefetch_related_objects(rows, "customer")`` loads relations of rows already fetched.
_PREFETCH_IN_PLACE = frozenset({"django.db.models.prefetch_related_objects", "django.db.models.query.prefetch_related_objects"})


def _prefetched_in_place(semantic: SemanticModel, iterable: cst.BaseExpression, query: QueryType) -> Optional[QueryType]:
    """The rows of a local variable with what ``prefetch_related_objects(rows, ...)``
    loads on them anywhere in the function; ``None`` when what it loads is unreadable."""
    if not isinstance(iterable, cst.Name):
        return query
    found = semantic.lookup(iterable.value)
    if found is None:
        return query
    for name, parent, grandparent in found[0].uses(iterable.value):
        if not (isinstance(parent, cst.Arg) and isinstance(grandparent, cst.Call) and grandparent.args[0] is parent):
            continue
        if semantic.qualified_name(grandparent.func) not in _PREFETCH_IN_PLACE:
            continue
        paths = string_arguments(grandparent.args[1:])
        if paths is None:
            return None
        query = query.derive(kind=query.kind, prefetched=query.prefetched | frozenset(paths))
    return query


def _bare_call(node: cst.BaseExpression) -> cst.BaseExpression:
    return node.func if isinstance(node, cst.Call) and not node.args else node


def query_site(semantic: SemanticModel, iterable: cst.BaseExpression) -> Optional[cst.BaseExpression]:
    """Where the query of the rows ``iterable`` gives is built, for a fix: the iterable
    itself, the value of the one assignment of the variable it names, and through
    ``list()``, ``sorted()``, a paginator and its pages, the query they were given;
    ``None`` when that is not certain."""
    node: Optional[cst.BaseExpression] = iterable
    for _ in range(_SITE_STEPS):
        if isinstance(node, cst.Name):
            node = _single_assignment(semantic, node)
        elif isinstance(node, cst.Call) and semantic.qualified_name(node.func) in ROWS_ARGUMENT:
            position = ROWS_ARGUMENT[semantic.qualified_name(node.func) or ""]
            positional = [a.value for a in node.args if a.keyword is None and not a.star]
            node = positional[position] if len(positional) > position else None
        elif isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and _kind(semantic, node) == "page":
            node = node.func.value
        elif isinstance(node, cst.Attribute) and node.attr.value == "object_list" and _kind(semantic, node.value) == "page":
            node = node.value
        else:
            break
    return node if isinstance(node, (cst.Call, cst.Subscript)) else None


#: How many names, wrappers and pages ``query_site`` looks through.
_SITE_STEPS = 6


def _kind(semantic: SemanticModel, node: cst.BaseExpression) -> Optional[str]:
    found = semantic.queryset_type(node)
    return found.kind if found is not None else None


def _single_assignment(semantic: SemanticModel, name: cst.Name) -> Optional[cst.BaseExpression]:
    found = semantic.lookup(name.value)
    if found is not None and found[0].kind == "function" and len(found[1]) == 1:
        binding: Binding = found[1][0]
        if binding.kind == "assign" and binding.value is not None:
            return binding.value
    return None


def _relation_reads(semantic: SemanticModel, model: str, variable: str, body: List[cst.CSTNode]) -> List[RelationRead]:
    index = semantic.index
    aliases: Dict[str, Tuple[str, Tuple[str, ...], Tuple[Relation, ...]]] = {variable: (model, (), ())}
    found: Dict[Tuple[str, ...], RelationRead] = {}
    written: Set[int] = set()
    assigned_paths: Set[Tuple[str, ...]] = set()
    for node, parent, grandparent in _walk_with_parents(body, variable):
        if isinstance(node, (cst.Assign, cst.AugAssign, cst.AnnAssign, cst.Del)):
            targets = [t.target for t in node.targets] if isinstance(node, cst.Assign) else [node.target]
            written.update(id(t) for t in targets)
        if isinstance(node, (cst.For, cst.CompFor)) and isinstance(node.target, cst.Name):
            # ``for line in order.lines.all():`` reads on ``line`` are ``order.lines.<...>``.
            inner = _many_alias(index, aliases, node.iter)
            if inner is not None:
                aliases[node.target.value] = inner
        if isinstance(node, cst.Assign) and len(node.targets) == 1 and isinstance(node.targets[0].target, cst.Name):
            chain = _chain(node.value)
            if chain and chain[0] in aliases:
                resolved = _resolve(index, aliases[chain[0]], chain[1:])
                if resolved is not None and resolved[2] and resolved[2][-1].kind == "one":
                    aliases[node.targets[0].target.value] = resolved
            continue
        if isinstance(node, cst.Call):
            for read in _passed_on_reads(semantic, aliases, node):
                found.setdefault(read.path, read)
        shown = _shown_as_text(semantic, node)
        if shown is not None and shown in aliases:
            for expanded in _method_reads(index, aliases[shown], "__str__"):
                found.setdefault(expanded[1], RelationRead(expanded[1], expanded[2]))
            continue
        if not isinstance(node, cst.Attribute):
            continue
        chain = _chain(node)
        if not chain or chain[0] not in aliases:
            continue
        if id(node) in written:
            # ``row.customer = c`` sets the relation without loading it, and fills its
            # cache for what follows; only what leads up to the assigned attribute is read.
            assigned = _resolve(index, aliases[chain[0]], chain[1:])
            if assigned is not None and len(assigned[1]) == len(aliases[chain[0]][1]) + len(chain) - 1:
                assigned_paths.add(assigned[1])
            chain = chain[:-1]
        start = aliases[chain[0]]
        resolved = _resolve(index, start, chain[1:])
        if resolved is None:
            continue
        following = chain[1 + len(resolved[1]) - len(start[1]) :]
        if following and _on_a_row(resolved, start):
            # ``row.display_name`` / ``row.customer.label()``: the model's own method or
            # property reads relations of its row.
            called = isinstance(parent, cst.Call) and parent.func is node and len(following) == 1
            runs = _branch_runs(semantic, parent) if called else None
            for expanded in _method_reads(index, resolved, following[0], runs=runs):
                found.setdefault(expanded[1], RelationRead(expanded[1], expanded[2]))
        if len(resolved[2]) == len(start[2]):
            continue
        _, path, relations = resolved
        last = relations[-1]
        if last.orm == "django" and last.kind == "many":
            # A many relation is read per row through ``.all()``; ``.filter()`` or
            # ``.count()`` on it run their own query whatever is prefetched (ORM004),
            # and ``.all().delete()`` / ``.update()`` write.
            after = 1 + len(path) - len(start[1])
            if chain[after : after + 1] != ["all"] or len(chain) > after + 1:
                continue
            if _called_then(node, parent, grandparent) in ("delete", "update"):
                continue
            if isinstance(grandparent, cst.Arg) and grandparent.keyword is not None:
                # ``filter(tag__in=row.tags.all())``: a subquery in the SQL, not rows.
                continue
        if path not in found:
            found[path] = RelationRead(path, relations)
    for path in list(found):
        read = found[path]
        if any(r.queries_on_every_read for r in read.relations) or any(path[: len(a)] == a for a in assigned_paths):
            del found[path]
        elif _back_to_parent(read):
            del found[path]
    # Keep the longest reads: ``order.customer.team`` covers ``order.customer``.
    paths = list(found)
    return [
        read
        for path, read in found.items()
        if not any(other != path and other[: len(path)] == path and not found[other].many for other in paths)
    ]


def _back_to_parent(read: RelationRead) -> bool:
    """``customer.orders.all()`` sets each order's ``customer``: reading it back (and
    beyond it) from an item is the parent row again, not a query per item."""
    return any(
        first.kind == "many" and first.field is not None and second.name == first.field
        for first, second in zip(read.relations, read.relations[1:])
    )


def _passed_on_reads(semantic: SemanticModel, aliases, call: cst.Call) -> List[RelationRead]:
    """``label(row)``, ``self.describe(order=row)``: what the project function reads on
    the row (or a row it relates to) it is given, itself or further on."""
    callee = semantic.project_callee(call.func)
    if callee is None or any(arg.star for arg in call.args):
        return []
    reads: List[RelationRead] = []
    chains = None
    for position, arg in enumerate(call.args):
        if not isinstance(arg.value, cst.Name) or arg.value.value not in aliases:
            continue
        if chains is None:
            chains = semantic.index.parameter_chains(*callee, runs=_branch_runs(semantic, call))
        keyword = arg.keyword.value if arg.keyword is not None else None
        on_row = [chain for p, i, chain in chains if (p == keyword if keyword else i == position)]
        model, path, relations = aliases[arg.value.value]
        reads.extend(RelationRead(path + r.path, relations + r.relations) for r in _chain_reads(semantic.index, model, on_row))
    return reads


def _branch_runs(semantic: SemanticModel, call: cst.Call) -> Callable[[str], bool]:
    """For the guard of a branch in the callee (``if order is None:``, ``if not fast:``),
    whether this call may take it: not a branch for ``None`` when it passes a row, a
    query or a model there, nor one the constant it passes (or the default it leaves)
    rules out."""
    positional = [a.value for a in call.args if a.keyword is None and not a.star]
    keywords = {a.keyword.value: a.value for a in call.args if a.keyword is not None}
    unpacked = any(a.star for a in call.args)

    def argument(position: int, name: str) -> Optional[str]:
        value = keywords.get(name)
        if value is None and 0 <= position < len(positional):
            value = positional[position]
        if value is None:
            return None if unpacked else ""
        return _value_class(semantic, value)

    return lambda guard: guard_may_run(guard, argument)


def _value_class(semantic: SemanticModel, value: cst.BaseExpression) -> Optional[str]:
    """What a guard can know of an argument: a constant's class (``none``, ``true``,
    ``false``), ``some`` for a row, a query or a model (never ``None``), else ``None``."""
    if isinstance(value, cst.Name) and value.value in ("None", "True", "False"):
        return constant_class({"None": None, "True": True, "False": False}[value.value])
    if isinstance(value, (cst.Integer, cst.Float, cst.SimpleString)):
        try:
            return constant_class(ast.literal_eval(value.value))
        except (ValueError, SyntaxError):
            return None
    if isinstance(semantic.type_of(value), (Instance, QueryType, ModelClass)):
        return "some"
    return None


def _many_alias(index, aliases, iterable: cst.BaseExpression):
    """For ``alias.rel.all()`` (or ``alias.rel.all``) over a Django many-valued relation of
    a tracked row: the item's model and the path to it."""
    if isinstance(iterable, cst.Call) and not iterable.args:
        iterable = iterable.func
    chain = _chain(iterable)
    if not chain or chain[0] not in aliases or chain[-1] != "all" or len(chain) < 3:
        return None
    start = aliases[chain[0]]
    model, path, relations = _resolve(index, start, chain[1:-1])
    if len(path) != len(start[1]) + len(chain) - 2 or not relations or relations[-1].kind != "many":
        return None
    last = relations[-1]
    if last.orm != "django" or last.target is None:
        return None
    return last.target, path, relations


def _on_a_row(resolved, start) -> bool:
    """Whether what follows a resolved chain is read on one row of ``resolved``'s model:
    not after a collection or a relation of unknown direction, where ``_resolve`` stops."""
    relations = resolved[2]
    return len(relations) == len(start[2]) or (relations[-1].kind == "one" and relations[-1].target is not None)


def _method_reads(index, resolved, method: str, depth: int = 0, runs: Optional[Callable[[str], bool]] = None):
    """What calling ``method`` on the row at ``resolved`` reads: its ``self`` chains,
    resolved from there, and those of the ``self`` methods it calls (two levels).
    ``runs`` says which of its parameter-decided branches the call may take."""
    model, path, relations = resolved
    results = []
    for chain in index.method_reads(model, method, runs):
        if ITERATED in chain:
            # ``for tag in self.tags.all(): tag.name``: each row's ``tags``, and what is
            # read on each of them (methods called on them, as deep as methods go here).
            if depth >= 2:
                continue
            for read in chain_reads(index, model, [tuple(step for step in chain if step != ITERATED)], depth + 1):
                results.append((read.relations[-1].target, path + read.path, relations + read.relations))
            continue
        inner = _resolve(index, resolved, list(chain))
        if len(inner[2]) > len(relations) and (inner[2][-1].kind == "one" or inner[2][-1].orm != "django"):
            results.append(inner)
        if depth < 2 and chain and chain[0] != method and len(inner[2]) == len(relations):
            results.extend(_method_reads(index, resolved, chain[0], depth + 1))
    return results


def _shown_as_text(semantic: SemanticModel, node: cst.CSTNode) -> Optional[str]:
    """The name of a row turned into text: ``str(row)`` or ``f"{row}"``."""
    if isinstance(node, cst.FormattedStringExpression) and isinstance(node.expression, cst.Name):
        if node.conversion in (None, "s"):
            return node.expression.value
    if (
        isinstance(node, cst.Call)
        and len(node.args) == 1
        and isinstance(node.args[0].value, cst.Name)
        and semantic.qualified_name(node.func) == "builtins.str"
    ):
        return node.args[0].value.value
    return None


def _comprehension_targets(node: cst.CSTNode) -> Set[str]:
    clause = getattr(node, "for_in", None) if isinstance(node, (cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp)) else None
    names: Set[str] = set()
    while clause is not None:
        names.update(name.value for name, _, _ in reads_below(clause.target))
        clause = clause.inner_for_in
    return names


def _called_then(node: cst.Attribute, parent, grandparent) -> Optional[str]:
    """For ``x.rel.all().delete()``: the method called on the result of ``x.rel.all()``."""
    if isinstance(parent, cst.Call) and parent.func is node and isinstance(grandparent, cst.Attribute) and grandparent.value is parent:
        return grandparent.attr.value
    return None


def _walk_with_parents(roots: List[cst.CSTNode], variable: Optional[str] = None):
    stack = [(root, None, None) for root in reversed(roots)]
    while stack:
        node, parent, grandparent = stack.pop()
        if variable is not None and variable in _comprehension_targets(node):
            continue  # a nested comprehension with its own variable of that name
        yield node, parent, grandparent
        if isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
            continue
        stack.extend((child, node, parent) for child in reversed(children(node)))


def _resolve(index, start, attributes: List[str]):
    model, path, relations = start
    path, relations = list(path), list(relations)
    for attribute in attributes:
        relation = index.relation(model, attribute)
        if relation is None:
            break
        path.append(attribute)
        relations.append(relation)
        if relation.kind != "one" or relation.target is None:
            break
        model = relation.target
    return model, tuple(path), tuple(relations)


def _chain(node: cst.BaseExpression) -> Optional[List[str]]:
    """``a.b.c`` -> ["a", "b", "c"]; anything else -> ``None``."""
    parts: List[str] = []
    while isinstance(node, cst.Attribute):
        parts.insert(0, node.attr.value)
        node = node.value
    if isinstance(node, cst.Name):
        return [node.value, *parts]
    return None


def _walk(roots: List[cst.CSTNode]) -> Iterator[cst.CSTNode]:
    """Nodes of the loop body in source order, outermost first, without nested
    function and class bodies (they do not run per row)."""
    stack = list(reversed(roots))
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
            continue
        stack.extend(reversed(children(node)))


def longest(paths: Iterable[str]) -> List[str]:
    """The paths no other path continues, sorted: ``lines__region`` loads ``lines`` too."""
    unique = sorted(set(paths))
    return [p for p in unique if not any(other.startswith(p + "__") for other in unique)]


def longest_reads(reads: List[RelationRead]) -> List[RelationRead]:
    """The reads whose path no other read continues."""
    kept = set(longest(read.lookup for read in reads))
    return [read for read in reads if read.lookup in kept]


def is_loaded(query: QueryType, read: RelationRead) -> bool:
    """Whether the query already loads the relations of ``read`` with its rows."""
    if query.fetch_mode:
        return True
    if read.path[0] in query.known:
        # Rows of ``parent.children.all()`` hold ``parent``: whatever is read beyond it is
        # one object's, read once, not once per row.
        return True
    if query.orm == "sqlalchemy":
        # Step by step: ``joinedload(Book.author)`` or ``lazy="joined"`` loads ``author``,
        # not what ``author`` relates to in turn; ``defaultload(Book.author).joinedload(
        # Author.team)`` loads ``team`` with each author, but the author itself lazily.
        # Options ormlint cannot read (``author__*``) may load anything below their path.
        for depth, relation in enumerate(read.relations):
            if "__".join((*read.path[:depth], ANY_RELATION)) in query.selected:
                return True
            from_parent = not depth and relation.kind == "one" and query.one_parent in ("*", relation.target or "")
            if not (relation.eager_by_default or from_parent or "__".join(read.path[: depth + 1]) in query.selected):
                return False
        return True
    lookup = read.lookup
    covered = query.selected | query.prefetched
    if ANY_RELATION in covered or any(path == lookup or path.startswith(lookup + "__") for path in covered):
        return True
    if any(path.endswith("__*") and (lookup + "__").startswith(path[:-1]) for path in covered):
        return True
    if not read.many and query.select_all:
        return all(r.kind == "one" and not r.reverse and not r.null for r in read.relations)
    return False


def queries_per_row(semantic: SemanticModel, node: Loop, rows: Optional[QueryType]) -> List[RowQuery]:
    """Read queries in the loop body built from the loop variable: ``M.objects.get(pk=x)``,
    ``M.objects.filter(owner=x).first()``, ``x.items.count()``.

    A model method or property called on the row (``row.open_tickets_count()``) that
    queries a related manager of its ``self`` makes that query per row as well.

    A query that locks its rows (``select_for_update()``) or runs in a transaction of
    its own (``with transaction.atomic():`` in the body) is one per row by design: each
    row is claimed, or succeeds or fails, on its own."""
    parts = loop_parts(node)
    if parts is None or not isinstance(parts[0], cst.Name):
        return []
    variable = parts[0].value
    found: List[RowQuery] = []
    inside: Set[int] = set()
    for child in _walk(parts[2]):
        if id(child) in inside:
            continue
        if isinstance(child, cst.With) and _in_transaction(semantic, child):
            inside.update(id(n) for n in _walk([child.body]))
            continue
        if isinstance(child, (cst.Assign, cst.AnnAssign, cst.Del)):
            # ``row.total = 0`` runs a property's setter, not its getter.
            targets = [t.target for t in child.targets] if isinstance(child, cst.Assign) else [child.target]
            inside.update(id(target) for target in targets)
        in_method = _row_method_query(semantic, child, variable, rows) if rows is not None else None
        if in_method is not None:
            found.append(in_method)
            inside.update(id(n) for n in _walk([child]))
            continue
        if not isinstance(child, cst.Call):
            continue
        func = child.func
        if not (isinstance(func, cst.Attribute) and func.attr.value in _TERMINAL):
            continue
        receiver = func.value
        if _locks_rows(semantic, receiver):
            continue
        related = _related_manager(receiver, variable)
        if related is not None:
            per_row = rows is not None and _related_manager_of(semantic, related, rows, func.attr.value)
        else:
            query = semantic.queryset_type(receiver)
            per_row = query is not None and query.orm == "django" and (
                _mentions(receiver, variable) or _mentions_arguments(child, variable)
            )
        if per_row:
            found.append(RowQuery(child, func.attr.value))
            inside.update(id(n) for n in _walk([child]))
    return found


#: What a related manager's query may be narrowed with before it runs; only ``all()``
#: leaves a prefetch able to answer ``count()`` and ``exists()``.
_MANAGER_CHAIN = ("filter", "exclude", "all", "order_by")


def _related_manager(node: cst.BaseExpression, variable: str):
    """For ``row.lines`` or ``row.lines.filter(...).order_by(...)``: the relation name and
    whether the manager was filtered; ``None`` for anything else."""
    filtered = False
    while isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value in _MANAGER_CHAIN:
        filtered = filtered or node.func.attr.value != "all"
        node = node.func.value
    chain = _chain(node) if isinstance(node, cst.Attribute) else None
    if not chain or chain[0] != variable or len(chain) != 2:
        return None
    return chain[1], filtered


def _related_manager_of(semantic: SemanticModel, related, rows: QueryType, method: str) -> bool:
    """Whether ``method`` on the related manager of a row runs a query: it does, unless
    the rows prefetched the relation and ``count()`` / ``exists()`` are answered from the
    prefetch cache."""
    name, filtered = related
    relation = semantic.index.relation(rows.model, name)
    if relation is None or relation.kind != "many" or relation.orm != "django":
        return False
    prefetched = any(p == name or p.startswith(name + "__") for p in rows.prefetched)
    return not (prefetched and not filtered and method in ("count", "exists"))


def _mentions(node: cst.CSTNode, variable: str) -> bool:
    return any(name.value == variable for name, _, _ in reads_below(node))


def _mentions_arguments(call: cst.Call, variable: str) -> bool:
    return any(_mentions(arg.value, variable) for arg in call.args)


@dataclass(frozen=True)
class RowQuery:
    """A read query that runs on every iteration of a loop."""

    #: Where it runs in the loop body.
    node: cst.BaseExpression
    #: The queryset method that runs it: ``get``, ``count``, ``exists``...
    method: str
    #: For a query a model method or property runs on ``self``: that method's name, and
    #: the related manager it queries.
    in_method: Optional[str] = None
    relation: Optional[str] = None


#: Context managers that open a transaction (or a savepoint) of their own.
_ATOMIC = frozenset({"django.db.transaction.atomic"})


def _in_transaction(semantic: SemanticModel, statement: cst.With) -> bool:
    """``with transaction.atomic():`` (or ``atomic(using=...)``): its body commits or rolls
    back as one, so the queries in it are meant to run with it, once per row."""
    for item in statement.items:
        manager = item.item.func if isinstance(item.item, cst.Call) else item.item
        if semantic.qualified_name(manager) in _ATOMIC:
            return True
    return False


def _locks_rows(semantic: SemanticModel, query: cst.BaseExpression, depth: int = 0) -> bool:
    """Whether ``query`` calls ``select_for_update()`` on its way: in its own chain, or in
    the chain every assignment of the local variable it starts from builds."""
    while isinstance(query, (cst.Call, cst.Attribute, cst.Subscript)):
        if isinstance(query, cst.Call) and isinstance(query.func, cst.Attribute) and query.func.attr.value == "select_for_update":
            return True
        query = query.func if isinstance(query, cst.Call) else query.value
    if not isinstance(query, cst.Name) or depth > 2:
        return False
    found = semantic.lookup(query.value)
    if found is None or found[0].kind != "function" or not found[1]:
        return False
    values = [binding.value for binding in found[1] if binding.kind == "assign"]
    return len(values) == len(found[1]) and all(
        value is not None and _locks_rows(semantic, value, depth + 1) for value in values
    )


def _row_method_query(
    semantic: SemanticModel, node: cst.CSTNode, variable: str, rows: QueryType
) -> Optional[RowQuery]:
    """For ``row.method()`` or ``row.some_property``, on the loop's row of a known model,
    the first query the method runs on a related manager of ``self`` that the loop's
    prefetching does not answer."""
    expression: cst.BaseExpression
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute):
        expression, accessed, called = node, node.func, True
    elif isinstance(node, cst.Attribute):
        expression, accessed, called = node, node, False
    else:
        return None
    if not (isinstance(accessed.value, cst.Name) and accessed.value.value == variable):
        return None
    method = accessed.attr.value
    for is_property, attribute, calls in _calls_on_self(semantic.index, rows.model, method):
        if is_property == called or calls[-1] not in _TERMINAL or not all(c in _MANAGER_CHAIN for c in calls[:-1]):
            continue
        related = (attribute, any(c != "all" for c in calls[:-1]))
        if _related_manager_of(semantic, related, rows, calls[-1]):
            return RowQuery(expression, calls[-1], method, attribute)
    return None


def _calls_on_self(index, model: str, method: str) -> List[Tuple[bool, str, Tuple[str, ...]]]:
    """The calls ``model.method`` chains on attributes of ``self``, with whether it is a
    property, from the class that defines it: the model or the nearest project base."""
    for _, facts in index.lineage(model):
        if method in facts.methods:
            return [(p, a, c) for m, p, a, c in facts.self_call_chains if m == method]
    return []
