"""The project index: models found through bases, re-exports and managers, across files."""

from pathlib import Path

from ormlint.semantic.index import ProjectIndex, find_project_root, module_name


def write(root: Path, files: dict) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def test_models_through_abstract_bases_mixins_and_other_files(tmp_path):
    write(
        tmp_path,
        {
            "setup.cfg": "",
            "core/__init__.py": "",
            "core/base.py": "from django.db import models as m\n\nclass Stamped(m.Model):\n    class Meta:\n        abstract = True\n",
            "core/mixins.py": "class Printable:\n    pass\n",
            "shop/__init__.py": "",
            "shop/models/__init__.py": "from .order import Order\n",
            "shop/models/order.py": (
                "from core.base import Stamped\nfrom core.mixins import Printable\nfrom django.db import models\n\n"
                "class OrderQuerySet(models.QuerySet):\n    pass\n\n"
                "class Order(Printable, Stamped):\n    objects = OrderQuerySet.as_manager()\n"
                "    open_orders = models.Manager()\n\n"
                "class NotAModel(Printable):\n    pass\n"
            ),
        },
    )
    index = ProjectIndex.build(tmp_path)
    order = index.model("shop.models.Order")
    assert order is not None and order.qualname == "shop.models.order.Order"
    assert order.orm == "django" and {"objects", "open_orders"} <= order.managers
    assert index.model("core.base.Stamped").abstract
    assert index.model("shop.models.order.NotAModel") is None
    assert index.model("shop.models.order.OrderQuerySet") is None


def test_sqlalchemy_declarative_classes_and_flask_models(tmp_path):
    write(
        tmp_path,
        {
            "pyproject.toml": "",
            "app/__init__.py": "from flask_sqlalchemy import SQLAlchemy\n\ndb = SQLAlchemy()\n",
            "app/models.py": "from app import db\n\nclass Post(db.Model):\n    pass\n",
            "app/legacy.py": (
                "from sqlalchemy.orm import declarative_base, sessionmaker\n\nBase = declarative_base()\n"
                "Session = sessionmaker()\n\nclass Item(Base):\n    __tablename__ = 'items'\n"
            ),
        },
    )
    index = ProjectIndex.build(tmp_path)
    post = index.model("app.models.Post")
    assert post is not None and post.orm == "sqlalchemy" and post.query_property
    item = index.model("app.legacy.Item")
    assert item is not None and item.orm == "sqlalchemy" and not item.query_property
    assert "app.legacy.Session" in index.session_factories
    assert "app.db" in index.flask_databases


def test_contrib_models_are_known_without_source():
    index = ProjectIndex.build(None)
    assert index.model("django.contrib.auth.models.User").orm == "django"
    assert index.model("django.contrib.contenttypes.models.ContentType") is not None


def test_project_root_and_module_names(tmp_path):
    write(tmp_path, {"manage.py": "", "src/pkg/__init__.py": "", "src/pkg/mod.py": ""})
    assert find_project_root(tmp_path / "src" / "pkg" / "mod.py") == tmp_path.resolve()
    assert module_name(tmp_path / "src" / "pkg" / "mod.py") == ("pkg.mod", False)
    assert module_name(tmp_path / "src" / "pkg" / "__init__.py") == ("pkg", True)


def test_a_file_that_does_not_parse_is_skipped(tmp_path):
    write(tmp_path, {"setup.py": "", "bad.py": "class (:\n", "good.py": "from django.db import models\n\nclass A(models.Model):\n    pass\n"})
    assert ProjectIndex.build(tmp_path).model("good.A") is not None


def test_subclass_of_flask_sqlalchemy_third_party_bases_and_inherited_managers(tmp_path):
    write(
        tmp_path,
        {
            "setup.py": "",
            "core/__init__.py": "",
            "core/db.py": (
                "from flask_sqlalchemy import SQLAlchemy\n\nclass ProjectSQLAlchemy(SQLAlchemy):\n    pass\n\n"
                "db = ProjectSQLAlchemy()\n"
            ),
            "core/models.py": "from core.db import db\n\nclass Event(db.Model):\n    pass\n",
            "wiki/__init__.py": "",
            "wiki/models.py": (
                "from django.db import models\nfrom mptt.models import MPTTModel\n\n"
                "class Base(models.Model):\n    visible = models.Manager()\n\n    class Meta:\n        abstract = True\n\n"
                "class Article(Base):\n    pass\n\nclass Node(MPTTModel):\n    pass\n"
            ),
        },
    )
    index = ProjectIndex.build(tmp_path)
    assert "core.db.db" in index.flask_databases
    assert index.model("core.models.Event").query_property
    assert "visible" in index.model("wiki.models.Article").managers
    assert index.model("wiki.models.Node").orm == "django"


def test_relations_reverse_accessors_and_the_user_model(tmp_path):
    write(
        tmp_path,
        {
            "manage.py": "",
            "site/__init__.py": "",
            "site/settings.py": "AUTH_USER_MODEL = 'people.Person'\n",
            "people/__init__.py": "",
            "people/apps.py": "from django.apps import AppConfig\n\nclass PeopleConfig(AppConfig):\n    name = 'people'\n    label = 'people'\n",
            "people/models.py": "from django.contrib.auth.models import AbstractUser\n\nclass Person(AbstractUser):\n    pass\n",
            "shop/__init__.py": "",
            "shop/apps.py": "from django.apps import AppConfig\n\nclass ShopConfig(AppConfig):\n    name = 'shop'\n    label = 'store'\n",
            "shop/models.py": (
                "from django.conf import settings\nfrom django.db import models\n\n"
                "class Owned(models.Model):\n"
                "    owner = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name='%(class)s_owned', null=True)\n"
                "    class Meta:\n        abstract = True\n\n"
                "class Order(Owned):\n    parent = models.ForeignKey('self', models.CASCADE)\n"
                "    tags = models.ManyToManyField('store.Tag', related_name='+')\n\n"
                "class Tag(models.Model):\n    pass\n\n"
                "class Line(models.Model):\n    order = models.ForeignKey(Order, models.CASCADE)\n"
                "    detail = models.OneToOneField('Detail', models.CASCADE)\n\n"
                "class Detail(models.Model):\n    pass\n"
            ),
        },
    )
    index = ProjectIndex.build(tmp_path)
    assert index.user_model == "people.models.Person"
    relations = {name: (r.kind, r.target, r.reverse, r.null) for name, r in index.relations["shop.models.Order"].items()}
    assert relations == {
        "owner": ("one", "people.models.Person", False, True),
        "parent": ("one", "shop.models.Order", False, False),
        "tags": ("many", "shop.models.Tag", False, False),
        "order_set": ("many", "shop.models.Order", True, False),
        "line_set": ("many", "shop.models.Line", True, False),
    }
    assert "order_owned" in index.relations["people.models.Person"]
    assert index.relations["shop.models.Detail"]["line"].kind == "one"
    assert index.relations.get("shop.models.Tag", {}) == {}  # related_name='+'


def test_index_command_prints_what_it_knows(tmp_path):
    from click.testing import CliRunner

    from ormlint.cli import main

    write(tmp_path, {"setup.cfg": "", "shop/__init__.py": "", "shop/models.py": "from django.db import models\n\nclass A(models.Model):\n    b = models.ForeignKey('B', models.CASCADE, null=True)\n\nclass B(models.Model):\n    pass\n"})
    output = CliRunner().invoke(main, ["index", "--no-cache", str(tmp_path)]).output
    assert "shop.models.A (django)" in output
    assert "  b -> shop.models.B (one, forward, null)" in output
    assert "  a_set -> shop.models.A (many, reverse)" in output


def test_contrib_relations_are_known_and_inherited_by_a_custom_user(tmp_path):
    write(tmp_path, {"setup.py": "", "people/__init__.py": "", "people/models.py": "from django.contrib.auth.models import AbstractUser\n\nclass Person(AbstractUser):\n    pass\n"})
    index = ProjectIndex.build(tmp_path)
    assert index.relation("people.models.Person", "groups").target == "django.contrib.auth.models.Group"
    assert index.relation("django.contrib.auth.models.User", "user_permissions").kind == "many"
    assert index.relation("django.contrib.auth.models.Permission", "content_type").kind == "one"


SIGNAL_MODELS = (
    "from django.db import models\n\n"
    "class Plain(models.Model):\n    name = models.CharField(max_length=10)\n\n"
    "class Connected(models.Model):\n    pass\n\n"
    "class Positional(models.Model):\n    pass\n\n"
    "class Labelled(models.Model):\n    pass\n\n"
    "class Decorated(models.Model):\n    pass\n\n"
    "class InReady(models.Model):\n    pass\n"
)


def receivers_of(tmp_path, files):
    write(tmp_path, {"setup.cfg": "", "shop/__init__.py": "", "shop/models.py": SIGNAL_MODELS, **files})
    index = ProjectIndex.build(tmp_path)
    return {
        name: bool(index.bulk_write_blockers(f"shop.models.{name}", update=True))
        for name in ("Plain", "Connected", "Positional", "Labelled", "Decorated", "InReady")
    }


def test_save_receivers_in_every_form_block_only_their_sender(tmp_path):
    blocked = receivers_of(
        tmp_path,
        {
            # A module without classes is still read for its receivers.
            "shop/signals.py": (
                "from django.db.models import signals\n"
                "from django.db.models.signals import post_save, pre_save\n"
                "from django.dispatch import receiver\n"
                "from shop.models import Connected, Positional\n\n"
                "def handler(sender, **kwargs):\n    pass\n\n"
                "post_save.connect(handler, sender=Connected)\n"
                "signals.pre_save.connect(handler, Positional)\n"
                "pre_save.connect(handler, sender='shop.Labelled')\n\n"
                "@receiver([pre_save, post_save], sender='shop.models.Decorated')\n"
                "def decorated(sender, **kwargs):\n    pass\n"
            ),
            "shop/apps.py": (
                "from django.apps import AppConfig\n\n"
                "class ShopConfig(AppConfig):\n    name = 'shop'\n\n"
                "    def ready(self):\n"
                "        from django.db.models.signals import post_save\n"
                "        from .models import InReady\n"
                "        post_save.connect(print, sender=InReady)\n"
            ),
        },
    )
    assert blocked == {
        "Plain": False, "Connected": True, "Positional": True, "Labelled": True, "Decorated": True, "InReady": True,
    }


def test_a_receiver_of_every_model_or_an_unknown_sender_blocks_all(tmp_path):
    assert all(receivers_of(tmp_path, {"shop/signals.py": "from django.db.models.signals import post_save\n\npost_save.connect(print)\n"}).values())
    assert all(
        receivers_of(
            tmp_path / "other",
            {"shop/signals.py": "from django.db.models.signals import pre_save\n\ndef hook(model):\n    pre_save.connect(print, sender=model)\n"},
        ).values()
    )


def test_other_signals_do_not_block(tmp_path):
    blocked = receivers_of(
        tmp_path,
        {"shop/signals.py": "from django.db.models.signals import post_delete, m2m_changed\n\npost_delete.connect(print)\nm2m_changed.connect(print)\n"},
    )
    assert not any(blocked.values())


def test_model_fields_for_bulk_update(tmp_path):
    write(
        tmp_path,
        {
            "setup.cfg": "",
            "shop/__init__.py": "",
            "shop/models.py": (
                "from django.db import models\n\n"
                "class Base(models.Model):\n    created = models.DateTimeField(auto_now_add=True)\n"
                "    class Meta:\n        abstract = True\n\n"
                "class Tag(models.Model):\n    pass\n\n"
                "class Item(Base):\n    code = models.CharField(primary_key=True, max_length=5)\n"
                "    owner = models.ForeignKey('auth.User', on_delete=models.CASCADE)\n"
                "    tags = models.ManyToManyField(Tag)\n    price = models.DecimalField()\n"
                "    objects = models.Manager()\n\n"
                "    @property\n    def label(self):\n        return self.code\n"
            ),
        },
    )
    index = ProjectIndex.build(tmp_path)
    assert index.model_fields("shop.models.Item") == {"created", "owner", "owner_id", "price"}
    assert index.plain_objects("shop.models.Item") and index.plain_objects("shop.models.Tag")
    assert index.bulk_write_blockers("shop.models.Item", update=True) == []
