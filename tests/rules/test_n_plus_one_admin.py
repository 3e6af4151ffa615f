"""ORM001 / ORM002 in the Django admin: a ModelAdmin's change list columns that read a
relation on every row which ``list_select_related`` (or Django's own
``select_related()``) does not load."""

import textwrap

import pytest

from harness import EXTRA_DJANGO_MODELS, check, fix, make_project, marked_rows, rows

ADMIN = "shop/admin.py"


def diagnostics(tmp_path, code, select="ORM0"):
    make_project(tmp_path, {"shop/extra.py": EXTRA_DJANGO_MODELS})
    return check(tmp_path, code, select, name=ADMIN)


FIRES = [
    pytest.param(
        """
        from django.contrib import admin
        from shop.models import Order

        @admin.register(Order)
        class OrderAdmin(admin.ModelAdmin):
            list_display = ("status", "customer_name")  # error: ORM001

            @admin.display(description="Customer")
            def customer_name(self, obj):
                return obj.customer.name
        """,
        id="admin-method-reads-a-relation",
    ),
    pytest.param(
        """
        from django.contrib import admin
        from shop.extra import Profile

        class ProfileAdmin(admin.ModelAdmin):
            list_display = ["bio", "region"]  # error: ORM001

        admin.site.register(Profile, ProfileAdmin)
        """,
        id="nullable-foreign-key-shown",
    ),
    pytest.param(
        """
        from django.contrib import admin
        from shop.extra import Line

        @admin.register(Line)
        class LineAdmin(admin.ModelAdmin):
            list_display = ("quantity", "parent__quantity")  # error: ORM001
        """,
        id="lookup-through-a-nullable-relation",
    ),
    pytest.param(
        """
        from django.contrib import admin
        from shop.extra import Line

        @admin.register(Line)
        class LineAdmin(admin.ModelAdmin):
            list_display = ("quantity", "order", "parent_quantity")  # error: ORM001
            list_select_related = ("order",)

            def parent_quantity(self, line):
                return line.parent.quantity if line.parent else 0
        """,
        id="explicit-setting-misses-one",
    ),
    pytest.param(
        """
        from django.contrib import admin
        from shop.extra import Tag

        @admin.register(Tag)
        class TagAdmin(admin.ModelAdmin):
            list_display = ("name", "line_count")  # error: ORM002

            def line_count(self, tag):
                return len(tag.lines.all())
        """,
        id="many-relation-in-a-column",
    ),
]


@pytest.mark.parametrize("code", FIRES)
def test_fires(tmp_path, code):
    assert rows(diagnostics(tmp_path, code)) == sorted(marked_rows(code))


SILENT = [
    pytest.param(
        """
        from django.contrib import admin
        from shop.extra import Line

        @admin.register(Line)
        class LineAdmin(admin.ModelAdmin):
            list_display = ("quantity", "order", "region", "order__customer")
        """,
        id="django-selects-non-null-relations-when-a-foreign-key-is-shown",
    ),
    pytest.param(
        """
        from django.contrib import admin
        from shop.models import Order

        @admin.register(Order)
        class OrderAdmin(admin.ModelAdmin):
            list_display = ("status", "customer_name")
            list_select_related = ["customer"]

            def customer_name(self, obj):
                return obj.customer.name
        """,
        id="covered-by-list-select-related",
    ),
    pytest.param(
        """
        from django.contrib import admin
        from shop.models import Order

        @admin.register(Order)
        class OrderAdmin(admin.ModelAdmin):
            list_display = ("status", "customer_name")

            def get_queryset(self, request):
                return super().get_queryset(request).select_related("customer")

            def customer_name(self, obj):
                return obj.customer.name
        """,
        id="own-get-queryset",
    ),
    pytest.param(
        """
        from django.contrib import admin
        from shop.models import Order
        from somewhere import ExportMixin

        @admin.register(Order)
        class OrderAdmin(ExportMixin, admin.ModelAdmin):
            list_display = ("status", "customer_name")

            def customer_name(self, obj):
                return obj.customer.name
        """,
        id="unknown-mixin",
    ),
    pytest.param(
        """
        from django.contrib import admin
        from shop.models import Order

        COLUMNS = ("status", "customer_name")

        @admin.register(Order)
        class OrderAdmin(admin.ModelAdmin):
            list_display = COLUMNS

            def customer_name(self, obj):
                return obj.customer.name
        """,
        id="columns-not-literal",
    ),
    pytest.param(
        """
        from django.contrib import admin
        from shop.models import Order

        class OrderAdmin(admin.ModelAdmin):
            list_display = ("status", "customer_name")

            def customer_name(self, obj):
                return obj.customer.name
        """,
        id="not-registered-here",
    ),
    pytest.param(
        """
        from django.contrib import admin
        from shop.models import Customer

        @admin.register(Customer)
        class CustomerAdmin(admin.ModelAdmin):
            list_display = ("name", "order_total")

            def order_total(self, customer):
                return customer.orders.count()
        """,
        id="count-per-row-is-ORM004s-kind",
    ),
    pytest.param(
        """
        from django.contrib import admin
        from shop.models import Order

        @admin.register(Order)
        class OrderAdmin(admin.ModelAdmin):
            list_display = ("status", "customer")

            def customer(self, obj):
                return obj.customer.name
        """,
        id="a-model-field-wins-over-an-admin-method-of-its-name",
    ),
]


@pytest.mark.parametrize("code", SILENT)
def test_silent(tmp_path, code):
    assert rows(diagnostics(tmp_path, code)) == []


def test_message_names_the_admin_and_the_column(tmp_path):
    code = """
    from django.contrib import admin
    from shop.models import Order

    @admin.register(Order)
    class OrderAdmin(admin.ModelAdmin):
        list_display = ("status", "customer_name")

        def customer_name(self, obj):
            return obj.customer.name
    """
    (found,) = diagnostics(tmp_path, code)
    assert found.message == (
        "The change list of `OrderAdmin` reads `customer` (column `customer_name`) on every row: "
        "1 query per row; load with `list_select_related = ('customer',)`"
    )


def test_fix_writes_list_select_related_with_every_relation_shown(tmp_path):
    """Showing ``order`` made Django call ``select_related()``, which loaded every non-null
    relation (``order__customer``, ``region``); the explicit setting keeps them."""
    make_project(tmp_path, {"shop/extra.py": EXTRA_DJANGO_MODELS})
    before = """
    from django.contrib import admin
    from shop.extra import Line

    @admin.register(Line)
    class LineAdmin(admin.ModelAdmin):
        # Columns.
        list_display = ("quantity", "order", "parent__quantity")  # shown
    """
    after = """
    from django.contrib import admin
    from shop.extra import Line

    @admin.register(Line)
    class LineAdmin(admin.ModelAdmin):
        # Columns.
        list_select_related = ("order__customer", "parent", "region")
        list_display = ("quantity", "order", "parent__quantity")  # shown
    """
    assert fix(tmp_path, textwrap.dedent(before), "ORM001", name=ADMIN) == textwrap.dedent(after)
    assert fix(tmp_path, textwrap.dedent(after), "ORM001", name=ADMIN) == textwrap.dedent(after)


def test_fix_extends_an_existing_setting(tmp_path):
    make_project(tmp_path, {"shop/extra.py": EXTRA_DJANGO_MODELS})
    before = """
    from django.contrib import admin
    from shop.extra import Line

    @admin.register(Line)
    class LineAdmin(admin.ModelAdmin):
        list_display = ('quantity', 'parent__region')
        list_select_related = ('order',)
    """
    after = """
    from django.contrib import admin
    from shop.extra import Line

    @admin.register(Line)
    class LineAdmin(admin.ModelAdmin):
        list_display = ('quantity', 'parent__region')
        list_select_related = ('order', 'parent__region')
    """
    assert fix(tmp_path, textwrap.dedent(before), "ORM001", name=ADMIN) == textwrap.dedent(after)


def test_select_related_true_is_reported_without_fix(tmp_path):
    code = """
    from django.contrib import admin
    from shop.extra import Profile

    @admin.register(Profile)
    class ProfileAdmin(admin.ModelAdmin):
        list_display = ("bio", "region")
        list_select_related = True
    """
    (found,) = diagnostics(tmp_path, code)
    assert found.code == "ORM001" and found.fix is None


def test_an_empty_setting_loads_nothing_and_is_extended(tmp_path):
    make_project(tmp_path, {"shop/extra.py": EXTRA_DJANGO_MODELS})
    before = """
    from django.contrib import admin
    from shop.models import Order

    @admin.register(Order)
    class OrderAdmin(admin.ModelAdmin):
        list_display = ("status", "customer")
        list_select_related = ()
    """
    after = """
    from django.contrib import admin
    from shop.models import Order

    @admin.register(Order)
    class OrderAdmin(admin.ModelAdmin):
        list_display = ("status", "customer")
        list_select_related = ("customer",)
    """
    assert fix(tmp_path, textwrap.dedent(before), "ORM001", name=ADMIN) == textwrap.dedent(after)


def test_message_lists_two_paths_as_a_tuple(tmp_path):
    code = """
    from django.contrib import admin
    from shop.extra import Line

    @admin.register(Line)
    class LineAdmin(admin.ModelAdmin):
        list_display = ("quantity", "parent__region")
        list_select_related = ["order"]
    """
    (found,) = diagnostics(tmp_path, code)
    assert found.message.endswith("load with `list_select_related = ('parent__region',)`")


def test_a_multi_line_list_display_keeps_its_indentation(tmp_path):
    make_project(tmp_path, {"shop/extra.py": EXTRA_DJANGO_MODELS})
    before = """
    from django.contrib import admin
    from shop.extra import Profile

    @admin.register(Profile)
    class ProfileAdmin(admin.ModelAdmin):
        list_display = (
            "bio",
            "region",
        )
    """
    after = """
    from django.contrib import admin
    from shop.extra import Profile

    @admin.register(Profile)
    class ProfileAdmin(admin.ModelAdmin):
        list_select_related = ("customer", "region")
        list_display = (
            "bio",
            "region",
        )
    """
    assert fix(tmp_path, textwrap.dedent(before), "ORM001", name=ADMIN) == textwrap.dedent(after)


def test_a_key_to_a_model_outside_the_project_still_makes_django_select_related(tmp_path):
    """``template`` leads to a model ormlint cannot see; showing it makes Django call
    ``select_related()``, which loads ``customer``, so only the nullable ``region`` is
    reported, and no fix is offered since the automatic load cannot be listed in full."""
    make_project(
        tmp_path,
        {
            "shop/extra.py": EXTRA_DJANGO_MODELS,
            "shop/mail.py": (
                "from django.db import models\nfrom post_office.models import EmailTemplate\n"
                "from shop.models import Customer\nfrom shop.extra import Region\n\n"
                "class Mailing(models.Model):\n"
                "    template = models.ForeignKey(EmailTemplate, on_delete=models.CASCADE)\n"
                "    customer = models.ForeignKey(Customer, on_delete=models.CASCADE)\n"
                "    region = models.ForeignKey(Region, null=True, on_delete=models.CASCADE)\n"
            ),
        },
    )
    code = """
    from django.contrib import admin
    from shop.mail import Mailing

    @admin.register(Mailing)
    class MailingAdmin(admin.ModelAdmin):
        list_display = ("template", "who", "region")

        def who(self, obj):
            return obj.customer.name
    """
    (found,) = check(tmp_path, code, "ORM001", name=ADMIN)
    assert "`region`" in found.message and "`customer`" not in found.message
    assert found.fix is None
