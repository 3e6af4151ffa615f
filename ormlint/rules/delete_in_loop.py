"""ORM203 delete-in-loop."""

from __future__ import annotations

from typing import Sequence

import libcst as cst

from ormlint.rules._writes import WriteRule, short
from ormlint.semantic.index import HelperWrite
from ormlint.semantic.writes import (
    reaches_every_item,
    row_instance,
    sliced,
)


class DeleteInLoop(WriteRule):
    """
    ## What it does
    Finds `obj.delete()` called on every row of a loop over a queryset: on the loop
    variable, on a row it relates to, or on a row the loop fetches by the loop variable.
    A project function called on every iteration that fetches a row by what it is given
    and deletes it (`for pk in pks: purge(pk)`) is reported at the call.

    ## Why is this bad?
    Each `delete()` collects the row's cascades and deletes them with queries of its
    own, so deleting 1,000 rows one by one takes thousands of queries. `QuerySet.delete()`
    collects and deletes all the rows at once, and still sends the `pre_delete` /
    `post_delete` signals and follows `on_delete` for each row.

    ## Example
    ```python
    from shop.models import Order

    def purge(customer):
        for order in Order.objects.filter(customer=customer):
            order.delete()
    ```

    ## Use instead
    ```python
    from shop.models import Order

    def purge(customer):
        Order.objects.filter(customer=customer).delete()
    ```

    ## Fix safety
    No fix: `QuerySet.delete()` does not call a `delete()` method the model overrides,
    and the loop may do more per row than delete it. The message names the queryset to
    delete only when the loop deletes each of its rows: the loop's own row, with no `if`,
    `try`, `continue` before it, `break`, `return` or `raise`, from a queryset that is no
    slice. Otherwise it says to filter the queryset to the rows the loop deletes. Where
    the model (or a django-mptt or django-lifecycle base) overrides `delete()`, the
    message says each call runs it and `QuerySet.delete()` would skip it.

    ## When it does not fire
    On a single `delete()` outside a loop, on an object that is the same on every
    iteration, on `queryset.delete()` calls (already one statement per set of rows), on
    loops over a handful of items written in the code (a literal of at most 10 items, a
    constant slice such as `qs[:3]`), in an `except ...MultipleObjectsReturned:` handler
    (cleaning up the duplicates of one row), and in test code by default.

    ## References
    - [Django: `delete()`](https://docs.djangoproject.com/en/stable/ref/models/querysets/#delete)
    """

    code = "ORM203"
    name = "delete-in-loop"
    required_text = (".delete(",)

    methods = ("delete",)
    follows_calls = True
    helper_writes = "fetches_deletes"

    def check_write(self, loop: cst.For, call: cst.Call, indentation: str) -> None:
        if id(call) in self.helper_calls:
            self._check_helper(loop, call, self.helper_calls.pop(id(call)))
            return
        receiver = call.func.value
        instance = row_instance(self.semantic, loop, receiver)
        if instance is None:
            return
        every_row = self._deletes_every_row(loop, call)
        if every_row:
            cost = f"`{self.shown(receiver)}.delete()` on every row: 1 or more queries per row"
        else:
            cost = f"`{self.shown(receiver)}.delete()` in a loop: 1 or more queries per row it deletes"
        blockers = self.semantic.index.bulk_write_blockers(instance.qualname, "delete")
        if blockers.skipped:
            advice = self.skipped_by("QuerySet.delete()", blockers.skipped)
        elif every_row:
            shown = self.shown(loop.iter, 51)
            queryset = f"`{shown}.delete()`" if len(shown) <= 50 else "the queryset's `.delete()`"
            advice = f"delete them at once with {queryset} (it sends the same signals{_unread(blockers.other)})"
        else:
            advice = (
                "filter the queryset to the rows the loop deletes and call `delete()` on it once "
                f"(it sends the same signals{_unread(blockers.other)})"
            )
        self.report(call, f"{cost}; {advice}")

    def _check_helper(self, loop: cst.For, call: cst.Call, write: HelperWrite) -> None:
        """``purge(pk)`` on every item, where the function fetches the row by ``pk`` and
        deletes it: reported at the call."""
        if not self.fetches_per_item(loop, call, write):
            return
        model = short(write.model)
        cost = f"`{self.shown(call.func)}()` fetches a row of `{model}` and deletes it on every call: 2 or more queries per item"

        def advice(blockers) -> str:
            return f"delete them at once with `{model}.objects.filter(pk__in=...).delete()` (it sends the same signals{_unread(blockers.other)})"

        self.report_helper_write(call, cost, write.model, "delete", "QuerySet.delete()", advice)

    def _deletes_every_row(self, loop: cst.For, call: cst.Call) -> bool:
        """Whether the loop deletes each row of a queryset that could delete them itself:
        the loop's own row, on every iteration, from a queryset that is no slice or
        ``union()`` (which Django cannot delete)."""
        receiver = call.func.value
        rows = self.semantic.queryset_type(loop.iter)
        return (
            isinstance(receiver, cst.Name)
            and isinstance(loop.target, cst.Name)
            and receiver.value == loop.target.value
            and rows is not None
            and rows.kind == "queryset"
            and not rows.combined
            and not sliced(self.semantic, loop.iter)
            and reaches_every_item(loop, call)
        )


def _unread(reasons: Sequence[str]) -> str:
    """The caveat for what ormlint could not read: ``, but ...`` or nothing."""
    return f", but {reasons[0]}" if reasons else ""
