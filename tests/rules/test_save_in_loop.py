"""ORM201 save-in-loop: ``row.save()`` on every row of a queryset loop, and its unsafe
``bulk_update()`` fix, offered only where every precondition holds."""

import textwrap

import pytest

from harness import marked_rows, rows
from write_models import check_billing, fix_billing


def diagnostics(tmp_path, code):
    return check_billing(tmp_path, code, "ORM201")


# -- must fire ---------------------------------------------------------------------------

FIRES = [
    pytest.param(
        """
        from shop.billing import Invoice

        def pay():
            for invoice in Invoice.objects.filter(paid=False):
                invoice.paid = True
                invoice.save()  # error: ORM201
        """,
        id="loop-variable",
    ),
    pytest.param(
        """
        from shop.billing import Invoice

        def pay(customer):
            invoices = Invoice.objects.all()
            for invoice in invoices:
                if invoice.total > 10:
                    invoice.save()  # error: ORM201
        """,
        id="conditional-save",
    ),
    pytest.param(
        """
        from shop.billing import Invoice

        def pay():
            for invoice in Invoice.objects.select_related("customer"):
                invoice.customer.name = invoice.number
                invoice.customer.save()  # error: ORM201
        """,
        id="related-row",
    ),
    pytest.param(
        """
        from shop.billing import Invoice

        def pay(numbers):
            for number in numbers:
                invoice = Invoice.objects.get(number=number)
                invoice.paid = True
                invoice.save()  # error: ORM201
        """,
        id="row-fetched-by-the-loop-variable",
    ),
    pytest.param(
        """
        from shop.billing import Invoice

        def pay():
            for invoice in Invoice.objects.all():
                try:
                    invoice.save(update_fields=["paid"])  # error: ORM201
                except ValueError:
                    pass
        """,
        id="in-try",
    ),
    pytest.param(
        """
        from shop.billing import Invoice

        def pay(customer):
            for invoice in customer.invoices.all() if customer else []:
                pass
            for invoice in Invoice.objects.filter(customer__name="x").iterator():
                for _ in range(2):
                    pass
                invoice.save()  # error: ORM201
        """,
        id="iterator",
    ),
]


@pytest.mark.parametrize("code", FIRES)
def test_fires(tmp_path, code):
    assert rows(diagnostics(tmp_path, code)) == sorted(marked_rows(code))


# -- must not fire -----------------------------------------------------------------------

SILENT = [
    pytest.param(
        """
        from shop.billing import Invoice

        def pay(pk):
            invoice = Invoice.objects.get(pk=pk)
            invoice.paid = True
            invoice.save()
        """,
        id="single-save-outside-a-loop",
    ),
    pytest.param(
        """
        from django.db import OperationalError
        from shop.billing import Invoice

        def pay(pk):
            invoice = Invoice.objects.get(pk=pk)
            for attempt in range(3):
                try:
                    invoice.save()
                    break
                except OperationalError:
                    continue
        """,
        id="retry-loop-saving-one-object",
    ),
    pytest.param(
        """
        from shop.billing import Invoice

        def pay(pk, tries):
            for attempt in range(tries):
                invoice = Invoice.objects.get(pk=pk)
                invoice.paid = True
                invoice.save()
        """,
        id="same-row-fetched-every-time",
    ),
    pytest.param(
        """
        def pay(invoices):
            for invoice in invoices:
                invoice.paid = True
                invoice.save()
        """,
        id="rows-of-unknown-origin",
    ),
    pytest.param(
        """
        from shop.billing import Invoice

        def pay():
            for invoice in Invoice.objects.values("pk"):
                invoice.save()
        """,
        id="values-are-no-instances",
    ),
    pytest.param(
        """
        from shop.billing import Invoice

        def pay(forms):
            for form in forms:
                form.save()
            for invoice in Invoice.objects.all():
                def later():
                    invoice.save()
                print(later)
        """,
        id="form-save-and-nested-function",
    ),
    pytest.param(
        """
        from shop.billing import Invoice

        def pay():
            Invoice.objects.filter(paid=False).update(paid=True)
            for invoice in Invoice.objects.all():
                invoice.refresh_from_db()
        """,
        id="update-and-other-methods",
    ),
    pytest.param(
        """
        from shop.billing import Invoice

        async def pay():
            async for invoice in Invoice.objects.all():
                await invoice.asave()
        """,
        id="async-loop",
    ),
    pytest.param(
        """
        from shop.billing import Invoice

        def load(numbers, customer):
            for number in numbers:
                invoice = Invoice.objects.create(number=number, customer=customer)
                invoice.save()
        """,
        id="row-created-in-the-loop-is-no-update",
    ),
]


@pytest.mark.parametrize("code", SILENT)
def test_silent(tmp_path, code):
    assert rows(diagnostics(tmp_path, code)) == []


# -- the fix -----------------------------------------------------------------------------


def test_hoists_an_inline_iterable_and_batches_the_assigned_fields(tmp_path):
    before = """
    from shop.billing import Invoice

    def pay(customer):
        # Pay everything.
        for invoice in Invoice.objects.filter(customer=customer):  # unpaid ones
            invoice.paid = True
            invoice.total += 1
            # persist it
            invoice.save()  # one per row
        return customer
    """
    after = """
    from shop.billing import Invoice

    def pay(customer):
        # Pay everything.
        invoices = list(Invoice.objects.filter(customer=customer))
        for invoice in invoices:  # unpaid ones
            invoice.paid = True
            invoice.total += 1
        # persist it
        Invoice.objects.bulk_update(invoices, ["paid", "total"])  # one per row
        return customer
    """
    assert fix_billing(tmp_path, textwrap.dedent(before), "ORM201") == textwrap.dedent(after)
    assert fix_billing(tmp_path, textwrap.dedent(after), "ORM201") == textwrap.dedent(after)


def test_a_queryset_variable_is_reused_and_update_fields_win(tmp_path):
    before = """
    from shop.billing import Invoice

    def pay():
        unpaid = Invoice.objects.filter(paid=False)
        for invoice in unpaid:
            invoice.paid = True
            invoice.number = 'x'
            invoice.save(update_fields=['paid'])
    """
    after = """
    from shop.billing import Invoice

    def pay():
        unpaid = Invoice.objects.filter(paid=False)
        for invoice in unpaid:
            invoice.paid = True
            invoice.number = 'x'
        Invoice.objects.bulk_update(unpaid, ['paid'])
    """
    assert fix_billing(tmp_path, textwrap.dedent(before), "ORM201") == textwrap.dedent(after)


def test_the_fix_is_unsafe(tmp_path):
    code = textwrap.dedent(
        """
        from shop.billing import Invoice

        def pay():
            for invoice in Invoice.objects.all():
                invoice.paid = True
                invoice.save()
        """
    )
    assert fix_billing(tmp_path, code, "ORM201", unsafe=False) == code
    (found,) = diagnostics(tmp_path, code)
    assert found.fix is not None and found.fix.applicability.value == "unsafe"


def test_a_taken_name_is_not_reused(tmp_path):
    code = """
    from shop.billing import Invoice

    invoices = None

    def pay():
        for invoice in Invoice.objects.all():
            invoice.paid = True
            invoice.save()
    """
    fixed = fix_billing(tmp_path, textwrap.dedent(code), "ORM201")
    assert "invoices_2 = list(Invoice.objects.all())" in fixed
    assert "Invoice.objects.bulk_update(invoices_2, [" in fixed


def test_a_custom_default_manager_blocks_the_fix(tmp_path):
    code = """
    from django.shortcuts import get_list_or_404
    from shop.billing import Filtered

    def rename():
        for row in get_list_or_404(Filtered, name="a"):
            row.name = "old"
            row.save()
    """
    (found,) = diagnostics(tmp_path, code)
    assert found.fix is None
    assert "`Filtered` is not imported here, or its default manager is custom" in found.message


def test_the_loops_own_manager_is_used_when_objects_is_custom(tmp_path):
    code = """
    from shop.billing import Filtered

    def rename():
        for row in Filtered.everything.filter(active=False):
            row.name = "old"
            row.save()
    """
    fixed = fix_billing(tmp_path, textwrap.dedent(code), "ORM201")
    assert "Filtered.everything.bulk_update(filtereds, [\"name\"])" in fixed


def test_same_value_for_every_row_recommends_update(tmp_path):
    code = """
    from shop.billing import Invoice

    def pay():
        for invoice in Invoice.objects.filter(paid=False):
            invoice.paid = True
            invoice.save()
    """
    (found,) = diagnostics(tmp_path, code)
    assert '`Invoice.objects.filter(paid=False).update(paid=True)` is one query' in found.message
    assert "bulk_update(invoices, ['paid'])" in found.message


def test_values_from_the_row_do_not_recommend_update(tmp_path):
    code = """
    from shop.billing import Invoice

    def pay():
        for invoice in Invoice.objects.all():
            invoice.number = invoice.number.strip().upper()
            invoice.save()
    """
    (found,) = diagnostics(tmp_path, code)
    assert "is one query" not in found.message
    assert found.fix is not None


# -- preconditions: the finding stays and says which one failed --------------------------

BLOCKED = [
    pytest.param("Stamped", "name", "`Stamped.updated` has `auto_now=True`", id="auto-now"),
    pytest.param("Invoice", "label", "`invoice.label` is not a field of `Invoice`", id="property-is-no-field"),
    pytest.param("Coded", "code", "`invoice.code` is not a field of `Coded`", id="primary-key"),
]


@pytest.mark.parametrize("model, field, reason", BLOCKED)
def test_blocked_fix_says_why(tmp_path, model, field, reason):
    code = f"""
    from shop.billing import {model}

    def f():
        for invoice in {model}.objects.all():
            invoice.{field} = "x"
            invoice.save()
    """
    (found,) = diagnostics(tmp_path, code)
    assert found.fix is None
    assert "(not fixed: " in found.message and reason in found.message


@pytest.mark.parametrize(
    "body, reason",
    [
        pytest.param(["invoice.total = invoice.customer.orders.count()"], "the new value `invoice.customer.orders.count()` may run a query", id="query-in-value"),
        pytest.param(["invoice.total = compute(invoice)"], "the new value `compute(invoice)` may run a query", id="unknown-call"),
        pytest.param(["invoice.total = invoice.parent.total + 1"], "the new value `invoice.parent` may run a query", id="reads-a-relation"),
        pytest.param(["print(invoice)"], "does more than set fields", id="other-statement"),
        pytest.param(["invoice.paid = True", "invoice.save()", "invoice.total = 1"], "does more than", id="save-not-last"),
        pytest.param(["if invoice.paid:", "    invoice.total = 1"], "does more than", id="conditional-assignment"),
    ],
)
def test_body_shape_blocks_the_fix(tmp_path, body, reason):
    lines = "".join(f"        {line}\n" for line in body)
    code = f"from shop.billing import Invoice\n\ndef f(compute):\n    for invoice in Invoice.objects.all():\n{lines}        invoice.save()\n"
    found = diagnostics(tmp_path, code)
    assert found and all(d.fix is None for d in found)
    assert any(reason in d.message for d in found), [d.message for d in found]


def test_save_arguments_block_the_fix(tmp_path):
    code = """
    from shop.billing import Invoice

    def f():
        for invoice in Invoice.objects.all():
            invoice.paid = True
            invoice.save(using="other")
    """
    (found,) = diagnostics(tmp_path, code)
    assert found.fix is None and "other than a literal `update_fields`" in found.message


def test_nothing_assigned_means_nothing_to_batch(tmp_path):
    code = """
    from shop.billing import Invoice

    def f():
        for invoice in Invoice.objects.all():
            invoice.save()
    """
    (found,) = diagnostics(tmp_path, code)
    assert found.fix is None and "no fields to batch" in found.message


def test_many_reasons_are_shortened(tmp_path):
    code = """
    from shop.billing import Stamped

    def f(compute):
        for row in Stamped.objects.all():
            row.label = compute()
            row.save()
    """
    (found,) = diagnostics(tmp_path, code)
    assert "; and 1 more)" in found.message


def test_off_in_test_code_by_default(tmp_path):
    code = """
    from shop.billing import Invoice

    def test_pay():
        for invoice in Invoice.objects.all():
            invoice.save()
    """
    assert check_billing(tmp_path, code, "ORM201", name="shop/tests/test_pay.py") == []
    assert check_billing(tmp_path, code, "ORM201", name="shop/tests.py") == []
