"""The index cache: data only, refreshed when a file changes, ignored when broken."""

import json

import pytest
from click.testing import CliRunner

from harness import make_project
from ormlint.cli import main

VIEW = "from shop.models import Invoice\n\n\ndef f():\n    return Invoice.objects.count() > 0\n"


@pytest.fixture
def project(tmp_path, monkeypatch):
    make_project(tmp_path, {"shop/views.py": VIEW})
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_a_model_added_in_another_file_is_seen_on_the_next_run(project):
    assert "ORM101" not in run(".").output  # Invoice does not exist yet
    cache = json.loads((project / ".ormlint_cache" / "index.json").read_text())
    assert "shop/models.py" in cache["files"]
    models = project / "shop" / "models.py"
    models.write_text(models.read_text() + "\n\nclass Invoice(models.Model):\n    pass\n")
    assert "ORM101" in run(".").output


def test_corrupt_cache_is_ignored_and_rebuilt(project):
    run(".")
    index = project / ".ormlint_cache" / "index.json"
    index.write_text("{not json")
    (project / "shop" / "models.py").write_text("from django.db import models\n\nclass Invoice(models.Model):\n    pass\n")
    assert "ORM101" in run(".").output
    assert json.loads(index.read_text())["files"]


def test_no_cache_writes_nothing(project):
    run("--no-cache", ".")
    assert not (project / ".ormlint_cache").exists()


def test_cache_dir_setting(project):
    (project / "pyproject.toml").write_text("[tool.ormlint]\ncache-dir = 'build/lint-cache'\n")
    run(".")
    assert (project / "build" / "lint-cache" / "index.json").exists()
    assert (project / "build" / "lint-cache" / ".gitignore").exists()


def test_cached_facts_equal_fresh_ones_for_every_kind_of_fact(tmp_path):
    """Each field of the index's facts survives the JSON cache: receivers, field flags,
    relations, managers and methods read back equal to the facts parsed from source."""
    from ormlint.cache import _facts_from_json, _facts_to_json
    from ormlint.semantic.index import facts_for_source

    source = (
        "from django.db import models\nfrom django.db.models.signals import post_save\n\n"
        "class OrderQuerySet(models.QuerySet):\n    def open(self):\n        return self.filter(a=1)\n\n"
        "class Order(models.Model):\n    code = models.CharField(primary_key=True)\n"
        "    updated = models.DateTimeField(auto_now=True)\n"
        "    customer = models.ForeignKey('shop.Customer', null=True, related_name='orders', on_delete=models.CASCADE)\n"
        "    objects = models.Manager.from_queryset(OrderQuerySet)()\n\n"
        "    def save(self, *args, **kwargs):\n        return self.customer.name\n\n"
        "post_save.connect(print, sender=Order)\npost_save.connect(print)\n\n"
        "class OrderSerializer(Serializer):\n    lines = LineSerializer(many=True, source='lines')\n"
        "    class Meta:\n        model = Order\n        fields = ['id', 'lines']\n        depth = 1\n\n"
        "    def get_label(self, order):\n        return order.customer.name\n"
    )
    facts = facts_for_source(source, "shop.models", False, "shop/models.py")
    assert facts.save_receivers == ("**", "shop.models.Order")  # "**": no sender, every model
    assert ("updated", "auto_now", "True") in facts.classes[1].call_options
    serializer = facts.classes[2]
    assert serializer.meta == (("model", "shop.models.Order"), ("fields", "id,lines"), ("depth", "1"))
    assert ("lines", "many", "True") in serializer.call_options
    assert serializer.argument_reads == (("get_label", ("customer", "name")),)
    assert _facts_from_json(json.loads(json.dumps(_facts_to_json(facts)))) == facts


def test_cached_facts_keep_what_the_index_learns_of_real_layouts(tmp_path):
    """Star imports, ``__all__``, a module read in part, tables and imperative mappings
    read back equal from the cache."""
    from ormlint.cache import _facts_from_json, _facts_to_json
    from ormlint.semantic.index import facts_for_source

    source = (
        "from sqlalchemy import Column, Table, orm\nfrom .base import *\n\n__all__ = ['Member']\n\n"
        "member_table = Table('member', metadata, Column('id', Integer, primary_key=True), Column('group_id', Integer))\n\n"
        "class Member:\n    pass\n\nprint 'py2'\n\n"
        "registry.map_imperatively(Member, member_table, properties={'group': orm.relationship('Group')})\n"
    )
    facts = facts_for_source(source, "app.models", False, "app/models.py")
    assert facts.stars == ("app.base",) and facts.exports == ("Member",)
    assert facts.partial is not None
    assert facts.tables == (("member_table", ("id", "group_id"), (("id", "primary_key", "True"),)),)
    assert facts.mappings[0].mapped == "app.models.Member" and facts.mappings[0].fields[0].name == "group"
    assert _facts_from_json(json.loads(json.dumps(_facts_to_json(facts)))) == facts


def test_every_summary_of_functions_and_methods_survives_the_cache():
    """Each kind of per-function summary the index keeps (returns, parameter chains,
    forwards, guarded reads, callbacks, writes, guarded ``self`` reads) is present for
    this source and reads back equal: a fact added to the index but not to the cache
    would make a warm run see less than a cold one."""
    from ormlint.cache import _facts_from_json, _facts_to_json
    from ormlint.semantic.index import facts_for_source

    source = (
        "from django.db import models\nfrom shop.models import Order\nfrom shop.render import show\n\n"
        "def label(order, detailed=False):\n    if detailed:\n        return order.customer.name\n"
        "    show(order)\n    return order.number\n\n"
        "def render(rows, serialize):\n    return [serialize(row) for row in rows]\n\n"
        "def make(number):\n    Order.objects.create(number=number)\n\n"
        "def recent():\n    return Order.objects.filter(number='1')\n\n"
        "class Ticket(models.Model):\n    def check(self, fast=False):\n        if not fast:\n"
        "            return self.owner.name\n        return True\n\n"
        "    def touch(self, rows, serialize):\n        Order.objects.create(number='1')\n"
        "        return [serialize(row) for row in rows]\n"
    )
    facts = facts_for_source(source, "shop.helpers", False, "shop/helpers.py")
    ticket = facts.classes[0]
    for name in ("returns", "parameter_chains", "forwards", "guarded_chains", "callbacks", "writes"):
        assert getattr(facts, name), name
    for name in ("method_guarded_reads", "callbacks", "writes"):
        assert getattr(ticket, name), name
    assert _facts_from_json(json.loads(json.dumps(_facts_to_json(facts)))) == facts
