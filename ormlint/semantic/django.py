"""Facts about Django's ORM API that several modules need, without importing libcst."""

from typing import List, Optional

#: ``QuerySet`` (and manager) methods that return another queryset.
DJANGO_QUERYSET_METHODS = frozenset(
    {
        "all", "filter", "exclude", "annotate", "alias", "order_by", "reverse", "distinct",
        "values", "values_list", "dates", "datetimes", "none", "union", "intersection",
        "difference", "select_related", "prefetch_related", "extra", "defer", "only", "using",
        "select_for_update", "complex_filter", "get_queryset", "fetch_mode",
    }
)

#: ``get_user_model()``: the class ``settings.AUTH_USER_MODEL`` names.
GET_USER_MODEL = frozenset({"django.contrib.auth.get_user_model"})
#: ``apps.get_model(...)``: the model class its arguments name.
GET_MODEL = frozenset(
    {"django.apps.apps.get_model", "django.apps.registry.apps.get_model", "django.db.models.loading.get_model"}
)


def model_label(arguments: List[object]) -> Optional[str]:
    """``apps.get_model("shop", "Order")`` and ``apps.get_model("shop.Order")``: the
    ``app_label.Model`` their literal arguments name."""
    if not all(isinstance(a, str) for a in arguments):
        return None
    if len(arguments) == 2:
        return f"{arguments[0]}.{arguments[1]}"
    if len(arguments) == 1 and arguments[0].count(".") == 1:
        return arguments[0]
    return None
