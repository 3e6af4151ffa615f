"""An explicit ``OrderSerializer(rows, many=True).data`` anywhere serializes every row of
``rows``: what the serializer reads is read on each row (ORM001 / ORM002), reported and
fixed where the queryset is built."""

import pytest

from harness import EXTRA_DJANGO_MODELS, assert_fixes, check, make_project, marked_rows, rows
from rules.test_n_plus_one_drf import SERIALIZERS


def _project(tmp_path):
    make_project(tmp_path, {"shop/extra.py": EXTRA_DJANGO_MODELS, "shop/serializers.py": SERIALIZERS})


FIRES = [
    pytest.param(
        """
        from shop.models import Order
        from shop.serializers import OrderSerializer

        def orders_data():
            return OrderSerializer(Order.objects.filter(status="open"), many=True).data  # error: ORM001
        """,
        id="data-of-the-call",
    ),
    pytest.param(
        """
        from rest_framework.response import Response

        from shop.models import Order
        from shop.serializers import OrderLabelSerializer

        def view(request):
            orders = Order.objects.all()  # error: ORM001
            serializer = OrderLabelSerializer(orders, many=True, context={"request": request})
            return Response(serializer.data)
        """,
        id="data-of-a-name-method-field",
    ),
    pytest.param(
        """
        from shop.models import Order
        from shop.serializers import OrderWithLinesSerializer

        def export():
            return OrderWithLinesSerializer(instance=Order.objects.select_related("customer"), many=True).data  # error: ORM002
        """,
        id="instance-keyword-nested-many",
    ),
]

SILENT = [
    pytest.param(
        """
        from shop.models import Order
        from shop.serializers import OrderSerializer

        def orders_data():
            return OrderSerializer(Order.objects.select_related("customer"), many=True).data
        """,
        id="loaded",
    ),
    pytest.param(
        """
        from shop.models import Order
        from shop.serializers import OrderSerializer

        def one(pk):
            return OrderSerializer(Order.objects.get(pk=pk)).data
        """,
        id="one-row",
    ),
    pytest.param(
        """
        from shop.models import Order
        from shop.serializers import OrderSerializer

        def never_rendered():
            serializer = OrderSerializer(Order.objects.all(), many=True)
            return serializer
        """,
        id="no-data-read",
    ),
    pytest.param(
        """
        from shop.models import Order
        from shop.serializers import OrderSerializer

        def validate(payload):
            serializer = OrderSerializer(Order.objects.all(), data=payload, many=True)
            return serializer.data
        """,
        id="input-data",
    ),
    pytest.param(
        """
        from shop.models import Order
        from shop.serializers import OrderIdsSerializer

        def ids():
            return OrderIdsSerializer(Order.objects.all(), many=True).data
        """,
        id="keys-only",
    ),
    pytest.param(
        """
        from shop.models import Order
        from outside.serializers import OrderSerializer

        def orders_data():
            return OrderSerializer(Order.objects.all(), many=True).data
        """,
        id="serializer-outside-the-project",
    ),
    pytest.param(
        """
        from shop.serializers import OrderSerializer

        def orders_data(orders):
            return OrderSerializer(orders, many=True).data
        """,
        id="rows-from-the-caller",
    ),
    pytest.param(
        """
        from shop.models import Order
        from shop.serializers import OrderSerializer

        def orders_data(flag):
            return OrderSerializer(Order.objects.all(), many=flag).data
        """,
        id="many-not-a-constant",
    ),
]


@pytest.mark.parametrize("code", FIRES)
def test_fires(tmp_path, code):
    _project(tmp_path)
    found = check(tmp_path, code, "ORM00")
    assert rows(found) == sorted(marked_rows(code))


@pytest.mark.parametrize("code", SILENT)
def test_silent(tmp_path, code):
    _project(tmp_path)
    assert check(tmp_path, code, "ORM00") == []


def test_message_names_the_serializer_and_the_fix_loads_at_the_queryset(tmp_path):
    _project(tmp_path)
    before = """
    from shop.models import Order
    from shop.serializers import OrderSerializer

    def orders_data():
        orders = Order.objects.filter(status="open")
        return OrderSerializer(orders, many=True).data
    """
    found = check(tmp_path, before, "ORM001")
    assert found[0].message.startswith("`OrderSerializer(many=True)` loops over these rows and reads `.customer`")
    after = """
    from shop.models import Order
    from shop.serializers import OrderSerializer

    def orders_data():
        orders = Order.objects.filter(status="open").select_related("customer")
        return OrderSerializer(orders, many=True).data
    """
    assert_fixes(tmp_path, before, after, "ORM001")


def test_a_relation_two_fields_read_is_named_once(tmp_path):
    serializers = '''
from rest_framework import serializers

from shop.models import Order


class OrderCardSerializer(serializers.ModelSerializer):
    customer_name = serializers.CharField(source="customer.name")
    label = serializers.SerializerMethodField()

    class Meta:
        model = Order
        fields = ["id", "customer_name", "label"]

    def get_label(self, order):
        return order.customer.name
'''
    make_project(tmp_path, {"shop/cards.py": serializers})
    code = """
    from shop.cards import OrderCardSerializer
    from shop.models import Order

    def cards():
        return OrderCardSerializer(Order.objects.all(), many=True).data  # error: ORM001
    """
    found = check(tmp_path, code, "ORM001")
    assert rows(found) == sorted(marked_rows(code))
    assert "reads `.customer` of every row" in found[0].message
