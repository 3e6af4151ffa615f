"""ORM001 / ORM002 through Django REST framework: a list view's serializer reads
relations of every row that the view's queryset does not load."""

import textwrap

import pytest

from harness import EXTRA_DJANGO_MODELS, check, fix, make_project, marked_rows, rows

SERIALIZERS = '''
from rest_framework import serializers

from shop.extra import Line, Profile, Tag
from shop.models import Customer, Order


class CustomerSerializer(serializers.ModelSerializer):
    class Meta:
        model = Customer
        fields = ["id", "name"]


class LineSerializer(serializers.ModelSerializer):
    region_name = serializers.CharField(source="region.name")

    class Meta:
        model = Line
        fields = ["id", "quantity", "region_name", "parent"]


class OrderSerializer(serializers.ModelSerializer):
    customer = CustomerSerializer()

    class Meta:
        model = Order
        fields = ["id", "status", "customer"]


class OrderWithLinesSerializer(OrderSerializer):
    lines = LineSerializer(many=True)

    class Meta(OrderSerializer.Meta):
        fields = ["id", "status", "customer", "lines"]


class OrderLabelSerializer(serializers.ModelSerializer):
    label = serializers.SerializerMethodField()

    class Meta:
        model = Order
        fields = ["id", "label"]

    def get_label(self, order):
        return f"{order.status} for {order.customer.name}"


class OrderIdsSerializer(serializers.ModelSerializer):
    class Meta:
        model = Order
        fields = ["id", "customer"]


class TagSerializer(serializers.ModelSerializer):
    lines = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Tag
        fields = ["id", "name", "lines"]


class LineTagsSerializer(serializers.ModelSerializer):
    tags = serializers.StringRelatedField(many=True)
    parent_quantity = serializers.IntegerField(source="parent.quantity")

    class Meta:
        model = Line
        fields = ["id", "tags", "parent_quantity"]


class LineDepthSerializer(serializers.ModelSerializer):
    class Meta:
        model = Line
        fields = ["id", "order", "region"]
        depth = 1


class ProfileSerializer(serializers.ModelSerializer):
    region = serializers.SlugRelatedField(slug_field="name", read_only=True)

    class Meta:
        model = Profile
        fields = ["id", "bio", "region"]


class CustomFieldSerializer(serializers.ModelSerializer):
    customer = SomethingElse(source="customer.name")

    class Meta:
        model = Order
        fields = ["id", "customer"]
'''


def diagnostics(tmp_path, code, select="ORM0"):
    make_project(tmp_path, {"shop/extra.py": EXTRA_DJANGO_MODELS, "shop/serializers.py": SERIALIZERS})
    return check(tmp_path, code, select, name="shop/api.py")


def view(base, queryset, serializer, mark="", extra=""):
    return f"""
    from rest_framework import generics, viewsets
    from shop import serializers
    from shop.extra import Line, Profile, Tag
    from shop.models import Customer, Order

    class TheView({base}):
        queryset = {queryset}{mark}
        serializer_class = serializers.{serializer}
{extra}
    """


FIRES = [
    pytest.param(view("viewsets.ModelViewSet", "Order.archived.all()", "OrderSerializer", "  # error: ORM001"), id="nested-foreign-key"),
    pytest.param(view("generics.ListAPIView", "Order.archived.all()", "OrderLabelSerializer", "  # error: ORM001"), id="method-field"),
    pytest.param(
        view("generics.ListAPIView", "Order.archived.select_related('customer')", "OrderWithLinesSerializer", "  # error: ORM002"),
        id="inherited-serializer-nested-many-with-a-relation-inside",
    ),
    pytest.param(view("viewsets.ReadOnlyModelViewSet", "Tag.objects.all()", "TagSerializer", "  # error: ORM002"), id="primary-keys-of-a-reverse-relation"),
    pytest.param(
        view("generics.ListCreateAPIView", "Line.objects.all()", "LineTagsSerializer", "  # error: ORM001, ORM002"),
        id="string-related-many-and-dotted-source-through-a-nullable-key",
    ),
    pytest.param(view("generics.ListAPIView", "Line.objects.all()", "LineDepthSerializer", "  # error: ORM001"), id="depth"),
    pytest.param(view("generics.ListAPIView", "Profile.objects.all()", "ProfileSerializer", "  # error: ORM001"), id="slug-related"),
    pytest.param(
        view(
            "generics.ListAPIView", "Order.archived.select_related('customer')", "CustomerSerializer",
            extra=(
                "        def get_queryset(self):\n"
                "            \"\"\"Open orders.\"\"\"\n"
                "            return Order.archived.filter(status='open')  # error: ORM001\n\n"
                "        def get_serializer_class(self):\n"
                "            return serializers.OrderLabelSerializer\n"
            ),
        ),
        id="one-return-get-queryset-and-get-serializer-class",
    ),
    pytest.param(
        view(
            "generics.ListAPIView", "Order.archived.all()", "OrderSerializer",
            extra="        def get_queryset(self):\n            rows = Order.archived.all()\n            return rows  # error: ORM001\n",
        ),
        id="get-queryset-over-several-statements",
    ),
]


@pytest.mark.parametrize("code", FIRES)
def test_fires(tmp_path, code):
    assert rows(diagnostics(tmp_path, code)) == sorted(marked_rows(code))


SILENT = [
    pytest.param(view("generics.ListAPIView", "Order.archived.select_related('customer')", "OrderSerializer"), id="loaded"),
    pytest.param(
        view(
            "generics.ListAPIView",
            "Order.archived.select_related('customer').prefetch_related('lines__region', 'lines__parent')",
            "OrderWithLinesSerializer",
        ),
        id="loaded-below-a-prefetch",
    ),
    pytest.param(view("generics.ListAPIView", "Order.archived.all()", "OrderIdsSerializer"), id="foreign-key-by-its-id"),
    pytest.param(
        view(
            "generics.ListAPIView", "Order.archived.all()", "OrderSerializer",
            extra="        def get_queryset(self):\n            return Order.archived.select_related('customer')\n",
        ),
        id="own-get-queryset-that-loads",
    ),
    pytest.param(view("generics.RetrieveAPIView", "Order.archived.all()", "OrderSerializer"), id="one-object-is-no-list"),
    pytest.param(view("generics.ListAPIView", "Order.archived.all()", "CustomFieldSerializer"), id="custom-field"),
    pytest.param(view("MyBaseView", "Order.archived.all()", "OrderSerializer"), id="unknown-base"),
    pytest.param(view("generics.ListAPIView", "Order.archived.values('id')", "OrderSerializer"), id="values"),
]


@pytest.mark.parametrize("code", SILENT)
def test_silent(tmp_path, code):
    assert rows(diagnostics(tmp_path, code)) == []


def test_message_names_the_view_serializer_and_field(tmp_path):
    (found,) = diagnostics(tmp_path, view("generics.ListAPIView", "Order.archived.all()", "OrderLabelSerializer"))
    assert found.message == (
        "`TheView` serializes every row with `OrderLabelSerializer`, which reads `customer` (field `label`): "
        "1 query per row; load with `.select_related('customer')`"
    )


def test_fix_loads_at_the_queryset(tmp_path):
    make_project(tmp_path, {"shop/extra.py": EXTRA_DJANGO_MODELS, "shop/serializers.py": SERIALIZERS})
    before = view("generics.ListAPIView", "Order.archived.filter(status='open')", "OrderWithLinesSerializer")
    after = view(
        "generics.ListAPIView",
        "Order.archived.filter(status='open').select_related('customer').prefetch_related('lines__region')",
        "OrderWithLinesSerializer",
    )
    assert fix(tmp_path, textwrap.dedent(before), "ORM0", name="shop/api.py") == textwrap.dedent(after)
