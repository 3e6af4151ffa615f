"""What each project function returns, read once in the index and used wherever it is called.

A summary is the function's return values written as expressions over its parameters and
the names of its module, with every local replaced by what it holds at the ``return``:

    def open_orders(user):
        orders = Order.objects.filter(status="open")
        if user is not None:
            orders = orders.filter(owner=user)
        return orders.select_related("customer")

returns ``Order.objects.filter(status="open").select_related("customer")`` or
``Order.objects.filter(status="open").filter(owner=user).select_related("customer")``.
The semantic model of the calling file evaluates these expressions with the types of the
call's arguments bound to the parameters (``semantic.model``), so a helper that refines the
queryset it is given keeps what the caller loaded, and a helper that builds one gives its
rows and what it loads. The join of the alternatives is what holds on every path.

The reading is made with Python's ``ast``, statement by statement, like the rest of the
index. Whatever it cannot follow for certain (a value assigned in a loop's target, by
unpacking, in a nested function, a ``return`` of nothing) makes the whole summary
unknown rather than partial: an unknown summary is simply not recorded.
"""

from __future__ import annotations

import ast
import builtins
import itertools
from collections import Counter
from dataclasses import dataclass
from typing import Callable, Dict, FrozenSet, Iterable, Iterator, List, Optional, Set, Tuple

from ormlint.semantic.trees import child_nodes, walk

#: At most this many different values per name and per ``return``: beyond it a function
#: is too branchy to be worth a summary.
_MAX_ALTERNATIVES = 12

#: Decorators after which a call still returns what the function body returns.
PROPERTY_DECORATORS = frozenset({"property", "cached_property"})
_TRANSPARENT_DECORATORS = PROPERTY_DECORATORS | {"staticmethod", "classmethod", "lru_cache", "cache", "abstractmethod"}

#: What a name holds at some point of the function: its possible values, or ``None`` when
#: nothing certain is known (assigned by unpacking, in a ``for`` target...).
Values = Optional[Tuple[ast.expr, ...]]


@dataclass(frozen=True)
class ReturnSummary:
    """What one function returns, as expressions the calling file can evaluate."""

    #: The source of each value it may return, over ``parameters`` and ``names``.
    values: Tuple[str, ...]
    #: The parameters a caller passes, in order: (name, position); keyword-only ones
    #: have position -1. ``self`` / ``cls`` of a method are not among them.
    parameters: Tuple[Tuple[str, int], ...]
    #: The names of the module the values use, with what they refer to.
    names: Tuple[Tuple[str, str], ...]
    #: The first parameter of a method (``self`` / ``cls``), bound to the receiver of
    #: the call; empty for functions and static methods.
    receiver: str = ""
    #: How it is called: ``function``, ``method``, ``classmethod``, ``staticmethod``, or
    #: ``property`` (read as an attribute, ``cached_property`` too); ``attribute`` for a
    #: class-level ``name = value``, read through the class's lineage.
    kind: str = "function"
    #: For a method whose returns depend on ``self.action`` (a DRF viewset's
    #: ``get_serializer_class``), for each value the actions it may be returned for, as
    #: ``action_may_run`` reads them; empty when no return depends on it.
    actions: Tuple[str, ...] = ()


#: Nodes whose children run in a scope of their own.
_OWN_SCOPES = frozenset({ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp})
#: The kinds of node ``FunctionBody._note`` learns from.
_NOTED = frozenset(
    {ast.Expr, ast.For, ast.AsyncFor, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp, ast.Name, ast.FunctionDef,
     ast.AsyncFunctionDef, ast.ClassDef, ast.Import, ast.ImportFrom, ast.ExceptHandler, ast.NamedExpr, ast.Yield, ast.YieldFrom}
)


class FunctionBody:
    """What one walk of a function's own scope finds, which every summary of the
    function shares (the summaries are read in time linear in the function's size)."""

    def __init__(self, function: ast.FunctionDef) -> None:
        self.function = function
        #: Every node below the function, nested scopes included, outermost first.
        self.nodes: List[ast.AST] = []
        #: Names the function's scope binds, and how many times each is a target.
        self.assigned: Set[str] = set()
        self.stores: Counter = Counter()
        #: Names bound by ``:=``, whose value the flow does not follow.
        self.walrus: Set[str] = set()
        self.generator = False
        #: Names handed as they are to a call made for its effect, or looped over: what
        #: happens to their rows there (``prefetch_related_objects(rows, ...)``, assigning
        #: each row's relation) is not in a summary of what the function returns.
        self.handed_on: Set[str] = set()
        #: ``parameter_guards`` by the parameters it was asked for (methods ask twice).
        self.guards: Dict[Tuple[Tuple[str, int], ...], Dict[int, str]] = {}
        self._always: Optional[List[ast.AST]] = None
        stack: List[Tuple[ast.AST, bool]] = [(child, True) for child in child_nodes(function)]
        nodes, note, push = self.nodes, self._note, stack.append
        while stack:
            node, own = stack.pop()
            nodes.append(node)
            if own:
                kind = type(node)
                if kind in _NOTED:
                    note(node)
                own = kind not in _OWN_SCOPES
            for child in child_nodes(node):
                push((child, own))

    @property
    def always(self) -> List[ast.AST]:
        """``always_evaluated`` of the function's body, walked once for all the summaries
        that ask (what it returns, writes and calls on every call)."""
        if self._always is None:
            self._always = list(always_evaluated(self.function.body))
        return self._always

    def call_parameters(self, method: bool) -> Tuple[Optional[str], Dict[str, int]]:
        """The receiver a method binds (``self`` / ``cls``; ``None`` for a function or a
        static method), and the parameters a caller passes with their positions, in
        order: ``-1`` for keyword-only ones."""
        function = self.function
        arguments = function.args.posonlyargs + function.args.args
        receiver = None
        if method and "staticmethod" not in {decorator_name(d) for d in function.decorator_list} and arguments:
            receiver, arguments = arguments[0].arg, arguments[1:]
        positions = {a.arg: i for i, a in enumerate(arguments)}
        positions.update({a.arg: -1 for a in function.args.kwonlyargs})
        return receiver, positions

    def _note(self, node: ast.AST) -> None:
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
            # A call made for what it does, not for its value (whose effect a summary
            # of the value would show): ``prefetch_related_objects(rows, "customer")``.
            call = node.value
            values = [*call.args, *(k.value for k in call.keywords)]
            self.handed_on.update(v.id for v in values if isinstance(v, ast.Name))
        elif isinstance(node, (ast.For, ast.AsyncFor)) and isinstance(node.iter, ast.Name):
            self.handed_on.add(node.iter.id)
        elif isinstance(node, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            first = node.generators[0].iter
            if isinstance(first, ast.Name):
                self.handed_on.add(first.id)
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            self.assigned.add(node.id)
            self.stores[node.id] += 1
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            self.assigned.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            self.assigned.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            self.assigned.add(node.name)
        elif isinstance(node, ast.NamedExpr) and isinstance(node.target, ast.Name):
            self.walrus.add(node.target.id)
        elif isinstance(node, (ast.Yield, ast.YieldFrom)):
            self.generator = True


def return_summary(body: FunctionBody, names: Dict[str, str], module: str, method: bool) -> Optional[ReturnSummary]:
    """The summary of ``body``'s function, or ``None`` when its returns cannot be read
    for certain or cannot be a query, a row or a session (constants, ``None``)."""
    function = body.function
    decorators = {decorator_name(d) for d in function.decorator_list}
    if decorators - _TRANSPARENT_DECORATORS or body.generator or isinstance(function, ast.AsyncFunctionDef):
        return None  # what a call gives is the decorator's, a generator or a coroutine
    receiver, positions = body.call_parameters(method)
    if method and "staticmethod" not in decorators and receiver is None:
        return None  # a method without ``self``
    parameters = list(positions.items())
    own = set(positions) | ({receiver} if receiver else set())
    flow = _ReturnFlow(body.assigned - own, body.walrus, receiver)
    environment = {name: (ast.Name(id=name, ctx=ast.Load()),) for name in own}
    flow.run(function.body, environment)
    if flow.failed or not flow.returns:
        return None
    reached: Dict[str, Actions] = {}
    try:
        for value, actions in zip(flow.returns, flow.return_actions):
            text = ast.unparse(value)
            reached[text] = _either(reached[text], actions) if text in reached else actions
    except (ValueError, RecursionError):  # an f-string Python cannot write back
        return None
    values = tuple(reached)
    actions = tuple(_action_text(a) for a in reached.values())
    if len(values) > _MAX_ALTERNATIVES or not all(_may_be_interesting(v) for v in flow.returns):
        return None
    mentioned = {n.id for value in flow.returns for n in walk(value) if isinstance(n, ast.Name)}
    if mentioned & own & body.handed_on:
        return None  # a parameter returned after being handed on: its rows may have changed
    used = sorted(mentioned - own)
    referred = _referred(used, names, module)
    if not any(actions):
        actions = ()
    return ReturnSummary(values, tuple(parameters), referred, receiver or "", _kind(method, decorators), actions)


def attribute_summary(value: ast.expr, names: Dict[str, str], module: str) -> Optional[ReturnSummary]:
    """A class-level ``name = value`` as a summary of kind ``attribute``, so that a
    subclass in another module evaluates it with the names of the module that wrote it
    (``queryset = Order.objects.select_related("customer")`` of a project base view)."""
    try:
        text = ast.unparse(value)
    except (ValueError, RecursionError):
        return None
    if len(text) > _MAX_ATTRIBUTE_TEXT:
        return None
    used = sorted({n.id for n in walk(value) if isinstance(n, ast.Name)})
    referred = _referred(used, names, module)
    return ReturnSummary((text,), (), referred, "", "attribute")


#: Longer class-level values (a literal table of choices) are not kept: no rule reads them.
_MAX_ATTRIBUTE_TEXT = 400

#: Which ``self.action`` values a return may be reached for: only those in the first
#: set (``None``: any), and none of those in the second.
Actions = Tuple[Optional[FrozenSet[str]], FrozenSet[str]]
ANY_ACTION: Actions = (None, frozenset())


def _narrowed(actions: Actions, named: FrozenSet[str], positive: bool) -> Actions:
    """``actions`` on the branch where ``self.action`` is (``positive``) or is not one of ``named``."""
    only, excluded = actions
    if positive:
        return ((named if only is None else only & named) - excluded, excluded)
    return (None if only is None else only - named, excluded | named)


def _either(first: Actions, second: Actions) -> Actions:
    """The actions for which one of two returns of the same value is reached."""
    if first[0] is not None and second[0] is not None:
        return (first[0] | second[0], frozenset())
    if first[0] is None and second[0] is None:
        return (None, first[1] & second[1])
    only, excluded = (first[0], second[1]) if first[0] is not None else (second[0], first[1])
    return (None, excluded - only)  # type: ignore[operator]


def _action_text(actions: Actions) -> str:
    only, excluded = actions
    if only is not None:
        return "=" + ",".join(sorted(only))
    return "-" + ",".join(sorted(excluded)) if excluded else ""


def action_may_run(text: str, action: str) -> bool:
    """Whether a value whose ``ReturnSummary.actions`` entry is ``text`` may be returned
    when ``self.action`` is ``action``."""
    if not text:
        return True
    named = set(text[1:].split(",")) - {""}
    return (action in named) == (text[0] == "=")


def _action_test(test: ast.expr, receiver: Optional[str]) -> Optional[Tuple[FrozenSet[str], bool]]:
    """``self.action == "list"``, ``self.action in ("list", "retrieve")`` and their
    negations: the actions named, and whether the test holds for them."""
    if receiver is None or not isinstance(test, ast.Compare) or len(test.ops) != 1:
        return None
    left, right, op = test.left, test.comparators[0], test.ops[0]
    if isinstance(op, (ast.Eq, ast.NotEq)) and _is_action(right, receiver):
        left, right = right, left
    if not _is_action(left, receiver):
        return None
    if isinstance(op, (ast.Eq, ast.NotEq)) and isinstance(right, ast.Constant) and isinstance(right.value, str):
        return frozenset({right.value}), isinstance(op, ast.Eq)
    if isinstance(op, (ast.In, ast.NotIn)) and isinstance(right, (ast.Tuple, ast.List, ast.Set)):
        named = [e.value for e in right.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
        if len(named) == len(right.elts):
            return frozenset(named), isinstance(op, ast.In)
    return None


def _is_action(node: ast.expr, receiver: str) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "action" and isinstance(node.value, ast.Name) and node.value.id == receiver


def _referred(used: Iterable[str], names: Dict[str, str], module: str) -> Tuple[Tuple[str, str], ...]:
    """The module-level names a summary's values use, with what each refers to: an
    import, or a name of ``module`` itself (builtins are left to the reader)."""
    return tuple((name, names.get(name, f"{module}.{name}")) for name in used if name in names or name not in _BUILTINS)


def _kind(method: bool, decorators: Set[str]) -> str:
    if not method:
        return "function"
    if decorators & PROPERTY_DECORATORS:
        return "property"
    for kind in ("classmethod", "staticmethod"):
        if kind in decorators:
            return kind
    return "method"


def _may_be_interesting(value: ast.expr) -> bool:
    """A value built by a call, an attribute or a subscript, or a parameter returned
    as it came: constants, literals and operators never give a query."""
    return isinstance(value, (ast.Call, ast.Attribute, ast.Subscript, ast.Name, ast.IfExp))


class _ReturnFlow:
    """Follows the statements of one function body, keeping what each local holds."""

    def __init__(self, local_names: Set[str], opaque: Set[str], receiver: Optional[str] = None) -> None:
        #: Names the function assigns somewhere: before their first assignment they hold
        #: nothing we know; nor ever, for those bound by ``:=`` (``opaque``).
        self.local_names = local_names
        self.opaque = opaque
        self.returns: List[ast.expr] = []
        #: For each of ``returns``, the ``self.action`` values it may be reached for.
        self.return_actions: List[Actions] = []
        self.receiver = receiver
        self.actions: Actions = ANY_ACTION
        self.failed = False

    def run(self, statements: Iterable[ast.stmt], environment: Dict[str, Values]) -> Tuple[Dict[str, Values], bool]:
        """The environment after ``statements``, and whether they always leave the
        function (``return`` / ``raise``) so that nothing after them runs."""
        for statement in statements:
            if self.failed:
                return environment, True
            environment, leaves = self._statement(statement, environment)
            if leaves:
                return environment, True
        return environment, False

    def _statement(self, statement: ast.stmt, environment: Dict[str, Values]) -> Tuple[Dict[str, Values], bool]:
        if isinstance(statement, (ast.For, ast.AsyncFor, ast.While, ast.Try, ast.Match)) or type(statement).__name__ == "TryStar":
            # What an ``if self.action ...`` inside tells holds there only: the body of
            # a loop may not run, a handler may start anywhere.
            before = self.actions
            try:
                return self._plain_statement(statement, environment)
            finally:
                self.actions = before
        return self._plain_statement(statement, environment)

    def _plain_statement(self, statement: ast.stmt, environment: Dict[str, Values]) -> Tuple[Dict[str, Values], bool]:
        if isinstance(statement, ast.Return):
            if statement.value is None:
                self.failed = True
            else:
                found = self.substitute(statement.value, environment)
                if found is None:
                    self.failed = True
                else:
                    self.returns.extend(found)
                    self.return_actions.extend(self.actions for _ in found)
            return environment, True
        if isinstance(statement, ast.Raise):
            return environment, True
        environment = dict(environment)
        if isinstance(statement, ast.Assign):
            value = self.substitute(statement.value, environment)
            for target in statement.targets:
                self._bind(target, value if len(statement.targets) == 1 else None, environment)
        elif isinstance(statement, ast.AnnAssign):
            if statement.value is not None:
                self._bind(statement.target, self.substitute(statement.value, environment), environment)
        elif isinstance(statement, (ast.AugAssign, ast.Delete)):
            for target in statement.targets if isinstance(statement, ast.Delete) else [statement.target]:
                self._bind(target, None, environment)
        elif isinstance(statement, ast.If):
            return self._if(statement, environment)
        elif isinstance(statement, (ast.For, ast.AsyncFor, ast.While)):
            if not isinstance(statement, ast.While):
                self._bind(statement.target, None, environment)
            body, _ = self.run(statement.body, environment)
            after = _merge([environment, body])
            after, _ = self.run(statement.orelse, after)
            return after, False
        elif isinstance(statement, (ast.With, ast.AsyncWith)):
            for item in statement.items:
                if item.optional_vars is not None:
                    self._bind(item.optional_vars, None, environment)
            return self.run(statement.body, environment)
        elif isinstance(statement, ast.Try) or type(statement).__name__ == "TryStar":
            return self._try(statement, environment)
        elif isinstance(statement, ast.Match):
            outcomes = [environment]
            for case in statement.cases:
                for node in walk(case.pattern):
                    captured = getattr(node, "name", None)
                    if isinstance(captured, str):
                        environment[captured] = None
                outcome, leaves = self.run(case.body, environment)
                if not leaves:
                    outcomes.append(outcome)
            return _merge(outcomes), False
        elif isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            environment[statement.name] = None
        elif isinstance(statement, (ast.Import, ast.ImportFrom)):
            for alias in statement.names:
                environment[(alias.asname or alias.name).split(".")[0]] = None
        elif isinstance(statement, (ast.Global, ast.Nonlocal)):
            self.failed = True
        return environment, False

    def _if(self, statement: ast.If, environment: Dict[str, Values]) -> Tuple[Dict[str, Values], bool]:
        """Both branches; under ``if self.action == "list":`` each knows which actions
        reach it, and what follows a branch that always returns knows it too."""
        before = self.actions
        test = _action_test(statement.test, self.receiver)
        body_actions = _narrowed(before, *test) if test else before
        orelse_actions = _narrowed(before, test[0], not test[1]) if test else before
        self.actions = body_actions
        body, body_leaves = self.run(statement.body, environment)
        body_actions = self.actions
        self.actions = orelse_actions
        orelse, orelse_leaves = self.run(statement.orelse, environment)
        orelse_actions = self.actions
        if body_leaves and not orelse_leaves:
            self.actions = orelse_actions
        elif orelse_leaves and not body_leaves:
            self.actions = body_actions
        else:
            self.actions = _either(body_actions, orelse_actions)
        return _merge([e for e, leaves in ((body, body_leaves), (orelse, orelse_leaves)) if not leaves]), body_leaves and orelse_leaves

    def _try(self, statement, environment: Dict[str, Values]) -> Tuple[Dict[str, Values], bool]:
        body, body_leaves = self.run(statement.body, environment)
        # A handler may start anywhere in the body: from what held before it or after it.
        start = _merge([environment, body])
        outcomes = []
        if not body_leaves:
            orelse, orelse_leaves = self.run(statement.orelse, body)
            if not orelse_leaves:
                outcomes.append(orelse)
        for handler in statement.handlers:
            handled = dict(start)
            if handler.name:
                handled[handler.name] = None
            outcome, leaves = self.run(handler.body, handled)
            if not leaves:
                outcomes.append(outcome)
        if not outcomes:
            self.run(statement.finalbody, start)
            return start, True
        return self.run(statement.finalbody, _merge(outcomes))

    def _bind(self, target: ast.expr, value: Values, environment: Dict[str, Values]) -> None:
        if isinstance(target, ast.Name):
            environment[target.id] = value
        elif isinstance(target, (ast.Tuple, ast.List)):
            for element in target.elts:
                self._bind(element, None, environment)
        elif isinstance(target, ast.Starred):
            self._bind(target.value, None, environment)

    def substitute(self, value: ast.expr, environment: Dict[str, Values]) -> Values:
        """The expressions ``value`` stands for, with each local replaced by each of its
        values; ``None`` if one of them is unknown, or for a lambda or comprehension (whose
        own names would need scopes of their own)."""
        reads: List[str] = []
        for node in walk(value):
            if isinstance(node, (ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp, ast.NamedExpr)):
                return None
            if isinstance(node, ast.Name) and node.id not in reads:
                reads.append(node.id)
        choices: List[Tuple[str, Tuple[ast.expr, ...]]] = []
        for name in reads:
            if name in self.opaque:
                return None
            if name in environment:
                held = environment[name]
                if held is None:
                    return None
                if not (len(held) == 1 and isinstance(held[0], ast.Name) and held[0].id == name):
                    choices.append((name, held))
            elif name in self.local_names:
                return None  # read before the function assigns it
        combinations = list(itertools.islice(itertools.product(*(held for _, held in choices)), _MAX_ALTERNATIVES + 1))
        if len(combinations) > _MAX_ALTERNATIVES:
            return None
        if not choices:
            return (value,)
        return tuple(_replace_names(value, dict(zip((name for name, _ in choices), chosen))) for chosen in combinations)


def _merge(environments: List[Dict[str, Values]]) -> Dict[str, Values]:
    """What holds after paths that join: every value a name may have on one of them; a
    name that some path leaves unbound or unknown is unknown."""
    if not environments:
        return {}
    if len(environments) == 1:
        return environments[0]
    merged: Dict[str, Values] = {}
    for name in set().union(*environments):
        held = [e.get(name) if name in e else None for e in environments]
        if any(h is None for h in held):
            merged[name] = None
            continue
        values = {id(v): v for h in held for v in h}  # type: ignore[union-attr]
        merged[name] = tuple(values.values()) if len(values) <= _MAX_ALTERNATIVES else None
    return merged


def _replace_names(value: ast.expr, replacements: Dict[str, ast.expr]) -> ast.expr:
    """``value`` with the names in ``replacements`` replaced, sharing every subtree that
    does not change (nothing is mutated afterwards, so sharing is safe)."""
    if isinstance(value, ast.Name):
        return replacements.get(value.id, value)
    changed = False
    fields = {}
    for name, field in ast.iter_fields(value):
        if isinstance(field, ast.expr):
            new = _replace_names(field, replacements)
        elif isinstance(field, list):
            new = [_replace_names(item, replacements) if isinstance(item, ast.expr) else item for item in field]
            new = field if all(a is b for a, b in zip(new, field)) else new
        else:
            new = field
        changed = changed or new is not field
        fields[name] = new
    return type(value)(**fields) if changed else value


def calls_super(node: ast.AST, method: str) -> bool:
    """``super().<method>(...)`` (or ``super(Class, self).<method>(...)``)."""
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == method
        and isinstance(node.func.value, ast.Call)
        and isinstance(node.func.value.func, ast.Name)
        and node.func.value.func.id == "super"
    )


def decorator_name(node: ast.expr) -> str:
    """``property`` for ``@property``, ``lru_cache`` for ``@functools.lru_cache(...)``."""
    if isinstance(node, ast.Call):
        node = node.func
    if isinstance(node, ast.Attribute):
        return node.attr
    return node.id if isinstance(node, ast.Name) else ""


_BUILTINS = frozenset(dir(builtins))


# -- what a function does with its parameters ---------------------------------------------

#: Chains read on one parameter, at most: a function reading more is summarised in part.
_MAX_CHAINS = 24

#: (function, parameter, position, chain): the attribute chains a function reads on a
#: parameter (``order.customer.name`` as ``("customer", "name")``).
ParameterChain = Tuple[str, str, int, Tuple[str, ...]]
#: A ``ParameterChain`` read only on a branch that another parameter's value decides,
#: with the guard of that branch (see ``parameter_guards``).
GuardedChain = Tuple[str, str, int, Tuple[str, ...], str]
#: (function, parameter, position, how, callee, callee position, callee keyword): a call
#: that passes the parameter on (``how`` is ``param``), or each item of a loop over it
#: (``item``). ``callee`` is a qualified name, or ``self:<method>`` for a method of the
#: function's own class; the position is -1 for a keyword argument.
Forward = Tuple[str, str, int, str, str, int, str]
#: (function, rows parameter, position, callback parameter, position, callee, rows at,
#: rows keyword, callback at, callback keyword): the function calls its callback
#: parameter with each item of its rows parameter as the first argument
#: (``serialize(row)`` in a loop over ``rows``, ``map(serialize, rows)``; ``callee`` is
#: empty), or passes both on in one call to ``callee`` (named as in ``Forward``), at
#: those positions (-1 for a keyword), which may call it so in turn.
Callback = Tuple[str, str, int, str, int, str, int, str, int, str]


def parameter_uses(
    body: FunctionBody, names: Dict[str, str], method: bool
) -> Tuple[Tuple[ParameterChain, ...], Tuple[Forward, ...], Tuple[GuardedChain, ...], Tuple[Callback, ...]]:
    """What ``body``'s function reads on each parameter, which calls it passes each
    parameter (or the items of a loop over it) to, so that the index can follow rows
    several calls deep, what it reads only when another parameter is (or is not)
    ``None``, and which parameter it calls on each item of another one (the caller's
    argument says what that reads). Parameters the function rebinds are left out."""
    function = body.function
    receiver, positions = body.call_parameters(method)
    kept = {name: position for name, position in positions.items() if name not in body.assigned}
    nodes = body.nodes
    # What is read only when another parameter is None (or is not) is kept apart: the
    # caller's argument may say that branch never runs.
    # What is read only on a branch another parameter decides is kept apart: the
    # caller's argument may say that branch never runs.
    unguarded, by_guard = split_by_guard(nodes, parameter_guards(body, positions))
    read = chains_by_root(unguarded, set(kept))
    guarded: List[GuardedChain] = []
    for guard, inside in by_guard.items():
        for name, found in chains_by_root(inside, set(kept)).items():
            guarded.extend(
                (function.name, name, kept[name], chain, guard)
                for chain in found
                if chain not in read.get(name, ()) and chain != ("save",)
            )
    # A save counts only where it runs on every call: ``if commit: user.save()`` may not.
    saved: Set[str] = set()
    if any(("save",) in read.get(name, ()) for name in kept):
        saved = {
            node.value.id
            for node in body.always
            if isinstance(node, ast.Attribute) and node.attr == "save" and isinstance(node.value, ast.Name)
        }
    chains = [
        (function.name, name, kept[name], chain)
        for name in kept
        for chain in read.get(name, ())
        if chain != ("save",) or name in saved
    ]
    # ``for row in rows:`` (or a comprehension over ``rows``): ``row`` stands for each item.
    items: Dict[str, str] = {}
    for node in nodes:
        loops = [(node.target, node.iter)] if isinstance(node, (ast.For, ast.AsyncFor)) else []
        if isinstance(node, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
            loops = [(g.target, g.iter) for g in node.generators]
        for target, iterable in loops:
            if isinstance(target, ast.Name) and isinstance(iterable, ast.Name) and iterable.id in kept:
                items[target.id] = iterable.id
    forwards: List[Forward] = []
    callbacks: List[Callback] = []
    # A parameter read as an object (``request.user``) or looped over is taken for no
    # callback: handing it on with rows needs no record.
    objects = {*read, *items.values(), *(name for _, name, *_ in guarded)}
    for node in nodes:
        if not isinstance(node, ast.Call):
            continue
        item = _item_passed_to_parameter(node, kept, items, body)
        if item is not None:
            rows, callback = item
            callbacks.append((function.name, rows, kept[rows], callback, kept[callback], "", 0, "", 0, ""))
        callee = _callee_of(node.func, names, receiver)
        if callee is None:
            continue
        if callee == "builtins.map" and len(node.args) == 2:
            # ``map(render, rows)`` calls ``render`` with each item of ``rows``.
            render, rows = node.args
            if not (isinstance(rows, ast.Name) and rows.id in kept):
                continue
            if isinstance(render, ast.Name) and render.id in kept:
                callbacks.append((function.name, rows.id, kept[rows.id], render.id, kept[render.id], "", 0, "", 0, ""))
                continue
            inner = _callee_of(render, names, receiver)
            if inner is not None:
                forwards.append((function.name, rows.id, kept[rows.id], "item", inner, 0, ""))
            continue
        passed = [(a, i, "") for i, a in enumerate(node.args)] + [(k.value, -1, k.arg or "") for k in node.keywords]
        parameters_passed = []
        for value, position, keyword in passed:
            if not isinstance(value, ast.Name):
                continue
            if value.id in kept:
                forwards.append((function.name, value.id, kept[value.id], "param", callee, position, keyword))
                parameters_passed.append((value.id, position, keyword))
            elif value.id in items and body.stores[value.id] <= 1:  # bound by its loop only
                parameter = items[value.id]
                forwards.append((function.name, parameter, kept[parameter], "item", callee, position, keyword))
        if callee.startswith("builtins.") or any(isinstance(a, ast.Starred) for a in node.args):
            continue  # no project code to call a callback; where ``*args`` puts what follows is unknown
        # Rows and a callback handed on together, to a callee that may call one on the other.
        callbacks.extend(
            (function.name, rows, kept[rows], callback, kept[callback], callee, rows_at, rows_keyword, callback_at, callback_keyword)
            for (rows, rows_at, rows_keyword), (callback, callback_at, callback_keyword) in itertools.permutations(parameters_passed, 2)
            if callback not in objects
        )
    return tuple(dict.fromkeys(chains)), tuple(dict.fromkeys(forwards)), tuple(dict.fromkeys(guarded)), tuple(dict.fromkeys(callbacks))


def _item_passed_to_parameter(call: ast.Call, kept: Dict[str, int], items: Dict[str, str], body: FunctionBody) -> Optional[Tuple[str, str]]:
    """For ``serialize(row, ...)``, where ``serialize`` is a parameter and ``row`` each
    item of a loop over the parameter ``rows``: ``("rows", "serialize")``."""
    func, arguments = call.func, call.args
    if not (isinstance(func, ast.Name) and func.id in kept and arguments and isinstance(arguments[0], ast.Name)):
        return None
    item = arguments[0].id
    if item not in items or body.stores[item] > 1:  # bound by its loop only
        return None
    return items[item], func.id


def parameter_guards(body: FunctionBody, positions: Dict[str, int]) -> Dict[int, str]:
    """The nodes that run only on a branch a parameter's value decides, each with its
    guard: ``if component is None:`` (``"<position>:<name>:none:<default>"``, and
    ``some`` for its ``else``), ``if fast:`` / ``if not fast:`` (``true`` / ``false``).
    ``default`` is the class of the parameter's constant default (``none``, ``true``,
    ``false``), ``?`` for another default and empty without one. A node under several
    such branches has their guards joined by ``&``: it runs only if all of them hold.

    A caller's argument may say that a branch never runs (``can_add(user, fast=True)``
    skips ``if not fast: self.template.check()``); ``guard_may_run`` decides. The guard
    reads the value the caller passes, even where the function rebinds the parameter
    before the test: a branch ruled out only takes reads away, so a mistake there can
    hide a finding but never make one."""
    key = tuple(positions.items())
    if key not in body.guards:
        body.guards[key] = _parameter_guards(body, positions)
    return body.guards[key]


def _parameter_guards(body: FunctionBody, positions: Dict[str, int]) -> Dict[int, str]:
    defaults: Optional[Dict[str, str]] = None
    found: Dict[int, List[str]] = {}
    for node in body.nodes:  # outermost first, so nested guards are joined in order
        if type(node) is not ast.If:
            continue
        tested = _tested_parameter(node.test, positions)
        if tested is None:
            continue
        name, when, otherwise = tested
        defaults = _default_classes(body.function) if defaults is None else defaults
        prefix = f"{positions[name]}:{name}"
        branches = [(when, node.body), (otherwise, node.orelse)]
        for kind, statements in branches:
            guard = f"{prefix}:{kind}:{defaults.get(name, '')}"
            for statement in statements:
                for inner in walk(statement):
                    found.setdefault(id(inner), []).append(guard)
    return {node_id: "&".join(dict.fromkeys(guards)) for node_id, guards in found.items()}


def _tested_parameter(test: ast.expr, positions: Dict[str, int]) -> Optional[Tuple[str, str, str]]:
    """For ``if p is None`` / ``if p is not None`` / ``if p`` / ``if not p`` on a
    parameter ``p``: its name and the kinds of value for which the ``if`` and the
    ``else`` run."""
    negated = isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not)
    operand = test.operand if negated else test
    if isinstance(operand, ast.Name) and operand.id in positions:
        return (operand.id, "false", "true") if negated else (operand.id, "true", "false")
    if not isinstance(test, ast.Compare) or len(test.ops) != 1 or not isinstance(test.left, ast.Name):
        return None
    name, operator, right = test.left.id, test.ops[0], test.comparators[0]
    if name not in positions or not (isinstance(right, ast.Constant) and right.value is None):
        return None
    if isinstance(operator, ast.Is):
        return name, "none", "some"
    if isinstance(operator, ast.IsNot):
        return name, "some", "none"
    return None


def _default_classes(function: ast.FunctionDef) -> Dict[str, str]:
    arguments = function.args.posonlyargs + function.args.args
    pairs = list(zip(arguments[len(arguments) - len(function.args.defaults) :], function.args.defaults))
    pairs += [(a, d) for a, d in zip(function.args.kwonlyargs, function.args.kw_defaults) if d is not None]
    return {a.arg: (constant_class(d.value) if isinstance(d, ast.Constant) else "?") for a, d in pairs}


def constant_class(value: object) -> str:
    """What a guard needs to know of a constant: ``none``, or whether it is true."""
    if value is None:
        return "none"
    return "true" if value else "false"


#: For each class of value, the kinds of guard it can satisfy.
_SATISFIES = {
    "none": {"none", "false"},
    "true": {"some", "true"},
    "false": {"some", "false"},
    "some": {"some", "true", "false"},  # not None; true or not, unknown
}


def guard_may_run(guard: str, argument: Callable[[int, str], Optional[str]]) -> bool:
    """Whether the branches a ``parameter_guards`` guard names may run for a call, where
    ``argument(position, name)`` gives the class of the value the call passes there
    (``none``, ``true``, ``false``, ``some``), ``""`` when it passes none, or ``None``
    when that is not known."""
    for part in guard.split("&"):
        position, name, kind, default = part.split(":")
        value = argument(int(position), name)
        if value == "":
            value = default if default in _SATISFIES else None
        if value is not None and kind not in _SATISFIES[value]:
            return False
    return True


def split_by_guard(nodes: List[ast.AST], guards: Dict[int, str]) -> Tuple[List[ast.AST], Dict[str, List[ast.AST]]]:
    """``nodes`` (in their order) that run on every branch, and those each guard holds."""
    if not guards:
        return nodes, {}
    unguarded: List[ast.AST] = []
    by_guard: Dict[str, List[ast.AST]] = {}
    for node in nodes:
        guard = guards.get(id(node))
        if guard is None:
            unguarded.append(node)
        else:
            by_guard.setdefault(guard, []).append(node)
    return unguarded, by_guard


def _callee_of(func: ast.expr, names: Dict[str, str], receiver: Optional[str]) -> Optional[str]:
    """Who ``func(...)`` calls: a qualified name through the module's names
    (``builtins.map`` for a builtin), or ``self:<method>`` on the method's receiver."""
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == receiver:
        return f"self:{func.attr}"
    parts: List[str] = []
    while isinstance(func, ast.Attribute):
        parts.insert(0, func.attr)
        func = func.value
    if not isinstance(func, ast.Name):
        return None
    head = names.get(func.id) or (f"builtins.{func.id}" if func.id in _BUILTINS and not parts else None)
    return ".".join([head, *parts]) if head else None


def chains_on(roots: List[ast.AST], name: str) -> List[Tuple[str, ...]]:
    """The distinct maximal ``name.a.b`` chains read below ``roots`` (not those assigned);
    ``("__str__",)`` where ``name`` is turned into text (``str(name)``, ``f"{name}"``)."""
    nodes = [node for root in roots for node in walk(root)]
    return chains_by_root(nodes, {name}).get(name, [])


def chains_by_root(nodes: Iterable[ast.AST], roots: Set[str]) -> Dict[str, List[Tuple[str, ...]]]:
    """``chains_on`` for several names at once, in one pass over ``nodes`` (which
    ``ast.walk`` gives outermost first, so each chain is met whole before its parts)."""
    inner: Set[int] = set()
    found: Dict[str, List[Tuple[str, ...]]] = {}
    for node in nodes:
        root, chain = None, []
        if isinstance(node, ast.FormattedValue) and isinstance(node.value, ast.Name):
            root, chain = node.value.id, ["__str__"]
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "str"
            and len(node.args) == 1
            and isinstance(node.args[0], ast.Name)
        ):
            root, chain = node.args[0].id, ["__str__"]
        elif isinstance(node, ast.Attribute) and id(node) not in inner:
            current: ast.expr = node
            while isinstance(current, ast.Attribute):
                inner.add(id(current))
                chain.insert(0, current.attr)
                current = current.value
            if isinstance(current, ast.Name):
                root = current.id
            if isinstance(node.ctx, (ast.Store, ast.Del)):
                chain = chain[:-1]
        if root not in roots or not chain:
            continue
        chains = found.setdefault(root, [])
        if tuple(chain) not in chains and len(chains) < _MAX_CHAINS:
            chains.append(tuple(chain))
    return found


#: In a method's ``self`` chain, where a loop iterates a related manager's rows:
#: ``("tags", "all", ITERATED, "name")`` for ``for tag in self.tags.all(): tag.name``.
ITERATED = "<each>"


def iterated_chains(nodes: Iterable[ast.AST], receiver: str, method: str) -> List[Tuple[str, ...]]:
    """The chains of ``for x in self.rel.all():`` (and comprehensions over it) in
    ``method``: the relation iterated, then what each item reads. Only a loop says for
    certain that the rows are fetched; ``self.rel.all().filter(...)`` would run a query
    of its own. A loop that calls ``method`` on each item walks a tree, as deep as it
    goes, which no prefetch covers: it is left out."""
    found: List[Tuple[str, ...]] = []
    for node in nodes:
        if isinstance(node, (ast.For, ast.AsyncFor)):
            loops = [(node.target, node.iter, node.body)]
        elif isinstance(node, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
            parts = [node.key, node.value] if isinstance(node, ast.DictComp) else [node.elt]
            loops = [(g.target, g.iter, parts + g.ifs) for g in node.generators]
        else:
            continue
        for target, iterable, body in loops:
            if not (isinstance(iterable, ast.Call) and not iterable.args and not iterable.keywords):
                continue
            prefix = attribute_path(iterable.func)
            if not isinstance(target, ast.Name) or prefix is None or prefix[0] != receiver or prefix[-1] != "all" or len(prefix) < 3:
                continue
            walked = [n for statement in body for n in walk(statement)]
            if any(_assigns_attribute_of(n, target.id) for n in walked):
                continue  # a loop that writes its items: what they read after that is unknown
            inner = chains_by_root(walked, {target.id}).get(target.id, [])
            if any(chain[0] == method for chain in inner):
                continue
            found.append((*prefix[1:], ITERATED))
            found.extend((*prefix[1:], ITERATED, *chain) for chain in inner)
    return found[:_MAX_CHAINS]


def _assigns_attribute_of(node: ast.AST, name: str) -> bool:
    """``name.attr = ...`` (or ``del name.attr``): the item's relation cache changes."""
    return (
        isinstance(node, ast.Attribute)
        and isinstance(node.ctx, (ast.Store, ast.Del))
        and isinstance(node.value, ast.Name)
        and node.value.id == name
    )


def attribute_path(node: ast.expr) -> Optional[Tuple[str, ...]]:
    """``a.b.c`` as ``("a", "b", "c")``; anything else ``None``."""
    parts: List[str] = []
    while isinstance(node, ast.Attribute):
        parts.insert(0, node.attr)
        node = node.value
    return (node.id, *parts) if isinstance(node, ast.Name) else None


def when_new_only(function: ast.FunctionDef, receiver: str, nodes: List[ast.AST]) -> Set[int]:
    """The nodes of a method that run only for a row not yet in the database: the body
    of ``if self._state.adding:``, ``if not self.pk:``, ``if self.id is None:``. A loop
    over rows loaded from the database never runs them (``save()`` setting defaults)."""
    # ``is_new = self.id is None`` ... ``if is_new:``
    stores = Counter(n.id for n in nodes if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store))
    flags = {
        node.targets[0].id
        for node in nodes
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)
        and stores[node.targets[0].id] == 1 and _tests_new_row(node.value, receiver, set())
    }
    skipped: Set[int] = set()
    for node in nodes:
        if isinstance(node, ast.If) and _tests_new_row(node.test, receiver, flags):
            skipped.update(id(inner) for statement in node.body for inner in walk(statement))
    return skipped


def _tests_new_row(test: ast.expr, receiver: str, flags: Set[str]) -> bool:
    """Whether ``test`` holds only for a row being created: it tests ``adding`` or a
    missing key, itself, through a local flag, or as one of the ``and``-ed conditions."""
    if isinstance(test, ast.Name):
        return test.id in flags
    if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And):
        return any(_tests_new_row(value, receiver, flags) for value in test.values)

    def is_key(node: ast.expr) -> bool:
        return isinstance(node, ast.Attribute) and node.attr in ("pk", "id") and isinstance(node.value, ast.Name) and node.value.id == receiver

    if isinstance(test, ast.Attribute) and test.attr == "adding":
        state = test.value
        return isinstance(state, ast.Attribute) and state.attr == "_state" and isinstance(state.value, ast.Name) and state.value.id == receiver
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        return is_key(test.operand)
    if isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.Is):
        right = test.comparators[0]
        return is_key(test.left) and isinstance(right, ast.Constant) and right.value is None
    return False


#: ``try`` statements, with ``try: ... except* E:`` where Python has it (3.11).
_TRY_STATEMENTS = tuple(getattr(ast, name) for name in ("Try", "TryStar") if hasattr(ast, name))


def always_evaluated(statements: List[ast.stmt]) -> Iterator[ast.AST]:
    """The nodes of ``statements`` evaluated whenever the statements run, outermost
    first: not the branches of an ``if`` or ``match``, the body of a loop, an ``except``
    or ``else`` clause, what follows the first operand of ``and`` / ``or``, the arms of a
    conditional expression, the items of a comprehension, nor nested functions, lambdas
    and classes."""
    pending: List[ast.AST] = list(reversed(statements))
    while pending:
        node = pending.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            continue
        yield node
        if isinstance(node, (ast.If, ast.While, ast.IfExp)):
            evaluated: List[ast.AST] = [node.test]
        elif isinstance(node, (ast.For, ast.AsyncFor)):
            evaluated = [node.iter]
        elif isinstance(node, ast.Match):
            evaluated = [node.subject]
        elif isinstance(node, _TRY_STATEMENTS):
            evaluated = [*node.body, *node.finalbody]
        elif isinstance(node, ast.BoolOp):
            evaluated = node.values[:1]
        elif isinstance(node, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            evaluated = [node.generators[0].iter]
        else:
            evaluated = list(child_nodes(node))
        pending.extend(reversed(evaluated))


# -- what a function writes on every call -------------------------------------------------

#: (function, kind, parameter, position, model, manager): a write the function makes on
#: every call. ``creates``: it inserts a row of ``model`` (``model.manager.create(...)``,
#: ``model(...).save()``); ``creates_kept``: the same, and uses the new row there; ``adds``: it adds a new ``model`` row to the session
#: ``manager`` (a qualified name) and commits or flushes it; ``fetches``: it fetches a
#: row of ``model`` by its parameter (``model.manager.get(pk=pk)``,
#: ``get_object_or_404(model, ...)``) and saves it; ``fetches_deletes``: the same, and
#: deletes it; ``saves_each``: it loops over its
#: (unannotated) parameter and saves every item. The model is a qualified name as the
#: module's names give it, for the index to resolve; ``parameter`` is empty and
#: ``position`` -1 where no parameter is involved.
WriteFact = Tuple[str, str, str, int, str, str]

_GET_OBJECT_OR_404 = frozenset({"django.shortcuts.get_object_or_404"})
#: The methods one of which every write a summary records calls.
_WRITE_METHODS = frozenset({"create", "save", "delete", "add", "commit", "flush"})
#: Decorators that run the function when it is called (``transaction.atomic`` in a
#: transaction of its own).
_CALLING_DECORATORS = frozenset({"staticmethod", "classmethod", "atomic"})


def write_facts(body: FunctionBody, names: Dict[str, str], module: str, method: bool) -> Tuple[WriteFact, ...]:
    """The writes ``body``'s function makes whenever it is called, so that a loop calling
    it once per item writes once per item. Only writes that run on every call count (see
    ``every_call``): not under ``if``, in a loop, in a ``try`` that may catch their
    failure, or in a nested function. ``get_or_create()`` / ``update_or_create()`` may
    create nothing, and are not creates. Calling a generator or a coroutine function runs
    none of its body, and a decorator may run it later or elsewhere (a task queue's):
    only plain functions, or those under a decorator that calls them there and then, have
    writes per call."""
    function = body.function
    decorators = {decorator_name(d) for d in function.decorator_list}
    if body.generator or isinstance(function, ast.AsyncFunctionDef) or decorators - _CALLING_DECORATORS:
        return ()
    if not any(type(node) is ast.Attribute and node.attr in _WRITE_METHODS for node in body.nodes):
        return ()
    own, positions = body.call_parameters(method)
    kept = {name: position for name, position in positions.items() if name not in body.assigned}
    qualified = _qualifier(names, module, body.assigned | set(positions) | ({own} if own else set()))
    always = every_call(body)
    constructed = {}  # ``order = Order(...)``, bound once: name -> model
    fetched = {}  # ``order = Order.objects.get(pk=pk)``, bound once: name -> (model, manager, parameter)
    saved: Set[str] = set()
    deleted: Set[str] = set()
    added: List[Tuple[str, ast.expr]] = []  # ``db.session.add(row)``: (session, row)
    committed: Set[str] = set()  # sessions committed or flushed
    facts: List[WriteFact] = []
    # A create whose row the function goes on to use (``log = Log.objects.create(...)``
    # then ``run(log.pk)``) must happen there and then (``creates_kept``): only one whose
    # result is dropped, or returned, could wait for a ``bulk_create()`` after the loop.
    unused = {id(node.value) for node in always if isinstance(node, (ast.Expr, ast.Return))}
    for node in always:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            value, name = node.value, node.targets[0].id
            creates = isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute) and value.func.attr == "create"
            if creates and body.stores[name] == 1 and not _used_beyond_its_fields(body, name):
                unused.add(id(value))
    for node in always:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            name = node.targets[0].id
            if body.stores[name] == 1:
                fetch = _fetch_by(node.value, qualified, set(kept))
                model = _called_class(node.value, qualified)
                if fetch is not None:
                    fetched[name] = fetch
                elif model is not None:
                    constructed[name] = model
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            receiver, method_name = node.func.value, node.func.attr
            if method_name == "create":
                manager = _manager_of(receiver, qualified)
                if manager is not None:
                    kind = "creates" if id(node) in unused else "creates_kept"
                    facts.append((function.name, kind, "", -1, *manager))
            elif method_name == "save" and isinstance(receiver, ast.Call):
                model = _called_class(receiver, qualified)
                if model is not None:
                    facts.append((function.name, "creates", "", -1, model, ""))
            elif method_name == "save" and isinstance(receiver, ast.Name):
                saved.add(receiver.id)
            elif method_name == "delete" and isinstance(receiver, ast.Name):
                deleted.add(receiver.id)
            elif method_name in ("add", "commit", "flush"):
                session = _reference(receiver, qualified)
                if session is not None and method_name != "add":
                    committed.add(session)
                elif session is not None and len(node.args) == 1 and not node.keywords:
                    added.append((session, node.args[0]))
    facts.extend(
        (function.name, "creates_kept" if _used_beyond_its_fields(body, name) else "creates", "", -1, constructed[name], "")
        for name in sorted(saved & set(constructed))
    )
    # A row added to a session is inserted at its next flush, with every row added
    # before it: only a helper that also commits (or flushes) inserts once per call.
    for session, row in added:
        model = constructed.get(row.id) if isinstance(row, ast.Name) else _called_class(row, qualified)
        if model is not None and session in committed:
            facts.append((function.name, "adds", "", -1, model, session))
    for kind, written in (("fetches", saved), ("fetches_deletes", deleted)):
        for name in sorted(written & set(fetched)):
            model, manager, parameter = fetched[name]
            facts.append((function.name, kind, parameter, kept[parameter], model, manager))
    annotated = {a.arg for a in function.args.posonlyargs + function.args.args + function.args.kwonlyargs if a.annotation}
    for loop in (n for n in always if isinstance(n, (ast.For, ast.AsyncFor))):
        rows = loop.iter
        if isinstance(rows, ast.Name) and rows.id in kept and rows.id not in annotated and _saves_every_item(loop):
            facts.append((function.name, "saves_each", rows.id, kept[rows.id], "", ""))
    return tuple(dict.fromkeys(facts))


def _used_beyond_its_fields(body: FunctionBody, name: str) -> bool:
    """Whether the function reads the row bound to ``name`` other than to set its fields
    (``row.title = ...``), save it or return it: passes it on, reads its key. (What the
    caller does with a row returned to it is the caller's business.)"""
    written = {
        id(node.value)
        for node in body.nodes
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == name
        and (isinstance(node.ctx, ast.Store) or node.attr == "save")
    }
    written.update(id(node.value) for node in body.nodes if isinstance(node, ast.Return) and isinstance(node.value, ast.Name))
    return any(
        isinstance(node, ast.Name) and node.id == name and isinstance(node.ctx, ast.Load) and id(node) not in written
        for node in body.nodes
    )


def every_call(body: FunctionBody) -> List[ast.AST]:
    """The nodes of ``body.always`` that run to their end on every call: not those in
    the body of a ``try`` with handlers, where a failure (an ``IntegrityError``, a
    ``DoesNotExist``) may be caught and the call go on without it."""
    caught: Set[int] = set()
    nodes = body.always
    for node in nodes:
        if isinstance(node, _TRY_STATEMENTS) and node.handlers:
            caught.update(id(inner) for statement in node.body for inner in walk(statement))
    return [node for node in nodes if id(node) not in caught]


def _saves_every_item(loop: ast.For) -> bool:
    """``for row in rows: ...; row.save()``: the save stands in the loop body itself (or
    a ``with`` there), and nothing leaves the loop or skips an item."""
    if not isinstance(loop.target, ast.Name):
        return False
    item = loop.target.id
    for node in walk(loop):
        if isinstance(node, (ast.Break, ast.Continue, ast.Return, ast.Raise)):
            return False
        if isinstance(node, ast.Name) and node.id == item and isinstance(node.ctx, ast.Store) and node is not loop.target:
            return False  # rebound in the body: what is saved is no longer the item
    statements = list(loop.body)
    while statements:
        statement = statements.pop(0)
        if isinstance(statement, (ast.With, ast.AsyncWith)):
            statements.extend(statement.body)
        elif (
            isinstance(statement, ast.Expr)
            and isinstance(statement.value, ast.Call)
            and attribute_path(statement.value.func) == (item, "save")
        ):
            return True
    return False


def _qualifier(names: Dict[str, str], module: str, local: Set[str]) -> Callable[[str], Optional[str]]:
    """What a name read in a function refers to: an import or a class of its module
    (``names``), else a name its module binds (``Order = get_model("order", "Order")``,
    which the index resolves); ``None`` for a builtin or a name the function binds."""

    def qualified(name: str) -> Optional[str]:
        if name in local:
            return None
        return names.get(name) or (None if name in _BUILTINS else f"{module}.{name}")

    return qualified


def _reference(node: ast.expr, qualified: Callable[[str], Optional[str]]) -> Optional[str]:
    """``db.session`` (a name of the module, then attributes) as a qualified name."""
    path = attribute_path(node)
    head = qualified(path[0]) if path is not None else None
    return ".".join([head, *path[1:]]) if head is not None else None


def _manager_of(node: ast.expr, qualified: Callable[[str], Optional[str]]) -> Optional[Tuple[str, str]]:
    """``Order.objects`` (or ``models.Order.objects``: a class through the module's
    names, then one attribute) as the class's qualified name and the attribute."""
    path = attribute_path(node)
    if path is None or len(path) < 2:
        return None
    head = qualified(path[0])
    return (".".join([head, *path[1:-1]]), path[-1]) if head is not None else None


def _called_class(node: ast.expr, qualified: Callable[[str], Optional[str]]) -> Optional[str]:
    """``Order(...)``: the qualified name of what is called, a name of the module."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        return qualified(node.func.id)
    return None


def _fetch_by(node: ast.expr, qualified: Callable[[str], Optional[str]], parameters: Set[str]) -> Optional[Tuple[str, str, str]]:
    """``Order.objects.get(pk=pk)`` or ``get_object_or_404(Order, pk=pk)`` with an
    argument that reads one of ``parameters``: the model, the manager (empty for the
    shortcut) and the parameter."""
    if not isinstance(node, ast.Call):
        return None
    arguments: List[ast.expr] = [*node.args, *(k.value for k in node.keywords)]
    if isinstance(node.func, ast.Attribute) and node.func.attr == "get":
        manager = _manager_of(node.func.value, qualified)
        if manager is None:
            return None
        model, attribute = manager
    elif isinstance(node.func, ast.Name) and qualified(node.func.id) in _GET_OBJECT_OR_404 and node.args:
        model = _reference(node.args[0], qualified) if isinstance(node.args[0], ast.Name) else None
        if model is None:
            return None
        attribute, arguments = "", arguments[1:]
    else:
        return None
    read = [n.id for argument in arguments for n in walk(argument) if isinstance(n, ast.Name) and n.id in parameters]
    return (model, attribute, read[0]) if read else None
