"""ORM202 create-in-loop: a row inserted on every iteration, and its unsafe
``bulk_create()`` fix."""

import textwrap

import pytest

from harness import marked_rows, rows
from write_models import check_billing, fix_billing


def diagnostics(tmp_path, code):
    return check_billing(tmp_path, code, "ORM202")


FIRES = [
    pytest.param(
        """
        from shop.billing import Invoice

        def load(numbers, customer):
            for number in numbers:
                Invoice.objects.create(number=number, customer=customer)  # error: ORM202
        """,
        id="manager-create",
    ),
    pytest.param(
        """
        from shop.billing import Invoice

        def load(numbers, customer):
            for number in numbers:
                Invoice(number=number, customer=customer).save()  # error: ORM202
        """,
        id="constructor-save",
    ),
    pytest.param(
        """
        from shop.billing import Invoice

        def load(numbers, customer):
            for number in numbers:
                invoice = Invoice(number=number)
                invoice.customer = customer
                invoice.save()  # error: ORM202
        """,
        id="built-then-saved",
    ),
    pytest.param(
        """
        from shop.models import Customer

        def load(names):
            for name in names:
                customer, created = Customer.objects.get_or_create(name=name)  # error: ORM202
                print(customer, created)
        """,
        id="get-or-create-result-used",
    ),
    pytest.param(
        """
        from shop.models import Customer

        def load(rows):
            for row in rows:
                if row:
                    Customer.objects.update_or_create(name=row[0], defaults={"name": row[1]})  # error: ORM202
        """,
        id="update-or-create",
    ),
    pytest.param(
        """
        from shop.billing import Invoice

        def load(count, customer):
            for _ in range(count):
                Invoice.objects.filter(paid=True).create(number="x", customer=customer)  # error: ORM202
        """,
        id="queryset-create-without-loop-variable",
    ),
    pytest.param(
        """
        from shop.models import Customer

        def load(rows):
            for row in rows:
                if not row:
                    break
                Customer.objects.create(name=row)  # error: ORM202
        """,
        id="early-exit-but-per-item",
    ),
]


@pytest.mark.parametrize("code", FIRES)
def test_fires(tmp_path, code):
    assert rows(diagnostics(tmp_path, code)) == sorted(marked_rows(code))


SILENT = [
    pytest.param(
        """
        from shop.models import Customer

        def load(name):
            Customer.objects.create(name=name)
        """,
        id="single-create",
    ),
    pytest.param(
        """
        from django.db import IntegrityError
        from shop.models import Customer

        def load(name):
            for attempt in range(3):
                try:
                    Customer.objects.create(name=name)
                    break
                except IntegrityError:
                    pass
        """,
        id="retry-loop",
    ),
    pytest.param(
        """
        from shop.models import Customer

        def load(names):
            made = []
            for name in names:
                customer = Customer.objects.create(name=name)
                made.append(customer)
            return made
        """,
        id="result-used",
    ),
    pytest.param(
        """
        from shop.models import Customer

        def load(names, serializer, cache):
            for name in names:
                serializer.create(name)
                cache.get_or_create(name)
            Customer.objects.bulk_create([Customer(name=n) for n in names])
        """,
        id="not-a-query-and-already-bulk",
    ),
    pytest.param(
        """
        from shop.models import Customer

        def load(names):
            for name in names:
                customer = Customer(name=name)
                customer.full_clean()
            for name in names:
                def later():
                    Customer.objects.create(name=name)
        """,
        id="built-not-saved-and-nested-function",
    ),
    pytest.param(
        """
        from shop.models import Customer

        TRACKED = ("name",)

        def log(customer):
            for field in ("name",):
                customer.invoices.create(number=field)
            only = ["x"]
            for name in only:
                Customer.objects.create(name=name)
            for name in []:
                Customer(name=name).save()
        """,
        id="literal-of-at-most-one-item",
    ),
]


@pytest.mark.parametrize("code", SILENT)
def test_silent(tmp_path, code):
    assert rows(diagnostics(tmp_path, code)) == []


def test_create_becomes_one_bulk_create(tmp_path):
    before = """
    from shop.billing import Invoice

    def load(numbers, customer):
        # Import them.
        for number in numbers:
            Invoice.objects.create(number=number, customer=customer)  # one query each
        return customer
    """
    after = """
    from shop.billing import Invoice

    def load(numbers, customer):
        # Import them.
        Invoice.objects.bulk_create([Invoice(number=number, customer=customer) for number in numbers])  # one query each
        return customer
    """
    assert fix_billing(tmp_path, textwrap.dedent(before), "ORM202") == textwrap.dedent(after)
    assert fix_billing(tmp_path, textwrap.dedent(after), "ORM202") == textwrap.dedent(after)


def test_constructor_save_with_tuple_target_and_one_line_body(tmp_path):
    before = """
    from shop.billing import Stamped

    def load(pairs):
        for first, second in pairs: Stamped(name=first + second).save()
    """
    after = """
    from shop.billing import Stamped

    def load(pairs):
        Stamped.objects.bulk_create([Stamped(name=first + second) for first, second in pairs])
    """
    assert fix_billing(tmp_path, textwrap.dedent(before), "ORM202") == textwrap.dedent(after)


def test_conditional_iterable_keeps_its_meaning(tmp_path):
    before = """
    from shop.models import Customer

    def load(names, more):
        for name in names if more else []:
            Customer.objects.create(name=name)
    """
    fixed = fix_billing(tmp_path, textwrap.dedent(before), "ORM202")
    assert "[Customer(name=name) for name in (names if more else [])]" in fixed


def test_the_fix_is_unsafe(tmp_path):
    code = textwrap.dedent(
        """
        from shop.models import Customer

        def load(names):
            for name in names:
                Customer.objects.create(name=name)
        """
    )
    assert fix_billing(tmp_path, code, "ORM202", unsafe=False) == code


@pytest.mark.parametrize(
    "statement, reason",
    [
        pytest.param("InvoiceLine.objects.create(number=name)", "inherits from the concrete model `Invoice`", id="multi-table"),
        pytest.param("Invoice.objects.create(name)", "positional arguments", id="positional"),
        pytest.param("customer.invoices.create(number=name)", "related manager", id="related-manager"),
    ],
)
def test_blocked_fix_says_why(tmp_path, statement, reason):
    code = f"""
    from shop.billing import Audited, Invoice, InvoiceLine, Signalled
    from shop.models import Customer

    def load(names):
        customer = Customer.objects.get(pk=1)
        for name in names:
            {statement}
    """
    (found,) = diagnostics(tmp_path, code)
    assert found.fix is None
    assert reason in found.message, found.message


def test_more_than_one_statement_is_not_fixed(tmp_path):
    code = """
    from shop.models import Customer

    def load(names):
        for name in names:
            Customer.objects.create(name=name)
            print(name)
    """
    (found,) = diagnostics(tmp_path, code)
    assert found.fix is None and "does more than create the row" in found.message


def test_upsert_advice(tmp_path):
    code = """
    from shop.models import Customer

    def load(names):
        for name in names:
            Customer.objects.get_or_create(name=name)
            Customer.objects.update_or_create(name=name)
    """
    first, second = diagnostics(tmp_path, code)
    assert "ignore_conflicts=True" in first.message and first.fix is None
    assert "update_conflicts=True" in second.message and second.fix is None
