"""ORM001 / ORM002 in the Django admin as projects write it: a ``get_queryset()`` override
that refines ``super()``'s queryset, a base admin or mixin of the same module, and inlines
whose rows are read on the parent's change form.

Django's rules, from ``django/contrib/admin``: the change list's query is the admin's
``get_queryset()``, and ``list_select_related`` (or the automatic ``select_related()`` for a
ForeignKey column) is applied only when that query selects no relation
(``ChangeList.get_queryset``). An inline row shows its ``__str__`` and its read-only fields.
"""

import textwrap

import pytest

from harness import EXTRA_DJANGO_MODELS, check, fix, make_project, marked_rows, rows

ADMIN = "shop/admin.py"

#: A model shown as an inline row: its ``__str__`` reads its order and the order's customer.
WRITTEN_MODELS = '''
from django.db import models

from shop.models import Order
from shop.extra import Region, Tag


class Parcel(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="parcels")
    region = models.ForeignKey(Region, null=True, on_delete=models.SET_NULL)
    tags = models.ManyToManyField(Tag, related_name="parcels")
    weight = models.IntegerField()

    def __str__(self):
        return f"{self.weight} kg for {self.order.customer.name}"


class Label(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="labels")
    text = models.CharField(max_length=50)

    def __str__(self):
        return self.text
'''


def diagnostics(tmp_path, code, select="ORM0"):
    make_project(tmp_path, {"shop/extra.py": EXTRA_DJANGO_MODELS, "shop/written.py": WRITTEN_MODELS})
    return check(tmp_path, code, select, name=ADMIN)


def fixed(tmp_path, code):
    make_project(tmp_path, {"shop/extra.py": EXTRA_DJANGO_MODELS, "shop/written.py": WRITTEN_MODELS})
    return fix(tmp_path, textwrap.dedent(code), "ORM0", name=ADMIN)


FIRES = [
    pytest.param(
        """
        from django.contrib import admin
        from django.db.models import Count
        from shop.models import Order

        @admin.register(Order)
        class OrderAdmin(admin.ModelAdmin):
            list_display = ("status", "customer_name", "parcel_count")  # error: ORM001

            def get_queryset(self, request):
                return super().get_queryset(request).annotate(parcel_count=Count("parcels"))

            def customer_name(self, obj):
                return obj.customer.name
        """,
        id="annotating-get-queryset-keeps-list-select-related-in-play",
    ),
    pytest.param(
        """
        from django.contrib import admin
        from shop.extra import Line

        @admin.register(Line)
        class LineAdmin(admin.ModelAdmin):
            list_display = ("quantity", "order", "parent")
            list_select_related = ("parent",)

            def get_queryset(self, request):
                return super().get_queryset(request).select_related("order")  # error: ORM001
        """,
        id="a-selecting-get-queryset-turns-the-setting-off",
    ),
    pytest.param(
        """
        from django.contrib import admin
        from shop.extra import Line

        @admin.register(Line)
        class LineAdmin(admin.ModelAdmin):
            list_display = ("quantity", "tag_names")

            def get_queryset(self, request):
                lines = super().get_queryset(request)
                return lines.select_related("order")  # error: ORM002

            def tag_names(self, line):
                return ", ".join(tag.name for tag in line.tags.all())
        """,
        id="prefetch-missing-from-own-get-queryset",
    ),
    pytest.param(
        """
        from django.contrib import admin
        from shop.models import Order

        class CustomerColumns:
            def customer_name(self, obj):
                return obj.customer.name

        class BaseAdmin(admin.ModelAdmin):
            list_per_page = 50

            def get_queryset(self, request):
                return super().get_queryset(request)

        @admin.register(Order)
        class OrderAdmin(CustomerColumns, BaseAdmin):
            list_display = ("status", "customer_name")  # error: ORM001
        """,
        id="mixin-and-base-admin-of-the-module",
    ),
    pytest.param(
        """
        from django.contrib import admin
        from shop.models import Order

        class CustomerColumns(object):
            def customer_name(self, obj):
                return obj.customer.name

        @admin.register(Order)
        class OrderAdmin(CustomerColumns, admin.ModelAdmin):
            list_display = ("status", "customer_name")  # error: ORM001
        """,
        id="mixin-written-with-object",
    ),
    pytest.param(
        """
        from django.conf import settings
        from django.contrib import admin
        from shop.models import Order

        if settings.DEBUG:

            @admin.register(Order)
            class OrderAdmin(admin.ModelAdmin):
                list_display = ("status", "customer_name")  # error: ORM001

                def customer_name(self, obj):
                    return obj.customer.name
        """,
        id="admin-under-a-module-level-if",
    ),
    pytest.param(
        """
        from django.contrib import admin
        from shop.models import Order

        class BaseAdmin(admin.ModelAdmin):
            list_display = ("status", "customer_name")

            def customer_name(self, obj):
                return obj.customer.name

        @admin.register(Order)
        class OrderAdmin(BaseAdmin):  # error: ORM001
            search_fields = ("status",)
        """,
        id="columns-from-the-base-reported-on-the-class",
    ),
    pytest.param(
        """
        from django.contrib import admin
        from django.urls import path
        from shop.models import Order

        @admin.register(Order)
        class OrderAdmin(admin.ModelAdmin):
            list_display = ("status", "customer_name")  # error: ORM001

            def __init__(self, model, admin_site):
                super().__init__(model, admin_site)

            def get_urls(self):
                return super().get_urls() + [path("export/", self.admin_site.admin_view(self.changelist_view))]

            def changelist_view(self, request, extra_context=None):
                return super().changelist_view(request, extra_context={"title": "Orders"})

            def customer_name(self, obj):
                return obj.customer.name
        """,
        id="methods-that-keep-django-s-page",
    ),
    pytest.param(
        """
        from django.contrib import admin
        from shop.models import Order
        from shop.written import Parcel

        class ParcelInline(admin.TabularInline):
            model = Parcel  # error: ORM001

        @admin.register(Order)
        class OrderAdmin(admin.ModelAdmin):
            inlines = [ParcelInline]
        """,
        id="inline-row-str-reads-relations",
    ),
    pytest.param(
        """
        from django.contrib import admin
        from shop.models import Order
        from shop.written import Parcel

        class ParcelInline(admin.StackedInline):
            model = Parcel
            readonly_fields = ("region", "tags")

            def get_queryset(self, request):
                return super().get_queryset(request).select_related("order__customer")  # error: ORM001, ORM002

        @admin.register(Order)
        class OrderAdmin(admin.ModelAdmin):
            inlines = (ParcelInline,)
        """,
        id="inline-read-only-fields",
    ),
    pytest.param(
        """
        from django.contrib import admin
        from shop.written import Parcel

        @admin.register(Parcel)
        class ParcelAdmin(admin.ModelAdmin):  # error: ORM001
            search_fields = ("weight",)
        """,
        id="default-column-is-the-row-s-str",
    ),
    pytest.param(
        """
        from django.contrib import admin
        from shop.written import Parcel

        @admin.register(Parcel)
        class ParcelAdmin(admin.ModelAdmin):
            list_display = ("weight",)  # error: ORM001
        """,
        id="action-checkbox-is-labelled-with-the-row-s-str",
    ),
    pytest.param(
        """
        from django.contrib import admin
        from shop.models import Order
        from shop.written import Label

        class LabelInline(admin.TabularInline):
            model = Label  # error: ORM001
            fields = (("text", "order"),)
            readonly_fields = ("order",)

        @admin.register(Order)
        class OrderAdmin(admin.ModelAdmin):
            inlines = [LabelInline]
        """,
        id="inline-read-only-parent-listed-in-fields",
    ),
]


@pytest.mark.parametrize("code", FIRES)
def test_fires(tmp_path, code):
    assert rows(diagnostics(tmp_path, code)) == sorted(marked_rows(code))


SILENT = [
    pytest.param(
        """
        from django.contrib import admin
        from django.db.models import Count
        from shop.models import Order

        @admin.register(Order)
        class OrderAdmin(admin.ModelAdmin):
            list_display = ("status", "customer", "parcel_count")

            def get_queryset(self, request):
                return super().get_queryset(request).annotate(parcel_count=Count("parcels"))
        """,
        id="annotating-get-queryset-and-django-s-own-select-related",
    ),
    pytest.param(
        """
        from django.contrib import admin
        from shop.extra import Line

        @admin.register(Line)
        class LineAdmin(admin.ModelAdmin):
            list_display = ("quantity", "order__customer")

            def get_queryset(self, request):
                qs = super().get_queryset(request)
                qs = qs.filter(quantity__gt=0)
                return qs.select_related("order__customer")
        """,
        id="straight-line-get-queryset-loads-the-column",
    ),
    pytest.param(
        """
        from django.contrib import admin
        from shop.models import Order

        @admin.register(Order)
        class OrderAdmin(admin.ModelAdmin):
            list_display = ("status", "customer_name")

            def get_queryset(self, request):
                if request.user.is_superuser:
                    return super().get_queryset(request)
                return super().get_queryset(request).filter(status="open")

            def customer_name(self, obj):
                return obj.customer.name
        """,
        id="branching-get-queryset-is-not-read",
    ),
    pytest.param(
        """
        from django.contrib import admin
        from shop.models import Order

        @admin.register(Order)
        class OrderAdmin(admin.ModelAdmin):
            list_display = ("status", "customer_name")

            def get_queryset(self, request):
                return super().get_queryset(request).visible_to(request.user)

            def customer_name(self, obj):
                return obj.customer.name
        """,
        id="unknown-queryset-method",
    ),
    pytest.param(
        """
        from django.contrib import admin
        from shop.models import Order

        class BaseAdmin(admin.ModelAdmin):
            def get_queryset(self, request):
                return super().get_queryset(request).select_related("customer")

        @admin.register(Order)
        class OrderAdmin(BaseAdmin):
            list_display = ("status", "customer_name")

            def customer_name(self, obj):
                return obj.customer.name
        """,
        id="base-admin-get-queryset-loads-it",
    ),
    pytest.param(
        """
        from django.contrib import admin
        from shop.models import Order

        class BaseAdmin(admin.ModelAdmin):
            def get_list_display(self, request):
                return self.list_display + ("extra",)

        @admin.register(Order)
        class OrderAdmin(BaseAdmin):
            list_display = ("status", "customer_name")

            def customer_name(self, obj):
                return obj.customer.name
        """,
        id="base-admin-decides-columns-at-run-time",
    ),
    pytest.param(
        """
        from django.contrib import admin
        from shop.models import Order
        from elsewhere import AuditAdmin

        class BaseAdmin(AuditAdmin):
            pass

        @admin.register(Order)
        class OrderAdmin(BaseAdmin):
            list_display = ("status", "customer_name")

            def customer_name(self, obj):
                return obj.customer.name
        """,
        id="base-admin-from-outside-the-module",
    ),
    pytest.param(
        """
        from django.contrib import admin
        from shop.models import Order
        from shop.written import Parcel

        class ParcelInline(admin.TabularInline):
            model = Parcel

            def get_queryset(self, request):
                return super().get_queryset(request).select_related("order__customer")

        @admin.register(Order)
        class OrderAdmin(admin.ModelAdmin):
            inlines = [ParcelInline]
        """,
        id="inline-get-queryset-loads-what-str-reads",
    ),
    pytest.param(
        """
        from django.contrib import admin
        from shop.models import Order
        from shop.written import Parcel

        class ParcelInline(admin.TabularInline):
            model = Parcel
        """,
        id="inline-no-admin-shows",
    ),
    pytest.param(
        """
        from django.contrib import admin
        from shop.models import Order
        from shop.written import Parcel

        class ParcelInline(admin.TabularInline):
            model = Parcel
            fields = ("weight",)

        @admin.register(Order)
        class OrderAdmin(admin.ModelAdmin):
            inlines = [ParcelInline]

            def get_inlines(self, request, obj):
                return [] if obj is None else self.inlines
        """,
        id="inline-chosen-at-run-time",
    ),
    pytest.param(
        """
        from django.contrib import admin
        from shop.models import Order
        from shop.written import Label, Parcel

        class LabelInline(admin.TabularInline):
            model = Label
            readonly_fields = ("text",)

        class ParcelInline(admin.TabularInline):
            model = Parcel
            template = "admin/parcels.html"

        @admin.register(Order)
        class OrderAdmin(admin.ModelAdmin):
            inlines = [LabelInline, ParcelInline]
        """,
        id="inline-str-reads-nothing-and-own-template",
    ),
    pytest.param(
        """
        from django.contrib import admin
        from shop.written import Parcel

        @admin.register(Parcel)
        class ParcelAdmin(admin.ModelAdmin):
            list_display = ("__str__", "order")
        """,
        id="str-column-beside-a-foreign-key-column",
    ),
    pytest.param(
        """
        from django.contrib import admin
        from shop.written import Parcel

        @admin.register(Parcel)
        class ParcelAdmin(admin.ModelAdmin):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                self.list_display = ("weight", "region")
        """,
        id="columns-set-in-init",
    ),
    pytest.param(
        """
        from django.contrib import admin
        from shop.written import Parcel

        @admin.register(Parcel)
        class ParcelAdmin(admin.ModelAdmin):
            list_display = ("weight", "region")
            list_select_related = ("region",)
            actions = None
        """,
        id="no-actions-no-action-checkbox",
    ),
    pytest.param(
        """
        from django.contrib import admin
        from shop.written import Parcel

        @admin.register(Parcel)
        class ParcelAdmin(admin.ModelAdmin):
            list_display = ("weight", "region")
            list_select_related = ("region",)

            def has_delete_permission(self, request, obj=None):
                return False
        """,
        id="delete-permission-decided-at-run-time",
    ),
    pytest.param(
        """
        from django.conf import settings
        from django.contrib import admin
        from shop.models import Order

        class CustomerColumns:
            def customer_name(self, obj):
                return obj.customer.name

        if settings.DEBUG:
            class CustomerColumns:
                def customer_name(self, obj):
                    return obj.customer_id

        @admin.register(Order)
        class OrderAdmin(CustomerColumns, admin.ModelAdmin):
            list_display = ("status", "customer_name")
        """,
        id="base-defined-twice",
    ),
    pytest.param(
        """
        from django.contrib import admin
        from django.urls import path
        from shop.written import Parcel

        @admin.register(Parcel)
        class ParcelAdmin(admin.ModelAdmin):
            def get_urls(self):
                return [path("", self.admin_site.admin_view(self.change_view))]
        """,
        id="urls-that-replace-the-change-list",
    ),
    pytest.param(
        """
        from django.contrib import admin
        from django.shortcuts import redirect
        from shop.models import Order
        from shop.written import Parcel

        class ParcelInline(admin.TabularInline):
            model = Parcel

        @admin.register(Order)
        class OrderAdmin(admin.ModelAdmin):
            list_display = ("status",)
            inlines = [ParcelInline]

            def change_view(self, request, object_id, form_url="", extra_context=None):
                return redirect("elsewhere")
        """,
        id="change-form-not-django-s",
    ),
    pytest.param(
        """
        from django.contrib import admin
        from shop.models import Order
        from shop.written import Label

        class LabelInline(admin.TabularInline):
            model = Label
            fields = ("text",)
            readonly_fields = ("order",)

        @admin.register(Order)
        class OrderAdmin(admin.ModelAdmin):
            inlines = [LabelInline]
        """,
        id="inline-read-only-field-not-in-fields",
    ),
    pytest.param(
        """
        from django.contrib import admin
        from shop.models import Order
        from shop.written import Label
        from somewhere import LabelFormSet

        class LabelInline(admin.TabularInline):
            model = Label
            formset = LabelFormSet
            readonly_fields = ("order",)

        @admin.register(Order)
        class OrderAdmin(admin.ModelAdmin):
            inlines = [LabelInline]
        """,
        id="inline-formset-may-choose-the-rows",
    ),
]


@pytest.mark.parametrize("code", SILENT)
def test_silent(tmp_path, code):
    assert rows(diagnostics(tmp_path, code)) == []


def test_fix_extends_the_selecting_get_queryset(tmp_path):
    before = """
    from django.contrib import admin
    from shop.extra import Line

    @admin.register(Line)
    class LineAdmin(admin.ModelAdmin):
        list_display = ("quantity", "order", "parent")
        list_select_related = ("parent",)

        def get_queryset(self, request):
            return super().get_queryset(request).select_related("order")
    """
    after = before.replace('select_related("order")', 'select_related("order", "parent")')
    assert fixed(tmp_path, before) == textwrap.dedent(after)


def test_fix_appends_the_prefetch_to_the_returned_queryset(tmp_path):
    before = """
    from django.contrib import admin
    from shop.extra import Line

    @admin.register(Line)
    class LineAdmin(admin.ModelAdmin):
        list_display = ("quantity", "tag_names")

        def get_queryset(self, request):
            lines = super().get_queryset(request)
            return lines.select_related("order")

        def tag_names(self, line):
            return ", ".join(tag.name for tag in line.tags.all())
    """
    after = before.replace('lines.select_related("order")', 'lines.select_related("order").prefetch_related("tags")')
    assert fixed(tmp_path, before) == textwrap.dedent(after)


def test_fix_writes_get_queryset_for_an_inline_without_one(tmp_path):
    before = """
    from django.contrib import admin
    from shop.models import Order
    from shop.written import Parcel

    class ParcelInline(admin.TabularInline):
        model = Parcel
        extra = 0

    @admin.register(Order)
    class OrderAdmin(admin.ModelAdmin):
        inlines = [ParcelInline]
    """
    after = """
    from django.contrib import admin
    from shop.models import Order
    from shop.written import Parcel

    class ParcelInline(admin.TabularInline):
        def get_queryset(self, request):
            return super().get_queryset(request).select_related("order__customer")

        model = Parcel
        extra = 0

    @admin.register(Order)
    class OrderAdmin(admin.ModelAdmin):
        inlines = [ParcelInline]
    """
    assert fixed(tmp_path, before) == textwrap.dedent(after)
    assert fixed(tmp_path, after) == textwrap.dedent(after)


def test_no_fix_when_the_columns_come_from_a_base_admin(tmp_path):
    """Writing ``list_select_related`` into the base would change every admin deriving
    from it."""
    code = """
    from django.contrib import admin
    from shop.models import Order

    class BaseAdmin(admin.ModelAdmin):
        list_display = ("status", "customer_name")
        list_select_related = ()

        def customer_name(self, obj):
            return obj.customer.name

    @admin.register(Order)
    class OrderAdmin(BaseAdmin):
        list_display = ("status", "customer_name")
    """
    (found,) = diagnostics(tmp_path, code)
    assert found.code == "ORM001" and found.fix is None


def test_no_new_get_queryset_in_an_inline_whose_base_has_one(tmp_path):
    code = """
    from django.contrib import admin
    from shop.models import Order
    from shop.written import Parcel

    class OrderedInline(admin.TabularInline):
        def get_queryset(self, request):
            return super().get_queryset(request).order_by("pk")

    class ParcelInline(OrderedInline):
        model = Parcel

    @admin.register(Order)
    class OrderAdmin(admin.ModelAdmin):
        inlines = [ParcelInline]
    """
    (found,) = diagnostics(tmp_path, code)
    assert found.code == "ORM001" and found.fix is None


def test_a_selecting_get_queryset_of_a_base_is_reported_without_fix(tmp_path):
    """The base's queryset selects ``order``, so Django applies no
    ``list_select_related``; the load belongs in that queryset, which other admins share."""
    code = """
    from django.contrib import admin
    from shop.extra import Line

    class OrderLoadingAdmin(admin.ModelAdmin):
        def get_queryset(self, request):
            return super().get_queryset(request).select_related("order")

    @admin.register(Line)
    class LineAdmin(OrderLoadingAdmin):
        list_display = ("quantity", "parent")
        list_select_related = ("parent",)
    """
    (found,) = diagnostics(tmp_path, code)
    assert found.code == "ORM001" and found.fix is None and found.location.row == 11
    assert "its `get_queryset()` selects relations, so `list_select_related` does not apply" in found.message


def test_the_action_checkbox_column_is_named(tmp_path):
    code = """
    from django.contrib import admin
    from shop.written import Parcel

    @admin.register(Parcel)
    class ParcelAdmin(admin.ModelAdmin):
        list_display = ("weight",)
    """
    (found,) = diagnostics(tmp_path, code)
    assert "`order.customer` (column `action_checkbox`)" in found.message
    assert found.message.endswith("load with `list_select_related = ('order__customer',)`")


def test_messages_say_where_the_load_goes(tmp_path):
    code = """
    from django.contrib import admin
    from shop.models import Order
    from shop.written import Parcel

    class ParcelInline(admin.TabularInline):
        model = Parcel

    @admin.register(Order)
    class OrderAdmin(admin.ModelAdmin):
        inlines = [ParcelInline]
    """
    (found,) = diagnostics(tmp_path, code)
    assert found.message == (
        "The inline `ParcelInline` reads `order.customer` (by `__str__`) on every row of the change form: "
        "1 query per row; load with `.select_related('order__customer')` in its `get_queryset()`"
    )


# --- Base admins of another module, read through the index -----------------------------------

BASES = "shop/bases.py"

BASE_ADMINS = '''
from django.contrib import admin
from django.db.models import Count
from somewhere import AuditMixin


def make_columns():
    return ("status",)


class CustomerColumnsAdmin(admin.ModelAdmin):
    list_display = ("status", "customer_name")

    def customer_name(self, obj):
        return obj.customer.name


class CountingAdmin(admin.ModelAdmin):
    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset.annotate(tag_count=Count("tags"))


class CustomerLoadingAdmin(admin.ModelAdmin):
    def get_queryset(self, request):
        return super().get_queryset(request).select_related("customer")


class HandingOnAdmin(admin.ModelAdmin):
    def get_queryset(self, request):
        return super().get_queryset(request)

    def get_list_display(self, request):
        return super().get_list_display(request)


class ColumnChoosingAdmin(admin.ModelAdmin):
    def get_list_display(self, request):
        return ("status",) if request.user.is_superuser else self.list_display


class BuiltColumnsAdmin(admin.ModelAdmin):
    list_display = make_columns()


class AuditedAdmin(AuditMixin, admin.ModelAdmin):
    pass
'''


def based(tmp_path, code):
    make_project(tmp_path, {"shop/extra.py": EXTRA_DJANGO_MODELS, "shop/written.py": WRITTEN_MODELS, BASES: BASE_ADMINS})
    return check(tmp_path, code, "ORM0", name=ADMIN)


BASED_FIRES = [
    pytest.param(
        """
        from django.contrib import admin
        from shop.bases import CustomerColumnsAdmin
        from shop.models import Order

        @admin.register(Order)
        class OrderAdmin(CustomerColumnsAdmin):  # error: ORM001
            search_fields = ("status",)
        """,
        id="columns-of-a-base-elsewhere",
    ),
    pytest.param(
        """
        from django.contrib import admin
        from shop.bases import CountingAdmin
        from shop.extra import Line

        @admin.register(Line)
        class LineAdmin(CountingAdmin):
            list_display = ("quantity", "parent_quantity")  # error: ORM001

            def parent_quantity(self, line):
                return line.parent.quantity if line.parent else 0
        """,
        id="annotating-base-get-queryset-elsewhere",
    ),
    pytest.param(
        """
        from django.contrib import admin
        from shop.bases import HandingOnAdmin
        from shop.extra import Line

        @admin.register(Line)
        class LineAdmin(HandingOnAdmin):
            list_display = ("quantity", "tag_names")  # error: ORM002

            def tag_names(self, line):
                return ", ".join(tag.name for tag in line.tags.all())
        """,
        id="base-elsewhere-that-hands-on-to-super",
    ),
]


@pytest.mark.parametrize("code", BASED_FIRES)
def test_fires_through_bases_elsewhere(tmp_path, code):
    assert rows(based(tmp_path, code)) == sorted(marked_rows(code))


BASED_SILENT = [
    pytest.param(
        """
        from django.contrib import admin
        from shop.bases import CustomerLoadingAdmin
        from shop.models import Order

        @admin.register(Order)
        class OrderAdmin(CustomerLoadingAdmin):
            list_display = ("status", "customer_name")

            def customer_name(self, obj):
                return obj.customer.name
        """,
        id="base-elsewhere-loads-the-column",
    ),
    pytest.param(
        """
        from django.contrib import admin
        from shop.bases import ColumnChoosingAdmin
        from shop.models import Order

        @admin.register(Order)
        class OrderAdmin(ColumnChoosingAdmin):
            list_display = ("status", "customer_name")

            def customer_name(self, obj):
                return obj.customer.name
        """,
        id="base-elsewhere-chooses-columns",
    ),
    pytest.param(
        """
        from django.contrib import admin
        from shop.bases import BuiltColumnsAdmin
        from shop.models import Order

        @admin.register(Order)
        class OrderAdmin(BuiltColumnsAdmin):
            def customer_name(self, obj):
                return obj.customer.name
        """,
        id="base-elsewhere-builds-its-columns",
    ),
    pytest.param(
        """
        from django.contrib import admin
        from shop.bases import AuditedAdmin
        from shop.models import Order

        @admin.register(Order)
        class OrderAdmin(AuditedAdmin):
            list_display = ("status", "customer_name")

            def customer_name(self, obj):
                return obj.customer.name
        """,
        id="base-elsewhere-with-a-mixin-from-outside",
    ),
]


@pytest.mark.parametrize("code", BASED_SILENT)
def test_silent_through_bases_elsewhere(tmp_path, code):
    assert rows(based(tmp_path, code)) == []
