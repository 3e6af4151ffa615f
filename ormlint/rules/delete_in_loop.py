"""ORM203 delete-in-loop."""

from __future__ import annotations

import libcst as cst

from ormlint.rules._writes import WriteRule
from ormlint.semantic.writes import row_instance, unconditional


class DeleteInLoop(WriteRule):
    """
    ## What it does
    Finds `obj.delete()` called on every row of a loop over a queryset: on the loop
    variable, on a row it relates to, or on a row the loop fetches by the loop variable.

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
    and the loop may do more per row than delete it. The message points to
    `QuerySet.delete()`.

    ## When it does not fire
    On a single `delete()` outside a loop, on an object that is the same on every
    iteration, on `queryset.delete()` calls (already one statement per set of rows), and
    in test code by default.

    ## References
    - [Django: `delete()`](https://docs.djangoproject.com/en/stable/ref/models/querysets/#delete)
    """

    code = "ORM203"
    name = "delete-in-loop"
    required_text = (".delete(",)

    methods = ("delete",)

    def check_write(self, loop: cst.For, call: cst.Call, indentation: str) -> None:
        receiver = call.func.value
        if row_instance(self.semantic, loop, receiver) is None:
            return
        own_row = isinstance(receiver, cst.Name) and isinstance(loop.target, cst.Name) and receiver.value == loop.target.value
        rows = self.semantic.queryset_type(loop.iter)
        shown = self.shown(loop.iter, 51)
        if own_row and rows is not None and rows.kind == "queryset" and unconditional(loop, call) and len(shown) <= 50:
            advice = f"delete them at once with `{shown}.delete()`"
        elif own_row and rows is not None and rows.kind == "queryset" and unconditional(loop, call):
            advice = "delete them at once with the queryset's `.delete()`"
        else:
            advice = "filter the rows to delete and delete them at once with one `QuerySet.delete()`"
        self.report(
            call,
            f"`{self.shown(receiver)}.delete()` on every row: 1 or more queries per row; {advice} "
            "(it sends the same signals, but skips a `delete()` override)",
        )
