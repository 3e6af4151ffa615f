"""What the write-loop rules (ORM201-ORM204) share: showing code in a message, saying why a
fix is withheld, and naming what a bulk write needs (the model, its manager, a variable)."""

from __future__ import annotations

from typing import Callable, Dict, List, Optional, Sequence, Set, Tuple, Union

import libcst as cst

from ormlint.rules.base import Rule
from ormlint.semantic.model import SemanticModel
from ormlint.semantic.types import ModelClass
from ormlint.semantic.bulk import BulkWriteBlockers
from ormlint.semantic.index import HelperWrite
from ormlint.semantic.writes import (
    a_handful,
    bound_in_body,
    loop_variables,
    mentions,
    passed_argument,
    per_item,
    per_iteration_calls,
    runs_once,
    writes_through_helpers,
)
from ormlint.structure import Structure
from ormlint.syntax import children


#: Calls a field's new value may make without reading the database.
_PURE_FUNCTIONS = frozenset(
    {
        *(f"builtins.{name}" for name in (
            "abs", "bool", "dict", "float", "int", "len", "list", "max", "min", "repr", "round",
            "set", "sorted", "str", "sum", "tuple",
        )),
        "datetime.date.today",
        "datetime.datetime.now",
        "datetime.datetime.utcnow",
        "datetime.timedelta",
        "decimal.Decimal",
        "django.utils.text.slugify",
        "django.utils.timezone.now",
        "uuid.uuid4",
    }
)
_PURE_METHODS = frozenset(
    {"capitalize", "casefold", "format", "isoformat", "join", "lower", "lstrip", "replace", "rstrip", "split", "strip", "title", "upper"}
)


class WriteRule(Rule):
    """A rule about calls that write on every iteration of a ``for`` loop.

    Each loop's per-iteration calls of ``methods`` are noted when the loop is entered and
    checked when the traversal reaches them, so that names read there have the types
    they have at that point (``for row in ...`` binds ``row`` anew in every loop)."""

    needs_orm = True
    #: The methods whose calls the rule looks at.
    methods: Tuple[str, ...] = ()
    #: Whether a loop over a handful of items known in the code (``for name in ("a",
    #: "b")``, ``qs[:3]``) is left alone: its writes cost a few queries, however many
    #: rows there are, which is not worth a bulk rewrite.
    ignores_a_handful = True
    #: The kind of ``HelperWrite`` (a project function's write on every call) that the
    #: rule reports at a call on every iteration, if any.
    helper_writes = ""

    @classmethod
    def has_candidate(cls, structure: Structure) -> bool:
        """Every write this base finds is made in a ``for`` statement's body."""
        return structure.for_loop

    def __init__(self, context) -> None:
        super().__init__(context)
        self._pending: Dict[int, Tuple[cst.For, str]] = {}
        #: The calls of ``helper_writes`` functions on every iteration of a loop here.
        self.helper_calls: Dict[int, HelperWrite] = {}
        #: How many ``except ...MultipleObjectsReturned:`` handlers the traversal is in.
        self._duplicates = 0

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> None:
        if _handles_duplicates(node):
            self._duplicates += 1

    def leave_ExceptHandler(self, original_node: cst.ExceptHandler) -> None:
        if _handles_duplicates(original_node):
            self._duplicates -= 1

    def writes_per_row(self, node: cst.For) -> bool:
        """Whether the writes in this loop are made once per row of data: not in an
        ``async for``, a loop over a handful of items known in the code, or one cleaning
        up the duplicates ``get()`` found of what should be one row."""
        if node.asynchronous:
            return False
        return not (self.ignores_a_handful and (self._duplicates or a_handful(self.semantic, node.iter)))

    def visit_For(self, node: cst.For) -> None:
        if not self.writes_per_row(node):
            return
        for call in per_iteration_calls(node, self.methods):
            if not runs_once(node, call):
                self._pending[id(call)] = (node, self.semantic.indentation)
        if self.helper_writes:
            for call, write in writes_through_helpers(self.semantic, node, self.helper_writes):
                if id(call) not in self._pending and not runs_once(node, call):
                    self.helper_calls[id(call)] = write
                    self._pending[id(call)] = (node, self.semantic.indentation)

    def visit_Call(self, node: cst.Call) -> None:
        pending = self._pending.pop(id(node), None)
        if pending is not None:
            self.check_write(pending[0], node, pending[1])

    def fetches_per_item(self, loop: cst.For, call: cst.Call, write: HelperWrite) -> bool:
        """Whether a helper that fetches a row by its argument (``touch(pk)``) is given
        something that changes with each item, so that it fetches another row each time."""
        argument = passed_argument(call, write.parameter, write.position)
        items = loop_variables(loop) | bound_in_body(loop)
        return argument is not None and mentions(argument, items) and per_item(self.semantic, loop, call)

    def report_helper_write(
        self,
        call: cst.Call,
        cost: str,
        model: str,
        operation: str,
        bulk: str,
        advice: Union[str, Callable[[BulkWriteBlockers], str]],
        indentation: Optional[str] = None,
    ) -> None:
        """Report a write a project function makes on each call, at ``call``, without a
        fix: ``cost``, then what each call runs that ``bulk`` (the bulk call for
        ``operation`` on ``model``) would skip, or else ``advice`` (given the obstacles,
        if it needs them), and why there is no fix for the rest of the obstacles (the
        advice for deletes names them itself)."""
        blockers = self.semantic.index.bulk_write_blockers(model, operation)
        if blockers.skipped:
            text = self.skipped_by(bulk, blockers.skipped)
        else:
            text = advice if isinstance(advice, str) else advice(blockers)
        unfixed = self.not_fixed(list(blockers.other)) if operation != "delete" else ""
        self.report(call, f"{cost}; {text}{unfixed}", None, indentation)

    def check_write(self, loop: cst.For, call: cst.Call, indentation: str) -> None:
        """Look at ``call``, which runs on every iteration of ``loop``; ``indentation`` is
        the loop statement's."""
        raise NotImplementedError

    def shown(self, node: cst.CSTNode, limit: int = 60) -> str:
        module = self.semantic.module_node
        text = " ".join(module.code_for_node(node).split()) if module is not None else ""
        return text if len(text) <= limit else text[: limit - 3] + "..."

    def impure_part(self, value: cst.BaseExpression, variable: str, model: str) -> Optional[str]:
        """The part of a value computed per row that may query the database, if any: a
        call not known to be pure, or a relation of the row ``variable`` (of ``model``)."""
        stack: List[cst.CSTNode] = [value]
        while stack:
            node = stack.pop()
            if isinstance(node, (cst.Await, cst.Yield, cst.Lambda)):
                return self.shown(node)
            if isinstance(node, cst.Call) and not self._pure_call(node):
                return self.shown(node, 40) if len(self.shown(node, 41)) <= 40 else self.shown(node.func) + "(...)"
            if (
                isinstance(node, cst.Attribute)
                and isinstance(node.value, cst.Name)
                and node.value.value == variable
                and self.semantic.index.relation(model, node.attr.value) is not None
            ):
                return self.shown(node)
            stack.extend(children(node))
        return None

    def _pure_call(self, call: cst.Call) -> bool:
        if self.semantic.qualified_name(call.func) in _PURE_FUNCTIONS:
            return True
        func = call.func
        return (
            isinstance(func, cst.Attribute)
            and func.attr.value in _PURE_METHODS
            and self.semantic.type_of(func.value) is None
        )

    @staticmethod
    def skipped_by(bulk: str, skipped: Sequence[str], shown: int = 2) -> str:
        """What each per-row call runs and ``bulk`` would skip, said instead of advising
        ``bulk``: "each call runs `Order.save()` and ..., which `bulk_update()` would
        skip"."""
        more = len(skipped) - shown
        listed = list(skipped[:shown]) + ([f"{more} more"] if more > 0 else [])
        joined = listed[0] if len(listed) == 1 else ", ".join(listed[:-1]) + " and " + listed[-1]
        return f"each call runs {joined}, which `{bulk}` would skip"

    @staticmethod
    def not_fixed(reasons: List[str], shown: int = 2) -> str:
        """Why the fix is withheld: the first reasons, and how many more there are."""
        if not reasons:
            return ""
        more = f"; and {len(reasons) - shown} more" if len(reasons) > shown else ""
        return f" (not fixed: {'; '.join(reasons[:shown])}{more})"


def _handles_duplicates(node: cst.ExceptHandler) -> bool:
    """``except Model.MultipleObjectsReturned:`` (alone or among others)."""
    kinds = node.type.elements if isinstance(node.type, cst.Tuple) else [node.type] if node.type else []
    for kind in kinds:
        value = kind.value if isinstance(kind, cst.Element) else kind
        if isinstance(value, (cst.Attribute, cst.Name)) and (value.attr.value if isinstance(value, cst.Attribute) else value.value) == "MultipleObjectsReturned":
            return True
    return False


def short(qualname: str) -> str:
    return qualname.rpartition(".")[2]


def manager_for(semantic: SemanticModel, model: str, iterable: cst.BaseExpression) -> Optional[str]:
    """The manager a bulk write of ``model``'s rows should go through: the one the loop
    reads its rows from (``Order.archived.filter(...)``), else the model's plain
    ``objects``. ``None`` when neither can be named here."""
    node = iterable
    while True:
        if isinstance(node, cst.Call):
            node = node.func
        elif isinstance(node, cst.Subscript):
            node = node.value
        elif isinstance(node, cst.Attribute):
            owner = semantic.type_of(node.value)
            if isinstance(owner, ModelClass) and owner.qualname == model and isinstance(node.value, cst.Name):
                info = semantic.index.model(model)
                if info is not None and node.attr.value in info.managers and not node.attr.value.startswith("_"):
                    return f"{node.value.value}.{node.attr.value}"
            node = node.value
        else:
            break
    reference = semantic.model_name(model)
    if reference is not None and semantic.index.plain_objects(model):
        return f"{reference}.objects"
    return None


def unused_name(semantic: SemanticModel, base: str) -> str:
    """``base``, or ``base_2``, ``base_3``... whichever no name in the module uses."""
    key = ("names", 0)
    if key not in semantic.memo:
        names: Set[str] = set()
        stack: List[cst.CSTNode] = [semantic.module_node] if semantic.module_node is not None else []
        while stack:
            node = stack.pop()
            if isinstance(node, cst.Name):
                names.add(node.value)
            stack.extend(children(node))
        semantic.memo[key] = names
    used = semantic.memo[key]
    candidate, number = base, 2
    while candidate in used:  # type: ignore[operator]
        candidate, number = f"{base}_{number}", number + 1
    return candidate
