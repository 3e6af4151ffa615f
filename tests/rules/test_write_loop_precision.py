"""The write-loop rules (ORM201-ORM204) tell the truth: ``QuerySet.delete()`` is advised
only for a loop that deletes every row; a model whose ``save()`` / ``delete()`` does work
per row (an override, receivers, history tracking, a library base) is not told to write
in bulk; ``update_conflicts`` is advised only where one upsert does what the loop does;
and a loop over a handful of items known in the code is no finding."""

import pytest

from harness import check, make_project, marked_rows, rows

RECORDS = '''
from django.db import models
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver
from mptt.models import MPTTModel
from simple_history.models import HistoricalRecords


class Plain(models.Model):
    name = models.CharField(max_length=20)
    done = models.BooleanField(default=False)


class Tracked(models.Model):
    name = models.CharField(max_length=20)
    history = HistoricalRecords()


class Node(MPTTModel):
    name = models.CharField(max_length=20)


class Guarded(models.Model):
    name = models.CharField(max_length=20)

    def delete(self, *args, **kwargs):
        self.name = ""
        super().delete(*args, **kwargs)


class Watched(models.Model):
    name = models.CharField(max_length=20)


@receiver(post_save, sender=Watched)
def remember_watched(sender, instance, **kwargs):
    pass
'''

#: A receiver for the user model, whose sender is bound in ``ready()``: it applies to the
#: user model only, never to the models above.
APPS = '''
from django.apps import AppConfig
from django.contrib.auth import get_user_model
from django.db.models.signals import post_save


def greet(sender, instance, **kwargs):
    pass


class ShopConfig(AppConfig):
    name = "shop"

    def ready(self):
        User = get_user_model()
        post_save.connect(greet, sender=User)
'''


def diagnostics(tmp_path, code, select, extra=None):
    make_project(tmp_path, {"shop/records.py": RECORDS, "shop/apps.py": APPS, **(extra or {})})
    return check(tmp_path, code, select)


def only(tmp_path, code, select, extra=None):
    (found,) = diagnostics(tmp_path, code, select, extra)
    return found


# -- 1. ORM203 advises `qs.delete()` only for a loop that deletes every row ----------------

EVERY_ROW = [
    pytest.param("plain.delete()", id="the-body-is-the-delete"),
    pytest.param("log(plain)\n        plain.delete()", id="other-work-first"),
    pytest.param("plain.delete()\n        if plain.done:\n            continue", id="continue-after-the-delete"),
    pytest.param("with lock:\n            plain.delete()", id="under-with"),
    pytest.param("for attempt in range(3):\n            if attempt:\n                break\n        plain.delete()", id="break-of-an-inner-loop"),
]


@pytest.mark.parametrize("body", EVERY_ROW)
def test_a_loop_deleting_every_row_is_told_to_delete_the_queryset(tmp_path, body):
    code = (
        "from shop.records import Plain\n\n"
        "def purge(log, lock):\n"
        "    for plain in Plain.objects.filter(done=True):\n"
        f"        {body}\n"
    )
    found = only(tmp_path, code, "ORM203")
    assert "`Plain.objects.filter(done=True).delete()`" in found.message, found.message
    assert "on every row" in found.message


SOME_ROWS = [
    pytest.param("if plain.name:\n            plain.delete()", id="if-around-the-delete"),
    pytest.param("if not plain.name:\n            continue\n        plain.delete()", id="continue-before"),
    pytest.param("plain.delete()\n        if plain.done:\n            break", id="break"),
    pytest.param("plain.delete()\n        if plain.done:\n            return plain", id="return"),
    pytest.param("if plain.done:\n            raise ValueError(plain)\n        plain.delete()", id="raise"),
    pytest.param("for attempt in range(3):\n            return\n        plain.delete()", id="return-in-an-inner-loop"),
    pytest.param("try:\n            plain.delete()\n        except Exception:\n            pass", id="under-try"),
]


@pytest.mark.parametrize("body", SOME_ROWS)
def test_a_loop_deleting_some_rows_is_not_told_to_delete_them_all(tmp_path, body):
    code = (
        "from shop.records import Plain\n\n"
        "def purge():\n"
        "    for plain in Plain.objects.filter(done=True):\n"
        f"        {body}\n"
    )
    found = only(tmp_path, code, "ORM203")
    assert ".filter(done=True).delete()" not in found.message, found.message
    assert "in a loop: 1 or more queries per row it deletes" in found.message
    assert "filter the queryset to the rows the loop deletes and call `delete()` on it once" in found.message


def test_a_slice_is_not_told_to_delete_itself(tmp_path):
    # Django refuses ``delete()`` on a sliced queryset.
    code = """
    from shop.records import Plain

    def purge(count):
        for plain in Plain.objects.order_by("name")[:count]:
            plain.delete()
    """
    found = only(tmp_path, code, "ORM203")
    assert "[:count].delete()" not in found.message and "filter the queryset" in found.message


# -- 2. messages say what the per-row calls run, and name only the model's receivers -------

SKIPPED = [
    pytest.param("ORM201", "Node", "row.name = 'x'\n        row.save()", "`MPTTModel.save()`", "bulk_update()", id="save-mptt-base"),
    pytest.param("ORM201", "Tracked", "row.name = 'x'\n        row.save()", "the history that `Tracked.history` records", "bulk_update()", id="save-history"),
    pytest.param("ORM201", "Watched", "row.name = 'x'\n        row.save()", "the `pre_save`/`post_save` receivers in `shop.records`", "bulk_update()", id="save-receiver"),
    pytest.param("ORM202", "Tracked", "Tracked.objects.create(name=row.name)", "the history that `Tracked.history` records", "bulk_create()", id="create-history"),
    pytest.param("ORM202", "Watched", "Watched.objects.update_or_create(name=row.name)", "the `pre_save`/`post_save` receivers in `shop.records`", "bulk_create()", id="upsert-receiver"),
    pytest.param("ORM203", "Guarded", "row.delete()", "`Guarded.delete()`", "QuerySet.delete()", id="delete-override"),
    pytest.param("ORM203", "Node", "row.delete()", "`MPTTModel.delete()`", "QuerySet.delete()", id="delete-mptt-base"),
]


@pytest.mark.parametrize("code, model, body, runs, bulk", SKIPPED)
def test_what_a_bulk_write_skips_is_said_instead_of_advising_it(tmp_path, code, model, body, runs, bulk):
    source = (
        f"from shop.records import {model}, Tracked, Watched\n\n"
        "def f():\n"
        f"    for row in {model}.objects.all():\n"
        f"        {body}\n"
    )
    found = only(tmp_path, source, code)
    assert found.message.endswith(f"each call runs {runs}, which `{bulk}` would skip"), found.message
    assert found.fix is None
    assert "at once" not in found.message and "update_conflicts" not in found.message


def test_what_a_bulk_delete_runs_too_is_no_obstacle(tmp_path):
    # ``QuerySet.delete()`` sends ``post_delete`` for each row, which history tracking uses.
    code = """
    from shop.records import Tracked, Watched

    def purge():
        for row in Tracked.objects.all():
            row.delete()
        for row in Watched.objects.all():
            row.delete()
    """
    first, second = diagnostics(tmp_path, code, "ORM203")
    assert "`Tracked.objects.all().delete()`" in first.message, first.message
    assert "`Watched.objects.all().delete()`" in second.message, second.message


def test_receivers_of_other_models_are_not_named(tmp_path):
    # ``shop.records`` has a receiver for ``Watched`` and ``shop.apps`` one for the user
    # model: neither applies to ``Plain``, whose fix is offered.
    code = """
    from shop.records import Plain

    def f():
        for row in Plain.objects.all():
            row.name = "x"
            row.save()
        for name in names():
            Plain.objects.create(name=name)
    """
    save, create = diagnostics(tmp_path, code, "ORM2")
    for found in (save, create):
        assert found.fix is not None, found.message
        assert "receiver" not in found.message and "shop.apps" not in found.message


def test_a_receiver_for_every_model_is_said_to_be_one(tmp_path):
    signals = '''
from django.db.models.signals import post_save


def index(sender, instance, **kwargs):
    pass


post_save.connect(index)
'''
    code = """
    from shop.records import Plain

    def f():
        for row in Plain.objects.all():
            row.name = "x"
            row.save()
    """
    found = only(tmp_path, code, "ORM201", {"shop/search.py": signals})
    assert "each call runs the `pre_save`/`post_save` receivers for every model in `shop.search`" in found.message


def test_a_receiver_whose_sender_is_unknown_withholds_the_fix_without_being_named(tmp_path):
    signals = '''
from django.db.models.signals import post_save


def connect(model, handler):
    post_save.connect(handler, sender=model)
'''
    code = """
    from shop.records import Plain

    def f():
        for row in Plain.objects.all():
            row.name = "x"
            row.save()
    """
    found = only(tmp_path, code, "ORM201", {"shop/hooks.py": signals})
    assert found.fix is None
    assert "ormlint cannot resolve the sender of 1 `pre_save`/`post_save` receiver(s)" in found.message
    assert "shop.hooks" not in found.message and "bulk_update(" in found.message


# -- 3. `update_conflicts` only where one upsert does what the loop does -------------------

def test_one_upsert_is_advised_for_the_same_fields_and_an_unused_result(tmp_path):
    code = """
    from shop.records import Plain

    def load(items):
        for name, done in items:
            Plain.objects.update_or_create(name=name, defaults={"done": done})
        for name in items:
            row, _ = Plain.objects.update_or_create(name=name)
    """
    for found in diagnostics(tmp_path, code, "ORM202"):
        assert "update_conflicts=True" in found.message, found.message


NO_UPSERT = [
    pytest.param("row, created = Plain.objects.update_or_create(name=name)\n        if created:\n            log(row)", "its result is used", id="result-used"),
    pytest.param("log(Plain.objects.update_or_create(name=name))", "its result is used", id="result-passed-on"),
    pytest.param("Plain.objects.update_or_create(name=name, defaults=values(name))", "may differ per item", id="defaults-computed"),
    pytest.param("Plain.objects.update_or_create(name=name, **extra)", "may differ per item", id="keyword-unpacking"),
    pytest.param("Plain.objects.update_or_create(name=name, defaults={**extra})", "may differ per item", id="dict-unpacking"),
]


@pytest.mark.parametrize("statement, why", NO_UPSERT)
def test_no_upsert_advice_when_it_would_not_do_what_the_loop_does(tmp_path, statement, why):
    code = (
        "from shop.records import Plain\n\n"
        "def load(items, log, values, extra):\n"
        "    for name in items:\n"
        f"        {statement}\n"
    )
    found = only(tmp_path, code, "ORM202")
    assert "update_conflicts" not in found.message, found.message
    assert why in found.message and "`bulk_update()`" in found.message


# -- 4. a handful of items known in the code is no finding ---------------------------------

HANDFUL = [
    pytest.param("for name in ('a', 'b', 'c'):\n        Plain.objects.create(name=name)", id="create-over-a-tuple"),
    pytest.param("for name in ['a', 'b']:\n        Plain(name=name).save()", id="save-new-over-a-list"),
    pytest.param("names = {'a', 'b'}\n    for name in names:\n        Plain.objects.get_or_create(name=name)", id="set-bound-to-a-name"),
    pytest.param("for row in Plain.objects.order_by('name')[:3]:\n        row.done = True\n        row.save()", id="save-over-a-slice"),
    pytest.param("for row in Plain.objects.all()[2:5]:\n        row.delete()", id="delete-over-a-slice"),
    pytest.param("for pk in (1, 2):\n        plain = Plain.objects.get(pk=pk)\n        plain.delete()", id="fetched-per-literal-item"),
]


@pytest.mark.parametrize("body", HANDFUL)
def test_a_handful_of_items_is_no_finding(tmp_path, body):
    code = f"from shop.records import Plain\n\ndef f():\n    {body}\n"
    assert diagnostics(tmp_path, code, "ORM2") == []


MANY = [
    pytest.param(
        "for name in ('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k'):\n"
        "        Plain.objects.create(name=name)  # error: ORM202",
        id="eleven-literal-items",
    ),
    pytest.param("for row in Plain.objects.all()[:50]:\n        row.delete()  # error: ORM203", id="a-large-slice"),
    pytest.param("for row in Plain.objects.all()[:count]:\n        row.save()  # error: ORM201", id="a-slice-of-unknown-size"),
    pytest.param("for name in (*count, 'a'):\n        Plain.objects.create(name=name)  # error: ORM202", id="unpacked-into-a-literal"),
    pytest.param("names = ('a', 'b')\n    names = count\n    for name in names:\n        Plain.objects.create(name=name)  # error: ORM202", id="name-bound-twice"),
]


@pytest.mark.parametrize("body", MANY)
def test_more_items_or_items_not_known_still_fire(tmp_path, body):
    code = f"from shop.records import Plain\n\ndef f(count):\n    {body}\n"
    assert rows(diagnostics(tmp_path, code, "ORM2")) == sorted(marked_rows(code))


def test_a_list_filled_after_its_literal_is_no_handful(tmp_path):
    code = """
    from shop.records import Plain

    def purge(rows):
        pks = []
        for row in rows:
            pks.append(row.pk)
        for pk in pks:
            plain = Plain.objects.get(pk=pk)
            plain.delete()  # error: ORM203
        names = []
        collect(names)
        for name in names:
            Plain.objects.create(name=name)  # error: ORM202
    """
    assert rows(diagnostics(tmp_path, code, "ORM2")) == sorted(marked_rows(code))


def test_a_sliced_queryset_bound_to_a_name_is_not_told_to_delete_itself(tmp_path):
    code = """
    from shop.records import Plain

    def purge(count):
        oldest = Plain.objects.order_by("name")[:count]
        print(oldest.count())
        for plain in oldest:
            plain.delete()
    """
    found = only(tmp_path, code, "ORM203")
    assert "oldest.delete()" not in found.message and "filter the queryset" in found.message


def test_deleting_the_duplicates_a_get_found_is_not_a_loop_over_rows(tmp_path):
    code = """
    from shop.models import Order

    def one(code):
        try:
            return Order.objects.get(status=code)
        except Order.MultipleObjectsReturned:
            orders = list(Order.objects.filter(status=code))
            for dupe in orders[1:]:
                dupe.delete()
            return orders[0]

    def purge(code):
        for order in Order.objects.filter(status=code):
            order.delete()  # error: ORM203
    """
    assert rows(check(tmp_path, code, "ORM203")) == sorted(marked_rows(code))
