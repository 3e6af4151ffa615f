"""ORM004 query-in-loop."""

from __future__ import annotations

from ormlint.rules._loops import LoopRule
from ormlint.semantic.loops import Loop, LoopFacts, analyse_loop, queries_per_row

_ADVICE = {
    "get": "fetch them all at once with `in_bulk()` or one `filter(pk__in=...)`",
    "count": "count them all at once with `annotate(Count(...))`",
    "exists": "annotate the rows with `Exists(...)` or fetch the matches at once with `filter(...__in=...)`",
}
_DEFAULT_ADVICE = "fetch them all at once with one `filter(...__in=...)` or a `Prefetch(...)`"


class QueryInLoop(LoopRule):
    """
    ## What it does
    Finds a read query built from the loop variable on each iteration:
    `Order.objects.get(pk=order_id)`, `Order.objects.filter(customer=c).first()`,
    `customer.orders.count()` or `customer.orders.filter(...).exists()` per row; also a
    model method or property called on each row that runs such a query on its `self`
    (`event.open_tickets_count()` doing `return self.tickets.filter(open=True).count()`).

    ## Why is this bad?
    One query per iteration: a loop over 1,000 ids sends 1,000 queries where one would
    do. Prefetching does not help, because each call builds a new query.

    ## Example
    ```python
    from shop.models import Order

    def statuses(order_ids):
        return [Order.objects.get(pk=order_id).status for order_id in order_ids]
    ```

    ## Use instead
    ```python
    from shop.models import Order

    def statuses(order_ids):
        orders = Order.objects.in_bulk(order_ids)
        return [orders[order_id].status for order_id in order_ids]
    ```

    ## Fix safety
    No fix: the right rewrite (`in_bulk`, one `filter(pk__in=...)`, `Prefetch`,
    `annotate(Count(...))`) depends on what the loop does with the result. The message
    says which fits.

    ## When it does not fire
    On queries that do not depend on the loop variable (ormlint does not move them out of
    the loop), on writes (`save()`, `create()`, `delete()`: the ORM2xx rules), on a query
    that locks its rows (`select_for_update()`) or runs in a `with transaction.atomic():`
    block of the loop body (one row at a time is then the point), on a related manager
    used as a subquery (`filter(pk__in=row.tags.all())` adds no query of its own), and in
    test code by default.

    ## References
    - [Django: `in_bulk()`](https://docs.djangoproject.com/en/stable/ref/models/querysets/#in-bulk)
    - [Django: database access optimization](https://docs.djangoproject.com/en/stable/topics/db/optimization/)
    """

    code = "ORM004"
    name = "query-in-loop"
    follows_calls = False

    def check_loop(self, facts: LoopFacts) -> None:
        """Rows read in a callable, a function or a template are the N+1 rules' concern."""

    def _visit_loop(self, node: Loop) -> None:
        facts = analyse_loop(self.semantic, node)
        rows = facts.query if facts is not None and facts.query.orm == "django" else None
        queries = queries_per_row(self.semantic, node, rows)
        if not queries:
            return
        module = self.semantic.module_node
        first = queries[0]
        method = first.method
        shown = " ".join((module.code_for_node(first.node) if module is not None else method).split())
        if len(shown) > 60:
            shown = shown[:57] + "..."
        more = f" (and {len(queries) - 1} more)" if len(queries) > 1 else ""
        through = f" (`{first.in_method}` queries `self.{first.relation}`)" if first.in_method else ""
        self.report(
            node,
            f"Query per row: `{shown}`{more} runs on every iteration{through}; {_ADVICE.get(method, _DEFAULT_ADVICE)}",
        )
