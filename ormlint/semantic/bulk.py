"""What one bulk write skips that a write per row runs, and what else stands in its way.

``bulk_update()`` and ``bulk_create()`` call no model ``save()`` and send no ``pre_save``
/ ``post_save`` signals; ``QuerySet.delete()`` sends the delete signals for each row but
calls no model ``delete()``. What libraries run there (history tracking, a tree's
bookkeeping, lifecycle hooks) is given here as data, since their source is not in the
project for the index to read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, FrozenSet, Iterable, List, Tuple

#: Class-level fields whose library records every save of a row through ``post_save``
#: (and every delete through ``post_delete``, which ``QuerySet.delete()`` sends too).
HISTORY_FIELDS = frozenset({"simple_history.models.HistoricalRecords"})

#: Model bases of libraries whose ``save()`` / ``delete()`` do work of their own for each
#: row: django-mptt keeps the tree's bounds, django-lifecycle runs the model's hooks.
PER_ROW_BASE_METHODS: Dict[str, FrozenSet[str]] = {
    "mptt.models.MPTTModel": frozenset({"save", "delete"}),
    "django_lifecycle.LifecycleModel": frozenset({"save", "delete"}),
    "django_lifecycle.LifecycleModelMixin": frozenset({"save", "delete"}),
    "django_lifecycle.models.LifecycleModel": frozenset({"save", "delete"}),
    "django_lifecycle.mixins.LifecycleModelMixin": frozenset({"save", "delete"}),
}


@dataclass(frozen=True)
class BulkWriteBlockers:
    """Why one bulk write cannot simply stand in for a write per row of a model."""

    #: What each per-row call runs and the bulk write would not (shown in a message:
    #: "`Order.save()`", "the `pre_save`/`post_save` receivers in `shop.signals`").
    skipped: Tuple[str, ...] = ()
    #: Why else the bulk write may differ or fail: what ormlint cannot read, ``auto_now``
    #: fields ``bulk_update()`` leaves, multi-table inheritance ``bulk_create()`` refuses.
    other: Tuple[str, ...] = ()

    def __bool__(self) -> bool:
        """Whether anything stands in the way."""
        return bool(self.skipped or self.other)


def history_fields(calls: Iterable[Tuple[str, str]]) -> List[str]:
    """The history-tracking fields among a class's ``(attribute, callee)`` calls."""
    return [attribute for attribute, callee in calls if callee in HISTORY_FIELDS]
