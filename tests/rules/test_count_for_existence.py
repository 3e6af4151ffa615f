import pytest

from harness import assert_fixes, check, rows

HEADER = "from shop.models import Order, Customer\n\n"


@pytest.mark.parametrize(
    "expression",
    [
        "Order.objects.filter(status='x').count() > 0",
        "Order.objects.count() != 0",
        "Order.objects.all().count() >= 1",
        "0 < Order.objects.filter(status='x').count()",
    ],
)
def test_fires_on_count_compared_with_zero(tmp_path, expression):
    code = HEADER + f"def f():\n    return {expression}\n"
    assert rows(check(tmp_path, code, "ORM101")) == [(4, "ORM101")]


def test_does_not_fire_on_list_or_str_count(tmp_path):
    code = HEADER + "def f(items, text):\n    return items.count(3) > 0 or text.count('a') == 0\n"
    assert check(tmp_path, code, "ORM101") == []
