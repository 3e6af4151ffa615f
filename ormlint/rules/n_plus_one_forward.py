"""ORM001 n-plus-one-forward."""

from __future__ import annotations

from ormlint.diagnostics import Applicability
import libcst as cst

from ormlint.fixers.related import add_related, select_related_setting
from ormlint.rules._loops import LoopRule, class_indentation, columns_message, loading_call, report_related
from ormlint.semantic.admin import AdminFacts, InlineFacts, automatic_select_related
from ormlint.semantic.drf import ViewFacts
from ormlint.semantic.loops import LoopFacts, is_loaded, longest


class NPlusOneForward(LoopRule):
    """
    ## What it does
    Finds a loop or comprehension over a Django queryset whose body reads a ForeignKey or
    OneToOne relation of each row (`order.customer.name`, `line.order.customer`) that
    the queryset does not already load.

    The query may come from another function: a project function or method that returns
    it (over several statements and branches, or refining the queryset it is given),
    `list()`, `sorted()`, `enumerate()`, a `Paginator` and its pages, or a django-filter
    `FilterSet(..., queryset=qs).qs`. The loop may be in another function too: rows passed
    to a function or method of the project that loops over that argument
    (`customer_names(orders)`, `self.render(qs)`), or passes the rows or each row on to
    other functions, a few calls deep, are read there, and reported and fixed where the
    query is built. So are rows passed with a function (or a lambda) that the function
    calls on each of them (`render_page(qs, order_line)`). A function that slices or
    rebinds the argument before looping is not followed.

    In the Django admin, the columns of a `ModelAdmin`'s change list (`list_display`:
    relation fields shown through their `__str__`, `'relation__field'` lookups, admin and
    model methods, and each row's `__str__` in the label of the action checkbox when the
    change list has actions) are read on every row; what `list_select_related` (or Django's own
    `select_related()` when a ForeignKey column is shown) does not load is reported on
    `list_display`, and the fix writes or extends `list_select_related`. An override of
    `get_queryset()` that refines `super().get_queryset(request)` is read: when it selects
    relations itself, Django applies no `list_select_related`, so the finding is reported
    on the queryset it returns and fixed there. Base admins and mixins of the project are
    read too, in method resolution order. An inline (`TabularInline`, `StackedInline`) of a registered admin shows
    each related row on the change form with its `__str__` and its `readonly_fields`: what
    they read is reported on the inline's `get_queryset()` (or its `model`) and loaded
    there (a `get_queryset()` is written when the inline has none).

    In Django REST framework, a list view (`ModelViewSet`, `ListAPIView`...) serializes
    every row of its queryset with its serializer: nested serializers, dotted
    `source`s, `SerializerMethodField` methods, `StringRelatedField`, many-valued primary
    key fields and `Meta.depth` read relations of each row. The view is read through its
    project base views and mixins, in any module: `queryset` and `serializer_class`
    wherever the lineage sets them, `get_queryset()` and `get_serializer_class()` as they
    are written (several statements, `super()`, helpers, `if self.action == "list"`). A
    relation is reported when every serializer the list may use reads it and some
    queryset that may feed it does not load it, and fixed on the view's `queryset` line or
    its `get_queryset()`'s one return (`select_related` for single-valued paths,
    `prefetch_related` for paths through a many-valued relation); when the rows come from
    a base in another module, the finding names it and has no fix. A view with a
    listing of its own, or a class from outside the project and DRF in its lineage, is
    not read.
    So is an explicit `OrderSerializer(rows, many=True).data` anywhere (or `.data` of a
    name bound to that call): the serializer reads the same on every row of `rows`.

    The serializer is read as DRF runs it: a nested serializer whose `source` is a
    property of the row follows the relation the property returns (`return
    self.order.customer`), a `SerializerMethodField` that returns
    `CustomerSerializer(obj.customer).data` reads `customer` and what that serializer
    reads below it, and a serializer base imported through a module of the project is
    DRF's own.

    Templates count too: a view that renders a template with query rows in its context
    (`render(request, "x.html", {"orders": qs})`, `TemplateResponse`, `render_to_string`,
    a `ListView`, Flask's `render_template`) is reported where the rows are built when the
    template's `{% for %}` loops (and the `{% include %}`s they name) read relations of
    each row. Templates are found by name below any `templates` folder of the project.

    ## Why is this bad?
    Each read of an unloaded relation runs one query: a loop over 10,000 orders that reads
    `order.customer` sends 10,001 queries. `select_related()` loads the related rows in
    the same query with a join.

    ## Example
    ```python
    from shop.models import Order

    def names():
        return [order.customer.name for order in Order.objects.filter(status="open")]
    ```

    ## Use instead
    ```python
    from shop.models import Order

    def names():
        return [order.customer.name for order in Order.objects.filter(status="open").select_related("customer")]
    ```

    ## Fix safety
    Safe: the same rows and values, loaded with a join. The fix is offered where the
    queryset is built: in the loop itself, or at the one assignment of the variable the
    loop iterates; an existing `select_related('...')` call is extended.

    ## When it does not fire
    When the queryset already loads the relation (`select_related('customer')`,
    `select_related()` for non-null foreign keys, `prefetch_related`), on `.values()` /
    `.values_list()` querysets, on `order.customer_id` and on assignments such as
    `order.customer = c` (no query), on querysets that come from a parameter (the caller
    may have loaded the relation; an annotation such as `orders: list[Order]` says what
    the rows are, not what was loaded with them), on reads a model method makes only for
    a row being created (`if self._state.adding:`), and on anything the project index does
    not know as a relation. When a function's returns disagree, a relation counts as
    loaded only if every one loads it. No fix is offered when the rows are those an enclosing loop prefetched
    (`for line in order.lines.all()` inside a loop over `prefetch_related('lines')`):
    changing that queryset would discard the prefetch, and the fix belongs on the outer
    queryset as `prefetch_related('lines__product')`. Nor when the queryset uses
    `only()` / `defer()`, comes from several assignments, or uses `select_related()`
    without arguments, or where the rows come from `a if c else b` (both would need it).

    ## References
    - [Django: `select_related()`](https://docs.djangoproject.com/en/stable/ref/models/querysets/#select-related)
    """

    code = "ORM001"
    name = "n-plus-one-forward"
    fix_applicability = Applicability.SAFE

    def check_admin(self, facts: AdminFacts) -> None:
        query = facts.query
        reads = [r for r in facts.reads if r.joinable and not is_loaded(query, r)]
        if not reads:
            return
        if not facts.setting_applies:
            self._check_admin_queryset(facts, reads)
            return
        forward = {r.lookup for r in facts.reads if r.joinable}
        missing = sorted({r.lookup for r in reads})
        # An explicit setting turns Django's own select_related() off, so a new one lists
        # every relation the columns read and everything that call loaded (the page may
        # read more than ormlint sees); an existing one gains what it lacks.
        automatic = automatic_select_related(self.semantic.index, facts.model) if query.select_all else []
        fresh = facts.list_select_related is None and not facts.inherits_setting
        paths = longest(forward | set(automatic or ()) if fresh else missing)
        listed = ", ".join(f"'{path}'" for path in paths)
        fix = None
        select = facts.list_select_related
        if (
            facts.list_display is not None
            and not facts.inherits_setting
            and automatic is not None
            and not query.restricted
            and (select is None or isinstance(select.value, (cst.List, cst.Tuple)))
        ):
            indentation = class_indentation(self, facts.node)
            old, new = select_related_setting(self.semantic.module_node, facts.list_display, select, paths, indentation)
            fix = self.fix(f"Add {listed} to `list_select_related`", (old, new))
        where = facts.list_display if facts.list_display is not None else facts.node.name
        setting = f"({listed},)" if len(paths) == 1 else f"({listed})"
        self.report(where, columns_message(facts, reads, f"load with `list_select_related = {setting}`"), fix)

    def _check_admin_queryset(self, facts: AdminFacts, reads) -> None:
        """The admin's ``get_queryset()`` selects relations, so Django applies no
        ``list_select_related``: the missing ones go into that queryset."""
        _, paths, call = loading_call(reads, "select_related")
        fix = None
        query = facts.query
        if facts.returned is not None and _can_select(query):
            fix = self.fix(f"Add `{call}`", (facts.returned, add_related(facts.returned, "select_related", paths)))
        where = facts.returned or facts.list_display or facts.node.name
        advice = f"its `get_queryset()` selects relations, so `list_select_related` does not apply: load with `{call}` there"
        self.report(where, columns_message(facts, reads, advice), fix)

    def check_inline(self, facts: InlineFacts) -> None:
        query = facts.query
        reads = [r for r in facts.reads if r.joinable and not is_loaded(query, r)]
        if reads:
            self.report_inline(facts, reads, "select_related", _can_select(query))

    def check_view(self, facts: ViewFacts) -> None:
        query = facts.query
        reads = [r for r in facts.reads if r.joinable and not is_loaded(query, r)]
        if reads:
            self.report_view(facts, reads, "select_related", _can_select(query))

    def check_loop(self, facts: LoopFacts) -> None:
        query = facts.query
        if query.orm != "django":
            return
        reads = [r for r in facts.reads if r.joinable and not is_loaded(query, r)]
        if not reads:
            return
        report_related(self, facts, reads, "select_related", _can_select(query))


def _can_select(query) -> bool:
    """Whether ``select_related(...)`` may be added to the query: not over ``only()`` /
    ``defer()`` (they may conflict), a union, or a ``select_related()`` of everything."""
    return not (query.restricted or query.combined or query.select_all)
