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
        name: bool(index.bulk_write_blockers(f"shop.models.{name}", "update"))
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
    assert not index.bulk_write_blockers("shop.models.Item", "update")


# -- names the way Python resolves them ---------------------------------------------------

DJANGO_APP = "from django.db import models\n\n"


def test_star_reexports_follow_all_or_public_names_transitively(tmp_path):
    write(
        tmp_path,
        {
            "setup.cfg": "",
            "shop/__init__.py": "",
            "shop/models/__init__.py": "from .order import *\nfrom .customer import *\n",
            "shop/models/customer.py": DJANGO_APP + "class Customer(models.Model):\n    pass\n\nclass _Hidden(models.Model):\n    pass\n",
            "shop/models/order.py": (
                DJANGO_APP + "from .customer import Customer\n\n__all__ = ['Order']\n\n"
                "class Order(models.Model):\n    customer = models.ForeignKey(Customer, on_delete=models.CASCADE)\n\n"
                "class Draft(models.Model):\n    pass\n"
            ),
            "shop/api.py": "from shop.models import *\n",
            "shop/base.py": "from shop.models import *\n\nclass Special(Order):\n    pass\n",
        },
    )
    index = ProjectIndex.build(tmp_path)
    assert index.model("shop.models.Order").qualname == "shop.models.order.Order"
    assert index.model("shop.models.Customer").qualname == "shop.models.customer.Customer"
    assert index.canonical("shop.models.Draft") == "shop.models.Draft"  # not in __all__
    assert index.canonical("shop.models._Hidden") == "shop.models._Hidden"  # private
    assert index.exports("shop.api", "Order") and not index.exports("shop.api", "Draft")
    # An unbound base in a module that star-imports is looked up through the stars.
    assert index.model("shop.base.Special") is not None


def test_module_level_aliases_of_models_and_of_the_user_model(tmp_path):
    write(
        tmp_path,
        {
            "setup.cfg": "",
            "settings.py": "AUTH_USER_MODEL = 'accounts.Member'\n",
            "accounts/__init__.py": "",
            "accounts/models.py": "from django.contrib.auth.models import AbstractUser\n\nclass Member(AbstractUser):\n    pass\n",
            "accounts/compat.py": "from django.contrib.auth import get_user_model\n\nUser = get_user_model()\n",
            "teams/__init__.py": "",
            "teams/models.py": (
                DJANGO_APP + "from django.apps import apps\nfrom accounts.compat import User\n\n"
                "Member = apps.get_model('accounts', 'Member')\nSameMember = apps.get_model('accounts.Member')\n"
                "Unknown = apps.get_model(label, 'Member')\n\n"
                "class Team(models.Model):\n    lead = models.ForeignKey(User, on_delete=models.CASCADE)\n"
                "    deputy = models.ForeignKey(Member, on_delete=models.CASCADE)\n"
            ),
        },
    )
    index = ProjectIndex.build(tmp_path)
    assert index.user_model == "accounts.models.Member"
    assert index.model("accounts.compat.User").qualname == "accounts.models.Member"
    assert index.model("teams.models.Member").qualname == "accounts.models.Member"
    assert index.model("teams.models.SameMember").qualname == "accounts.models.Member"
    assert index.model("teams.models.Unknown") is None
    assert index.relation("teams.models.Team", "lead").target == "accounts.models.Member"
    assert index.relation("teams.models.Team", "deputy").target == "accounts.models.Member"


def test_an_app_label_ormlint_cannot_find_resolves_by_a_unique_class_name(tmp_path):
    write(
        tmp_path,
        {
            "setup.cfg": "",
            "src/core/__init__.py": "",
            "src/core/models.py": DJANGO_APP + "class Account(models.Model):\n    pass\n\nclass Tag(models.Model):\n    pass\n",
            "src/other/__init__.py": "",
            "src/other/models.py": (
                DJANGO_APP + "class Tag(models.Model):\n    pass\n\n"
                "class Entry(models.Model):\n    account = models.ForeignKey('coreapp.Account', on_delete=models.CASCADE)\n"
                "    tag = models.ForeignKey('elsewhere.Tag', on_delete=models.CASCADE)\n"
            ),
        },
    )
    index = ProjectIndex.build(tmp_path)
    assert index.relation("other.models.Entry", "account").target == "core.models.Account"
    # Two project models are called Tag: the relation stays, its target unknown.
    tag = index.relation("other.models.Entry", "tag")
    assert tag.target is None and tag.declared == "elsewhere.Tag" and tag.kind == "one"


def test_root_scripts_inside_a_package_do_not_make_a_root(tmp_path):
    write(
        tmp_path,
        {"pyproject.toml": "", "app/__init__.py": "", "app/cli/__init__.py": "", "app/cli/setup.py": "", "app/cli/run.py": ""},
    )
    assert find_project_root(tmp_path / "app" / "cli" / "run.py") == tmp_path.resolve()
    write(tmp_path / "nested", {"manage.py": "", "site/__init__.py": "", "site/views.py": ""})
    assert find_project_root(tmp_path / "nested" / "site" / "views.py") == (tmp_path / "nested").resolve()


# -- each ORM in its own namespace ---------------------------------------------------------

FLASK_MODELS = (
    "from app import db\n\n"
    "class Group(db.Model):\n    id = db.Column(db.Integer, primary_key=True)\n\n"
    "class User(db.Model):\n    group_id = db.Column(db.Integer, db.ForeignKey('group.id'))\n"
    "    group = db.relationship('Group', backref='users')\n\n"
    "class Session(db.Model):\n    user = db.relationship('User', uselist=False)\n"
)


def test_flask_models_named_like_django_contrib_models_are_the_projects(tmp_path):
    write(
        tmp_path,
        {
            "pyproject.toml": "",
            "app/__init__.py": "from flask_sqlalchemy import SQLAlchemy\n\ndb = SQLAlchemy()\n",
            "app/models.py": FLASK_MODELS,
        },
    )
    index = ProjectIndex.build(tmp_path)
    assert not any(name.startswith("django.contrib.") for name in index.models)
    assert index.relation("app.models.User", "group").target == "app.models.Group"
    assert index.relation("app.models.User", "group").kind == "one"
    # The backref's direction comes from the side it mirrors.
    users = index.relation("app.models.Group", "users")
    assert users.target == "app.models.User" and users.kind == "many"
    assert index.relation("app.models.Session", "user").target == "app.models.User"


def test_sqlalchemy_strings_resolve_within_one_registry(tmp_path):
    base = "from sqlalchemy.orm import DeclarativeBase, relationship\n\n"
    write(
        tmp_path,
        {
            "pyproject.toml": "",
            "one.py": base + "class Base(DeclarativeBase):\n    pass\n\nclass Tag(Base):\n    pass\n\nclass Item(Base):\n    tag = relationship('Tag', uselist=False)\n",
            "two.py": base + "class Base(DeclarativeBase):\n    pass\n\nclass Tag(Base):\n    pass\n",
        },
    )
    index = ProjectIndex.build(tmp_path)
    assert index.relation("one.Item", "tag").target == "one.Tag"


def test_a_django_project_still_knows_the_contrib_models(tmp_path):
    write(tmp_path, {"setup.cfg": "", "app/__init__.py": "", "app/views.py": "from django.contrib.auth.models import User\n\ndef users():\n    return User.objects.all()\n"})
    assert ProjectIndex.build(tmp_path).model("django.contrib.auth.models.User") is not None


# -- models and relations real projects declare -----------------------------------------------


def test_classes_on_bases_outside_the_project_are_models_when_they_declare_model_fields(tmp_path):
    write(
        tmp_path,
        {
            "setup.cfg": "",
            "blog/__init__.py": "",
            "blog/models.py": (
                DJANGO_APP + "from django import forms\nfrom softdelete.models import SoftDeleteObject\n"
                "from remote.api import Resource\n\n"
                "class Post(SoftDeleteObject):\n    title = models.CharField(max_length=10)\n"
                "    tags = models.ManyToManyField('taggit.Tag')\n\n"
                "class Flag(Resource):\n    timeout = 10\n\n"
                "class SearchForm(forms.Form):\n    q = forms.CharField()\n\n"
                "class Plain:\n    title = models.CharField(max_length=10)\n"
            ),
        },
    )
    index = ProjectIndex.build(tmp_path)
    assert index.model("blog.models.Post").orm == "django"
    tags = index.relation("blog.models.Post", "tags")
    assert tags.kind == "many" and tags.target is None and tags.declared == "taggit.Tag"
    for name in ("Flag", "SearchForm", "Plain"):
        assert index.model(f"blog.models.{name}") is None, name


def test_generic_relations_declared_attributes_and_dynamic_relationships(tmp_path):
    write(
        tmp_path,
        {
            "setup.cfg": "",
            "notes/__init__.py": "",
            "notes/models.py": (
                DJANGO_APP + "from django.contrib.contenttypes.fields import GenericForeignKey, GenericRelation\n\n"
                "class Note(models.Model):\n    target = GenericForeignKey('content_type', 'object_id')\n\n"
                "class Project(models.Model):\n    notes = GenericRelation(Note)\n"
            ),
            "forum.py": (
                "from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, relationship\n\n"
                "class Base(DeclarativeBase):\n    pass\n\n"
                "class Owned:\n    @declared_attr\n    def owner(cls) -> Mapped['Member']:\n        return relationship('Member')\n\n"
                "class Member(Base):\n    posts = relationship('Post', lazy='dynamic')\n\n"
                "class Post(Base):\n    pass\n\nclass Topic(Owned, Base):\n    pass\n"
            ),
        },
    )
    index = ProjectIndex.build(tmp_path)
    assert index.relation("notes.models.Project", "notes").kind == "many"
    assert index.relation("notes.models.Note", "project_set") is None  # no accessor back
    assert index.relation("notes.models.Note", "target").kind == "generic"
    owner = index.relation("forum.Topic", "owner")
    assert owner.target == "forum.Member" and owner.kind == "one"
    posts = index.relation("forum.Member", "posts")
    assert posts.kind == "many" and posts.queries_on_every_read


def test_a_backref_onto_a_class_with_its_key_column_is_a_many_to_one(tmp_path):
    write(
        tmp_path,
        {
            "pyproject.toml": "",
            "app/__init__.py": "from flask_sqlalchemy import SQLAlchemy\n\ndb = SQLAlchemy()\n",
            "app/models.py": (
                "from app import db\n\nModel = db.Model\n\n"
                "class Author(Model):\n    books = db.relationship('Book', backref='author')\n\n"
                "class Book(Model):\n    author_id = db.Column(db.ForeignKey('author.id'))\n\n"
                "class Shelf(Model):\n    books = db.relationship('Book', secondary='shelf_books', backref='shelves')\n"
            ),
        },
    )
    index = ProjectIndex.build(tmp_path)
    assert index.relation("app.models.Book", "author").kind == "one"
    assert index.relation("app.models.Author", "books").kind == "many"
    # Through a secondary table neither side says which it is: both stay unknown.
    assert index.relation("app.models.Shelf", "books").kind == "unknown"
    assert index.relation("app.models.Book", "shelves").kind == "unknown"


def test_classes_on_a_declarative_base_outside_the_project_are_mapped_when_they_map_a_table(tmp_path):
    write(
        tmp_path,
        {
            "pyproject.toml": "",
            "app/__init__.py": "",
            "app/models.py": (
                "from flask_appbuilder import Model\nfrom sqlalchemy import Column, ForeignKey, Integer\n"
                "from sqlalchemy.orm import relationship\n\n"
                "class Dashboard(Model):\n    __tablename__ = 'dashboards'\n    id = Column(Integer, primary_key=True)\n\n"
                "class Slice(Model):\n    __tablename__ = 'slices'\n    id = Column(Integer, primary_key=True)\n"
                "    dashboard_id = Column(Integer, ForeignKey('dashboards.id'))\n"
                "    dashboard = relationship('Dashboard')\n\n"
                "class Schema(Model):\n    id = Column(Integer)\n\n"
                "class Config(Model):\n    __tablename__ = 'x'\n"
            ),
        },
    )
    index = ProjectIndex.build(tmp_path)
    assert index.model("app.models.Slice").orm == "sqlalchemy"
    dashboard = index.relation("app.models.Slice", "dashboard")
    assert dashboard.target == "app.models.Dashboard" and dashboard.kind == "one"
    # No table name, or no columns: nothing says the class is mapped.
    assert index.model("app.models.Schema") is None and index.model("app.models.Config") is None


def test_unique_columns_pin_one_row(tmp_path):
    write(
        tmp_path,
        {
            "setup.cfg": "",
            "shop/__init__.py": "",
            "shop/models.py": (
                DJANGO_APP + "class Customer(models.Model):\n    email = models.EmailField(unique=True)\n    name = models.CharField(max_length=9)\n\n"
                "class Profile(models.Model):\n    customer = models.OneToOneField(Customer, on_delete=models.CASCADE)\n\n"
                "class Code(models.Model):\n    code = models.CharField(max_length=9, primary_key=True)\n"
            ),
            "tables.py": (
                "from sqlalchemy import Column, Integer, String\nfrom sqlalchemy.orm import DeclarativeBase\n\n"
                "class Base(DeclarativeBase):\n    pass\n\n"
                "class Tag(Base):\n    __tablename__ = 't'\n    key = Column(Integer, primary_key=True)\n    name = Column(String)\n"
            ),
        },
    )
    index = ProjectIndex.build(tmp_path)
    assert index.unique_columns("shop.models.Customer") == {"pk", "id", "email"}
    assert index.unique_columns("shop.models.Profile") == {"pk", "id", "customer"}
    assert index.unique_columns("shop.models.Code") == {"pk", "code"}
    assert index.unique_columns("tables.Tag") == {"key"}


def test_classes_mapped_imperatively_get_their_tables_and_relationships(tmp_path):
    write(
        tmp_path,
        {
            "pyproject.toml": "",
            "app/__init__.py": "",
            "app/meta.py": "from sqlalchemy.orm import registry\n\nmapper_registry = registry()\n",
            "app/tables.py": (
                "from sqlalchemy import Column, ForeignKey, MetaData, Table, UnicodeText\n\nmetadata = MetaData()\n\n"
                "member_table = Table('member', metadata, Column('id', UnicodeText, primary_key=True),\n"
                "    Column('group_id', UnicodeText, ForeignKey('group.id')), Column('email', UnicodeText, unique=True))\n"
                "group_table = Table('group', metadata, Column('id', UnicodeText, primary_key=True))\n"
            ),
            "app/models.py": (
                "from sqlalchemy import orm\nfrom app import meta, tables\n\n"
                "class Group:\n    pass\n\nclass Member:\n    pass\n\nclass Plain:\n    pass\n\n"
                "meta.mapper_registry.map_imperatively(Group, tables.group_table)\n"
                "meta.mapper_registry.map_imperatively(Member, tables.member_table, properties={\n"
                "    'group': orm.relationship(Group, backref='members'),\n})\n"
            ),
        },
    )
    index = ProjectIndex.build(tmp_path)
    assert index.model("app.models.Member").orm == "sqlalchemy"
    assert index.model("app.models.Plain") is None
    group = index.relation("app.models.Member", "group")
    assert group.target == "app.models.Group" and group.kind == "one"  # group_id is in its table
    assert index.relation("app.models.Group", "members").kind == "many"
    assert {"id", "email"} <= index.unique_columns("app.models.Member")


def test_without_settings_the_one_custom_user_model_is_the_user_model(tmp_path):
    """An app shipped without its settings: ``get_user_model()`` is the project's one
    concrete ``AbstractUser`` subclass, not ``django.contrib.auth``'s."""
    from ormlint.semantic.index import ProjectIndex

    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / "accounts").mkdir()
    (tmp_path / "accounts" / "__init__.py").write_text("")
    (tmp_path / "accounts" / "models.py").write_text(
        "from django.contrib.auth.models import AbstractUser\nfrom django.db import models\n\n"
        "class BaseUser(AbstractUser):\n    class Meta:\n        abstract = True\n\n"
        "class User(BaseUser):\n    nickname = models.CharField(max_length=10)\n"
    )
    assert ProjectIndex.build(tmp_path).user_model == "accounts.models.User"
    (tmp_path / "accounts" / "staff.py").write_text(
        "from django.contrib.auth.models import AbstractUser\n\nclass Staff(AbstractUser):\n    pass\n"
    )
    assert ProjectIndex.build(tmp_path).user_model == "django.contrib.auth.models.User"
