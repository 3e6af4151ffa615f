"""Project classes read through their bases: Python's resolution order across modules,
what each name is bound to along it, and which ``self.action`` a return is reached for."""

import ast
import textwrap
from pathlib import Path

import pytest

from ormlint.semantic.index import ProjectIndex
from ormlint.semantic.lineage import class_lineage
from ormlint.semantic.summaries import FunctionBody, action_may_run, return_summary


def build(root: Path, files: dict) -> ProjectIndex:
    (root / "setup.cfg").write_text("")
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return ProjectIndex.build(root)


BASES = {
    "api/__init__.py": "",
    "api/base.py": """
        from rest_framework import viewsets
        from shop.models import Order

        class TeamMixin:
            def get_queryset(self):
                return super().get_queryset().filter(team=self.request.user.team)

        class BaseViewSet(viewsets.ModelViewSet):
            queryset = Order.objects.select_related("customer")

            def list(self, request, *args, **kwargs):
                return super().list(request, *args, **kwargs)

            def create(self, request, *args, **kwargs):
                response = super().create(request, *args, **kwargs)
                return response
        """,
    "api/views.py": """
        from rest_framework.permissions import IsAuthenticated
        from api.base import BaseViewSet, TeamMixin

        class OrderViewSet(TeamMixin, BaseViewSet):
            permission_classes = [IsAuthenticated]
        """,
}


def test_the_order_is_pythons_across_modules(tmp_path):
    index = build(tmp_path, BASES)
    lineage = class_lineage(index, "api.views.OrderViewSet")
    assert lineage.order == (
        "api.views.OrderViewSet",
        "api.base.TeamMixin",
        "api.base.BaseViewSet",
        "rest_framework.viewsets.ModelViewSet",
    )
    assert lineage.outside() == ("rest_framework.viewsets.ModelViewSet",)
    assert lineage.reaches(frozenset({"rest_framework.viewsets.ModelViewSet"}))


def test_each_name_is_found_where_python_finds_it(tmp_path):
    index = build(tmp_path, BASES)
    lineage = class_lineage(index, "api.views.OrderViewSet")
    method = lineage.member("get_queryset")
    assert (method.kind, method.owner) == ("method", "api.base.TeamMixin")
    assert method.summary.values == ("super().get_queryset().filter(team=self.request.user.team)",)
    # super() from the mixin goes on to the base, which does not define it: the framework does.
    after = lineage.member("get_queryset", start=method.position + 1)
    assert (after.kind, after.owner) == ("outside", "rest_framework.viewsets.ModelViewSet")
    queryset = lineage.member("queryset")
    assert (queryset.kind, queryset.owner) == ("attribute", "api.base.BaseViewSet")
    assert queryset.summary.values == ("Order.objects.select_related('customer')",)
    assert dict(queryset.summary.names)["Order"] == "shop.models.Order"
    assert lineage.member("list").kind == "delegate"
    assert lineage.member("create").kind == "method"  # more than handing the call on
    assert lineage.member("permission_classes").owner == "api.views.OrderViewSet"


def test_a_class_from_outside_stops_the_lookup_unless_neutral(tmp_path):
    index = build(
        tmp_path,
        {
            "views.py": """
                from django.contrib.auth.mixins import LoginRequiredMixin
                from third_party import Mixin

                class Base:
                    def get_queryset(self):
                        return self.queryset

                class Guarded(LoginRequiredMixin, Base):
                    pass

                class Unknown(Mixin, Base):
                    pass
                """
        },
    )
    guarded = class_lineage(index, "views.Guarded")
    assert guarded.member("get_queryset").kind == "outside"
    neutral = frozenset({"django.contrib.auth.mixins.LoginRequiredMixin"})
    assert guarded.member("get_queryset", neutral=neutral).owner == "views.Base"
    assert class_lineage(index, "views.Unknown").member("get_queryset", neutral=neutral).owner == "third_party.Mixin"
    assert guarded.member("missing", neutral=neutral) is None


def test_no_order_for_classes_python_would_refuse_or_that_are_not_known(tmp_path):
    index = build(
        tmp_path,
        {
            "bad.py": """
                class A:
                    pass

                class B(A):
                    pass

                class C(A, B):
                    pass

                class Loop(Loop):
                    pass
                """
        },
    )
    assert class_lineage(index, "bad.C") is None
    assert class_lineage(index, "bad.B").order == ("bad.B", "bad.A")
    assert class_lineage(index, "bad.Nothing") is None


def test_delegates_only_when_every_argument_is_handed_on_as_received():
    cases = {
        "def list(self, request, *args, **kwargs):\n    return super().list(request, *args, **kwargs)": True,
        "def list(self, request):\n    '''Doc.'''\n    return super().list(request)": True,
        "def list(self, request, *args, **kwargs):\n    return super().list(request)": False,
        "def list(self, request):\n    return super().retrieve(request)": False,
        "def list(self, request):\n    self.x = 1\n    return super().list(request)": False,
        "def list(self, request):\n    return super(View, self).list(request)": False,
    }
    from ormlint.semantic.index import _delegates

    for source, expected in cases.items():
        assert _delegates(ast.parse(source).body[0]) is expected, source


def summary_of(source: str):
    function = ast.parse(textwrap.dedent(source)).body[0]
    return return_summary(FunctionBody(function), {"A": "s.A", "B": "s.B", "C": "s.C"}, "s", method=True)


@pytest.mark.parametrize(
    "source, reached",
    [
        (
            """
            def get_serializer_class(self):
                if self.action == "list":
                    return A
                return B
            """,
            {"A": ({"list"}, {"create", "retrieve"}), "B": ({"create", "retrieve"}, {"list"})},
        ),
        (
            """
            def get_serializer_class(self):
                if self.action in ("list", "retrieve"):
                    return A
                elif self.action != "create":
                    return B
                return C
            """,
            {
                "A": ({"list", "retrieve"}, {"create", "update"}),
                "B": ({"update"}, {"list", "retrieve", "create"}),
                "C": ({"create"}, {"list", "retrieve", "update"}),
            },
        ),
        (
            """
            def get_serializer_class(self):
                if "list" != self.action:
                    return B
                return A
            """,
            {"A": ({"list"}, {"create"}), "B": ({"create", "retrieve"}, {"list"})},
        ),
        (
            """
            def get_serializer_class(self):
                for x in self.extra:
                    if self.action == "list":
                        return A
                return B
            """,
            # The loop may not run: after it, the action may still be ``list``.
            {"A": ({"list"}, {"create"}), "B": ({"list", "create"}, set())},
        ),
        (
            """
            def get_serializer_class(self):
                if self.request.user.is_staff:
                    return A
                return B
            """,
            {"A": ({"list", "create"}, set()), "B": ({"list", "create"}, set())},
        ),
    ],
)
def test_returns_know_which_actions_reach_them(source, reached):
    summary = summary_of(source)
    assert set(summary.values) == set(reached)
    for value, (may, may_not) in reached.items():
        text = summary.actions[summary.values.index(value)] if summary.actions else ""
        assert all(action_may_run(text, action) for action in may), (value, text)
        assert not any(action_may_run(text, action) for action in may_not), (value, text)


def test_the_same_value_on_two_branches_is_reached_by_both():
    summary = summary_of(
        """
        def get_serializer_class(self):
            if self.action == "list":
                return A
            if self.action == "retrieve":
                return A
            return B
        """
    )
    text = summary.actions[summary.values.index("A")]
    assert action_may_run(text, "list") and action_may_run(text, "retrieve") and not action_may_run(text, "create")
