"""ORM203 delete-in-loop: ``row.delete()`` on every row of a queryset loop (no fix)."""

import pytest

from harness import marked_rows, rows
from write_models import check_billing


def diagnostics(tmp_path, code):
    return check_billing(tmp_path, code, "ORM203")


FIRES = [
    pytest.param(
        """
        from shop.billing import Invoice

        def purge():
            for invoice in Invoice.objects.filter(paid=True):
                invoice.delete()  # error: ORM203
        """,
        id="loop-variable",
    ),
    pytest.param(
        """
        from shop.models import Customer

        def purge():
            for customer in Customer.objects.all():
                for order in customer.orders.all():
                    order.delete()  # error: ORM203
        """,
        id="related-rows-in-a-nested-loop",
    ),
    pytest.param(
        """
        from shop.billing import Invoice

        def purge(numbers):
            for number in numbers:
                invoice = Invoice.objects.get(number=number)
                if invoice.paid:
                    invoice.delete()  # error: ORM203
        """,
        id="row-fetched-by-the-loop-variable",
    ),
    pytest.param(
        """
        from shop.billing import Invoice

        def purge():
            for invoice in Invoice.objects.select_related("customer"):
                invoice.customer.delete()  # error: ORM203
        """,
        id="related-row",
    ),
]


@pytest.mark.parametrize("code", FIRES)
def test_fires(tmp_path, code):
    assert rows(diagnostics(tmp_path, code)) == sorted(marked_rows(code))


SILENT = [
    pytest.param(
        """
        from shop.billing import Invoice

        def purge(pk):
            Invoice.objects.get(pk=pk).delete()
            Invoice.objects.filter(paid=True).delete()
        """,
        id="outside-a-loop",
    ),
    pytest.param(
        """
        from shop.billing import Invoice

        def purge(numbers):
            for number in numbers:
                Invoice.objects.filter(number=number).delete()
        """,
        id="queryset-delete-is-ORM004s-business",
    ),
    pytest.param(
        """
        def purge(paths, cache, invoices):
            for path in paths:
                cache.delete(path)
            for invoice in invoices:
                invoice.delete()
        """,
        id="not-known-rows",
    ),
    pytest.param(
        """
        from shop.billing import Invoice

        def purge(pk):
            invoice = Invoice.objects.get(pk=pk)
            for attempt in range(3):
                invoice.delete()
                break
        """,
        id="retry-on-one-object",
    ),
]


@pytest.mark.parametrize("code", SILENT)
def test_silent(tmp_path, code):
    assert rows(diagnostics(tmp_path, code)) == []


def test_message_names_the_queryset_to_delete(tmp_path):
    code = """
    from shop.billing import Invoice

    def purge():
        for invoice in Invoice.objects.filter(paid=True):
            invoice.delete()
    """
    (found,) = diagnostics(tmp_path, code)
    assert "`Invoice.objects.filter(paid=True).delete()`" in found.message
    assert "(it sends the same signals)" in found.message
    assert found.fix is None


def test_a_conditional_delete_is_not_told_to_delete_everything(tmp_path):
    code = """
    from shop.billing import Invoice

    def purge():
        for invoice in Invoice.objects.all():
            if invoice.total > 10:
                invoice.delete()
    """
    (found,) = diagnostics(tmp_path, code)
    assert "Invoice.objects.all().delete()" not in found.message
    assert "filter the queryset to the rows the loop deletes" in found.message
