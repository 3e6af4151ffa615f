"""ORM002 n-plus-one-reverse."""

from __future__ import annotations

from ormlint.diagnostics import Applicability
from ormlint.fixers.related import add_related
from ormlint.rules._loops import LoopRule, columns_message, report_related
from ormlint.semantic.admin import AdminFacts, InlineFacts
from ormlint.semantic.drf import ViewFacts
from ormlint.semantic.loops import LoopFacts, is_loaded


class NPlusOneReverse(LoopRule):
    """
    ## What it does
    Finds a loop or comprehension over a Django queryset whose body reads a reverse
    ForeignKey or a ManyToMany manager of each row (`order.lines.all()`,
    `for tag in product.tags.all()`, `customer.order_set.all()`, a `GenericRelation`) or
    a `GenericForeignKey` (`note.content_object`) of each row that the queryset does not
    already prefetch. A key to a model of a third-party app counts: the first hop is known
    even when the target's source is not in the project.

    The loop may be in another function: rows passed to a function or method of the
    project that loops over that argument (`customer_names(orders)`, `self.render(qs)`)
    are read there, and reported and fixed where the query is built. A function that
    slices or rebinds the argument before looping is not followed.

    In the Django admin, a change list column that reads a many-valued relation of each
    row (`obj.tags.all()`) is reported on `list_display`, without a fix: prefetching
    belongs in the admin's `get_queryset()`. When the admin has its own `get_queryset()`
    refining `super().get_queryset(request)`, the finding is reported on the queryset it
    returns and fixed there. Inlines are checked the same way, on their `get_queryset()`.

    In Django REST framework, a list view (`ModelViewSet`, `ListAPIView`...) serializes
    every row of its queryset with its serializer: nested serializers, dotted `source`s,
    `SerializerMethodField` methods, `StringRelatedField`, many-valued primary key fields
    and `Meta.depth` read relations of each row. The view is read through its project
    base views and mixins, and its `get_queryset()` and `get_serializer_class()` as they
    are written (see ORM001). What the queryset does not load is reported on the
    `queryset` line (or the class, when the rows come from a base elsewhere) and fixed
    there with `prefetch_related`.
    So is an explicit `OrderSerializer(rows, many=True).data` anywhere (or `.data` of a
    name bound to that call): the serializer reads the same on every row of `rows`.

    The serializer is read as DRF runs it: a related field class of the project given
    `many=True` (or a `ManyRelatedField` of the project) reads `source.all()` and what its
    `to_representation()` reads on each of those rows; a nested serializer whose `source`
    is a property follows the relation the property returns (`return self.lines.all()`);
    `ListSerializer(child=...)` reads as its child nested with `many=True`; a
    `SerializerMethodField` that returns `LineSerializer(obj.lines.all(), many=True).data`
    reads `lines` and what `LineSerializer` reads below it. Given `obj.lines.filter(...)`,
    that method queries once per row whatever is prefetched, and is not reported here.

    Templates count too: a relation the template's `{% for %}` loops read on each row
    (`{% for line in order.lines.all %}`) is reported where the view builds the rows.

    ## Why is this bad?
    Each row's related manager runs its own query: one query for the list, then one per
    row. `prefetch_related()` loads every row's related objects in one more query.

    ## Example
    ```python
    from shop.models import Customer

    def order_counts():
        return {customer.name: len(customer.orders.all()) for customer in Customer.objects.all()}
    ```

    ## Use instead
    ```python
    from shop.models import Customer

    def order_counts():
        return {customer.name: len(customer.orders.all()) for customer in Customer.objects.all().prefetch_related("orders")}
    ```

    ## Fix safety
    Safe: the same objects, loaded in one extra query for all rows. Offered where the
    queryset is built, as for ORM001.

    ## When it does not fire
    When the queryset already prefetches the relation (`prefetch_related('orders')` or
    `Prefetch('orders', ...)`), on `.values()` querysets, on querysets that come from a
    parameter (the caller may have prefetched), on `.all().delete()` and
    `.all().update()` (writes), and when the manager is
    filtered or counted per row (`customer.orders.filter(...)`, `.count()`), which
    prefetching does not help: ORM004 reports those. No fix is offered for `iterator()`
    without `chunk_size`, which ignores prefetching.

    ## References
    - [Django: `prefetch_related()`](https://docs.djangoproject.com/en/stable/ref/models/querysets/#prefetch-related)
    """

    code = "ORM002"
    name = "n-plus-one-reverse"
    fix_applicability = Applicability.SAFE

    def check_admin(self, facts: AdminFacts) -> None:
        query = facts.query
        reads = [r for r in facts.reads if r.prefetchable and not is_loaded(query, r)]
        if not reads:
            return
        paths = sorted({r.lookup for r in reads})
        listed = ", ".join(f"'{path}'" for path in paths)
        if facts.returned is not None:
            # The admin's own get_queryset() feeds the change list: the prefetch goes there.
            call = f".prefetch_related({listed})"
            fix = None if query.combined else self.fix(f"Add `{call}`", (facts.returned, add_related(facts.returned, "prefetch_related", paths)))
            self.report(facts.returned, columns_message(facts, reads, f"load with `{call}` in `get_queryset()`"), fix)
            return
        advice = f"prefetch them in `get_queryset()`: `super().get_queryset(request).prefetch_related({listed})`"
        where = facts.list_display if facts.list_display is not None else facts.node.name
        self.report(where, columns_message(facts, reads, advice))

    def check_inline(self, facts: InlineFacts) -> None:
        query = facts.query
        reads = [r for r in facts.reads if r.prefetchable and not is_loaded(query, r)]
        if reads:
            self.report_inline(facts, reads, "prefetch_related", not query.combined)

    def check_view(self, facts: ViewFacts) -> None:
        query = facts.query
        # A path through a many-valued relation is prefetched, whatever follows it.
        reads = [r for r in facts.reads if r.prefetchable and not is_loaded(query, r)]
        if reads:
            self.report_view(facts, reads, "prefetch_related", not query.combined)

    def check_loop(self, facts: LoopFacts) -> None:
        query = facts.query
        if query.orm != "django":
            return
        reads = [r for r in facts.reads if r.prefetchable and not is_loaded(query, r)]
        if not reads:
            return
        # ``iterator()`` without ``chunk_size`` refuses (Django 5) or ignores prefetches.
        note = " and give `iterator()` a `chunk_size`" if query.unchunked else ""
        report_related(self, facts, reads, "prefetch_related", not (query.combined or query.unchunked), note)
