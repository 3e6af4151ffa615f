"""Facts about Django's ORM API that several modules need, without importing libcst."""

#: ``QuerySet`` (and manager) methods that return another queryset.
DJANGO_QUERYSET_METHODS = frozenset(
    {
        "all", "filter", "exclude", "annotate", "alias", "order_by", "reverse", "distinct",
        "values", "values_list", "dates", "datetimes", "none", "union", "intersection",
        "difference", "select_related", "prefetch_related", "extra", "defer", "only", "using",
        "select_for_update", "complex_filter", "get_queryset", "fetch_mode",
    }
)
