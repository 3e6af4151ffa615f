"""The project index: every Django model and SQLAlchemy mapped class of a project.

Built from the project root (the folder holding ``pyproject.toml``, ``setup.cfg``,
``manage.py`` or ``.git``) whatever paths were checked, so that a view checked alone still
knows the models defined in another file. Files are read with the standard library's
:mod:`ast`, which is several times faster than libcst and enough to collect class bases and
class-level assignments; nothing is imported or executed.
"""

from __future__ import annotations

import ast
import builtins
import copy
import hashlib
import os
import re
from collections import OrderedDict
from dataclasses import MISSING, dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Dict, FrozenSet, Iterable, List, Optional, Set, Tuple

from ormlint.budget import MAX_TOKENS, too_many_tokens
from ormlint.semantic.bulk import PER_ROW_BASE_METHODS, BulkWriteBlockers, history_fields
from ormlint.semantic.django import DJANGO_QUERYSET_METHODS, GET_MODEL, GET_USER_MODEL, model_label

if TYPE_CHECKING:
    from ormlint.semantic.relations import Relation
from ormlint.semantic.imports import from_import_bindings, import_bindings, resolve_relative
from ormlint.semantic.recovery import parse_recovering
from ormlint.semantic.renderers import RENDERERS, Places, rendering_places
from ormlint.semantic.settings import template_folders
from ormlint.semantic.summaries import (
    PROPERTY_DECORATORS,
    Callback,
    Forward,
    FunctionBody,
    GuardedChain,
    ParameterChain,
    ReturnSummary,
    WriteFact,
    always_evaluated,
    attribute_path,
    attribute_summary,
    calls_super,
    chains_by_root,
    chains_on,
    decorator_name,
    iterated_chains,
    parameter_guards,
    parameter_uses,
    return_summary,
    split_by_guard,
    when_new_only,
    write_facts,
)
from ormlint.semantic.trees import walk
from ormlint.source import DEFAULT_MAX_FILE_SIZE, refusal

#: Names through which code reaches a query without naming a model class: every other
#: way in (``Order.objects``, ``QuerySet[Order]``, ``select(Order)``, ``model = Order``)
#: names the model.
ORM_ENTRY_POINTS = frozenset({"get_user_model", "Session", "sessionmaker", "scoped_session"})

ROOT_MARKERS = ("pyproject.toml", "setup.cfg", ".git")
#: Scripts that mark a project root where they are not inside a package.
ROOT_SCRIPTS = ("setup.py", "manage.py")

_SKIPPED_FOLDERS = frozenset(
    {
        ".git", ".hg", ".svn", ".tox", ".nox", ".venv", "venv", "env", ".env", "node_modules",
        "__pycache__", ".mypy_cache", ".pytest_cache", ".ruff_cache", ".ormlint_cache",
        "build", "dist", ".eggs", "site-packages", "migrations",
    }
)

#: Text that a file must contain to define anything the index records; ``rest_framework``
#: for a module that only hands DRF's classes on under names of its own
#: (``from rest_framework.serializers import ModelSerializer as ApiSerializer``).
_INTERESTING = re.compile(
    rb"^[ \t]*class[ \t]|declarative_base|sessionmaker|scoped_session|SQLAlchemy\(|AUTH_USER_MODEL"
    rb"|pre_save|post_save|^(?:async[ \t]+)?def[ \t]|import[ \t]+\*|get_user_model|get_model|Table\(|map_imperatively"
    rb"|rest_framework|^TEMPLATE(?:S|_DIRS)\b",
    re.MULTILINE,
)

DJANGO_MODEL_BASES = frozenset({"django.db.models.Model", "django.db.models.base.Model"})
#: Abstract model bases of well-known third-party packages: a class deriving from one of
#: these is a Django model even though the package's source is not in the project.
THIRD_PARTY_MODEL_BASES = frozenset(
    {
        "django.contrib.gis.db.models.Model",
        "mptt.models.MPTTModel",
        "polymorphic.models.PolymorphicModel",
        "treebeard.mp_tree.MP_Node",
        "treebeard.ns_tree.NS_Node",
        "treebeard.al_tree.AL_Node",
        "django_extensions.db.models.TimeStampedModel",
        "django_extensions.db.models.TitleDescriptionModel",
        "django_extensions.db.models.TitleSlugDescriptionModel",
        "django_extensions.db.models.ActivatorModel",
        "model_utils.models.TimeStampedModel",
        "model_utils.models.StatusModel",
        "model_utils.models.TimeFramedModel",
        "model_utils.models.SoftDeletableModel",
        "model_utils.models.UUIDModel",
        "ordered_model.models.OrderedModel",
        "safedelete.models.SafeDeleteModel",
        "taggit.models.TagBase",
        "taggit.models.ItemBase",
        "taggit.models.TaggedItemBase",
        "wagtail.models.Page",
        "wagtail.core.models.Page",
    }
)
DJANGO_MANAGER_BASES = frozenset(
    {
        "django.db.models.Manager",
        "django.db.models.manager.Manager",
        "django.db.models.manager.BaseManager",
    }
)
DJANGO_QUERYSET_BASES = frozenset({"django.db.models.QuerySet", "django.db.models.query.QuerySet"})
SQLALCHEMY_DECLARATIVE_BASES = frozenset(
    {
        "sqlalchemy.orm.DeclarativeBase",
        "sqlalchemy.orm.DeclarativeBaseNoMeta",
        "sqlalchemy.orm.decl_api.DeclarativeBase",
    }
)
SQLALCHEMY_BASE_FACTORIES = frozenset(
    {
        "sqlalchemy.orm.declarative_base",
        "sqlalchemy.ext.declarative.declarative_base",
        "sqlalchemy.orm.decl_api.declarative_base",
    }
)
SESSION_FACTORIES = frozenset(
    {"sqlalchemy.orm.sessionmaker", "sqlalchemy.orm.scoped_session", "sqlalchemy.orm.session.sessionmaker"}
)
FLASK_SQLALCHEMY = frozenset({"flask_sqlalchemy.SQLAlchemy"})

#: Django's contrib models, known without their source. Concrete ones have ``objects``.
CONTRIB_MODELS = {
    "django.contrib.auth.models.User": False,
    "django.contrib.auth.models.Group": False,
    "django.contrib.auth.models.Permission": False,
    "django.contrib.auth.models.AbstractUser": True,
    "django.contrib.auth.models.AbstractBaseUser": True,
    "django.contrib.auth.base_user.AbstractBaseUser": True,
    "django.contrib.auth.models.PermissionsMixin": True,
    "django.contrib.contenttypes.models.ContentType": False,
    "django.contrib.sites.models.Site": False,
    "django.contrib.admin.models.LogEntry": False,
    "django.contrib.sessions.models.Session": False,
    "django.contrib.flatpages.models.FlatPage": False,
    "django.contrib.redirects.models.Redirect": False,
}


@dataclass(frozen=True)
class FieldFacts:
    """A class-level ``name = callee(target, ...)`` that may declare a relation.

    ``target`` is a qualified name, or a string literal written with a leading quote
    (``'shop.Order``, ``'self``), as the source gives it; the index resolves it later.
    """

    name: str
    callee: str
    target: Optional[str] = None
    related_name: Optional[str] = None
    null: bool = False
    lazy: Optional[str] = None
    uselist: Optional[bool] = None
    backref: Optional[str] = None
    #: ``backref("name", lazy="dynamic")``: the loading strategy of the reverse side.
    backref_lazy: Optional[str] = None
    #: From a ``Mapped[...]`` annotation: whether it declares a collection.
    collection: Optional[bool] = None
    #: SQLAlchemy: a ``secondary=`` table (many-to-many on both sides).
    secondary: bool = False


@dataclass(frozen=True)
class ClassFacts:
    """What one class statement says, before bases are resolved across files."""

    name: str
    bases: Tuple[str, ...]
    #: Class-level ``name = callee(...)``: the attribute and the callee's qualified name.
    #: ``X.as_manager()`` and ``Manager.from_queryset(X)()`` are recorded by their callee.
    calls: Tuple[Tuple[str, str], ...] = ()
    abstract: bool = False
    fields: Tuple[FieldFacts, ...] = ()
    #: Class-level string constants (``label = "shop"`` of an ``AppConfig``).
    constants: Tuple[Tuple[str, str], ...] = ()
    #: Methods and properties the class defines.
    methods: Tuple[str, ...] = ()
    #: For each method, the attribute chains it reads on ``self`` (``self.customer.name``
    #: as ``("customer", "name")``), so a loop calling it per row reads them too.
    method_reads: Tuple[Tuple[str, Tuple[str, ...]], ...] = ()
    #: The chains a method reads on ``self`` only on a branch one of its parameters
    #: decides, with the guard of that branch (see ``parameter_guards``): (method,
    #: chain, guard). A call passing ``fast=True`` does not read what ``if not fast:``
    #: would.
    method_guarded_reads: Tuple[Tuple[str, Tuple[str, ...], str], ...] = ()
    #: For methods whose every ``return`` is a chain of calls on ``self`` (a custom
    #: queryset or manager method), the chain: ``("filter", "select_related:customer")``.
    returned_chains: Tuple[Tuple[str, Tuple[str, ...]], ...] = ()
    #: ``objects = Manager.from_queryset(OrderQuerySet)()``: the attribute and the
    #: queryset class.
    manager_querysets: Tuple[Tuple[str, str], ...] = ()
    #: Constant keyword arguments of class-level calls that the rules need, as
    #: (attribute, keyword, value as text): a model field's ``auto_now`` (``save()`` sets
    #: it, ``bulk_update`` does not) and ``primary_key`` (``bulk_update`` refuses it); a
    #: serializer field's ``many``, ``source``, ``slug_field`` and ``method_name``; and, as
    #: its callee's qualified name, the ``child`` of a ``ListSerializer(child=...)`` and
    #: the ``child_relation`` of a ``ManyRelatedField(child_relation=...)``.
    call_options: Tuple[Tuple[str, str, str], ...] = ()
    #: A nested ``class Meta``'s ``model`` (qualified), ``fields`` / ``exclude`` (names
    #: joined by commas, or ``__all__``) and ``depth``.
    meta: Tuple[Tuple[str, str], ...] = ()
    #: For methods taking an object after ``self`` (``get_total(self, obj)``), the chains
    #: they read on it.
    argument_reads: Tuple[Tuple[str, Tuple[str, ...]], ...] = ()
    #: For those methods, the serializers they run on a chain of that object and read
    #: ``.data`` of (``return LineSerializer(obj.lines.all(), many=True).data``): (method,
    #: serializer, chain, many); see ``_serialized_chains``.
    serialized_chains: Tuple[Tuple[str, str, Tuple[str, ...], bool], ...] = ()
    #: For methods that loop over a parameter, what each item reads: (method, parameter,
    #: position, chain); see ``_parameter_loop_reads``.
    parameter_reads: Tuple[Tuple[str, str, int, Tuple[str, ...]], ...] = ()
    #: Methods declared ``@staticmethod`` or ``@classmethod``.
    static_methods: Tuple[str, ...] = ()
    #: What its methods and properties return, where that can be read (``summaries``).
    returns: Tuple[Tuple[str, ReturnSummary], ...] = ()
    #: What its methods read on their parameters, and the calls they pass them on to.
    parameter_chains: Tuple[ParameterChain, ...] = ()
    forwards: Tuple[Forward, ...] = ()
    guarded_chains: Tuple[GuardedChain, ...] = ()
    #: Which parameter its methods call on each item of another (``summaries.Callback``).
    callbacks: Tuple[Callback, ...] = ()
    #: What its methods write on every call (``summaries.write_facts``).
    writes: Tuple[WriteFact, ...] = ()
    #: Class-level ``name = value``, the last one of each name, as summaries of kind
    #: ``attribute``: a subclass in another module reads them through ``lineage``.
    attributes: Tuple[Tuple[str, ReturnSummary], ...] = ()
    #: Methods that only hand their call on to the same method of the next class:
    #: ``def list(self, request, *args, **kwargs): return super().list(request, *args, **kwargs)``.
    delegates: Tuple[str, ...] = ()
    #: Methods that call the same method of the next class and do more around it,
    #: setting no attribute of ``self`` (see ``_extends``).
    extends: Tuple[str, ...] = ()
    #: For each method or property, the calls it chains on an attribute of ``self`` on
    #: every run (``self.tickets.filter(open=True).count()`` as ``("tickets", ("filter",
    #: "count"))``), and whether it is read as a property: (method, property, attribute,
    #: calls); see ``_self_call_chains``. Whether a chain runs a query depends on what the attribute
    #: turns out to be, which only the resolved index knows.
    self_call_chains: Tuple[Tuple[str, bool, str, Tuple[str, ...]], ...] = ()


@dataclass(frozen=True)
class ImperativeMapping:
    """``registry.map_imperatively(Package, package_table, properties={...})`` (or the
    classic ``mapper(...)``): a class mapped to a table without a declarative base."""

    mapped: str
    #: What maps it (``meta.registry``), among whose classes its strings resolve.
    registry: str
    #: The qualified name of its ``Table``, whose columns the module that defines it
    #: records (``ModuleFacts.tables``).
    table: Optional[str] = None
    #: The ``properties`` that are relationships.
    fields: Tuple[FieldFacts, ...] = ()


@dataclass(frozen=True)
class ModuleFacts:
    module: str
    path: str
    classes: Tuple[ClassFacts, ...] = ()
    #: Module-level ``name = callee(...)``: the name and the callee's qualified name.
    calls: Tuple[Tuple[str, str], ...] = ()
    #: Names the module imports at its top level, so that a package's ``__init__`` that
    #: re-exports ``from .order import Order`` resolves ``shop.models.Order``.
    aliases: Tuple[Tuple[str, str], ...] = ()
    #: ``AUTH_USER_MODEL = "app.Model"`` when the module (a settings file) sets it.
    auth_user_model: Optional[str] = None
    #: The senders of the ``pre_save`` / ``post_save`` receivers the module connects, as
    #: qualified names or ``'app_label.Model`` strings; ``*`` for a receiver of every
    #: model or one whose sender the source does not name for certain.
    save_receivers: Tuple[str, ...] = ()
    #: The same as ``ClassFacts.parameter_reads``, for the module's functions.
    parameter_reads: Tuple[Tuple[str, str, int, Tuple[str, ...]], ...] = ()
    #: Modules it imports ``*`` from, in order (a later one wins, as in Python).
    stars: Tuple[str, ...] = ()
    #: A literal ``__all__``: the names ``from module import *`` binds.
    exports: Optional[Tuple[str, ...]] = None
    #: Why the module was read only in part (``line 7: invalid syntax``): the
    #: statements around the error were indexed, the one that did not parse was not.
    partial: Optional[str] = None
    #: Classes the module maps imperatively.
    mappings: Tuple[ImperativeMapping, ...] = ()
    #: Its ``name = Table(...)`` statements: the name, the columns, and those that are
    #: the primary key or unique.
    tables: Tuple[Tuple[str, Tuple[str, ...], Tuple[Tuple[str, str, str], ...]], ...] = ()
    #: What its functions return, where that can be read (``summaries``).
    returns: Tuple[Tuple[str, ReturnSummary], ...] = ()
    #: The same as ``ClassFacts.parameter_chains``, ``forwards``, ``guarded_chains`` and
    #: ``callbacks``, for its functions.
    parameter_chains: Tuple[ParameterChain, ...] = ()
    forwards: Tuple[Forward, ...] = ()
    guarded_chains: Tuple[GuardedChain, ...] = ()
    callbacks: Tuple[Callback, ...] = ()
    #: What its functions write on every call (``summaries.write_facts``).
    writes: Tuple[WriteFact, ...] = ()
    #: A settings module's template folders (``TEMPLATES[i]["DIRS"]``), absolute paths.
    template_dirs: Tuple[str, ...] = ()
    #: Its functions that render a template their callers name, with where they pass the
    #: name and the context (``renderers.rendering_places``).
    renders: Tuple[Tuple[str, "Places"], ...] = ()

    def alias(self, name: str) -> Optional[str]:
        """What ``name`` refers to where this module binds it to another name. Asked for
        every name the rules and the index resolve: looked up in a table built once
        (kept beside the fields, so equality, ``repr`` and the cache never see it)."""
        table = self.__dict__.get("_alias_table")
        if table is None:
            table = {}
            for alias, target in self.aliases:
                table.setdefault(alias, target)
            object.__setattr__(self, "_alias_table", table)
        return table.get(name)


#: What the functions of a module or class do (read, return, write, pass on, render),
#: where the module was read from and why it was read in part: facts read only when a
#: rule asks (directly, or through the caches that ``ProjectIndex.with_module``
#: empties), never while the index resolves.
_SUMMARY_FIELDS = {
    "class": (
        "argument_reads", "serialized_chains", "parameter_reads", "static_methods", "returns",
        "parameter_chains", "forwards", "guarded_chains", "callbacks", "writes", "attributes",
        "delegates", "extends", "self_call_chains", "meta",
    ),
    "module": (
        "parameter_reads", "returns", "parameter_chains", "forwards", "guarded_chains",
        "callbacks", "writes", "renders", "save_receivers", "partial", "path",
    ),
}


def _resolved_part(facts: ModuleFacts) -> ModuleFacts:
    """The module's facts that resolving reads: its summaries left out."""
    classes = tuple(replace(c, **_blank(ClassFacts, "class")) for c in facts.classes)
    return replace(facts, classes=classes, **_blank(ModuleFacts, "module"))


def _blank(kind, fields: str) -> Dict[str, object]:
    """The summary fields of ``kind`` set to their defaults (``path``, which has none, to ``""``)."""
    defaults = kind.__dataclass_fields__
    return {name: "" if defaults[name].default is MISSING else defaults[name].default for name in _SUMMARY_FIELDS[fields]}


@dataclass(frozen=True)
class ModelInfo:
    qualname: str
    orm: str  # "django" or "sqlalchemy"
    managers: FrozenSet[str] = frozenset()
    abstract: bool = False
    #: SQLAlchemy: the class has ``Model.query`` (Flask-SQLAlchemy or ``query_property()``).
    query_property: bool = False
    #: SQLAlchemy: the declarative base or ``db`` object that maps the class, among
    #: whose classes its string targets (``relationship("User")``) are looked up.
    registry: Optional[str] = None

    @property
    def name(self) -> str:
        return self.qualname.rpartition(".")[2]


@dataclass(frozen=True)
class HelperWrite:
    """A write a project function makes on every call (see ``summaries.WriteFact``)."""

    #: ``creates``, ``fetches`` (fetches a row by ``parameter`` and saves it),
    #: ``fetches_deletes`` (fetches one and deletes it) or ``saves_each`` (saves every
    #: item of ``parameter``).
    kind: str
    parameter: str
    position: int
    #: The model written, resolved; empty for ``saves_each``, whose rows the caller gives.
    model: str
    #: A create whose new row is used at once (by the function, or by the caller that
    #: keeps what it returns): the rows cannot simply wait for one ``bulk_create()``.
    kept: bool = False


@dataclass
class ProjectIndex:
    """Resolved facts about a project's models, sessions and managers."""

    root: Optional[Path] = None
    modules: Dict[str, ModuleFacts] = field(default_factory=dict)
    models: Dict[str, ModelInfo] = field(default_factory=dict)
    session_factories: Set[str] = field(default_factory=set)
    flask_databases: Set[str] = field(default_factory=set)
    #: Every model's relations by attribute name, forward and reverse (see ``relations``).
    relations: Dict[str, Dict[str, "Relation"]] = field(default_factory=dict)
    #: The model ``settings.AUTH_USER_MODEL`` and ``get_user_model()`` name.
    user_model: str = "django.contrib.auth.models.User"
    _method_reads: Dict[str, Dict[str, List[Tuple[str, ...]]]] = field(default_factory=dict, repr=False)
    _method_guards: Dict[str, Dict[str, Dict[Tuple[str, ...], List[str]]]] = field(default_factory=dict, repr=False)
    #: For each model, its custom queryset / manager methods that return a queryset, and
    #: the chain of standard methods each amounts to.
    queryset_methods: Dict[str, Dict[str, Tuple[str, ...]]] = field(default_factory=dict)
    _by_suffix: Dict[str, List[str]] = field(default_factory=dict, repr=False)
    #: Every class statement of the project by qualified name, models or not.
    classes: Dict[str, ClassFacts] = field(default_factory=dict, repr=False)
    _classes_by_tail: Optional[Dict[str, List[str]]] = field(default=None, repr=False)
    _orders: Dict[str, Optional[Tuple[str, ...]]] = field(default_factory=dict, repr=False)
    _vocabulary: Optional[FrozenSet[str]] = field(default=None, repr=False)
    _receivers: Optional[List[Tuple[str, str]]] = field(default=None, repr=False)
    _bound_names: Dict[str, FrozenSet[str]] = field(default_factory=dict, repr=False)
    _app_labels: Optional[Dict[str, str]] = field(default=None, repr=False)
    _looping: Optional[FrozenSet[str]] = field(default=None, repr=False)
    _uses: Dict[Tuple[str, bool, str], List[Tuple[str, int, Tuple[str, ...]]]] = field(default_factory=dict, repr=False)
    _callbacks: Dict[Tuple[str, bool], List[Tuple[str, int, str, int]]] = field(default_factory=dict, repr=False)
    #: For each Django model, the project manager and queryset classes its managers use.
    _queryset_sources: Dict[str, Tuple[str, ...]] = field(default_factory=dict, repr=False)
    #: The project's templates by name (``orders/list.html``), each name's files.
    templates: Dict[str, List[Path]] = field(default_factory=dict, repr=False)
    #: The files the walk did not read, each with the reason (too large, a named pipe...).
    skipped: List[Tuple[Path, str]] = field(default_factory=list, repr=False)

    @classmethod
    def build(
        cls,
        root: Optional[Path],
        extra: Iterable[ModuleFacts] = (),
        cache=None,
        mapper: Callable = map,
        max_file_size: int = DEFAULT_MAX_FILE_SIZE,
    ) -> "ProjectIndex":
        """Index the project below ``root``. ``cache`` (an ``IndexCache``) spares reading
        the files that did not change since the last run; ``mapper`` (``map``, or a process
        pool's) reads the others. Files larger than ``max_file_size`` are left out (and
        out of the cache, so a higher limit reads them)."""
        facts: Dict[str, ModuleFacts] = {}
        templates: Dict[str, List[Path]] = {}
        skipped: List[Tuple[Path, str]] = []
        if root is not None:
            seen: Set[str] = set()
            unread: List[Tuple[Path, Optional[Tuple[str, os.stat_result, str]]]] = []
            for path in iter_project_files(root, templates, skipped, max_file_size):
                hit, module_facts, entry = _cached_facts(path, root, cache, seen)
                if hit:
                    if module_facts is not None:
                        facts[module_facts.module] = module_facts
                else:
                    unread.append((path, entry))
            read = mapper(facts_for_file, [path for path, _ in unread], [root] * len(unread))
            for (path, entry), module_facts in zip(unread, read):
                if cache is not None and entry is not None:
                    cache.put(entry[0], entry[1], entry[2], module_facts)
                if module_facts is not None:
                    facts[module_facts.module] = module_facts
            if cache is not None:
                cache.prune(seen)
                cache.save()
        for module_facts in extra:
            facts[module_facts.module] = module_facts
        if root is not None:
            for folder in sorted({folder for module_facts in facts.values() for folder in module_facts.template_dirs}):
                add_template_folder(root, Path(folder), templates, skipped, max_file_size)
        index = cls(root=root, modules=facts, templates=templates, skipped=skipped)
        index._resolve()
        return index

    def with_module(self, facts: ModuleFacts) -> "ProjectIndex":
        """This index with one module's facts replaced: an editor's unsaved text.

        A keystroke in a function body changes what that function reads, returns or
        writes (its summaries) but no class, base, field, name or mapping, which is all
        that resolving reads; then the resolved models and relations stand as they are
        and only the caches filled from summaries are emptied, so that an edit costs
        one module's facts, not a resolve of the whole project. Any other change
        resolves again."""
        old = self.modules.get(facts.module)
        modules = {**self.modules, facts.module: facts}
        if old is not None and _resolved_part(old) == _resolved_part(facts) and all(
            self.classes.get(f"{old.module}.{class_facts.name}") is class_facts for class_facts in old.classes
        ):
            index = copy.copy(self)
            index.modules = modules
            index.classes = {**self.classes, **{f"{facts.module}.{c.name}": c for c in facts.classes}}
            index._vocabulary = index._looping = index._receivers = None
            index._uses, index._callbacks = {}, {}
            return index
        # The walk's own findings (templates, files left out) stay those of the disk.
        index = ProjectIndex(root=self.root, modules=modules, templates=self.templates, skipped=self.skipped)
        index._resolve()
        return index

    def model(self, qualname: Optional[str]) -> Optional[ModelInfo]:
        """The model a qualified name refers to.

        Falls back to a unique match on the dotted suffix, because a project's import paths
        may start below the folder the index computed module names from (``src/`` layouts,
        apps on ``sys.path``).
        """
        if not qualname:
            return None
        qualname = self.canonical(qualname)
        if qualname == USER_MODEL_REFERENCE:
            qualname = self.user_model
        elif qualname.startswith("'"):
            from ormlint.semantic.relations import resolve_model_reference

            resolved = resolve_model_reference(self, qualname)
            return self.models.get(resolved) if resolved else None
        found = self.models.get(qualname)
        if found is not None:
            return found
        match = _suffix_match(qualname, self._by_suffix.get(qualname.rpartition(".")[2], []))
        return self.models[match] if match else None

    def canonical(self, qualname: str) -> str:
        """Follow re-exports: ``pkg.Order`` where ``pkg/__init__.py`` imports it from
        ``pkg.order`` (by name, or with ``from .order import *``) is
        ``pkg.order.Order``; ``accounts.User`` after ``User = get_user_model()`` there
        is the user model's reference."""
        for _ in range(12):
            module, _, name = qualname.rpartition(".")
            facts = self.modules.get(module)
            if facts is None:
                return qualname
            target = facts.alias(name)
            if target is None and facts.stars and name not in self._bound(facts):
                target = next(
                    (f"{star}.{name}" for star in reversed(facts.stars) if self.exports(star, name)), None
                )
            if target is None or target == qualname:
                return qualname
            qualname = target
        return qualname

    def exports(self, module: str, name: str, seen: FrozenSet[str] = frozenset()) -> bool:
        """Whether ``from module import *`` binds ``name``: it is in the module's literal
        ``__all__``, or, without one, a public name the module binds or star-imports."""
        facts = self.modules.get(module)
        if facts is None or module in seen:
            return False
        if facts.exports is not None:
            return name in facts.exports
        if name.startswith("_"):
            return False
        return name in self._bound(facts) or any(self.exports(star, name, seen | {module}) for star in facts.stars)

    def _bound(self, facts: ModuleFacts) -> FrozenSet[str]:
        """The names a module binds itself: its classes, imports and assignments."""
        found = self._bound_names.get(facts.module)
        if found is None:
            found = frozenset(
                [c.name for c in facts.classes] + [a for a, _ in facts.aliases] + [n for n, _ in facts.calls]
            )
            self._bound_names[facts.module] = found
        return found

    # -- resolution ---------------------------------------------------------------------

    def _resolve(self) -> None:
        classes = self.classes
        for module_facts in self.modules.values():
            for class_facts in module_facts.classes:
                classes[f"{module_facts.module}.{class_facts.name}"] = class_facts
        for module_facts in self.modules.values():
            for name, callee in module_facts.calls:
                qualified = f"{module_facts.module}.{name}"
                if callee in SESSION_FACTORIES:
                    self.session_factories.add(qualified)
                elif self.derives_from(callee, FLASK_SQLALCHEMY):
                    # ``db = SQLAlchemy()``, or a project's subclass of it.
                    self.flask_databases.add(qualified)

        imperative = self._map_imperatively()
        declarative_roots = {
            f"{m.module}.{name}"
            for m in self.modules.values()
            for name, callee in m.calls
            if callee in SQLALCHEMY_BASE_FACTORIES
        }
        kinds: Dict[str, Optional[str]] = {}
        registries: Dict[str, str] = {}

        def kind_of(qualname: str, seen: FrozenSet[str] = frozenset()) -> Optional[str]:
            """django, sqlalchemy, sqlalchemy-base, flask-model, manager, queryset, or None."""
            if qualname in kinds:
                return kinds[qualname]
            if qualname in DJANGO_MODEL_BASES or qualname in CONTRIB_MODELS or qualname in THIRD_PARTY_MODEL_BASES:
                return "django"
            if qualname in DJANGO_MANAGER_BASES:
                return "manager"
            if qualname in DJANGO_QUERYSET_BASES:
                return "queryset"
            if qualname in SQLALCHEMY_DECLARATIVE_BASES or self.canonical(qualname) in declarative_roots:
                return "sqlalchemy-base"
            if qualname.endswith(".Model") and self.canonical(qualname[: -len(".Model")]) in self.flask_databases:
                return "flask-model"
            class_facts = self._class(qualname)
            if class_facts is None or qualname in seen:
                return None
            if class_facts[0] in imperative:
                registries[class_facts[0]] = imperative[class_facts[0]]
                kinds[qualname] = "sqlalchemy"
                return "sqlalchemy"
            result = None
            for base in class_facts[1].bases:
                base_kind = kind_of(base, seen | {qualname})
                if base_kind in ("sqlalchemy-base", "flask-model"):
                    result = "sqlalchemy"
                    # What maps the class: the ``db`` of ``db.Model``, a ``declarative_base()``
                    # result, or, for ``class Base(DeclarativeBase)``, that class itself.
                    mapped = class_facts[0]
                    if base_kind == "flask-model":
                        registries[mapped] = self.canonical(base[: -len(".Model")])
                    else:
                        registries[mapped] = mapped if base in SQLALCHEMY_DECLARATIVE_BASES else self.canonical(base)
                elif base_kind is not None:
                    result = base_kind
                    found = self._class(base) if base_kind == "sqlalchemy" else None
                    if found is not None and found[0] in registries:
                        registries[class_facts[0]] = registries[found[0]]
                if result is not None:
                    break
            if result is None and self._outside_bases(class_facts[1]):
                # ``class Post(SoftDeleteObject)``: a base from outside the project, and
                # Django model fields declared, as only a model's class body can; or a
                # ``__tablename__`` and SQLAlchemy columns, as only a mapped class has.
                if _declares_django_fields(class_facts[1]):
                    result = "django"
                elif _declares_mapped_table(class_facts[1]):
                    result = "sqlalchemy"
                    outside = [b for b in class_facts[1].bases if self._class(b) is None]
                    registries[class_facts[0]] = self.canonical(outside[0])
            kinds[qualname] = result
            return result

        for qualname, class_facts in classes.items():
            kind = kind_of(qualname)
            if kind == "django":
                self.models[qualname] = ModelInfo(
                    qualname, "django", self._managers(qualname, kind_of), class_facts.abstract
                )
            elif kind == "sqlalchemy":
                self.models[qualname] = ModelInfo(
                    qualname,
                    "sqlalchemy",
                    abstract=class_facts.abstract,
                    query_property=self._has_query_property(qualname, kind_of),
                    registry=registries.get(qualname),
                )
        if self._uses_django():
            for qualname, abstract in CONTRIB_MODELS.items():
                self.models.setdefault(qualname, ModelInfo(qualname, "django", frozenset({"objects"}), abstract))
        for qualname in self.models:
            self._by_suffix.setdefault(qualname.rpartition(".")[2], []).append(qualname)
        from ormlint.semantic.relations import resolve_relations

        resolve_relations(self)
        for qualname, model in self.models.items():
            if model.orm == "django":
                custom = self._custom_queryset_methods(qualname, kind_of)
                if custom:
                    self.queryset_methods[qualname] = custom
        for qualname in self.models:
            methods: Dict[str, List[Tuple[str, ...]]] = {}
            guards: Dict[str, Dict[Tuple[str, ...], List[str]]] = {}
            for _, facts in reversed(self.lineage(qualname)):
                own: Dict[str, List[Tuple[str, ...]]] = {}
                own_guards: Dict[str, Dict[Tuple[str, ...], List[str]]] = {}
                for method, chain in facts.method_reads:
                    own.setdefault(method, []).append(chain)
                for method, chain, guard in facts.method_guarded_reads:
                    own.setdefault(method, []).append(chain)
                    own_guards.setdefault(method, {}).setdefault(chain, []).append(guard)
                for method in facts.methods:
                    methods[method] = list(dict.fromkeys(own.get(method, [])))
                    guards[method] = own_guards.get(method, {})
            if methods:
                self._method_reads[qualname] = methods
                self._method_guards[qualname] = {method: found for method, found in guards.items() if found}

    def _map_imperatively(self) -> Dict[str, str]:
        """Give each imperatively mapped class the columns and relationships its mapping
        declares, as a declarative class body would; return them with their registries."""
        mapped: Dict[str, str] = {}
        for module_facts in self.modules.values():
            for mapping in module_facts.mappings:
                found = self._class(mapping.mapped)
                if found is None:
                    continue
                name, facts = found
                columns, keys = self._table(mapping.table)
                self.classes[name] = replace(
                    facts,
                    fields=facts.fields + mapping.fields,
                    calls=facts.calls + tuple((column, "sqlalchemy.Column") for column in columns),
                    call_options=facts.call_options + keys,
                )
                mapped[name] = self.canonical(mapping.registry)
        return mapped

    def _table(self, qualname: Optional[str]) -> Tuple[Tuple[str, ...], Tuple[Tuple[str, str, str], ...]]:
        """The columns of the ``Table`` a qualified name refers to, and the options of its keys."""
        if qualname:
            module, _, name = self.canonical(qualname).rpartition(".")
            facts = self.modules.get(module)
            for table, columns, keys in facts.tables if facts is not None else ():
                if table == name:
                    return columns, keys
        return (), ()

    def _uses_django(self) -> bool:
        """Whether the project is a Django project: it has Django models or imports from
        Django. Only then are Django's contrib models (``User``, ``Group``,
        ``Session``...) part of its index, where a Flask application's models of the same
        names would otherwise meet them. With no project at all, they are known."""
        if self.root is None or any(m.orm == "django" for m in self.models.values()):
            return True
        return any(target.startswith("django.") for m in self.modules.values() for _, target in m.aliases)

    def _outside_bases(self, facts: ClassFacts) -> bool:
        """Whether some base of the class comes from outside the project."""
        return any(
            self._class(base) is None and "." in base and not base.startswith(("builtins.", "typing.")) for base in facts.bases
        )

    def gaps(self) -> Dict[str, List[str]]:
        """What the index could not learn, for ``ormlint index``: files read in part,
        relations whose target is outside the project, relationships whose target did not
        resolve, and star imports of modules it does not have."""
        partial = sorted(f"{_shown_path(m.path, self.root)}: partial ({m.partial})" for m in self.modules.values() if m.partial)
        outside, unresolved = [], []
        for qualname, model in sorted(self.models.items()):
            if qualname.startswith("django.contrib."):
                continue
            own = self.relations.get(qualname, {})
            for _, facts in self.lineage(qualname):
                for field_facts in facts.fields:
                    relation = own.get(field_facts.name)
                    declared = (field_facts.target or "?").lstrip("'")
                    if relation is not None and relation.target is None and relation.declared:
                        outside.append(f"{qualname}.{field_facts.name} -> {relation.declared}")
                    elif relation is None and field_facts.target is not None:
                        unresolved.append(f"{qualname}.{field_facts.name} -> {declared}")
        stars = sorted(
            f"{_shown_path(m.path, self.root)}: from {star} import *"
            for m in self.modules.values()
            for star in m.stars
            if star not in self.modules
        )
        return {
            # The walk's own paths, not resolved: a link to a device would show the device.
            "not read (too large, or not a regular file)": [
                f"{p.relative_to(self.root).as_posix() if self.root else p}: {why}" for p, why in self.skipped
            ],
            "indexed in part (the statements around the error were read)": partial,
            "relations to models outside the project (the first hop is known)": sorted(set(outside)),
            "relation targets not resolved (the relation is not known)": sorted(set(unresolved)),
            "star imports of modules outside the project (their names are not known)": stars,
        }

    def relation(self, model: str, name: str) -> Optional["Relation"]:
        return self.relations.get(model, {}).get(name)

    @property
    def vocabulary(self) -> FrozenSet[str]:
        """Names one of which a file must use for the ORM rules to find anything in it: the
        project's model names, the few names that lead to a query without naming a model
        (every manager, queryset method or relation is reached through a model), and the
        project functions that return a query or write rows, and the classes that hold one."""
        if self._vocabulary is None:
            words = set(ORM_ENTRY_POINTS)
            words.update(qualname.rpartition(".")[2] for qualname in self.models)
            words.update(name.rpartition(".")[2] for name in self.session_factories | self.flask_databases)
            # A function that returns a query leads to one without naming a model.
            words.update(name for facts in self.modules.values() for name, _ in facts.returns)
            # So does one that writes rows on every call.
            words.update(write[0] for facts in [*self.modules.values(), *self.classes.values()] for write in facts.writes)
            # And a class that holds a queryset (a project base view): its subclasses list rows.
            words.update(
                facts.name
                for facts in self.classes.values()
                if "get_queryset" in facts.methods or any(name == "queryset" for name, _ in facts.attributes)
            )
            self._vocabulary = frozenset(words)
        return self._vocabulary

    @property
    def looping_functions(self) -> FrozenSet[str]:
        """The names of the project's functions and methods that loop over an argument,
        save one, pass one on, call one on the items of another, write on every call,
        or render a template: a file calling none of them has no rows to follow."""
        if self._looping is None:
            names: Set[str] = set()
            for facts in [*self.modules.values(), *self.classes.values()]:
                names.update(read[0] for read in (*facts.parameter_reads, *facts.forwards, *facts.callbacks))
                names.update(read[0] for read in facts.parameter_chains if read[3] == ("save",))
                names.update(write[0] for write in facts.writes)
            names.update(render[0] for module in self.modules.values() for render in module.renders)
            self._looping = frozenset(names)
        return self._looping

    def fingerprint(self) -> str:
        """A digest of the facts of every module and of the templates' stamps, which decide
        every answer the index gives."""
        digest = hashlib.sha256()
        for name in sorted(self.modules):
            digest.update(repr(self.modules[name]).encode())
        # Templates are read when a view is checked; their stamps stand for their text.
        for name in sorted(self.templates):
            for path in self.templates[name]:
                try:
                    stat = path.stat()
                except OSError:
                    continue
                digest.update(f"{path}:{stat.st_size}:{stat.st_mtime_ns}".encode())
        return digest.hexdigest()

    def defines_method(self, qualname: str, method: str) -> bool:
        """Whether the project class ``qualname`` or one of its project bases defines it."""
        return any(method in facts.methods for _, facts in self.lineage(qualname))

    # -- bulk writes --------------------------------------------------------------------

    def unique_columns(self, qualname: str) -> FrozenSet[str]:
        """The names a filter on which matches at most one row of the model: its
        ``unique=True`` columns, its primary key when it is one column (a column of a
        composite key, ``Membership(user_id, group_id)``, matches many rows; see
        ``primary_key``), and for a Django model ``pk`` (and ``id`` when no other field
        is the primary key)."""
        model = self.models.get(self.canonical(qualname))
        if model is None:
            return frozenset()
        names: Set[str] = set()
        for _, facts in self.lineage(model.qualname):
            names.update(name for name, option, value in facts.call_options if option == "unique" and value == "True")
            if model.orm == "django":
                names.update(name for name, callee in facts.calls if callee.rpartition(".")[2] == "OneToOneField")
        primary = self.primary_key(model.qualname)
        if len(primary) == 1:
            names |= primary
        if model.orm == "django":
            names.add("pk")
            if not primary:
                names.add("id")
        return frozenset(names)

    def primary_key(self, qualname: str) -> FrozenSet[str]:
        """The columns declared ``primary_key=True`` on the model: a filter on all of
        them matches one row at most."""
        model = self.models.get(self.canonical(qualname))
        if model is None:
            return frozenset()
        return frozenset(
            name
            for _, facts in self.lineage(model.qualname)
            for name, option, value in facts.call_options
            if option == "primary_key" and value == "True"
        )

    def model_fields(self, qualname: str) -> FrozenSet[str]:
        """The columns of a Django model that ``bulk_update`` can write: its fields, its
        own and inherited, by name and, for a foreign key, by ``<name>_id``; not the
        primary key, many-to-many fields or generic relations."""
        fields: Set[str] = set()
        excluded: Set[str] = {"id", "pk"}
        for _, facts in self.lineage(qualname):
            excluded.update(name for name, option, value in facts.call_options if option == "primary_key" and value == "True")
            for name, callee in facts.calls:
                kind = callee.rpartition(".")[2]
                if kind in _FOREIGN_KEYS:
                    fields.update((name, f"{name}_id"))
                elif kind.endswith("Field") and kind not in _NOT_COLUMNS:
                    fields.add(name)
        return frozenset(fields - excluded)

    def plain_objects(self, qualname: str) -> bool:
        """Whether ``Model.objects`` is Django's own manager: declared as ``Manager()``, or
        implied because the model declares no manager. A custom default manager may
        filter rows out, and a bulk write through it would skip them."""
        model = self.models.get(qualname)
        if model is None:
            return False
        declared = {
            attribute: callee
            for _, facts in reversed(self.lineage(qualname))
            for attribute, callee in facts.calls
            if attribute in model.managers
        }
        if "objects" in declared:
            return declared["objects"] in DJANGO_MANAGER_BASES
        return not declared

    def bulk_write_blockers(self, qualname: str, write: str) -> BulkWriteBlockers:
        """What stands in the way of one bulk write doing what a call per row of the model
        does; ``write`` is ``"update"`` (``bulk_update()`` for ``save()``), ``"create"``
        (``bulk_create()`` for ``create()``) or ``"delete"`` (``QuerySet.delete()`` for
        ``delete()``).

        Skipped: a ``save()`` / ``delete()`` override, a library base known to do work
        there, and, for saves, history tracking and ``pre_save`` / ``post_save``
        receivers whose sender is the model or every model (``QuerySet.delete()`` sends
        the delete signals for each row). Other: a base ormlint cannot read, receivers
        whose sender it cannot resolve, ``auto_now`` (``bulk_update()`` leaves it) and
        multi-table inheritance (``bulk_create()`` refuses it)."""
        name = qualname.rpartition(".")[2]
        method = "delete" if write == "delete" else "save"
        lineage = self.lineage(qualname)
        if not lineage:
            return BulkWriteBlockers(other=(f"ormlint cannot read `{name}`'s `{method}()`: its source is not in the project",))
        skipped: List[str] = []
        other: List[str] = []
        for owner, facts in lineage:
            owner_name = owner.rpartition(".")[2]
            shown = f"`{name}`" if owner == qualname else f"its base `{owner_name}`"
            if method in facts.methods:
                skipped.append(f"`{owner_name}.{method}()`")
            for base in facts.bases:
                if self._class(base) is not None or base in DJANGO_MODEL_BASES or base == "object":
                    continue
                if method in PER_ROW_BASE_METHODS.get(base, ()):
                    skipped.append(f"`{base.rpartition('.')[2]}.{method}()`")
                else:
                    other.append(f"{shown} derives from `{base}`, whose `{method}()` ormlint cannot read")
            if method == "save":
                skipped.extend(f"the history that `{owner_name}.{field}` records" for field in history_fields(facts.calls))
            if write == "update":
                skipped.extend(
                    f"the `pre_save()` of the file field `{owner_name}.{field}` (it stores a newly assigned file)"
                    for field, callee in facts.calls
                    if callee.rpartition(".")[2] in _FILE_FIELDS and callee.startswith("django.")
                )
            if write == "update":
                other.extend(
                    f"`{name}.{field}` has `auto_now=True`, which `bulk_update()` does not set"
                    for field, option, value in facts.call_options
                    if option == "auto_now" and value == "True"
                )
            elif write == "create" and owner != qualname and not facts.abstract and owner in self.models:
                other.append(f"`{name}` inherits from the concrete model `{owner_name}`")
        if method == "save":
            unresolved = 0
            for module, sender in self._save_receivers():
                if sender == qualname:
                    skipped.append(f"the `pre_save`/`post_save` receivers in `{module}`")
                elif sender == _EVERY_SENDER:
                    skipped.append(f"the `pre_save`/`post_save` receivers for every model in `{module}`")
                elif sender == _UNRESOLVED_SENDER:
                    unresolved += 1
            if unresolved:
                other.append(f"ormlint cannot resolve the sender of {unresolved} `pre_save`/`post_save` receiver(s)")
        return BulkWriteBlockers(tuple(dict.fromkeys(skipped)), tuple(dict.fromkeys(other)))

    def _save_receivers(self) -> List[Tuple[str, str]]:
        """(module, model) for every save receiver of the project; the model is
        ``_EVERY_SENDER`` for a receiver connected without a sender, and
        ``_UNRESOLVED_SENDER`` when its sender does not resolve to a model."""
        if self._receivers is None:
            from ormlint.semantic.relations import resolve_model_reference

            self._receivers = []
            for module_facts in self.modules.values():
                for sender in module_facts.save_receivers:
                    if sender in (_EVERY_SENDER, _UNRESOLVED_SENDER):
                        model: Optional[str] = sender
                    else:
                        model = resolve_model_reference(self, sender) or _UNRESOLVED_SENDER
                    self._receivers.append((module_facts.module, model))
        return self._receivers

    def method_reads(self, model: str, method: str, runs: Optional[Callable[[str], bool]] = None) -> List[Tuple[str, ...]]:
        """The ``self`` chains read by ``model.method`` (inherited methods included).
        ``runs`` says, for the guard of a branch one of its parameters decides, whether
        the call may take it (as for ``parameter_chains``); without it, every branch may
        run."""
        chains = self._method_reads.get(model, {}).get(method, [])
        guards = self._method_guards.get(model, {}).get(method) if runs is not None else None
        if not guards:
            return chains
        return [chain for chain in chains if chain not in guards or any(runs(guard) for guard in guards[chain])]

    def parameter_reads(self, qualname: str, via_class: bool = False) -> List[Tuple[str, int, Tuple[str, ...]]]:
        """What the project function or method ``qualname`` reads on each item of the
        parameters it loops over, itself or through the functions it passes the rows or
        each item to (a few calls deep): (parameter, position, chain). A method is looked
        up in its class and the class's project bases; called through the class itself
        (``via_class``), only a static or class method's positions line up."""
        return self._parameter_uses(qualname, via_class, "rows", frozenset())

    def parameter_chains(
        self, qualname: str, via_class: bool = False, runs: Optional[Callable[[str], bool]] = None
    ) -> List[Tuple[str, int, Tuple[str, ...]]]:
        """What the project function or method ``qualname`` reads (or calls) on each of
        its parameters, itself or through the functions it passes the parameter on to:
        (parameter, position, chain); ``("save",)`` when it saves it. ``runs`` says,
        for the guard of a branch (see ``parameter_guards``), whether the call may take
        it; without it, every branch may run. A chain is left out when no branch that
        reads it may run."""
        found = self._parameter_uses(qualname, via_class, "param", frozenset())
        if runs is None:
            return found
        facts = self._function_facts(qualname, via_class)
        if facts is None:
            return found
        holder, _, name = facts
        guards: Dict[Tuple[str, int, Tuple[str, ...]], List[str]] = {}
        for f, p, i, c, guard in holder.guarded_chains:
            if f == name:
                guards.setdefault((p, i, c), []).append(guard)
        return [use for use in found if not (use in guards and not any(runs(guard) for guard in guards[use]))]

    def _parameter_uses(self, qualname: str, via_class: bool, what: str, seen: FrozenSet[str]) -> List[Tuple[str, int, Tuple[str, ...]]]:
        """``rows``: the chains read on each item of a parameter; ``param``: the chains
        read on the parameter itself."""
        key = (qualname, via_class, what)
        if key in self._uses:
            return self._uses[key]
        found = self._function_facts(qualname, via_class)
        if found is None or qualname in seen or len(seen) >= _MAX_CALL_DEPTH:
            return []
        facts, owner, name = found
        direct = facts.parameter_reads if what == "rows" else facts.parameter_chains
        uses = [(p, i, c) for f, p, i, c in direct if f == name]
        if what == "param":
            uses.extend((p, i, c) for f, p, i, c, _ in facts.guarded_chains if f == name)
        for function, parameter, position, how, callee, at, keyword in facts.forwards:
            if function != name or (what == "param" and how != "param"):
                continue
            target = _forward_target(callee, owner)
            if target is None:
                continue
            # Rows passed on are looped over there; an item passed on is read there.
            passed_on = "rows" if what == "rows" and how == "param" else "param"
            inner = self._parameter_uses(*target, passed_on, seen | {qualname})
            uses.extend((parameter, position, chain) for p, i, chain in inner if _lines_up(p, i, at, keyword))
        uses = list(dict.fromkeys(uses))[:_MAX_METHOD_READS]
        self._uses[key] = uses
        return uses

    def callbacks(self, qualname: str, via_class: bool = False) -> List[Tuple[str, int, str, int]]:
        """Which parameter of the project function or method ``qualname`` it calls with
        each item of another, itself or through the function it passes both on to (a few
        calls deep): (rows parameter, position, callback parameter, position). What the
        caller's callback reads on its first parameter, each row of its rows reads."""
        return self._callbacks_of(qualname, via_class, frozenset())

    def _callbacks_of(self, qualname: str, via_class: bool, seen: FrozenSet[str]) -> List[Tuple[str, int, str, int]]:
        key = (qualname, via_class)
        if key in self._callbacks:
            return self._callbacks[key]
        found = self._function_facts(qualname, via_class)
        if found is None or qualname in seen or len(seen) >= _MAX_CALL_DEPTH:
            return []
        facts, owner, name = found
        uses: List[Tuple[str, int, str, int]] = []
        for function, rows, rows_position, callback, callback_position, callee, *passed in facts.callbacks:
            if function != name:
                continue
            use = (rows, rows_position, callback, callback_position)
            if not callee:
                uses.append(use)
                continue
            target = _forward_target(callee, owner)
            if target is None:
                continue
            rows_at, rows_keyword, callback_at, callback_keyword = passed
            inner = self._callbacks_of(*target, seen | {qualname})
            if any(_lines_up(p, i, rows_at, rows_keyword) and _lines_up(q, j, callback_at, callback_keyword) for p, i, q, j in inner):
                uses.append(use)
        uses = list(dict.fromkeys(uses))
        self._callbacks[key] = uses
        return uses

    def writes_per_call(self, qualname: str, via_class: bool = False) -> List[HelperWrite]:
        """What the project function or method ``qualname`` writes on every call, with
        each model resolved: a create through one of the model's managers or of a model
        instance, a new SQLAlchemy row added to a session and committed (a create too), a
        fetch through a manager (or ``get_object_or_404``) then a save or a delete. Writes whose class
        is no model of the project, or whose manager or session is not one, are left
        out."""
        found = self._function_facts(qualname, via_class)
        if found is None:
            return []
        facts, _, name = found
        writes = []
        for function, kind, parameter, position, reference, manager in facts.writes:
            if function != name:
                continue
            if kind == "adds":
                model = self.model(reference)
                if model is None or model.orm != "sqlalchemy" or not self._is_session(manager):
                    continue
                writes.append(HelperWrite("creates", parameter, position, model.qualname))
                continue
            model = self.model(reference) if reference else None
            if reference and (model is None or model.orm != "django" or model.abstract):
                continue
            if manager and manager not in model.managers:
                continue
            kept = kind == "creates_kept"
            writes.append(HelperWrite("creates" if kept else kind, parameter, position, model.qualname if model else "", kept))
        return writes

    def _is_session(self, qualname: str) -> bool:
        """Whether ``qualname`` is a session: Flask-SQLAlchemy's ``db.session``, or a
        module-level ``scoped_session`` (which proxies one)."""
        head, _, attribute = qualname.rpartition(".")
        if attribute == "session" and self.canonical(head) in self.flask_databases:
            return True
        return self.canonical(qualname) in self.session_factories

    def _function_facts(self, qualname: str, via_class: bool):
        """The facts that hold the function or method ``qualname``, the class it is
        looked up in (``None`` for a module function) and its name."""
        module, _, name = self.canonical(qualname).rpartition(".")
        facts = self.modules.get(module)
        if facts is not None:
            return facts, None, name
        owner = self._class(module)
        if owner is None:
            return None
        for _, class_facts in self.lineage(owner[0]):
            if name in class_facts.methods:
                if via_class and name not in class_facts.static_methods:
                    return None
                return class_facts, owner[0], name
        return None

    def rendering_places(self, qualname: str) -> Optional[Places]:
        """Where callers of the project function ``qualname`` pass the template name and
        the context it renders, if it is a wrapper around a rendering function."""
        module, _, name = self.canonical(qualname).rpartition(".")
        facts = self.modules.get(module)
        return dict(facts.renders).get(name) if facts is not None else None

    def returns(self, qualname: str) -> Optional[ReturnSummary]:
        """What the project function ``qualname`` returns (module functions)."""
        module, _, name = self.canonical(qualname).rpartition(".")
        facts = self.modules.get(module)
        return dict(facts.returns).get(name) if facts is not None else None

    def queryset_method_returns(self, model: str, method: str) -> Optional[ReturnSummary]:
        """What a custom method of the model's managers or querysets returns
        (``Order.objects.visible_to(user)``, ``project.components.prefetch()``), as its
        summary, with ``self`` the queryset it is called on."""
        for source in self._queryset_sources.get(model, ()):
            summary = self.method_returns(source, method)
            if summary is not None:
                return summary if summary.kind == "method" else None
        return None

    def method_returns(self, qualname: str, method: str) -> Optional[ReturnSummary]:
        """What ``method`` of the project class ``qualname`` returns, as the class or the
        nearest project base that defines it says."""
        for _, facts in self.lineage(qualname):
            if method in facts.methods:
                return dict(facts.returns).get(method)
        return None

    def _class(self, qualname: str) -> Optional[Tuple[str, ClassFacts]]:
        classes = self.classes
        qualname = self.canonical(qualname)
        found = classes.get(qualname)
        if found is not None:
            return qualname, found
        if self._classes_by_tail is None:
            self._classes_by_tail = {}
            for name in classes:
                self._classes_by_tail.setdefault(name.rpartition(".")[2], []).append(name)
        match = _suffix_match(qualname, self._classes_by_tail.get(qualname.rpartition(".")[2], []))
        return (match, classes[match]) if match else None

    def _managers(self, qualname: str, kind_of) -> FrozenSet[str]:
        """The manager attributes of a model, its own and those it inherits."""
        names = {"objects", "_default_manager", "_base_manager"}
        for _, class_facts in self.lineage(qualname):
            for attribute, callee in class_facts.calls:
                if callee.endswith(".as_manager") and kind_of(callee[: -len(".as_manager")]) == "queryset":
                    names.add(attribute)
                elif callee.endswith(".from_queryset") or kind_of(callee) == "manager":
                    names.add(attribute)
        return frozenset(names)

    def _custom_queryset_methods(self, qualname: str, kind_of) -> Dict[str, Tuple[str, ...]]:
        """Methods of the model's managers and their querysets that return a queryset of
        the model, expanded to standard queryset methods (custom ones calling each other
        are followed)."""
        sources: List[str] = []
        for _, class_facts in self.lineage(qualname):
            for attribute, callee in class_facts.calls:
                if callee.endswith(".as_manager"):
                    sources.append(callee[: -len(".as_manager")])
                elif kind_of(callee) == "manager":
                    sources.append(callee)
            sources.extend(queryset for _, queryset in class_facts.manager_querysets)
        if sources:
            self._queryset_sources[qualname] = tuple(dict.fromkeys(sources))
        chains: Dict[str, Tuple[str, ...]] = {}
        for source in sources:
            for _, facts in reversed(self.lineage(source)):
                chains.update(facts.returned_chains)
        def expand(method: str, depth: int = 0) -> Optional[Tuple[str, ...]]:
            steps: List[str] = []
            for step in chains.get(method, ()):
                name = step.split(":", 1)[0]
                if name in DJANGO_QUERYSET_METHODS:
                    steps.append(step)
                elif name in chains and depth < 4:
                    inner = expand(name, depth + 1)
                    if inner is None:
                        return None
                    steps.extend(inner)
                else:
                    return None
            return tuple(steps)

        expanded = {method: expand(method) for method in chains if method not in DJANGO_QUERYSET_METHODS}
        return {method: steps for method, steps in expanded.items() if steps is not None}

    def lineage(self, qualname: str) -> List[Tuple[str, ClassFacts]]:
        """The class and every base class the project defines, each once."""
        found: List[Tuple[str, ClassFacts]] = []
        pending, seen = [qualname], set()
        while pending:
            current = self._class(pending.pop())
            if current is None or current[0] in seen:
                continue
            seen.add(current[0])
            found.append(current)
            pending.extend(current[1].bases)
        return found

    def resolution_order(self, qualname: str) -> Optional[Tuple[str, ...]]:
        """The class's method resolution order (Python's C3), as qualified names: project
        classes as the index names them, and each class from outside the project as its
        bases name it, without what it derives from in turn (not known here). ``None``
        when the order cannot be built (Python would refuse the class too)."""
        if qualname not in self._orders:
            self._orders[qualname] = None  # a class deriving from itself has none
            found = self._class(qualname)
            if found is None:
                order: Optional[Tuple[str, ...]] = (qualname,)
            else:
                name, facts = found
                # ``class Mixin(object)``: every order ends in ``object``, which binds
                # nothing a rule asks about.
                bases = [base for base in facts.bases if base not in _OBJECT]
                lines = [self.resolution_order(base) for base in bases]
                merged = None
                if all(line is not None for line in lines):
                    # The bases as their own orders name them (re-exports resolved).
                    merged = _c3_merge([list(line) for line in lines] + [[line[0] for line in lines]])  # type: ignore[index]
                order = (name, *merged) if merged is not None else None
            self._orders[qualname] = order
        return self._orders[qualname]

    def derives_from(self, qualname: str, targets: FrozenSet[str]) -> bool:
        """Whether ``qualname`` is one of ``targets`` or a project class deriving from one."""
        if qualname in targets:
            return True
        return any(base in targets for _, facts in self.lineage(qualname) for base in facts.bases)

    def _has_query_property(self, qualname: str, kind_of) -> bool:
        """Flask-SQLAlchemy models and classes with ``query = Session.query_property()``."""
        for current, facts in self.lineage(qualname):
            if any(kind_of(base) == "flask-model" for base in facts.bases):
                return True
            if any(attribute == "query" and callee.endswith(".query_property") for attribute, callee in facts.calls):
                return True
        return False


_DJANGO_FIELD_MODULES = ("django.db.models.", "django.contrib.postgres.fields.", "django.contrib.contenttypes.fields.",
                         "django.contrib.gis.db.models.")


def _forward_target(callee: str, owner: Optional[str]) -> Optional[Tuple[str, bool]]:
    """The function a forward's ``callee`` names, and whether it is called through its
    class: ``self:<method>`` is a method of ``owner``, the class at hand (none for a
    module function)."""
    if not callee.startswith("self:"):
        return callee, True
    if owner is None:
        return None
    return f"{owner}.{callee[len('self:'):]}", False


def _lines_up(parameter: str, position: int, at: int, keyword: str) -> bool:
    """Whether an argument passed at ``at`` (or as ``keyword``) binds the callee's
    ``parameter`` at ``position``."""
    return parameter == keyword or (not keyword and at >= 0 and position == at)


def _declares_django_fields(facts: ClassFacts) -> bool:
    """Whether a class body declares Django model fields (``models.CharField()``,
    ``models.ForeignKey()``): forms and serializers have fields of their own modules."""
    for _, callee in facts.calls:
        kind = callee.rpartition(".")[2]
        if callee.startswith(_DJANGO_FIELD_MODULES) and (kind.endswith("Field") or kind in _FOREIGN_KEYS or kind in ("GenericRelation", "GenericForeignKey")):
            return True
    return False


def _shown_path(path: str, root: Optional[Path]) -> str:
    if root is None:
        return path
    try:
        return Path(path).resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path


_SQLALCHEMY_COLUMNS = frozenset({"sqlalchemy.Column", "sqlalchemy.schema.Column", "sqlalchemy.orm.mapped_column",
                                 "sqlalchemy.orm.relationship"})


def _declares_mapped_table(facts: ClassFacts) -> bool:
    """Whether a class body maps a table: ``__tablename__`` and SQLAlchemy columns."""
    return any(name == "__tablename__" for name, _ in facts.constants) and any(
        callee in _SQLALCHEMY_COLUMNS for _, callee in facts.calls
    )


_OBJECT = frozenset({"object", "builtins.object"})


def _c3_merge(lines: List[List[str]]) -> Optional[List[str]]:
    """Python's C3 merge: repeatedly take the first head that is in no other line's tail."""
    merged: List[str] = []
    lines = [line for line in lines if line]
    while lines:
        head = next((line[0] for line in lines if not any(line[0] in other[1:] for other in lines)), None)
        if head is None:
            return None
        merged.append(head)
        lines = [rest for rest in (line[1:] if line[0] == head else line for line in lines) if rest]
    return merged


def _suffix_match(qualname: str, candidates: List[str]) -> Optional[str]:
    """The one candidate that names the same class as ``qualname`` with a longer or shorter
    module path (``src.shop.models.Order`` and ``shop.models.Order``), if exactly one does."""
    matching = [c for c in candidates if c == qualname or c.endswith("." + qualname) or qualname.endswith("." + c)]
    return matching[0] if len(matching) == 1 else None


def find_project_root(path: Path, known: Optional[Dict[Path, Optional[Path]]] = None) -> Optional[Path]:
    """The nearest folder at or above ``path`` that holds a project marker.

    ``setup.py`` and ``manage.py`` mark a root only outside a package: a script of that
    name inside one (``app/cli/setup.py``) is part of the project, not its top. ``known``
    remembers each folder's answer, for a run that asks about thousands of files: the
    folders above them are looked at once."""
    path = path.resolve()
    folder = path if path.is_dir() else path.parent
    climbed: List[Path] = []
    found: Optional[Path] = None
    for directory in (folder, *folder.parents):
        if known is not None and directory in known:
            found = known[directory]
            break
        climbed.append(directory)
        if _marks_root(directory):
            found = directory
            break
    if known is not None:
        known.update((directory, found) for directory in climbed)
    return found


def _marks_root(directory: Path) -> bool:
    if any((directory / marker).exists() for marker in ROOT_MARKERS):
        return True
    return any((directory / script).exists() for script in ROOT_SCRIPTS) and not (directory / "__init__.py").exists()


_TEMPLATE_SUFFIXES = (".html", ".htm", ".txt", ".xml", ".jinja", ".jinja2", ".j2")


def iter_project_files(
    root: Path,
    templates: Optional[Dict[str, List[Path]]] = None,
    skipped: Optional[List[Tuple[Path, str]]] = None,
    max_file_size: int = DEFAULT_MAX_FILE_SIZE,
) -> Iterable[Path]:
    """The project's Python files; with ``templates``, its templates are collected there
    by name (their path below the nearest ``templates`` folder) in the same walk. Files
    that :func:`~ormlint.source.refusal` refuses (larger than ``max_file_size``, named
    pipes, devices) are left out, into ``skipped`` with the reason: reading one would hang,
    never end or fill the memory, and would stop a run over any file of the project.

    What ``.gitignore`` ignores is read all the same: a generated or vendored models
    module is not the team's code to fix, but its models are the ones the team's loops
    go over, and leaving them out would make every N+1 over them invisible."""
    for directory, subdirectories, files in os.walk(root):
        subdirectories[:] = sorted(d for d in subdirectories if d not in _SKIPPED_FOLDERS and not d.startswith("."))
        parts = Path(directory).relative_to(root).parts
        below = len(parts) - 1 - parts[::-1].index("templates") if "templates" in parts else None
        for name in sorted(files):
            if name.endswith(".py"):
                if _readable(Path(directory, name), max_file_size, skipped):
                    yield Path(directory, name)
            elif templates is not None and below is not None and name.endswith(_TEMPLATE_SUFFIXES):
                if not _readable(Path(directory, name), max_file_size, skipped):
                    continue
                key = "/".join(parts[below + 1 :] + (name,))
                templates.setdefault(key, []).append(Path(directory, name))


def project_stamp(root: Path, max_file_size: int, folders: Iterable[str] = ()) -> Tuple[str, List[str]]:
    """A digest of the size and modification time of every file the index may read below
    ``root`` (Python files and templates, as :func:`iter_project_files` walks them, and
    the template ``folders`` the settings named the last time), and of the limit on their
    size. While it is unchanged, so is the index: a warm run need not build it to know
    that its cached results still hold. Also the Python files below ``root``, as paths."""
    digest = hashlib.sha256(f"{max_file_size}\0".encode())
    python_files: List[str] = []
    walks = [root, *(Path(folder) for folder in sorted(set(folders)))]
    for top in walks:
        for directory, subdirectories, files in os.walk(top):
            subdirectories[:] = sorted(d for d in subdirectories if d not in _SKIPPED_FOLDERS and not d.startswith("."))
            for name in sorted(files):
                if not name.endswith((".py", *_TEMPLATE_SUFFIXES)):
                    continue
                path = os.path.join(directory, name)
                if top is root and name.endswith(".py"):
                    python_files.append(path)
                try:
                    stat = os.stat(path)
                except OSError:
                    continue
                digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\0{stat.st_mode}\n".encode())
        digest.update(b"\1")
    return digest.hexdigest(), python_files


def add_template_folder(
    root: Path,
    folder: Path,
    templates: Dict[str, List[Path]],
    skipped: Optional[List[Tuple[Path, str]]] = None,
    max_file_size: int = DEFAULT_MAX_FILE_SIZE,
) -> None:
    """Collect the templates of a folder the settings name (``TEMPLATES[i]["DIRS"]``),
    by their path below it, into ``templates``. A folder outside the project is not read;
    a file the walk already found under that name is not counted twice."""
    root, folder = root.resolve(), folder.resolve()
    if root not in (folder, *folder.parents) or not folder.is_dir():
        return
    for directory, subdirectories, files in os.walk(folder):
        subdirectories[:] = sorted(d for d in subdirectories if d not in _SKIPPED_FOLDERS and not d.startswith("."))
        parts = Path(directory).relative_to(folder).parts
        for name in sorted(files):
            path = Path(directory, name)
            if not name.endswith(_TEMPLATE_SUFFIXES):
                continue
            found = templates.setdefault("/".join(parts + (name,)), [])
            if path.resolve() not in {known.resolve() for known in found} and _readable(path, max_file_size, skipped):
                found.append(path)


def _readable(path: Path, max_file_size: int, skipped: Optional[List[Tuple[Path, str]]]) -> bool:
    """Whether the walk yields ``path``; if not, it is noted in ``skipped``. A file that
    cannot be examined is yielded: reading it fails quietly."""
    try:
        reason = refusal(path.stat(), max_file_size)
    except OSError:
        return True
    if reason is not None and skipped is not None:
        skipped.append((path, reason))
    return reason is None


def module_name(path: Path, root: Optional[Path] = None) -> Tuple[str, bool]:
    """The dotted module name of a file and whether it is a package's ``__init__``.

    The name starts at the first folder above the file without ``__init__.py``, which is
    where Python would find it on ``sys.path``.
    """
    path = path.absolute()
    is_package = path.name == "__init__.py"
    parts: List[str] = [] if is_package else [path.stem]
    folder = path.parent
    while (folder / "__init__.py").exists() and folder.parent != folder:
        parts.insert(0, folder.name)
        if root is not None and folder == root:
            break
        folder = folder.parent
    return ".".join(parts), is_package


def _cached_facts(path: Path, root: Path, cache, seen: Set[str]):
    """``(found in the cache, its facts, the cache entry to fill if not)``."""
    if cache is None:
        return False, None, None
    try:
        stat = path.stat()
    except OSError:
        return True, None, None
    key = os.path.relpath(path, root)
    seen.add(key)
    module, _ = module_name(path, root)
    hit, facts = cache.get(key, stat, module)
    return hit, facts, (key, stat, module)


def facts_for_file(path: Path, root: Optional[Path]) -> Optional[ModuleFacts]:
    try:
        raw = path.read_bytes()
    except OSError:
        return None
    if not _INTERESTING.search(raw) and not (path.name == "__init__.py" and b"import" in raw):
        return None
    module, is_package = module_name(path, root)
    return facts_for_source(raw, module, is_package, str(path))


class StatementMemo:
    """What the facts of a few modules' top-level statements were, for a host that reads
    the same modules again and again as they are edited (the language server).

    Facts hold no positions, only what the code says: a class or function statement
    written in the same lines as before, read with the same module names, gives the
    same facts, however far it moved. So an edit costs the facts of the statements it
    changed."""

    #: Modules kept, the most recently read ones (as many as ``reparse`` keeps).
    MAX_MODULES = 4

    def __init__(self) -> None:
        self._modules: "OrderedDict[str, Dict[tuple, object]]" = OrderedDict()

    def reading(self, path: str) -> Tuple[Dict[tuple, object], Dict[tuple, object]]:
        """What the last reading of ``path`` remembered, and where this reading puts
        what it finds (only the statements of the newest text are kept)."""
        before = self._modules.pop(path, {})
        now: Dict[tuple, object] = {}
        self._modules[path] = now
        while len(self._modules) > self.MAX_MODULES:
            self._modules.popitem(last=False)
        return before, now

    def forget(self, path: str) -> None:
        self._modules.pop(path, None)


_MISSING = object()


def _remembered(memo: Optional[Tuple[Dict[tuple, object], Dict[tuple, object]]], key: Callable[[], tuple], read: Callable[[], object]):
    """``read()``, or what it gave for the same ``key()`` in the last reading."""
    if memo is None:
        return read()
    before, now = memo
    found_key = key()
    found = before.get(found_key, _MISSING)
    if found is _MISSING:
        found = read()
    now[found_key] = found
    return found


def facts_for_source(
    source, module: str, is_package: bool, path: str, memo: Optional[StatementMemo] = None
) -> Optional[ModuleFacts]:
    """Read the facts of one module from its source (``str`` or ``bytes``). A module that
    does not parse whole gives the facts of the statements that do (see ``recovery``), and
    one too large for Python's parser none (``budget.too_many_tokens``). With a ``memo``,
    the statements read as before are not read again."""
    if len(source) > MAX_TOKENS:
        too_large = too_many_tokens(_text(source))
        if too_large is not None:
            return ModuleFacts(module, path, partial=too_large)
    tree, partial = parse_recovering(source)
    if tree is None:
        return None
    statements = memo.reading(path) if memo is not None else None
    lines: List[str] = []

    def shape(statement: ast.stmt) -> str:
        """The lines the statement stands on (its decorators too): the same lines parse
        to the same statement. Cheaper than ``ast.dump``, and as good where it counts:
        only the statements an edit touched differ."""
        if not lines:
            lines.extend(_text(source).splitlines(keepends=True))
        first = min([statement.lineno, *(d.lineno for d in getattr(statement, "decorator_list", ()))])
        return "".join(lines[first - 1 : statement.end_lineno])
    names: Dict[str, str] = {}
    classes: List[ClassFacts] = []
    calls: List[Tuple[str, str]] = []
    aliases: Dict[str, str] = {}
    stars: List[str] = []
    exports: Optional[Tuple[str, ...]] = None
    tables: List[Tuple[str, Tuple[str, ...], Tuple[Tuple[str, str, str], ...]]] = []
    mappings: List[ImperativeMapping] = []
    parameter_reads: List[Tuple[str, str, int, Tuple[str, ...]]] = []
    functions: List[FunctionBody] = []
    methods: List[List[FunctionBody]] = []
    class_nodes: List[ast.ClassDef] = []
    #: The module's names as each class statement was read (with a memo).
    class_names: List[FrozenSet[Tuple[str, str]]] = []
    auth_user_model = None
    for statement in _module_statements(tree.body):
        if isinstance(statement, ast.Import):
            names.update(import_bindings((a.name, a.asname) for a in statement.names))
        elif isinstance(statement, ast.ImportFrom):
            base = resolve_relative(statement.module, statement.level, module, is_package)
            imported = from_import_bindings(base, ((a.name, a.asname) for a in statement.names))
            names.update(imported)
            aliases.update(imported)
            if base and any(a.name == "*" for a in statement.names):
                # Names bound nowhere in this module may come from the starred one:
                # they are this module's, and the index follows them (``canonical``).
                stars.append(base)
                names[_STAR] = module
        elif isinstance(statement, ast.ClassDef):
            names[statement.name] = f"{module}.{statement.name}"
            seen = frozenset(names.items()) if statements is not None else frozenset()
            class_facts, bodies = _remembered(
                statements, lambda: ("class", module, shape(statement), seen), lambda: _class_facts(statement, names)
            )
            classes.append(class_facts)
            methods.append(bodies)
            class_nodes.append(statement)
            class_names.append(seen)
        elif isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
            body, reads = _remembered(statements, lambda: ("function", shape(statement)), lambda: _function_facts(statement))
            parameter_reads.extend((statement.name, *read) for read in reads)
            functions.append(body)
        elif isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call):
            mapping = _imperative_mapping(statement.value, names)
            if mapping is not None:
                mappings.append(mapping)
        elif isinstance(statement, (ast.Assign, ast.AnnAssign)) and statement.value is not None:
            targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
            if len(targets) != 1 or not isinstance(targets[0], ast.Name):
                continue
            target = targets[0].id
            callee = _callee(statement.value, names)
            if callee:
                calls.append((target, callee))
            if callee in _TABLES and isinstance(statement.value, ast.Call):
                tables.append((target, *_table_columns(statement.value, names)))
            if target == "AUTH_USER_MODEL":
                auth_user_model = _constant(statement.value)
            elif target == "__all__":
                exports = _string_list(statement.value)
            # ``Base = declarative_base()`` names ``module.Base``; ``Model = db.Model``,
            # ``User = get_user_model()`` and ``Team = apps.get_model("teams", "Team")``
            # are other names of what they refer to, here and where they are imported.
            referred = _dotted(statement.value, names) or _model_reference(statement.value, callee)
            names[target] = referred or f"{module}.{target}"
            if referred:
                aliases[target] = referred
    # Summaries are read once every module-level name is known: a function may use a
    # class or call a function the module defines below it.
    names.update((f.function.name, f"{module}.{f.function.name}") for f in functions if f.function.name not in names)
    known = frozenset(names.items()) if statements is not None else frozenset()
    classes = [
        _remembered(
            statements,
            lambda: ("class summaries", module, shape(node), seen, known),
            lambda: replace(
                facts, attributes=_attribute_summaries(node, names, module), **_function_summaries(bodies, names, module, method=True)
            ),
        )
        for facts, bodies, node, seen in zip(classes, methods, class_nodes, class_names)
    ]
    summaries = _joined(
        _remembered(
            statements,
            lambda: ("function summaries", module, shape(body.function), known),
            lambda: _function_summaries([body], names, module, method=False),
        )
        for body in functions
    )
    mentions_signals = "pre_save" in source or "post_save" in source if isinstance(source, str) else (
        b"pre_save" in source or b"post_save" in source
    )
    mentions_templates = ("TEMPLATE" if isinstance(source, str) else b"TEMPLATE") in source
    return ModuleFacts(
        module=module,
        path=path,
        classes=tuple(classes),
        calls=tuple(calls),
        aliases=tuple(sorted(aliases.items())),
        auth_user_model=auth_user_model if isinstance(auth_user_model, str) else None,
        save_receivers=_save_receivers(tree, module, is_package) if mentions_signals else (),
        parameter_reads=tuple(parameter_reads),
        stars=tuple(stars),
        exports=exports,
        partial=partial,
        mappings=tuple(mappings),
        tables=tuple(tables),
        template_dirs=template_folders(tree, path) if mentions_templates else (),
        renders=_renders(functions, names),
        **summaries,
    )


def _text(source) -> str:
    """The text of a module's source (``str`` or ``bytes``), for what counts its tokens
    and lines."""
    return source if isinstance(source, str) else source.decode("utf-8", "replace")


def _function_facts(statement: ast.FunctionDef) -> Tuple[FunctionBody, Tuple[Tuple[str, int, Tuple[str, ...]], ...]]:
    """A module function's walked body and what it reads on each item of a parameter it
    loops over: what needs none of the module's names."""
    body = FunctionBody(statement)
    return body, _parameter_loop_reads(statement, body, method=False)


def _joined(summaries: Iterable[Dict[str, tuple]]) -> Dict[str, tuple]:
    """The summaries of several functions as ``_function_summaries`` of them all gives
    them: each kind in the functions' order."""
    joined: Dict[str, tuple] = {kind: () for kind in _SUMMARY_KINDS}
    for found in summaries:
        for kind, values in found.items():
            joined[kind] += values
    return joined


def _renders(bodies: List[FunctionBody], names: Dict[str, str]) -> Tuple[Tuple[str, "Places"], ...]:
    """The module functions that render a template their callers name (``renderers``)."""
    if not any(qualname in RENDERERS for qualname in names.values()):
        return ()
    found = ((body.function.name, rendering_places(body, names)) for body in bodies)
    return tuple((name, places) for name, places in found if places is not None)


#: Where the calls that declare a model's fields and columns come from.
_DECLARATIONS = ("django.db.models.", "sqlalchemy.", "flask_sqlalchemy.")


def _attribute_summaries(node: ast.ClassDef, names: Dict[str, str], module: str) -> Tuple[Tuple[str, ReturnSummary], ...]:
    """The class's ``name = value`` statements, the last of each name (as Python keeps it)."""
    found: Dict[str, ReturnSummary] = {}
    for statement in node.body:
        if isinstance(statement, ast.Assign):
            targets, value = statement.targets, statement.value
        elif isinstance(statement, ast.AnnAssign) and statement.value is not None:
            targets, value = [statement.target], statement.value
        else:
            continue
        if isinstance(value, ast.Call) and (_callee(value, names) or "").startswith(_DECLARATIONS):
            # A model field or a mapped column: read as a field, never as a value.
            for target in targets:
                if isinstance(target, ast.Name):
                    found.pop(target.id, None)
            continue
        for target in targets:
            if isinstance(target, ast.Name):
                summary = attribute_summary(value, names, module)
                if summary is None:
                    found.pop(target.id, None)
                else:
                    found[target.id] = summary
    return tuple(found.items())


def _extends(body: FunctionBody) -> bool:
    """Whether the method calls ``super().<its own name>(...)`` and sets no attribute of
    ``self``: what the next class's method does is not changed, only surrounded."""
    function = body.function
    name = function.name
    arguments = function.args.posonlyargs + function.args.args
    receiver = arguments[0].arg if arguments else None
    extended = False
    for node in body.nodes:
        if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name) and t.value.id == receiver for t in targets):
                return False
        elif calls_super(node, name):
            extended = True
    return extended


def _delegates(function: ast.FunctionDef) -> bool:
    """Whether the method's body (after a docstring) is ``return super().<same>(...)``
    passing on its own parameters as it got them."""
    body = function.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str):
        body = body[1:]
    if len(body) != 1 or not isinstance(body[0], ast.Return) or not isinstance(body[0].value, ast.Call):
        return False
    call = body[0].value
    if not calls_super(call, function.name) or call.func.value.args:  # type: ignore[attr-defined]
        return False
    arguments = function.args
    own = [a.arg for a in arguments.posonlyargs + arguments.args][1:]
    passed = [a.value.id if isinstance(a, ast.Starred) and isinstance(a.value, ast.Name) else getattr(a, "id", None) for a in call.args]
    expected = own + ([arguments.vararg.arg] if arguments.vararg else [])
    keywords = {k.arg: getattr(k.value, "id", None) for k in call.keywords}
    expected_keywords = {a.arg: a.arg for a in arguments.kwonlyargs}
    if arguments.kwarg:
        expected_keywords[None] = arguments.kwarg.arg
    return passed == expected and keywords == expected_keywords


def _function_summaries(bodies: List[FunctionBody], names: Dict[str, str], module: str, method: bool) -> Dict[str, tuple]:
    """What the functions (or methods) return, read on their parameters and pass on
    (see ``summaries``)."""
    returns: List[Tuple[str, ReturnSummary]] = []
    chains: List[ParameterChain] = []
    forwards: List[Forward] = []
    guarded: List[GuardedChain] = []
    callbacks: List[Callback] = []
    writes: List[WriteFact] = []
    for body in bodies:
        function = body.function
        try:
            summary = return_summary(body, names, module, method)
            read, passed, only_if, called = parameter_uses(body, names, method)
            written = write_facts(body, names, module, method)
        except RecursionError:  # nested too deeply to follow
            continue
        if summary is not None:
            returns.append((function.name, summary))
        chains.extend(read)
        guarded.extend(only_if)
        forwards.extend(passed)
        callbacks.extend(called)
        writes.extend(written)
    return {  # _SUMMARY_KINDS
        "returns": tuple(returns),
        "parameter_chains": tuple(chains),
        "forwards": tuple(forwards),
        "guarded_chains": tuple(guarded),
        "callbacks": tuple(callbacks),
        "writes": tuple(writes),
    }


#: What ``_function_summaries`` gives, in its order.
_SUMMARY_KINDS = ("returns", "parameter_chains", "forwards", "guarded_chains", "callbacks", "writes")

#: The key of a module's name table that holds the module itself when it star-imports.
_STAR = "*"
#: What ``get_user_model()`` and ``settings.AUTH_USER_MODEL`` stand for.
USER_MODEL_REFERENCE = "django.conf.settings.AUTH_USER_MODEL"
_BUILTINS = frozenset(dir(builtins))


def _model_reference(node: ast.expr, callee: Optional[str]) -> Optional[str]:
    """What a call that returns a model class names: the user model, or a quoted
    ``'app_label.Model`` for ``apps.get_model()`` with literal arguments."""
    if callee in GET_USER_MODEL:
        return USER_MODEL_REFERENCE
    if callee in GET_MODEL and isinstance(node, ast.Call) and not node.keywords:
        label = model_label([_constant(argument) for argument in node.args])
        return "'" + label if label else None
    return None


def _string_list(node: ast.expr) -> Optional[Tuple[str, ...]]:
    if isinstance(node, (ast.List, ast.Tuple)) and all(
        isinstance(e, ast.Constant) and isinstance(e.value, str) for e in node.elts
    ):
        return tuple(e.value for e in node.elts)
    return None


_SAVE_SIGNALS = ("pre_save", "post_save")
#: Fields whose ``pre_save()`` writes a newly assigned file to storage, which
#: ``bulk_update()`` does not call.
_FILE_FIELDS = frozenset({"FileField", "ImageField"})
#: The sender of a save receiver connected without one: it runs for every model.
_EVERY_SENDER = "**"
#: The sender of a save receiver that names no model ormlint can resolve.
_UNRESOLVED_SENDER = "*"


def _save_receivers(tree: ast.Module, module: str, is_package: bool) -> Tuple[str, ...]:
    """The senders of every ``pre_save`` / ``post_save`` receiver in the module:
    ``@receiver(post_save, sender=Order)`` and ``post_save.connect(handler, sender=Order)``,
    wherever they are (``AppConfig.ready()`` often imports the model locally, or binds
    ``User = get_user_model()`` there, so imports and such bindings anywhere in the
    module name the sender)."""
    names: Dict[str, str] = {
        node.name: f"{module}.{node.name}" for node in tree.body if isinstance(node, ast.ClassDef)
    }
    for node in walk(tree):
        if isinstance(node, ast.Import):
            names.update(import_bindings((a.name, a.asname) for a in node.names))
        elif isinstance(node, ast.ImportFrom):
            base = resolve_relative(node.module, node.level, module, is_package)
            names.update(from_import_bindings(base, ((a.name, a.asname) for a in node.names)))
        elif isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            reference = _model_reference(node.value, _callee(node.value, names))
            if reference is not None:
                names[node.targets[0].id] = reference
    senders: List[str] = []
    for node in walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr == "connect" and _is_save_signal(func.value):
            sender = _keyword(node, "sender")
            if sender is None and len(node.args) > 1:
                sender = node.args[1]
            senders.append(_sender(sender, names))
        elif (_dotted(func, names) or "").rpartition(".")[2] == "receiver" and node.args:
            signals = node.args[0].elts if isinstance(node.args[0], (ast.List, ast.Tuple)) else [node.args[0]]
            if any(_is_save_signal(signal) for signal in signals):
                senders.append(_sender(_keyword(node, "sender"), names))
    return tuple(sorted(set(senders)))


def _is_save_signal(node: ast.expr) -> bool:
    name = node.attr if isinstance(node, ast.Attribute) else node.id if isinstance(node, ast.Name) else None
    return name in _SAVE_SIGNALS


def _keyword(call: ast.Call, name: str) -> Optional[ast.expr]:
    return next((k.value for k in call.keywords if k.arg == name), None)


def _sender(node: Optional[ast.expr], names: Dict[str, str]) -> str:
    if node is None:
        return _EVERY_SENDER
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return "'" + node.value
    head = node
    while isinstance(head, ast.Attribute):
        head = head.value
    if isinstance(head, ast.Name) and head.id in names:
        return _dotted(node, names) or _UNRESOLVED_SENDER
    return _UNRESOLVED_SENDER


def _module_statements(body: List[ast.stmt]) -> Iterable[ast.stmt]:
    """Top-level statements, including those under ``if`` / ``try`` (``TYPE_CHECKING``...)."""
    for statement in body:
        if isinstance(statement, ast.If):
            yield from _module_statements(statement.body)
            yield from _module_statements(statement.orelse)
        elif isinstance(statement, ast.Try):
            yield from _module_statements(statement.body)
            for handler in statement.handlers:
                yield from _module_statements(handler.body)
        else:
            yield statement


def _class_facts(node: ast.ClassDef, names: Dict[str, str]) -> Tuple[ClassFacts, List[FunctionBody]]:
    """The facts of a class statement, and its methods' bodies, whose summaries are read
    once the module's every name is known."""
    bodies: List[FunctionBody] = []
    bases = tuple(b for b in (_dotted(base, names) for base in node.bases) if b)
    calls: List[Tuple[str, str]] = []
    fields: List[FieldFacts] = []
    constants: List[Tuple[str, str]] = []
    methods: List[str] = []
    method_reads: List[Tuple[str, Tuple[str, ...]]] = []
    method_guarded_reads: List[Tuple[str, Tuple[str, ...], str]] = []
    returned_chains: List[Tuple[str, Tuple[str, ...]]] = []
    manager_querysets: List[Tuple[str, str]] = []
    call_options: List[Tuple[str, str, str]] = []
    meta: List[Tuple[str, str]] = []
    argument_reads: List[Tuple[str, Tuple[str, ...]]] = []
    serialized_chains: List[Tuple[str, str, Tuple[str, ...], bool]] = []
    parameter_reads: List[Tuple[str, str, int, Tuple[str, ...]]] = []
    static_methods: List[str] = []
    extends: List[str] = []
    abstract = False
    for statement in node.body:
        if isinstance(statement, (ast.Assign, ast.AnnAssign)):
            targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
            value = statement.value
            annotation = statement.annotation if isinstance(statement, ast.AnnAssign) else None
            for target in targets:
                if not isinstance(target, ast.Name) or value is None:
                    continue
                if target.id == "__abstract__" and isinstance(value, ast.Constant) and value.value is True:
                    abstract = True
                if isinstance(value, ast.Constant) and isinstance(value.value, str):
                    constants.append((target.id, value.value))
                callee = _callee(value, names)
                if callee:
                    calls.append((target.id, callee))
                    if callee.endswith(".from_queryset") and isinstance(value, ast.Call):
                        inner = value.func if isinstance(value.func, ast.Call) else value
                        queryset = _dotted(inner.args[0], names) if inner.args else None
                        if queryset:
                            manager_querysets.append((target.id, queryset))
                    if isinstance(value, ast.Call) and _may_declare_relation(callee):
                        fields.append(_field_facts(target.id, callee, value, annotation, names))
                    proxied = _proxied(value, callee)
                    if proxied is not None:
                        # ``keywords = association_proxy("user_keywords", "keyword")``:
                        # reading it reads that relationship and the attribute of each item.
                        methods.append(target.id)
                        method_reads.append((target.id, proxied))
                    if isinstance(value, ast.Call):
                        call_options.extend(
                            (target.id, k.arg, str(k.value.value))
                            for k in value.keywords
                            if k.arg in _CALL_OPTIONS and isinstance(k.value, ast.Constant)
                        )
                        call_options.extend(
                            (target.id, k.arg, child)
                            for k in value.keywords
                            if k.arg in _CHILD_OPTIONS and (child := _callee(k.value, names)) is not None
                        )
        elif isinstance(statement, ast.FunctionDef) and _declared_attribute(statement) is not None:
            # ``@declared_attr def owner(cls): return relationship("Member")``: a mixin's
            # column or relationship, declared on every class that uses the mixin.
            value = _declared_attribute(statement)
            callee = _callee(value, names)
            if callee:
                calls.append((statement.name, callee))
                if _may_declare_relation(callee):
                    fields.append(_field_facts(statement.name, callee, value, statement.returns, names))
        elif isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
            body = FunctionBody(statement)
            bodies.append(body)
            methods.append(statement.name)
            if isinstance(statement, ast.FunctionDef) and _extends(body):
                extends.append(statement.name)
            always, guarded = _self_reads(statement, body)
            method_reads.extend((statement.name, chain) for chain in always)
            method_guarded_reads.extend((statement.name, chain, guard) for chain, guard in guarded)
            parameter_reads.extend((statement.name, *read) for read in _parameter_loop_reads(statement, body, method=True))
            if {decorator_name(d) for d in statement.decorator_list} & {"staticmethod", "classmethod"}:
                static_methods.append(statement.name)
            elif len(statement.args.posonlyargs + statement.args.args) >= 2:
                argument = (statement.args.posonlyargs + statement.args.args)[1].arg
                argument_reads.extend((statement.name, chain) for chain in chains_by_root(body.nodes, {argument}).get(argument, ()))
                serialized_chains.extend((statement.name, *found) for found in _serialized_chains(body, argument, names))
            returned = _returned_chain(body)
            if returned is not None:
                returned_chains.append((statement.name, returned))
        elif isinstance(statement, ast.ClassDef) and statement.name == "Meta":
            meta.extend(_meta_options(statement, names))
            for meta_statement in statement.body:
                if (
                    isinstance(meta_statement, ast.Assign)
                    and any(isinstance(t, ast.Name) and t.id == "abstract" for t in meta_statement.targets)
                    and isinstance(meta_statement.value, ast.Constant)
                    and meta_statement.value.value is True
                ):
                    abstract = True
    facts = ClassFacts(
        name=node.name,
        bases=bases,
        calls=tuple(calls),
        abstract=abstract,
        fields=tuple(fields),
        constants=tuple(constants),
        methods=tuple(methods),
        method_reads=tuple(method_reads),
        method_guarded_reads=tuple(method_guarded_reads),
        returned_chains=tuple(returned_chains),
        manager_querysets=tuple(manager_querysets),
        call_options=tuple(call_options),
        meta=tuple(meta),
        argument_reads=tuple(argument_reads),
        serialized_chains=tuple(serialized_chains),
        parameter_reads=tuple(parameter_reads),
        static_methods=tuple(static_methods),
        self_call_chains=_self_call_chains(node, bodies),
        delegates=tuple(
            s.name for s in node.body if isinstance(s, ast.FunctionDef) and not s.decorator_list and _delegates(s)
        ),
        extends=tuple(extends),
    )
    return facts, bodies


_CALL_OPTIONS = frozenset({"auto_now", "primary_key", "unique", "many", "source", "slug_field", "method_name"})
_CHILD_OPTIONS = frozenset({"child", "child_relation"})


def _serialized_chains(body: FunctionBody, argument: str, names: Dict[str, str]) -> Iterable[Tuple[str, Tuple[str, ...], bool]]:
    """``LineSerializer(obj.lines.all(), many=True).data`` in a method given ``obj``: the
    serializer, the chain of ``obj`` it serializes (``("lines", "all")``), and whether
    it serializes many. Only reading ``.data`` of the call serializes; a serializer given
    ``data=`` validates input, and one whose ``many`` is not a constant may do either."""
    for node in body.nodes:
        if not (isinstance(node, ast.Attribute) and node.attr == "data" and isinstance(node.value, ast.Call)):
            continue
        call = node.value
        keywords = {k.arg: k.value for k in call.keywords}
        serializer = _callee(call, names)
        rows = call.args[0] if call.args else keywords.get("instance")
        many = keywords.get("many")
        if serializer is None or rows is None or "data" in keywords or None in keywords:
            continue
        if many is not None and not (isinstance(many, ast.Constant) and isinstance(many.value, bool)):
            continue
        called = isinstance(rows, ast.Call) and not rows.args and not rows.keywords
        path = attribute_path(rows.func if called else rows)
        if path is not None and path[0] == argument and len(path) > 1:
            yield serializer, path[1:], many is not None and many.value


def _meta_options(meta: ast.ClassDef, names: Dict[str, str]) -> List[Tuple[str, str]]:
    options: List[Tuple[str, str]] = []
    for statement in meta.body:
        if not (isinstance(statement, ast.Assign) and len(statement.targets) == 1 and isinstance(statement.targets[0], ast.Name)):
            continue
        name, value = statement.targets[0].id, statement.value
        if name == "model":
            dotted = _dotted(value, names)
            if dotted:
                options.append(("model", dotted))
        elif name in ("fields", "exclude"):
            listed = _string_list(value)
            if isinstance(value, ast.Constant) and value.value == "__all__":
                options.append((name, "__all__"))
            elif listed is not None:
                options.append((name, ",".join(listed)))
        elif name == "depth" and isinstance(value, ast.Constant) and isinstance(value.value, int):
            options.append(("depth", str(value.value)))
    return options
_FOREIGN_KEYS = frozenset({"ForeignKey", "OneToOneField", "ParentalKey", "TreeForeignKey"})
_NOT_COLUMNS = frozenset({"ManyToManyField", "ParentalManyToManyField", "GeneratedField", "AutoField", "BigAutoField", "SmallAutoField"})
_MAX_METHOD_READS = 24
#: How many calls deep the rows passed to a function are followed.
_MAX_CALL_DEPTH = 4


def _self_reads(function: ast.FunctionDef, body: FunctionBody) -> Tuple[List[Tuple[str, ...]], List[Tuple[Tuple[str, ...], str]]]:
    """The distinct maximal ``self.a.b`` chains a method reads (not those it assigns),
    and apart from them, with their guards, those it reads only on a branch that one of
    its parameters decides (``if not fast: self.template.check()``)."""
    arguments = function.args.posonlyargs + function.args.args
    if not arguments or any(decorator_name(d) in ("staticmethod", "classmethod") for d in function.decorator_list):
        return [], []
    receiver, positions = body.call_parameters(method=True)
    skipped = when_new_only(function, receiver, body.nodes)
    nodes = [node for node in body.nodes if id(node) not in skipped] if skipped else body.nodes
    unguarded, by_guard = split_by_guard(nodes, parameter_guards(body, positions))

    def chains(selected: List[ast.AST]) -> List[Tuple[str, ...]]:
        return chains_by_root(selected, {receiver}).get(receiver, []) + iterated_chains(selected, receiver, function.name)

    always = chains(unguarded)
    guarded = [(chain, guard) for guard, inside in by_guard.items() for chain in chains(inside) if chain not in always]
    return always, guarded


def _parameter_loop_reads(function: ast.FunctionDef, body: FunctionBody, method: bool) -> Tuple[Tuple[str, int, Tuple[str, ...]], ...]:
    """For each parameter the function loops over as it is (``for row in rows:`` or a
    comprehension over ``rows``), the chains read on each item: what a caller passing a
    queryset there makes every row read. A parameter the function rebinds is left out,
    since the function may load its relations itself (``rows = rows.select_related()``).

    Positions count the arguments a caller passes: ``self`` / ``cls`` of a method are not
    counted; ``-1`` is keyword-only."""
    _, positions = body.call_parameters(method)
    loops: List[Tuple[str, str, List[ast.AST]]] = []
    for node in body.nodes:
        if isinstance(node, (ast.For, ast.AsyncFor)) and isinstance(node.iter, ast.Name) and isinstance(node.target, ast.Name):
            loops.append((node.iter.id, node.target.id, list(node.body)))
        elif isinstance(node, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
            first = node.generators[0]
            if isinstance(first.iter, ast.Name) and isinstance(first.target, ast.Name):
                parts = [node.key, node.value] if isinstance(node, ast.DictComp) else [node.elt]
                loops.append((first.iter.id, first.target.id, parts + list(first.ifs) + node.generators[1:]))
    found: List[Tuple[str, int, Tuple[str, ...]]] = []
    for parameter, variable, each in loops:
        if parameter in positions and parameter not in body.assigned:
            found.extend((parameter, positions[parameter], chain) for chain in _item_chains(each, variable))
    return tuple(dict.fromkeys(found))[:_MAX_METHOD_READS]


def _item_chains(body: List[ast.AST], variable: str, depth: int = 0) -> List[Tuple[str, ...]]:
    """The chains read on each item ``variable``, including those read on the items of a
    nested loop over one of its relations: ``for line in order.lines.all(): line.product``
    gives ``("lines", "all", "product")``."""
    chains = list(chains_on(body, variable))
    if depth >= 2:
        return chains
    for root in body:
        for node in walk(root):
            if isinstance(node, (ast.For, ast.AsyncFor)):
                target, iterable, inner = node.target, node.iter, list(node.body)
            elif isinstance(node, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
                first = node.generators[0]
                target, iterable = first.target, first.iter
                inner = ([node.key, node.value] if isinstance(node, ast.DictComp) else [node.elt]) + list(first.ifs)
            else:
                continue
            prefix = attribute_path(iterable.func if isinstance(iterable, ast.Call) and not iterable.args else iterable)
            if not isinstance(target, ast.Name) or prefix is None or prefix[0] != variable or len(prefix) < 2:
                continue
            chains.extend(prefix[1:] + chain for chain in _item_chains(inner, target.id, depth + 1))
    return list(dict.fromkeys(chains))


def _returned_chain(body: FunctionBody) -> Optional[Tuple[str, ...]]:
    """The call chain on ``self`` that every ``return`` of the method gives, as
    ``("filter", "select_related:customer")``; ``None`` if returns differ or are not
    such chains. ``self.get_queryset()`` and ``super().get_queryset()`` start a chain."""
    returns = [n for n in body.nodes if isinstance(n, ast.Return)]
    if not returns or any(r.value is None for r in returns):
        return None
    chains = {_call_chain(r.value) for r in returns}
    if len(chains) != 1:
        return None
    return chains.pop()


def _call_chain(node: ast.expr) -> Optional[Tuple[str, ...]]:
    found = _steps(node)
    if found is None:
        return None
    root, steps = found
    if isinstance(root, ast.Name) and root.id == "self":
        return tuple(steps) if steps else None
    if isinstance(root, ast.Call) and isinstance(root.func, ast.Name) and root.func.id == "super":
        return tuple(steps) if steps and steps[0] == "get_queryset" else None
    return None


def _steps(node: ast.expr) -> Optional[Tuple[ast.expr, List[str]]]:
    """The expression a chain of method calls starts from, and the methods in order
    (``select_related`` / ``prefetch_related`` with their literal arguments)."""
    steps: List[str] = []
    while isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        method = node.func.attr
        if method in ("select_related", "prefetch_related"):
            values = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
            if len(values) != len(node.args) or node.keywords:
                return None  # loads something we cannot name
            method = f"{method}:{','.join(values)}" if values else method
        steps.insert(0, method)
        node = node.func.value
    return node, steps


_TABLES = frozenset({"sqlalchemy.Table", "sqlalchemy.schema.Table", "sqlalchemy.sql.schema.Table"})
_COLUMN_CALLEES = frozenset({"sqlalchemy.Column", "sqlalchemy.schema.Column", "sqlalchemy.sql.schema.Column"})
_IMPERATIVE = ("map_imperatively",)
_CLASSIC_MAPPERS = frozenset({"sqlalchemy.orm.mapper", "sqlalchemy.orm.mapper.mapper"})


def _table_columns(call: ast.Call, names: Dict[str, str]) -> Tuple[Tuple[str, ...], Tuple[Tuple[str, str, str], ...]]:
    """``Table("member", metadata, Column("group_id", ...), ...)``: its column names, and
    the ``(column, "primary_key" | "unique", "True")`` options of its keys, as a
    declarative class states them."""
    columns: List[str] = []
    keys: List[Tuple[str, str, str]] = []
    for argument in call.args:
        if not (isinstance(argument, ast.Call) and _dotted(argument.func, names) in _COLUMN_CALLEES and argument.args):
            continue
        name = _constant(argument.args[0])
        if not isinstance(name, str):
            continue
        columns.append(name)
        keys.extend((name, k.arg, "True") for k in argument.keywords if k.arg in ("primary_key", "unique") and _constant(k.value) is True)
    return tuple(columns), tuple(keys)


def _imperative_mapping(call: ast.Call, names: Dict[str, str]) -> Optional[ImperativeMapping]:
    """``registry.map_imperatively(Cls, table, properties={"rel": relationship(...)})``."""
    callee = _dotted(call.func, names) or ""
    if callee.rpartition(".")[2] in _IMPERATIVE:
        registry = callee.rpartition(".")[0]
    elif callee in _CLASSIC_MAPPERS:
        registry = callee
    else:
        return None
    if len(call.args) < 2:
        return None
    mapped = _dotted(call.args[0], names)
    if mapped is None:
        return None
    fields: List[FieldFacts] = []
    properties = _keyword(call, "properties")
    if isinstance(properties, ast.Dict):
        for key, value in zip(properties.keys, properties.values):
            name = _constant(key) if key is not None else None
            related = _callee(value, names)
            if isinstance(name, str) and related and isinstance(value, ast.Call) and _may_declare_relation(related):
                fields.append(_field_facts(name, related, value, None, names))
    return ImperativeMapping(mapped, registry, _dotted(call.args[1], names), tuple(fields))


def _proxied(value: ast.expr, callee: str) -> Optional[Tuple[str, str]]:
    """The relationship and attribute an ``association_proxy("rel", "attr")`` reads."""
    if not callee.endswith("association_proxy") or not isinstance(value, ast.Call) or len(value.args) != 2:
        return None
    relationship, attribute = (_constant(a) for a in value.args)
    if isinstance(relationship, str) and isinstance(attribute, str):
        return relationship, attribute
    return None


def _declared_attribute(function: ast.FunctionDef) -> Optional[ast.Call]:
    """The call a ``@declared_attr`` method returns, when its body is that one return."""
    if not any(decorator_name(d) in ("declared_attr", "directive", "cascading") for d in function.decorator_list):
        return None
    body = [s for s in function.body if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))]
    if len(body) == 1 and isinstance(body[0], ast.Return) and isinstance(body[0].value, ast.Call):
        return body[0].value
    return None


_RELATION_CALLEES = ("ForeignKey", "OneToOneField", "ManyToManyField", "GenericForeignKey", "GenericRelation",
                     "ParentalKey", "ParentalManyToManyField", "TreeForeignKey", "relationship", "relation")


def _may_declare_relation(callee: str) -> bool:
    return callee.rpartition(".")[2] in _RELATION_CALLEES


def _field_facts(name: str, callee: str, call: ast.Call, annotation: Optional[ast.expr], names: Dict[str, str]) -> FieldFacts:
    keywords = {k.arg: k.value for k in call.keywords if k.arg}
    target_node = call.args[0] if call.args else keywords.get("to") or keywords.get("argument")
    target = _relation_target(target_node, names) if target_node is not None else None
    collection = None
    if annotation is not None:
        found = _mapped_annotation(annotation, names)
        if found is not None:
            collection, annotated_target = found
            target = target or annotated_target
    backref = keywords.get("backref")
    backref_lazy = None
    if isinstance(backref, ast.Call) and backref.args:
        backref_lazy = _lazy(_constant(next((k.value for k in backref.keywords if k.arg == "lazy"), None)))
        backref = backref.args[0]
    return FieldFacts(
        name=name,
        callee=callee,
        target=target,
        related_name=_constant(keywords.get("related_name")) or _constant(keywords.get("back_populates")),
        null=_constant(keywords.get("null")) is True,
        lazy=_lazy(_constant(keywords.get("lazy"))),
        uselist=_constant(keywords.get("uselist")),
        backref=_constant(backref),
        backref_lazy=backref_lazy,
        collection=collection,
        secondary="secondary" in keywords,
    )


def _relation_target(node: ast.expr, names: Dict[str, str]) -> Optional[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return "'" + node.value
    if isinstance(node, ast.Lambda):
        return _relation_target(node.body, names)
    return _dotted(node, names)


def _mapped_annotation(node: ast.expr, names: Dict[str, str]) -> Optional[Tuple[bool, Optional[str]]]:
    """``Mapped[List["Book"]]`` -> (True, "'Book"); ``Mapped[Optional[Author]]`` -> (False, ...)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        try:
            node = ast.parse(node.value, mode="eval").body
        except SyntaxError:
            return None
    if not (isinstance(node, ast.Subscript) and (_dotted(node.value, names) or "").endswith("Mapped")):
        return None
    inner = node.slice
    collection = False
    while isinstance(inner, ast.Subscript):
        wrapper = (_dotted(inner.value, names) or "").rpartition(".")[2].lower()
        if wrapper in ("list", "set", "frozenset", "sequence", "collection", "iterable", "writeonlymapped", "dynamicmapped"):
            collection = True
        elif wrapper != "optional":
            return collection, None
        inner = inner.slice
    return collection, _relation_target(inner, names)


def _lazy(value) -> Optional[str]:
    """SQLAlchemy's ``lazy=``: ``False`` means ``"joined"`` and ``True`` ``"select"``."""
    if value is True:
        return "select"
    if value is False:
        return "joined"
    return value if isinstance(value, str) else None


def _constant(node: Optional[ast.expr]):
    return node.value if isinstance(node, ast.Constant) else None


def _dotted(node: ast.expr, names: Dict[str, str]) -> Optional[str]:
    """The qualified name of ``a.b.c`` through the module's imports, or ``None``."""
    parts: List[str] = []
    while isinstance(node, ast.Attribute):
        parts.insert(0, node.attr)
        node = node.value
    if isinstance(node, ast.Subscript):  # Generic[T], Base[Model]
        return _dotted(node.value, names) if not parts else None
    if not isinstance(node, ast.Name):
        return None
    head = names.get(node.id)
    if head is None:
        star = names.get(_STAR)
        head = f"{star}.{node.id}" if star and node.id not in _BUILTINS else node.id
    return ".".join([head, *parts])


def _callee(node: Optional[ast.expr], names: Dict[str, str]) -> Optional[str]:
    """The qualified callee of ``f(...)``, and of ``f(...)()`` (``from_queryset(X)()``)."""
    if not isinstance(node, ast.Call):
        return None
    func = node.func
    if isinstance(func, ast.Call):
        return _callee(func, names)
    return _dotted(func, names)


def _self_call_chains(node: ast.ClassDef, bodies: List[FunctionBody]) -> Tuple[Tuple[str, bool, str, Tuple[str, ...]], ...]:
    """For each method (or property) of a class, the chains of calls it makes on an
    attribute of ``self``: ``self.tickets.filter(...).count()`` is ``("tickets", ("filter",
    "count"))``. A chain passed on as a value (``filter(pk__in=self.tags.all())``) is
    recorded as it is, ``("tags", ("all",))``, a manager that does not run by itself."""
    found: List[Tuple[str, bool, str, Tuple[str, ...]]] = []
    walked = {id(body.function): body for body in bodies}
    for statement in node.body:
        if not isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        arguments = statement.args.posonlyargs + statement.args.args
        decorators = {decorator_name(d) for d in statement.decorator_list}
        if not arguments or decorators & {"staticmethod", "classmethod"}:
            continue
        is_property = bool(decorators & PROPERTY_DECORATORS)
        body = walked.get(id(statement))
        evaluated = body.always if body is not None else always_evaluated(statement.body)
        chains = _call_chains_on(evaluated, arguments[0].arg)
        found.extend((statement.name, is_property, attribute, calls) for attribute, calls in chains)
    return tuple(found)


def _call_chains_on(evaluated: Iterable[ast.AST], name: str) -> List[Tuple[str, Tuple[str, ...]]]:
    """The distinct chains of calls on an attribute of ``name`` among the nodes a
    method evaluates whenever it runs (``always_evaluated``), at most
    ``_MAX_METHOD_READS``: a call that only some runs make (``if self.locked:
    self.alerts.exists()``) is not the method's per-call cost."""
    found: List[Tuple[str, Tuple[str, ...]]] = []
    chained: Set[int] = set()
    for node in evaluated:
        if not isinstance(node, ast.Call) or id(node) in chained:
            continue
        calls: List[str] = []
        receiver: ast.expr = node
        while isinstance(receiver, ast.Call) and isinstance(receiver.func, ast.Attribute):
            chained.add(id(receiver))
            calls.insert(0, receiver.func.attr)
            receiver = receiver.func.value
        if isinstance(receiver, ast.Attribute) and isinstance(receiver.value, ast.Name) and receiver.value.id == name:
            chain = (receiver.attr, tuple(calls))
            if calls and chain not in found:
                found.append(chain)
                if len(found) >= _MAX_METHOD_READS:
                    break
    return found


