"""ORM001 / ORM002 on DRF list views as projects write them: through project base views
and mixins in other modules, ``get_queryset()`` over several statements and through
``super()``, ``get_serializer_class()`` deciding by ``self.action``, and overrides that
only hand the call on. Silent where the lineage holds what cannot be read."""

import textwrap

import pytest

from harness import EXTRA_DJANGO_MODELS, check, fix, make_project, marked_rows, rows

SERIALIZERS = '''
from rest_framework import serializers

from shop.models import Customer, Order


class CustomerSerializer(serializers.ModelSerializer):
    class Meta:
        model = Customer
        fields = ["id", "name"]


class OrderSerializer(serializers.ModelSerializer):
    customer = CustomerSerializer()

    class Meta:
        model = Order
        fields = ["id", "status", "customer"]


class OrderDetailSerializer(OrderSerializer):
    lines = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta(OrderSerializer.Meta):
        fields = ["id", "status", "customer", "lines"]


class OrderIdsSerializer(serializers.ModelSerializer):
    class Meta:
        model = Order
        fields = ["id", "status", "customer"]
'''

BASES = '''
from rest_framework import generics, mixins, viewsets
from rest_framework.response import Response

from shop.models import Order
from shop.serializers import OrderSerializer


class TeamQuerysetMixin:
    """Refines the rows the lineage gives."""

    def get_queryset(self):
        rows = super().get_queryset()
        return rows.filter(status="open")


class NoisyListMixin:
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)


class OrderBaseViewSet(viewsets.ModelViewSet):
    queryset = Order.archived.all()
    serializer_class = OrderSerializer


class LoadedBaseViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Order.archived.select_related("customer")


class ListingBase(mixins.ListModelMixin, viewsets.GenericViewSet):
    pass


class CountedListing(generics.ListAPIView):
    def list(self, request, *args, **kwargs):
        if request.headers.get("If-Modified-Since") and not self.get_queryset().model.objects.exists():
            return Response(status=304)
        response = super().list(request, *args, **kwargs)
        response["X-Count"] = str(len(response.data))
        return response


class OwnListing(generics.ListAPIView):
    def list(self, request, *args, **kwargs):
        rows = self.get_queryset()[:10]
        return self.get_paginated_response(self.get_serializer(rows, many=True).data)
'''


def diagnostics(tmp_path, code, select="ORM0"):
    make_project(tmp_path, {"shop/extra.py": EXTRA_DJANGO_MODELS, "shop/serializers.py": SERIALIZERS, "shop/bases.py": BASES})
    return check(tmp_path, code, select, name="shop/api.py")


HEADER = """
    from django.contrib.auth.mixins import LoginRequiredMixin
    from rest_framework import generics, viewsets
    from shop import serializers
    from shop.bases import CountedListing, LoadedBaseViewSet, ListingBase, NoisyListMixin, OrderBaseViewSet, OwnListing, TeamQuerysetMixin
    from shop.models import Order
"""

FIRES = [
    pytest.param(
        HEADER + """
    class Orders(TeamQuerysetMixin, OrderBaseViewSet):
        queryset = Order.archived.order_by("pk")  # error: ORM001
    """,
        id="own-queryset-refined-by-a-mixin-and-serialized-by-the-base's-serializer",
    ),
    pytest.param(
        HEADER + """
    class Orders(OrderBaseViewSet):  # error: ORM001, ORM002
        serializer_class = serializers.OrderDetailSerializer
    """,
        id="serializer-of-its-own-over-the-base's-queryset-in-another-module",
    ),
    pytest.param(
        HEADER + """
    class Orders(LoginRequiredMixin, NoisyListMixin, ListingBase):
        queryset = Order.archived.all()  # error: ORM001
        serializer_class = serializers.OrderSerializer
    """,
        id="list-mixin-and-generic-viewset-assembled-in-a-project-base",
    ),
    pytest.param(
        HEADER + """
    class Orders(OrderBaseViewSet):
        def get_queryset(self):
            rows = super().get_queryset()
            if self.request.user.is_staff:
                rows = rows.filter(status="open")
            return rows.order_by("pk")  # error: ORM001
    """,
        id="get-queryset-over-several-statements-through-super",
    ),
    pytest.param(
        HEADER + """
    class Orders(OrderBaseViewSet):
        def get_queryset(self):
            if self.request.user.is_staff:
                return Order.archived.select_related("customer")
            return Order.archived.all()

        def get_serializer_class(self):
            if self.action == "list":
                return serializers.OrderSerializer
            return serializers.OrderIdsSerializer
    """.replace("class Orders(OrderBaseViewSet):", "class Orders(OrderBaseViewSet):  # error: ORM001"),
        id="one-queryset-of-two-does-not-load-what-the-list-serializer-reads",
    ),
    pytest.param(
        HEADER + """
    class Orders(OrderBaseViewSet):
        queryset = Order.archived.all()  # error: ORM001

        def get_serializer_class(self):
            if self.action in ("list", "retrieve"):
                return super().get_serializer_class()
            return serializers.OrderIdsSerializer
    """,
        id="get-serializer-class-through-super-for-the-list-action",
    ),
    pytest.param(
        HEADER + """
    class Orders(CountedListing):
        queryset = Order.archived.all()  # error: ORM001
        serializer_class = serializers.OrderSerializer
    """,
        id="a-list-override-that-answers-304-or-adds-a-header-around-drf's",
    ),
    pytest.param(
        HEADER + """
    def visible(rows, user):
        return rows.filter(status="open").exclude(customer__name=user.username)

    class Orders(OrderBaseViewSet):
        def get_queryset(self):
            return visible(super().get_queryset(), self.request.user)  # error: ORM001
    """,
        id="a-helper-that-refines-super's-rows",
    ),
]


@pytest.mark.parametrize("code", FIRES)
def test_fires(tmp_path, code):
    assert rows(diagnostics(tmp_path, code)) == sorted(marked_rows(textwrap.dedent(code)))


SILENT = [
    pytest.param(
        HEADER + """
    class Orders(TeamQuerysetMixin, LoadedBaseViewSet):
        serializer_class = serializers.OrderSerializer
    """,
        id="the-base's-queryset-loads-it-through-the-mixin",
    ),
    pytest.param(
        HEADER + """
    class Orders(OrderBaseViewSet):
        permission_classes = []
    """,
        id="inherits-the-base's-listing-unchanged-the-finding-is-the-base's",
    ),
    pytest.param(
        HEADER + """
    from third_party.views import CachedListMixin

    class Orders(CachedListMixin, OrderBaseViewSet):
        queryset = Order.archived.all()
    """,
        id="a-mixin-from-outside-the-project",
    ),
    pytest.param(
        HEADER + """
    class Orders(OwnListing):
        queryset = Order.archived.all()
        serializer_class = serializers.OrderSerializer
    """,
        id="a-list-of-its-own-in-a-project-base",
    ),
    pytest.param(
        HEADER + """
    class Orders(CountedListing):
        queryset = Order.archived.all()
        serializer_class = serializers.OrderSerializer

        def list(self, request, *args, **kwargs):
            self.queryset = self.queryset.select_related("customer")
            return super().list(request, *args, **kwargs)
    """,
        id="a-list-override-that-changes-the-rows-before-drf's",
    ),
    pytest.param(
        HEADER + """
    class Orders(OrderBaseViewSet):
        def filter_queryset(self, queryset):
            return super().filter_queryset(queryset).select_related("customer")
    """,
        id="a-filter-queryset-override-that-may-load-it",
    ),
    pytest.param(
        HEADER + """
    class Orders(OrderBaseViewSet):
        def get_serializer_class(self):
            if self.action == "list":
                return serializers.OrderIdsSerializer
            return serializers.OrderSerializer
    """,
        id="the-list-action's-serializer-reads-no-relation",
    ),
    pytest.param(
        HEADER + """
    class Orders(OrderBaseViewSet):
        def get_queryset(self):
            if self.action == "list":
                return Order.archived.select_related("customer")
            return Order.archived.all()
    """,
        id="the-list-action's-queryset-loads-it",
    ),
    pytest.param(
        HEADER + """
    class Orders(OrderBaseViewSet):
        def get_serializer_class(self):
            if self.request.query_params.get("short"):
                return serializers.OrderIdsSerializer
            return serializers.OrderSerializer
    """,
        id="not-every-serializer-the-list-may-use-reads-it",
    ),
    pytest.param(
        HEADER + """
    class Orders(OrderBaseViewSet):
        def get_serializer_class(self):
            return self.serializers_by_action[self.action]
    """,
        id="a-serializer-that-cannot-be-named",
    ),
    pytest.param(
        HEADER + """
    class Orders(OrderBaseViewSet):
        def get_queryset(self):
            return self.request.user.orders.all()
    """,
        id="rows-that-cannot-be-read",
    ),
    pytest.param(
        HEADER + """
    class Orders(OrderBaseViewSet):
        def get_queryset(self):
            return list(super().get_queryset())
    """,
        id="rows-in-a-list",
    ),
]


@pytest.mark.parametrize("code", SILENT)
def test_silent(tmp_path, code):
    assert rows(diagnostics(tmp_path, code)) == []


def test_a_finding_over_a_base_queryset_says_where_the_rows_come_from(tmp_path):
    found = diagnostics(tmp_path, FIRES[1].values[0])
    assert [d.fix for d in found] == [None, None]
    assert sorted(d.message for d in found) == [
        "`Orders` serializes every row with `OrderDetailSerializer`, which reads `customer` (field `customer`): "
        "1 query per row; load with `.select_related('customer')` in `OrderBaseViewSet.queryset`",
        "`Orders` serializes every row with `OrderDetailSerializer`, which reads `lines` (field `lines`): "
        "1 query per row; load with `.prefetch_related('lines')` in `OrderBaseViewSet.queryset`",
    ]


def test_the_fix_goes_where_every_listed_queryset_is_made(tmp_path):
    make_project(tmp_path, {"shop/extra.py": EXTRA_DJANGO_MODELS, "shop/serializers.py": SERIALIZERS, "shop/bases.py": BASES})
    for case, before, after in [
        (0, 'queryset = Order.archived.order_by("pk")', 'queryset = Order.archived.order_by("pk").select_related("customer")'),
        (3, 'return rows.order_by("pk")', 'return rows.order_by("pk").select_related("customer")'),
    ]:
        code = textwrap.dedent(FIRES[case].values[0])
        fixed = fix(tmp_path, code, "ORM0", name="shop/api.py")
        assert fixed == code.replace(before, after)
        assert fix(tmp_path, fixed, "ORM0", name="shop/api.py") == fixed


def test_no_fix_where_another_queryset_feeds_the_list(tmp_path):
    (found,) = diagnostics(tmp_path, FIRES[4].values[0])
    assert found.fix is None
