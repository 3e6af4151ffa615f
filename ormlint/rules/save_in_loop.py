"""ORM201 save-in-loop."""

from __future__ import annotations

import re
from typing import Dict, List, Optional, Sequence, Tuple

import libcst as cst

from ormlint.diagnostics import Applicability
from ormlint.fixers.bulk import bulk_update_loop
from ormlint.rules._writes import WriteRule, manager_for, short, unused_name
from ormlint.semantic.types import QueryType
from ormlint.semantic.index import HelperWrite
from ormlint.semantic.writes import (
    a_handful,
    helper_write,
    mentions,
    passed_argument,
    row_instance,
    runs_once,
    saves_through_helpers,
    sliced,
)
from ormlint.structure import Structure
from ormlint.syntax import string_elements

class SaveInLoop(WriteRule):
    """
    ## What it does
    Finds `obj.save()` called on every row of a loop over a queryset: on the loop
    variable, on a row it relates to (`order.customer.save()`), or on a row the loop
    fetches by the loop variable. A project function or method that saves the row it is
    given (itself, or through a function it passes the row to) is a save per row too:
    `for p in products: update_price(p)` is reported at the call, without a fix. So is
    one that fetches a row by what it is given and saves it on every call
    (`for pk in pks: touch(pk)`), and one that loops over the rows it is given and saves
    each: `reprice(Product.objects.all())` is reported at the call that passes the
    queryset, unless the helper's parameter is annotated and its own loop is reported.

    ## Why is this bad?
    Each `save()` is an UPDATE of its own, so a loop over 10,000 rows sends 10,000
    queries. `bulk_update()` writes the changed fields of all the rows in one query (or
    one per `batch_size`). When every row gets the same value, `QuerySet.update()` does
    it in one query without loading the rows at all.

    ## Example
    ```python
    from shop.models import Order

    def archive(customer):
        for order in Order.objects.filter(customer=customer):
            order.status = "archived"
            order.save()
    ```

    ## Use instead
    ```python
    from shop.models import Order

    def archive(customer):
        orders = list(Order.objects.filter(customer=customer))
        for order in orders:
            order.status = "archived"
        Order.objects.bulk_update(orders, ["status"])
    ```

    ## Fix safety
    Unsafe, so applied only with `--unsafe-fixes`: `bulk_update()` does not call the
    model's `save()`, sends no `pre_save` / `post_save` signals, and does not set
    `auto_now` fields, and the rows are written after the loop rather than during it.
    The fix is offered only when all of these hold, and otherwise the message says which
    one does not:
    - the loop body only assigns fields of the row (with values computed without
      queries) and then calls `save()` (or `save(update_fields=[...])`), with no `else`;
    - the model, its bases and its fields are in the project: no `save()` override, no
      `auto_now` field, no base class ormlint cannot read;
    - no `pre_save` / `post_save` receiver in the project names the model, or no model,
      and every receiver's sender resolves;
    - the model is imported in the file, and the manager to write through is its plain
      `objects` or the one the loop reads from.

    Where each `save()` runs something `bulk_update()` would skip (a `save()` override,
    the model's receivers, history tracking such as django-simple-history's
    `HistoricalRecords`, a django-mptt or django-lifecycle base), the message says so
    instead of advising `bulk_update()`.

    An iterable that is not already a variable is bound to one first
    (`orders = list(...)`), so that `bulk_update()` receives the instances the loop
    changed. Receivers that third-party apps connect at run time (audit logs, search
    indexes) cannot be seen; check for them before applying the fix.

    ## When it does not fire
    On a single `save()` outside a loop, on saves of an object that is the same on every
    iteration (a retry loop that saves one object until it succeeds), on loops over
    anything not known to be query rows, on loops over a handful of items written in the
    code (a literal of at most 10 items, a constant slice such as `qs[:3]`), in an
    `except ...MultipleObjectsReturned:` handler (the duplicates of one row), and in test
    code by default.

    ## References
    - [Django: `bulk_update()`](https://docs.djangoproject.com/en/stable/ref/models/querysets/#bulk-update)
    - [Django: `update()`](https://docs.djangoproject.com/en/stable/ref/models/querysets/#update)
    """

    code = "ORM201"
    name = "save-in-loop"
    fix_applicability = Applicability.UNSAFE
    required_text = (".save(",)

    methods = ("save",)
    follows_calls = True
    helper_writes = "fetches"

    @classmethod
    def has_candidate(cls, structure: Structure) -> bool:
        """A call of a helper that saves each item it is given needs no loop here."""
        return True

    def __init__(self, context) -> None:
        super().__init__(context)
        #: Calls of helpers that save a row, with the argument they save.
        self._helpers: Dict[int, cst.BaseExpression] = {}

    def visit_For(self, node: cst.For) -> None:
        if self.writes_per_row(node):
            for call, argument in saves_through_helpers(self.semantic, node):
                if not runs_once(node, call):
                    self._helpers[id(call)] = argument
                    self._pending[id(call)] = (node, self.semantic.indentation)
        super().visit_For(node)

    def visit_Call(self, node: cst.Call) -> None:
        super().visit_Call(node)
        if not self._duplicates:
            write = helper_write(self.semantic, node, "saves_each")
            if write is not None:
                self._check_saves_each(node, write)

    def check_write(self, loop: cst.For, call: cst.Call, indentation: str) -> None:
        if id(call) in self._helpers:
            self._check_helper(loop, call, self._helpers.pop(id(call)), indentation)
            return
        if id(call) in self.helper_calls:
            self._check_fetching(loop, call, self.helper_calls.pop(id(call)), indentation)
            return
        receiver = call.func.value
        instance = row_instance(self.semantic, loop, receiver)
        if instance is None:
            return
        model = instance.qualname
        cost = f"`{self.shown(receiver)}.save()` on every row: 1 query per row"
        blockers = self.semantic.index.bulk_write_blockers(model, "update")
        if blockers.skipped:
            self.report(call, f"{cost}; {self.skipped_by('bulk_update()', blockers.skipped)}", None, indentation)
            return
        rows = self.semantic.queryset_type(loop.iter)
        shape = self._shape(loop, call, receiver, model, rows)
        fields, reasons = shape if shape is not None else ([], [])
        reasons = reasons + list(blockers.other)
        fix = None
        plural = rows_name(self.semantic, model, loop)
        manager = manager_for(self.semantic, model, loop.iter)
        if not reasons and fields and manager is None:
            reasons.append(f"`{short(model)}` is not imported here, or its default manager is custom")
        if not reasons and fields and manager is not None:
            # A name of a queryset or list gives the same instances again; an iterator
            # would be used up by the loop, so its rows are listed first.
            hoist = not isinstance(loop.iter, cst.Name) or rows is None or rows.kind == "iterator"
            name = plural if hoist else loop.iter.value
            module = self.semantic.module_node
            text = bulk_update_loop(module, loop, indentation, manager, name, fields, hoist)
            if text is None:
                reasons.append("a comment in the loop would be lost")
            else:
                fix = self.fix(f"Save the rows with one `{manager}.bulk_update()` after the loop", (loop, text))
        own_row = isinstance(receiver, cst.Name) and receiver.value == getattr(loop.target, "value", None)
        rows_shown = _rows_shown(loop, plural, rows) if own_row else "<changed rows>"
        bulk = f"{manager or short(model) + '.objects'}.bulk_update({rows_shown}, {_listed(fields)})"
        advice = "save them at once" if own_row else "collect the changed rows and save them at once"
        message = f"{cost}; {advice} with `{bulk}`"
        same = self._same_for_every_row(loop, call, fields, rows)
        if same is not None:
            message += f"; every row gets the same value, so `{same}` is one query"
        self.report(call, message + self.not_fixed(reasons), fix, indentation)

    def _check_helper(self, loop: cst.For, call: cst.Call, argument: cst.BaseExpression, indentation: str) -> None:
        """``update_price(product)`` on every row, where the function saves the row it is
        given: reported at the call, without a fix (the fields it sets are not here)."""
        instance = row_instance(self.semantic, loop, argument)
        if instance is None:
            return
        cost = f"`{self.shown(call.func)}()` saves `{self.shown(argument)}` on every row: 1 query per row"
        advice = (
            "have it only set the fields, and save the changed rows at once with "
            f"`{short(instance.qualname)}.objects.bulk_update(<rows>, [<fields>])` after the loop"
        )
        self.report_helper_write(call, cost, instance.qualname, "update", "bulk_update()", advice, indentation)

    def _check_fetching(self, loop: cst.For, call: cst.Call, write: HelperWrite, indentation: str) -> None:
        """``touch(pk)`` on every item, where the function fetches the row by ``pk`` and
        saves it: a query and a save per item, reported at the call without a fix."""
        if not self.fetches_per_item(loop, call, write):
            return
        model = short(write.model)
        cost = f"`{self.shown(call.func)}()` fetches a row of `{model}` and saves it on every call: 2 queries per item"
        advice = (
            f"fetch the rows at once with `{model}.objects.filter(pk__in=...)` and save the changed ones "
            f"with `{model}.objects.bulk_update(<rows>, [<fields>])` after the loop"
        )
        self.report_helper_write(call, cost, write.model, "update", "bulk_update()", advice, indentation)

    def _check_saves_each(self, call: cst.Call, write: HelperWrite) -> None:
        """``reprice(products)``, where the function loops over the rows it is given and
        saves each: a save per row of the caller's queryset, reported at the call without
        a fix. A helper whose parameter is annotated reports its own loop instead."""
        argument = passed_argument(call, write.parameter, write.position)
        rows = self.semantic.queryset_type(argument) if argument is not None else None
        if rows is None or rows.orm != "django" or not rows.model or not rows.yields_instances:
            return
        if rows.kind not in ("manager", "queryset", "iterator", "list") or a_handful(self.semantic, argument):
            return
        what = "list" if rows.kind == "list" else "queryset"
        cost = f"`{self.shown(call.func)}()` saves each row of this {what} one by one: 1 query per row"
        advice = f"have it save them at once with `{short(rows.model)}.objects.bulk_update(<rows>, [<fields>])`"
        self.report_helper_write(call, cost, rows.model, "update", "bulk_update()", advice)

    def _shape(
        self, loop: cst.For, call: cst.Call, receiver: cst.BaseExpression, model: str, rows: Optional[QueryType]
    ) -> Optional[Tuple[List[str], List[str]]]:
        """The fields the loop sets before saving the row, and why the loop cannot become a
        ``bulk_update()`` when it cannot."""
        variable = loop.target.value if isinstance(loop.target, cst.Name) else None
        if variable is None or not (isinstance(receiver, cst.Name) and receiver.value == variable):
            return [], [f"it saves `{self.shown(receiver)}`, not the row the loop iterates"]
        if rows is None or rows.kind not in ("queryset", "list", "iterator") or rows.model != model:
            return [], [f"ormlint cannot tell that the rows come from one queryset of `{short(model)}`"]
        if loop.orelse is not None or not isinstance(loop.body, cst.IndentedBlock):
            return [], ["the loop has an `else` clause or a one-line body"]
        statements = list(loop.body.body)
        last = statements[-1]
        if not (isinstance(last, cst.SimpleStatementLine) and len(last.body) == 1 and isinstance(last.body[0], cst.Expr) and last.body[0].value is call):
            return [], ["the body does more than set fields of the row and then save it"]
        assigned: List[str] = []
        values: List[cst.BaseExpression] = []
        for statement in statements[:-1]:
            target_value = _field_assignment(statement, variable)
            if target_value is None:
                return [], ["the body does more than set fields of the row and then save it"]
            assigned.append(target_value[0])
            values.append(target_value[1])
        update_fields = _update_fields(call)
        if update_fields is None:
            return [], ["`save()` takes arguments other than a literal `update_fields`"]
        fields = list(dict.fromkeys(update_fields or assigned))
        if not fields:
            return [], ["nothing is assigned before `save()`, so there are no fields to batch"]
        reasons: List[str] = []
        known = self.semantic.index.model_fields(model)
        unknown = [field for field in fields if field not in known]
        if unknown:
            reasons.append(f"`{variable}.{unknown[0]}` is not a field of `{short(model)}` that ormlint can see")
        for value in values:
            impure = self.impure_part(value, variable, model)
            if impure is not None:
                reasons.append(f"the new value `{impure}` may run a query")
                break
        return fields, reasons

    def _same_for_every_row(
        self, loop: cst.For, call: cst.Call, fields: Sequence[str], rows: Optional[QueryType]
    ) -> Optional[str]:
        """``qs.update(field=value)`` when the loop sets the same values on every row of a
        queryset it could update instead."""
        if rows is None or rows.kind != "queryset" or not fields or not isinstance(loop.body, cst.IndentedBlock):
            return None
        if sliced(self.semantic, loop.iter):  # Django refuses to update a slice
            return None
        variable = loop.target.value if isinstance(loop.target, cst.Name) else ""
        pairs = []
        for statement in loop.body.body[:-1]:
            assignment = _field_assignment(statement, variable)
            if assignment is None or not isinstance(statement.body[0], cst.Assign):
                return None
            field, value = assignment
            if mentions(value, {variable}) or self.impure_part(value, variable, rows.model) is not None:
                return None
            if field in fields:
                pairs.append(f"{field}={self.shown(value, 30)}")
        if not pairs:
            return None
        shown = self.shown(loop.iter)
        return f"{shown}.update({', '.join(pairs)})" if len(shown) <= 50 else f"<queryset>.update({', '.join(pairs)})"


def _field_assignment(statement: cst.CSTNode, variable: str) -> Optional[Tuple[str, cst.BaseExpression]]:
    """``row.field = value`` (or ``row.field += value``) as a statement of its own."""
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return None
    small = statement.body[0]
    if isinstance(small, cst.Assign) and len(small.targets) == 1:
        target = small.targets[0].target
    elif isinstance(small, cst.AugAssign):
        target = small.target
    else:
        return None
    if isinstance(target, cst.Attribute) and isinstance(target.value, cst.Name) and target.value.value == variable:
        return target.attr.value, small.value
    return None


def _update_fields(call: cst.Call) -> Optional[List[str]]:
    """The literal ``update_fields`` of a ``save()`` call; ``[]`` without arguments;
    ``None`` for any other argument."""
    if not call.args:
        return []
    if len(call.args) != 1 or call.args[0].keyword is None or call.args[0].keyword.value != "update_fields":
        return None
    return string_elements(call.args[0].value) or None


def rows_name(semantic, model: str, loop: cst.For) -> str:
    """A fresh variable name for a loop's rows: ``orders`` for ``Order``, ``categories``
    for ``Category``."""
    snake = re.sub(r"(?<!^)(?=[A-Z])", "_", short(model)).lower()
    if snake.endswith("s"):
        plural = snake + "_list"
    elif re.search(r"[^aeiou]y$", snake):
        plural = snake[:-1] + "ies"
    else:
        plural = snake + "s"
    return unused_name(semantic, plural)


def _rows_shown(loop: cst.For, plural: str, rows: Optional[QueryType]) -> str:
    if isinstance(loop.iter, cst.Name) and rows is not None and rows.kind != "iterator":
        return loop.iter.value
    return plural


def _listed(fields: Sequence[str]) -> str:
    return "[" + ", ".join(f"'{field}'" for field in fields) + "]" if fields else "[<fields>]"
