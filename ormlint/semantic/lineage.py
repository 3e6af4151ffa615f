"""A project class as Python sees it through its bases: the order in which its attributes
and methods are looked up, the framework classes it reaches, and what each name is
bound to along that order.

Real views and admins rarely derive from the framework directly: ``class
OrderViewSet(TeamScopedMixin, BaseViewSet)``, where ``BaseViewSet`` lives in another
module and derives from ``ModelViewSet``. The index knows every project class (its
bases, methods, the summaries of what its methods return, and its class-level values);
this module orders them as Python's C3 linearization does, so that ``self.queryset``,
``self.get_queryset()`` and ``super().get_queryset()`` mean here what they mean at run
time.

A class from outside the project (``ModelViewSet``) is one entry of the order: what it
derives from in turn is not known here, so a name it may bind stops the lookup unless
the caller says that class binds none of the names it asks about (``neutral``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, FrozenSet, Optional, Tuple

from ormlint.semantic.index import ClassFacts, ModuleFacts, ProjectIndex
from ormlint.semantic.summaries import ReturnSummary

#: The framework classes whose ``get_queryset()`` returns ``self.queryset`` (``.all()``
#: of it), and, for Django's generic views, ``self.model._default_manager.all()`` when
#: there is no ``queryset``.
DRF_QUERYSET_VIEWS = frozenset(
    {
        "rest_framework.generics.GenericAPIView",
        "rest_framework.generics.ListAPIView",
        "rest_framework.generics.ListCreateAPIView",
        "rest_framework.generics.RetrieveAPIView",
        "rest_framework.generics.RetrieveUpdateAPIView",
        "rest_framework.generics.RetrieveDestroyAPIView",
        "rest_framework.generics.RetrieveUpdateDestroyAPIView",
        "rest_framework.viewsets.GenericViewSet",
        "rest_framework.viewsets.ModelViewSet",
        "rest_framework.viewsets.ReadOnlyModelViewSet",
    }
)
#: Django's access mixins, which bind none of the names a view's rows, serializer or
#: template come from.
DJANGO_ACCESS_MIXINS = frozenset(
    {
        "django.contrib.auth.mixins.LoginRequiredMixin",
        "django.contrib.auth.mixins.PermissionRequiredMixin",
        "django.contrib.auth.mixins.UserPassesTestMixin",
        "django.contrib.auth.mixins.AccessMixin",
    }
)
DJANGO_QUERYSET_VIEWS = frozenset(
    {
        "django.views.generic.ListView",
        "django.views.generic.list.ListView",
        "django.views.generic.list.MultipleObjectMixin",
        "django.views.generic.list.BaseListView",
        "django.views.generic.DetailView",
        "django.views.generic.detail.DetailView",
        "django.views.generic.detail.SingleObjectMixin",
        "django.views.generic.detail.BaseDetailView",
    }
)


@dataclass(frozen=True)
class Member:
    """What a name is bound to, found at ``position`` of the order.

    ``kind`` is ``attribute`` (a class-level value), ``method``, ``property``,
    ``delegate`` (a method that only calls the same method of ``super()``), or
    ``outside``: a class from outside the project comes first and may bind it; ``owner``
    is then that class, for the caller to know what the framework does.
    """

    kind: str
    position: int
    owner: str
    #: The value of an attribute, or what a method or property returns (``None`` when
    #: that cannot be read).
    summary: Optional[ReturnSummary] = None


@dataclass(frozen=True, eq=False)
class Lineage:
    """A class and its bases in method resolution order (compared by identity: one per
    class and file)."""

    order: Tuple[str, ...]
    #: The index's facts of each class of ``order``, ``None`` for a class from outside.
    facts: Tuple[Optional[ClassFacts], ...]
    #: What each class of the order binds, read on the first lookup there.
    _bound: Dict[int, Dict[str, Tuple[str, Optional[ReturnSummary]]]] = field(default_factory=dict, repr=False)

    @property
    def qualname(self) -> str:
        return self.order[0]

    def outside(self) -> Tuple[str, ...]:
        """The classes from outside the project, in order."""
        return tuple(name for name, facts in zip(self.order, self.facts) if facts is None)

    def reaches(self, roots: FrozenSet[str]) -> bool:
        return any(name in roots for name in self.outside())

    def member(self, name: str, start: int = 0, neutral: FrozenSet[str] = frozenset()) -> Optional[Member]:
        """The first binding of ``name`` from ``start`` on, as attribute lookup finds it;
        ``None`` when no class there binds it. Classes from outside the project that
        are in ``neutral`` are known to bind none of the names asked about."""
        for position in range(start, len(self.order)):
            facts, owner = self.facts[position], self.order[position]
            if facts is None:
                if owner in neutral:
                    continue
                return Member("outside", position, owner)
            if position not in self._bound:
                self._bound[position] = _bindings(facts)
            bound = self._bound[position].get(name)
            if bound is not None:
                return Member(bound[0], position, owner, bound[1])
        return None


def _bindings(facts: ClassFacts) -> Dict[str, Tuple[str, Optional[ReturnSummary]]]:
    """Each name the class statement binds, with its ``Member`` kind and summary."""
    found: Dict[str, Tuple[str, Optional[ReturnSummary]]] = {}
    for name, _ in (*facts.calls, *facts.constants):
        found[name] = ("attribute", None)  # bound, to a value not kept
    found.update((name, ("attribute", summary)) for name, summary in facts.attributes)
    returns = dict(facts.returns)
    for name in facts.methods:
        summary = returns.get(name)
        if name in facts.delegates:
            found[name] = ("delegate", None)
        else:
            found[name] = ("property" if summary is not None and summary.kind == "property" else "method", summary)
    return found


def class_lineage(index: ProjectIndex, qualname: str, current: Optional[ModuleFacts] = None) -> Optional[Lineage]:
    """The lineage of the project class ``qualname``; ``None`` when the index does not
    know it or its bases cannot be ordered. The classes of the module ``current``
    describes are read from it rather than from the index."""
    order = index.resolution_order(qualname)
    if order is None or index.lineage(qualname) == []:
        return None
    classes = dict(index.lineage(qualname))
    if current is not None:
        classes.update((f"{current.module}.{facts.name}", facts) for facts in current.classes if f"{current.module}.{facts.name}" in classes)
    return Lineage(order, tuple(classes.get(name) for name in order))
