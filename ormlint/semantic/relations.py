"""Relations between models: what ``order.customer`` or ``author.books`` load, and how.

Django: ForeignKey / OneToOneField / ManyToManyField / GenericForeignKey fields, inherited
from abstract bases, with targets given as classes, ``'app_label.Model'`` strings,
``'self'`` or ``settings.AUTH_USER_MODEL``, and the reverse accessors Django derives
(``related_name``, ``<model>_set``, ``'+'``, the reverse one-to-one name). SQLAlchemy:
``relationship()`` with its target, whether it is a collection, its ``lazy`` strategy and
``backref``. Nothing is guessed: a target that does not resolve gives no relation.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Dict, List, Optional, Tuple

if TYPE_CHECKING:
    from ormlint.semantic.index import FieldFacts, ProjectIndex

_COLUMNS = {"Column", "mapped_column"}
_DJANGO_FORWARD = {"ForeignKey", "OneToOneField", "ParentalKey", "TreeForeignKey"}
_DJANGO_MANY = {"ManyToManyField", "ParentalManyToManyField", "GenericRelation"}
_SQLALCHEMY = {"relationship", "relation"}
#: Loading strategies that load a SQLAlchemy relationship with its parent row.
EAGER_STRATEGIES = frozenset({"selectin", "joined", "subquery", "immediate", "raise", "raise_on_sql", "noload"})


@dataclass(frozen=True)
class Relation:
    """One attribute of a model that loads other rows.

    ``kind`` is ``one`` (a single related row: ForeignKey, OneToOne either side, a
    SQLAlchemy many-to-one), ``many`` (a related manager or collection: reverse ForeignKey,
    ManyToMany, a SQLAlchemy collection), ``generic`` (GenericForeignKey) or, for a
    SQLAlchemy relationship whose direction the source does not say, ``unknown``.
    """

    name: str
    kind: str
    target: Optional[str]
    orm: str = "django"
    null: bool = False
    lazy: Optional[str] = None
    reverse: bool = False
    #: For a reverse relation, the forward field it mirrors (``customer`` for
    #: ``customer.orders``): rows fetched through it already know that relation.
    field: Optional[str] = None
    #: The target as the source declares it, when the index could not resolve it (a
    #: model of a third-party app): the first hop is certain, what lies beyond is not.
    declared: Optional[str] = None

    @property
    def eager_by_default(self) -> bool:
        return self.orm == "sqlalchemy" and (self.lazy or "select") in EAGER_STRATEGIES

    @property
    def queries_on_every_read(self) -> bool:
        """``lazy="dynamic"`` / ``"write_only"``: a new query object per read, which no
        loader option can load (a query per row, ORM004's kind, not ORM003's)."""
        return self.orm == "sqlalchemy" and self.lazy in ("dynamic", "write_only")


def resolve_relations(index: "ProjectIndex") -> None:
    labels = _labels(index)
    #: SQLAlchemy relationships of unknown direction and the side opposite them.
    sides: List[Tuple[str, str, str, str, bool]] = []
    columns_of: Dict[str, set] = {}
    user = _auth_user_model(index)
    if user:
        resolved = user if user in index.models else _resolve_string(index, labels, user, None)
        if resolved:
            index.user_model = resolved
    _contrib_relations(index)
    for qualname, model in index.models.items():
        found = index._class(qualname)
        if found is None:
            continue
        fields: Dict[str, "FieldFacts"] = {}
        #: Fields a concrete model base declares: their reverse side is that base's.
        inherited = set()
        columns = set()
        for owner, facts in reversed(index.lineage(qualname)):
            base = index.models.get(owner)
            for field_facts in facts.fields:
                fields[field_facts.name] = field_facts
                if owner != qualname and base is not None and not base.abstract:
                    inherited.add(field_facts.name)
                else:
                    inherited.discard(field_facts.name)
            columns.update(name for name, callee in facts.calls if callee.rpartition(".")[2] in _COLUMNS)
        columns_of[qualname] = columns
        relations = index.relations.setdefault(qualname, {})
        for field_facts in fields.values():
            relation = _forward(index, labels, qualname, model.orm, field_facts)
            if relation is None:
                continue
            if relation.kind == "unknown" and f"{field_facts.name}_id" in columns:
                # ``author_id = Column(ForeignKey(...))`` beside ``author = relationship()``:
                # the foreign key is on this side, so it is a many-to-one.
                relation = replace(relation, kind="one")
            relations[field_facts.name] = relation
            if not model.abstract and relation.target is not None and field_facts.name not in inherited:
                for reverse_name, reverse in _reverse(qualname, model.orm, field_facts, relation):
                    index.relations.setdefault(relation.target, {}).setdefault(reverse_name, reverse)
                    if reverse.kind == "unknown":
                        sides.append((relation.target, reverse_name, qualname, field_facts.name, field_facts.secondary))
            other_side = field_facts.related_name or field_facts.backref
            if relation.kind == "unknown" and other_side and relation.target is not None and model.orm == "sqlalchemy":
                sides.append((qualname, field_facts.name, relation.target, other_side, field_facts.secondary))
    for owner, name, _, _, _ in sides:
        relation = index.relations.get(owner, {}).get(name)
        if relation is not None and relation.kind == "unknown" and f"{name}_id" in columns_of.get(owner, ()):
            # ``backref="author"`` onto a class with an ``author_id`` column: many-to-one.
            index.relations[owner][name] = replace(relation, kind="one")
    _directions_from_other_sides(index, sides)


def _directions_from_other_sides(index, sides) -> None:
    """A SQLAlchemy relationship whose own declaration does not say its direction takes it
    from the other side (``back_populates`` / ``backref``): opposite a many-to-one is a
    collection; opposite a collection, without a ``secondary`` table, a many-to-one."""
    for _ in range(2):  # a side settled in the first round may settle its partner
        for owner, name, other_model, other_name, secondary in sides:
            relation = index.relations.get(owner, {}).get(name)
            other = index.relations.get(other_model, {}).get(other_name)
            if relation is None or other is None or relation.kind != "unknown":
                continue
            if other.kind == "one":
                index.relations[owner][name] = replace(relation, kind="many")
            elif other.kind == "many" and not secondary:
                index.relations[owner][name] = replace(relation, kind="one")


_PERMISSIONS_MIXINS = ("django.contrib.auth.models.PermissionsMixin", "django.contrib.auth.models.AbstractUser")
_CONTRIB_RELATIONS = {
    "django.contrib.auth.models.Group": {"permissions": ("many", "django.contrib.auth.models.Permission")},
    "django.contrib.auth.models.Permission": {
        "content_type": ("one", "django.contrib.contenttypes.models.ContentType")
    },
    "django.contrib.admin.models.LogEntry": {
        "content_type": ("one", "django.contrib.contenttypes.models.ContentType")
    },
}


def _contrib_relations(index) -> None:
    """The relations of Django's contrib models, whose source is not in the project:
    ``user.groups``, ``group.permissions``, ``permission.content_type``, and those a
    custom user model inherits from ``AbstractUser`` / ``PermissionsMixin``."""
    for model, relations in _CONTRIB_RELATIONS.items():
        for name, (kind, target) in relations.items():
            index.relations.setdefault(model, {}).setdefault(name, Relation(name, kind, target))
    users = {"django.contrib.auth.models.User"}
    for qualname in index.models:
        if any(base in _PERMISSIONS_MIXINS for _, facts in index.lineage(qualname) for base in facts.bases):
            users.add(qualname)
    for user in users:
        own = index.relations.setdefault(user, {})
        own.setdefault("groups", Relation("groups", "many", "django.contrib.auth.models.Group"))
        own.setdefault("user_permissions", Relation("user_permissions", "many", "django.contrib.auth.models.Permission"))
    log_user = index.relations.setdefault("django.contrib.admin.models.LogEntry", {})
    log_user.setdefault("user", Relation("user", "one", index.user_model))


def _forward(index, labels, owner: str, orm: str, field_facts) -> Optional[Relation]:
    kind_name = field_facts.callee.rpartition(".")[2]
    if orm == "django":
        if kind_name == "GenericForeignKey":
            return Relation(field_facts.name, "generic", None)
        if kind_name not in _DJANGO_FORWARD | _DJANGO_MANY or field_facts.target is None:
            return None
        target = _resolve_target(index, labels, field_facts.target, owner, "django")
        kind = "many" if kind_name in _DJANGO_MANY else "one"
        # A key to a model the project does not define (a third-party app's) is still a
        # key: reading it per row is a query per row, and loading it a correct fix.
        declared = field_facts.target.lstrip("'") if target is None else None
        return Relation(field_facts.name, kind, target, null=field_facts.null, declared=declared)
    if kind_name not in _SQLALCHEMY or field_facts.target is None:
        return None
    target = _resolve_target(index, labels, field_facts.target, owner, "sqlalchemy")
    if target is None:
        return None
    if field_facts.uselist is not None:
        kind = "many" if field_facts.uselist else "one"
    elif field_facts.collection is not None:
        kind = "many" if field_facts.collection else "one"
    elif field_facts.lazy in ("dynamic", "write_only"):
        kind = "many"  # SQLAlchemy refuses these loaders on a many-to-one
    else:
        kind = "unknown"
    return Relation(field_facts.name, kind, target, orm="sqlalchemy", lazy=field_facts.lazy)


def _reverse(owner: str, orm: str, field_facts, relation: Relation) -> List[Tuple[str, Relation]]:
    if orm == "sqlalchemy":
        if field_facts.backref:
            reverse = Relation(
                field_facts.backref, "unknown", owner, orm="sqlalchemy", lazy=field_facts.backref_lazy, reverse=True
            )
            return [(field_facts.backref, reverse)]
        return []
    if relation.kind == "generic" or field_facts.callee.endswith("GenericRelation"):
        return []  # no accessor on the other side
    related_name = field_facts.related_name
    model_name = owner.rpartition(".")[2].lower()
    if related_name is not None:
        if related_name.endswith("+"):
            return []
        related_name = related_name.replace("%(class)s", model_name).replace("%(app_label)s", "")
    kind_name = field_facts.callee.rpartition(".")[2]
    if kind_name == "OneToOneField":
        name = related_name or model_name
        return [(name, Relation(name, "one", owner, reverse=True, field=field_facts.name))]
    name = related_name or f"{model_name}_set"
    field = field_facts.name if kind_name not in _DJANGO_MANY else None
    return [(name, Relation(name, "many", owner, reverse=True, field=field))]


def resolve_model_reference(index: "ProjectIndex", reference: str) -> Optional[str]:
    """The Django model a qualified name or a quoted ``'app_label.Model`` names, or
    ``None``."""
    return _resolve_target(index, _labels(index), reference, owner="", orm="django")


def app_label(index: "ProjectIndex", qualname: str) -> str:
    """The app label Django gives the model's app (``AppConfig.label``, or the package)."""
    return _label_of(qualname, _labels(index))


def _resolve_target(index, labels, target: str, owner: str, orm: str) -> Optional[str]:
    """The model a relation's target names, among the models of the owner's ORM: a
    Flask application's ``relationship("Group")`` never means Django's ``Group``."""
    if target.startswith("'"):
        if orm == "sqlalchemy":
            return _resolve_mapped_string(index, target[1:], owner)
        return _resolve_string(index, labels, target[1:], owner)
    if orm == "django" and target.endswith("settings.AUTH_USER_MODEL"):
        return index.user_model
    model = index.model(target)
    return model.qualname if model is not None and model.orm == orm else None


def _resolve_string(index, labels, text: str, owner: Optional[str]) -> Optional[str]:
    """``'self'``, ``'Model'`` (same app), ``'app_label.Model'``, or a dotted path.

    A label the project does not declare (an app with no ``AppConfig`` label ormlint can
    read, a package laid out differently) is matched by the class name when exactly one
    Django model of the project has it."""
    if text == "self":
        return owner
    django = [q for q, m in index.models.items() if m.orm == "django"]
    if "." not in text:
        if owner is None:
            return None
        app = _app_package(owner)
        same_app = [q for q in django if q.rpartition(".")[2] == text and _app_package(q) == app]
        if len(same_app) == 1:
            return same_app[0]
        anywhere = [q for q in django if q.rpartition(".")[2] == text]
        return anywhere[0] if len(anywhere) == 1 else None
    label, _, name = text.rpartition(".")
    named = [q for q in django if q.rpartition(".")[2] == name]
    matching = [q for q in named if _label_of(q, labels) == label]
    if len(matching) == 1:
        return matching[0]
    model = index.model(text)
    if model is not None and model.orm == "django":
        return model.qualname
    if not matching and "." not in label and label not in _known_labels(index, labels):
        project = [q for q in named if not q.startswith("django.contrib.")]
        return project[0] if len(project) == 1 else None
    return None


def _known_labels(index, labels: Dict[str, str]) -> set:
    """Every app label the project's Django models are known under."""
    return {_label_of(q, labels) for q, m in index.models.items() if m.orm == "django"}


def _resolve_mapped_string(index, text: str, owner: str) -> Optional[str]:
    """``relationship("User")``: the class of that name mapped by the owner's registry
    (its declarative base or ``db``), or a dotted path to one."""
    registry = index.models[owner].registry if owner in index.models else None
    name = text.rpartition(".")[2]
    matching = [
        q
        for q, m in index.models.items()
        if m.orm == "sqlalchemy" and q.rpartition(".")[2] == name and (registry is None or m.registry == registry)
    ]
    if "." in text:
        model = index.model(text)
        return model.qualname if model is not None and model.orm == "sqlalchemy" else None
    # One registry may map classes of several applications that never run together (a
    # library's models and its examples'): the owner's own module, then its package.
    for same in (lambda q: True, lambda q: q.rpartition(".")[0] == owner.rpartition(".")[0],
                 lambda q: _app_package(q) == _app_package(owner)):
        narrowed = [q for q in matching if same(q)]
        if len(narrowed) == 1:
            return narrowed[0]
    return None


def _app_package(qualname: str) -> str:
    """``shop.models.order.Order`` and ``shop.models.Order`` belong to the app ``shop``."""
    module = qualname.rpartition(".")[0]
    parts = module.split(".")
    if "models" in parts:
        return ".".join(parts[: parts.index("models")])
    return ".".join(parts[:-1]) or module


def _label_of(qualname: str, labels: Dict[str, str]) -> str:
    if qualname.startswith("django.contrib."):
        return qualname.split(".")[2]
    package = _app_package(qualname)
    return labels.get(package, package.rpartition(".")[2])


def _labels(index) -> Dict[str, str]:
    """App package -> label, from ``AppConfig`` subclasses that set ``label``; read once
    per index, since every quoted model reference needs it."""
    if index._app_labels is not None:
        return index._app_labels
    labels: Dict[str, str] = {}
    index._app_labels = labels
    for facts in index.classes.values():
        constants = dict(facts.constants)
        if "name" in constants and "label" in constants and any(b.endswith("AppConfig") for b in facts.bases):
            labels[constants["name"]] = constants["label"]
    return labels


#: The bases a custom user model derives from.
_USER_BASES = frozenset(
    {"django.contrib.auth.models.AbstractUser", "django.contrib.auth.models.AbstractBaseUser", "django.contrib.auth.base_user.AbstractBaseUser"}
)


def _auth_user_model(index) -> Optional[str]:
    """``settings.AUTH_USER_MODEL`` as a settings module of the project sets it; without
    one (an app shipped without its settings), the one concrete model of the project that
    derives from ``AbstractUser`` / ``AbstractBaseUser``, which only the user model does."""
    values = {m.auth_user_model for m in index.modules.values() if m.auth_user_model}
    if values:
        return values.pop() if len(values) == 1 else None
    custom = [
        qualname
        for qualname, model in index.models.items()
        if model.orm == "django" and not model.abstract and qualname not in _USER_BASES
        and not qualname.startswith("django.") and index.derives_from(qualname, _USER_BASES)
    ]
    return custom[0] if len(custom) == 1 else None
