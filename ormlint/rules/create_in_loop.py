"""ORM202 create-in-loop."""

from __future__ import annotations

from typing import List, Optional, Tuple

import libcst as cst

from ormlint.diagnostics import Applicability
from ormlint.fixers.bulk import bulk_create_loop
from ormlint.rules._writes import WriteRule, short
from ormlint.semantic.types import ModelClass, QueryType
from ormlint.semantic.scope import reads_below
from ormlint.semantic.index import HelperWrite
from ormlint.semantic.writes import loop_variables, per_item
from ormlint.syntax import children, walk

_FETCH_FIRST = "fetch the existing rows with one `filter(...__in=...)`"
_UPSERT_ADVICE = {
    "get_or_create": f"{_FETCH_FIRST} and create the missing ones with `bulk_create(..., ignore_conflicts=True)`",
    "update_or_create": "write them at once with `bulk_create(..., update_conflicts=True, unique_fields=[...], "
    "update_fields=[...])`",
}
#: ``update_or_create()`` per item when one upsert cannot stand in for it.
_UPDATE_OR_CREATE_APART = (
    f"{_FETCH_FIRST}, then update them with `bulk_update()` and create the missing ones with `bulk_create()`"
)


class CreateInLoop(WriteRule):
    """
    ## What it does
    Finds a row created on every iteration of a loop: `M.objects.create(...)` whose result
    is not used, `M(...).save()`, or an instance built in the loop with `M(...)` and
    saved there. Also `get_or_create()` and `update_or_create()` per iteration, and a
    project function called on every iteration that creates a row on every call (with
    `create()`, `M(...).save()`, or SQLAlchemy's `session.add(M(...))` followed by a
    commit or flush), reported at the call, without a fix.

    ## Why is this bad?
    Each `create()` is an INSERT of its own: importing 10,000 rows sends 10,000 queries.
    `bulk_create()` inserts them all in one query (or one per `batch_size`).
    `get_or_create()` costs one or two queries per item; `bulk_create()` with
    `ignore_conflicts` or `update_conflicts` does the same work for all items at once.

    ## Example
    ```python
    from shop.models import Customer

    def import_customers(names):
        for name in names:
            Customer.objects.create(name=name)
    ```

    ## Use instead
    ```python
    from shop.models import Customer

    def import_customers(names):
        Customer.objects.bulk_create([Customer(name=name) for name in names])
    ```

    ## Fix safety
    Unsafe, so applied only with `--unsafe-fixes`: `bulk_create()` does not call the
    model's `save()` and sends no `pre_save` / `post_save` signals. The fix is offered
    only when the loop body is that one statement, the model and its bases are in the
    project with no `save()` override, no `pre_save` / `post_save` receiver in the project
    names the model (or no model), the model is not a multi-table inheritance child
    (which `bulk_create()` refuses), and the manager does not override `create()`.
    `auto_now` and `auto_now_add` fields are no obstacle: `bulk_create()` sets them as
    `save()` does. Where each insert runs something `bulk_create()` would skip (a `save()`
    override, the model's receivers, history tracking, a django-mptt or django-lifecycle
    base), the message says so instead of advising `bulk_create()`.

    `get_or_create()` and `update_or_create()` are reported without a fix, because their
    conflict handling depends on the table's unique constraints. One
    `bulk_create(update_conflicts=True)` is advised for `update_or_create()` only when its
    result is not used and every item writes the same fields (no `**` arguments,
    `defaults` a dict literal); otherwise the message advises fetching the existing rows
    first.

    ## When it does not fire
    When the created object is used afterwards (`order = Order.objects.create(...)`
    followed by reads of `order`), in a retry loop that stops at its first success, on
    loops over a handful of items written in the code (a literal of at most 10 items, a
    constant slice), in an `except ...MultipleObjectsReturned:` handler (the duplicates
    of one row), and in test code by default (building rows one by one is what fixtures
    do).

    ## References
    - [Django: `bulk_create()`](https://docs.djangoproject.com/en/stable/ref/models/querysets/#bulk-create)
    """

    code = "ORM202"
    name = "create-in-loop"
    fix_applicability = Applicability.UNSAFE
    required_text = ("create(", ".save(")

    methods = ("create", "get_or_create", "update_or_create", "save")
    follows_calls = True
    helper_writes = "creates"

    def check_write(self, loop: cst.For, call: cst.Call, indentation: str) -> None:
        if not per_item(self.semantic, loop, call):
            return
        if id(call) in self.helper_calls:
            self._report_helper(call, self.helper_calls.pop(id(call)), indentation)
            return
        method = call.func.attr.value
        receiver = call.func.value
        if method in _UPSERT_ADVICE:
            query = self._django_query(receiver)
            if query is not None and query.model:
                self._report_upsert(loop, call, query.model)
        elif method == "create":
            query = self._django_query(receiver)
            if query is not None and query.model and self._result_unused(loop, call):
                self._report_create(loop, call, indentation, query.model, receiver, call.args)
        elif isinstance(receiver, cst.Call) and not call.args:
            model = self._constructed_model(receiver)
            if model is not None:
                self._report_create(loop, call, indentation, model, None, receiver.args)
        elif isinstance(receiver, cst.Name):
            model = self._built_in_body(loop).get(receiver.value)
            if model is not None:
                self._report_create(loop, call, indentation, model, None, None)

    def _report_helper(self, call: cst.Call, write: HelperWrite, indentation: str) -> None:
        """``make_row(item)`` on every item, where the function creates a row on every
        call: reported at the call, without a fix (the row is built there, not here)."""
        model = short(write.model)
        cost = f"`{self.shown(call.func)}()` creates a `{model}` row on every call: 1 query per item"
        info = self.semantic.index.model(write.model)
        if info is not None and info.orm == "sqlalchemy":
            advice = "have it only add the row to the session, and commit once after the loop"
            self.report(call, f"{cost}; {advice}", None, indentation)
            return
        if write.kept:
            advice = (
                "the new row is used as soon as it is created, so creating the rows at once with "
                f"`{model}.objects.bulk_create(...)` takes moving that use after it"
            )
        else:
            advice = f"have it build the `{model}` only, and create them at once with `{model}.objects.bulk_create(...)`"
        self.report_helper_write(call, cost, write.model, "create", "bulk_create()", advice, indentation)

    def _report_upsert(self, loop: cst.For, call: cst.Call, model: str) -> None:
        """``get_or_create()`` / ``update_or_create()`` per item. One upsert
        (``bulk_create(update_conflicts=True)``) stands in for ``update_or_create()`` only
        when its result is not used and every item writes the same fields."""
        method = call.func.attr.value
        cost = f"`{self.shown(call)}` on every iteration: 1-2 queries per item"
        blockers = self.semantic.index.bulk_write_blockers(model, "create")
        if blockers.skipped:
            self.report(call, f"{cost}; {self.skipped_by('bulk_create()', blockers.skipped)}")
        elif method == "update_or_create" and self._result_used(loop, call):
            self.report(call, f"{cost}; its result is used, so {_UPDATE_OR_CREATE_APART}")
        elif method == "update_or_create" and not _same_fields_per_item(call):
            self.report(call, f"{cost}; the fields it writes may differ per item, so {_UPDATE_OR_CREATE_APART}")
        else:
            self.report(call, f"{cost}; {_UPSERT_ADVICE[method]}")

    def _report_create(
        self, loop: cst.For, call: cst.Call, indentation: str, model: str, manager: Optional[cst.BaseExpression], arguments
    ) -> None:
        cost = f"`{self.shown(call)}` on every iteration: 1 INSERT per item"
        blockers = self.semantic.index.bulk_write_blockers(model, "create")
        if blockers.skipped:
            self.report(call, f"{cost}; {self.skipped_by('bulk_create()', blockers.skipped)}", None, indentation)
            return
        shown_model = short(model)
        target = self.shown(loop.target, 20)
        suggestion = f"{shown_model}.objects.bulk_create([{shown_model}(...) for {target} in ...])"
        reasons, fix = self._fix(loop, call, indentation, model, manager, arguments, list(blockers.other))
        self.report(call, f"{cost}; create them at once with `{suggestion}`" + self.not_fixed(reasons), fix, indentation)

    def _fix(self, loop, call, indentation, model, manager, arguments, blockers) -> Tuple[List[str], Optional[object]]:
        single = _single_statement(loop)
        if loop.orelse is not None or single is None or single.value is not call or arguments is None:
            return ["the loop body does more than create the row"], None
        if any(a.keyword is None and a.star != "**" for a in arguments):
            return ["the model is built with positional arguments"], None
        for argument in arguments:
            impure = self.impure_part(argument.value, "", model)
            if impure is not None:
                return [f"the value `{impure}` may run a query, and would run before every insert"], None
        leaked = self._used_after(loop)
        if leaked is not None:
            return [f"`{leaked}` is read outside the loop, and a comprehension would not set it"], None
        model_expression, manager_expression, reasons = self._model_and_manager(call, model, manager)
        reasons += blockers
        if reasons or model_expression is None or manager_expression is None:
            return reasons, None
        module = self.semantic.module_node
        text = bulk_create_loop(module, loop, indentation, manager_expression, model_expression, arguments)
        if text is None:
            return ["a comment in the loop would be lost"], None
        return [], self.fix("Create the rows with one `bulk_create()`", (loop, text))

    def _model_and_manager(self, call: cst.Call, model: str, manager: Optional[cst.BaseExpression]):
        """The class to build each object with and the manager to insert them through."""
        index = self.semantic.index
        if manager is None:  # ``M(...).save()``
            constructor = call.func.value.func
            if not index.plain_objects(model):
                return None, None, [f"`{short(model)}`'s default manager is custom"]
            return constructor, cst.Attribute(value=constructor, attr=cst.Name("objects")), []
        if not (isinstance(manager, cst.Attribute) and isinstance(self.semantic.type_of(manager.value), ModelClass)):
            return None, None, ["it creates through a related manager, which `bulk_create()` does not link"]
        if _manager_overrides_create(index, model, manager.attr.value):
            return None, None, [f"the manager `{manager.attr.value}` overrides `create()`"]
        return manager.value, manager, []

    def _used_after(self, loop: cst.For) -> Optional[str]:
        """A loop variable read outside the loop, which a comprehension would not bind."""
        inside = {id(node) for node in walk([loop])}
        for name in loop_variables(loop):
            found = self.semantic.lookup(name)
            if found is None:
                continue
            if any(id(use) not in inside for use, _, _ in found[0].uses(name)):
                return name
        return None

    def _django_query(self, receiver: cst.BaseExpression) -> Optional[QueryType]:
        query = self.semantic.queryset_type(receiver)
        return query if query is not None and query.orm == "django" and query.kind in ("manager", "queryset") else None

    def _constructed_model(self, call: cst.Call) -> Optional[str]:
        callee = self.semantic.type_of(call.func)
        return callee.qualname if isinstance(callee, ModelClass) and callee.orm == "django" else None

    def _built_in_body(self, loop: cst.For):
        """Names the body binds to a new model instance (``order = Order(...)``), each
        bound once."""
        built = {}
        seen = set()
        for statement in _statements(loop.body):
            for small in getattr(statement, "body", ()):
                if isinstance(small, cst.Assign) and len(small.targets) == 1 and isinstance(small.targets[0].target, cst.Name):
                    name = small.targets[0].target.value
                    model = self._constructed_model(small.value) if isinstance(small.value, cst.Call) else None
                    if name in seen:
                        built.pop(name, None)
                    elif model is not None:
                        built[name] = model
                    seen.add(name)
        return built

    def _result_used(self, loop: cst.For, call: cst.Call) -> bool:
        """Whether the code reads what ``call`` returns: it is part of a larger expression,
        or assigned to a name that is read (``obj, created = ...`` then ``obj.tags.add()``)."""
        for statement in _statements(loop.body):
            for small in getattr(statement, "body", ()):
                if isinstance(small, cst.Expr) and small.value is call:
                    return False
                if isinstance(small, cst.Assign) and small.value is call:
                    names = [name.value for target in small.targets for name, _, _ in reads_below(target.target)]
                    return any(self._is_read(name) for name in names)
        return True

    def _is_read(self, name: str) -> bool:
        found = self.semantic.lookup(name)
        return found is None or bool(found[0].uses(name))

    @staticmethod
    def _result_unused(loop: cst.For, call: cst.Call) -> bool:
        return any(
            isinstance(small, cst.Expr) and small.value is call
            for statement in _statements(loop.body)
            for small in getattr(statement, "body", ())
        )


def _statements(block: cst.BaseSuite):
    """The simple statements of a block, and of the blocks nested in it (not nested
    loops, functions or classes)."""
    stack = [block]
    while stack:
        node = stack.pop()
        if isinstance(node, (cst.SimpleStatementLine, cst.SimpleStatementSuite)):
            yield node
        elif isinstance(node, (cst.IndentedBlock,)):
            stack.extend(reversed(node.body))
        elif isinstance(node, (cst.If, cst.Try, cst.With)):
            stack.extend(reversed([n for n in children(node) if isinstance(n, (cst.BaseSuite, cst.If, cst.Else, cst.ExceptHandler, cst.Finally))]))
        elif isinstance(node, (cst.Else, cst.ExceptHandler, cst.Finally)):
            stack.append(node.body)


def _same_fields_per_item(call: cst.Call) -> bool:
    """Whether ``update_or_create()`` writes the same fields for every item, which
    ``bulk_create(update_fields=[...])`` needs: no ``**`` arguments, and its ``defaults``
    (``create_defaults``) absent or a dict literal with constant keys."""
    for argument in call.args:
        if argument.star:
            return False
        if argument.keyword is not None and argument.keyword.value in ("defaults", "create_defaults"):
            value = argument.value
            if not isinstance(value, cst.Dict) or not all(
                isinstance(element, cst.DictElement) and isinstance(element.key, cst.SimpleString)
                for element in value.elements
            ):
                return False
    return True


def _single_statement(loop: cst.For) -> Optional[cst.Expr]:
    body = loop.body
    statements = body.body if isinstance(body, cst.IndentedBlock) else [body]
    if len(statements) != 1:
        return None
    small = getattr(statements[0], "body", ())
    if isinstance(small, (list, tuple)) and len(small) == 1 and isinstance(small[0], cst.Expr):
        return small[0]
    return None


def _manager_overrides_create(index, model: str, attribute: str) -> bool:
    for _, facts in index.lineage(model):
        for name, callee in facts.calls:
            if name == attribute:
                source = callee[: -len(".as_manager")] if callee.endswith(".as_manager") else callee
                if index.defines_method(source, "create"):
                    return True
        for name, queryset in facts.manager_querysets:
            if name == attribute and index.defines_method(queryset, "create"):
                return True
    return False
