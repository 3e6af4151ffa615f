"""The few kinds of value the semantic model can name.

An expression whose value is none of these (or is not known for certain) has type ``None``,
and rules stay silent on it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, FrozenSet, Optional, Tuple, Union

import libcst as cst

if TYPE_CHECKING:
    from ormlint.semantic.lineage import Lineage


@dataclass(frozen=True)
class ModelClass:
    """A Django model or SQLAlchemy mapped class itself (``Order``)."""

    qualname: str
    orm: str


#: In a query's ``selected``: loader options ormlint cannot read, which may load any relation.
ANY_RELATION = "*"


@dataclass(frozen=True)
class QueryType:
    """Rows of ``model`` from a query: a Django manager or queryset, a SQLAlchemy ``Query``,
    ``select()`` statement or result.

    ``model`` is empty when the rows are known to come from a query but not of which class
    (``session.query(func.count(...))``). The loading fields say which relations the query
    already loads with its rows.
    """

    orm: str
    model: str
    #: Django: "manager", "queryset", "iterator", "list" (rows in a list: ``list(qs)``);
    #: SQLAlchemy: "query" (legacy ``Query``), "select" (a statement), "rows"
    #: (``execute()``'s rows), "result" (model instances). Pagination wraps rows:
    #: Django's "paginator" (``Paginator(qs, n)``) and "page" (``paginator.page(n)``, a
    #: sequence of rows), Flask-SQLAlchemy's "pagination" (``query.paginate()``).
    kind: str
    #: False for ``.values()`` / ``.values_list()`` / ``.dates()``: rows are not model instances.
    yields_instances: bool = True
    #: ``union()`` / ``intersection()`` / ``difference()``: some rewrites are not supported.
    combined: bool = False
    #: SQLAlchemy: the session expression the query was made from, when it can be repeated.
    session: Optional[cst.BaseExpression] = None
    #: Relation paths loaded with the rows: ``select_related`` (Django) or loader options
    #: (SQLAlchemy), and ``prefetch_related`` (Django).
    selected: FrozenSet[str] = frozenset()
    prefetched: FrozenSet[str] = frozenset()
    #: ``select_related()`` without arguments: every non-null forward relation.
    select_all: bool = False
    #: ``only()`` / ``defer()``: adding ``select_related`` may conflict with them.
    restricted: bool = False
    #: ``iterator()`` without ``chunk_size``: ``prefetch_related`` is ignored.
    unchunked: bool = False
    #: Django 6.1's ``fetch_mode(...)``: lazy relations are fetched for all peers at once
    #: (or raise), so reading them per row is no N+1.
    fetch_mode: bool = False
    #: Relations every row already holds: ``customer.orders.all()`` sets each order's
    #: ``customer`` without a query.
    known: FrozenSet[str] = frozenset()
    #: SQLAlchemy ``with_parent(x)``: the class of ``x`` (``"*"`` if unknown), whose
    #: many-to-one relation back to it finds its target in the session's identity map.
    one_parent: Optional[str] = None
    #: Rows of a relation of an enclosing loop's row (``order.lines.all()``): what the
    #: loop over them reads is loaded on the outer queryset
    #: (``prefetch_related('lines__product')``), since changing this queryset would
    #: discard what the outer one prefetched.
    prefetched_rows: bool = False
    #: Rows that come from outside the function (a parameter annotated ``QuerySet[M]``):
    #: what the caller loaded is unknown, so the N+1 rules stay silent.
    partial: bool = False
    #: Filtered on a primary key or a unique column (``filter(pk=x)``,
    #: ``filter_by(id=x)``): there is at most one row, so counting it costs what testing
    #: for it does.
    at_most_one: bool = False
    #: ``none()``: no rows and no query, whatever is read on them.
    empty: bool = False
    #: SQLAlchemy rows of several columns (``session.query(Topic, TopicRead)``,
    #: ``add_entity()``, ``with_entities()``, ``select(Topic, func.count(Post.id))``), in
    #: order: the rows of each entity with what the query loads for it, or ``None`` for a
    #: column or expression that is no mapped class. Empty for a query of one entity.
    entities: Tuple[Optional["QueryType"], ...] = ()
    #: A ``*args`` among the columns: how many follow those in ``entities`` is unknown.
    more_columns: bool = False
    #: The classes the query outer-joins (``outerjoin(TopicRead, ...)``; ``"*"`` for one
    #: the source does not name): their entity is ``None`` on rows without a match.
    outer_joined: FrozenSet[str] = frozenset()
    #: SQLAlchemy: the query's FROM may hold more than its entity's table (``join()``,
    #: ``select_from()``, a filter on another class's or a table's column, a set
    #: operation), so a row may come more than once. A legacy ``Query`` of one entity
    #: drops the repeats from ``all()`` (as ``unique()`` does for a result) and
    #: ``count()`` counts them. ``distinct()`` removes them.
    may_repeat: bool = False
    #: SQLAlchemy ``limit()`` / ``slice()``: ``first()`` would replace the limit, and
    #: ``limit(0).first()`` finds a row that ``limit(0)`` does not have.
    limited: bool = False

    def derive(self, kind: Optional[str] = None, **changes) -> "QueryType":
        default = "queryset" if self.orm == "django" else self.kind
        return replace(self, kind=kind or default, **changes)

    @property
    def countable(self) -> bool:
        return self.kind in ("manager", "queryset", "query")

    @property
    def iterated_rows(self) -> bool:
        """Whether a loop over it gets one model instance per row."""
        return bool(self.model) and self.yields_instances and self.kind in ITERATED_KINDS and not self.empty

    @property
    def tuple_rows(self) -> bool:
        """Whether a loop over it gets a tuple of columns per row: the rows of
        ``session.execute(select(...))``, or of a query of several columns."""
        if self.orm != "sqlalchemy" or self.empty or not (self.entities or self.more_columns):
            return False
        return self.kind == "rows" or (self.kind in ("query", "result") and not self.model)

    def entity_at(self, position: int, count: int) -> Optional["QueryType"]:
        """The rows of the entity that a loop unpacking each row into ``count`` names
        (``for topic, read in rows``) binds at ``position``. ``None`` for a column that is
        no entity, for an outer-joined class (``None`` on some rows: reading it is no N+1
        question), after a ``*args``, and when the rows are no tuples of that length."""
        listed = len(self.entities)
        if not self.tuple_rows or position >= listed or not (count == listed or (self.more_columns and count > listed)):
            return None
        entity = self.entities[position]
        if entity is None or entity.model in self.outer_joined or ANY_RELATION in self.outer_joined:
            return None
        return entity


#: The kinds of query a loop gets rows from.
ITERATED_KINDS = frozenset({"queryset", "iterator", "list", "query", "result", "page"})
@dataclass(frozen=True)
class Session:
    """A SQLAlchemy session (``Session(engine)``, ``sessionmaker()()``, ``db.session``)."""


@dataclass(frozen=True)
class SessionFactory:
    """Something that returns a session when called (``sessionmaker(...)``)."""


@dataclass(frozen=True)
class FlaskDatabase:
    """A Flask-SQLAlchemy ``SQLAlchemy()`` object: ``db.session`` and ``db.Model``."""


@dataclass(frozen=True)
class Instance:
    """One row: an instance of the model ``qualname`` (``Order.objects.get(...)``, a loop
    variable over a queryset, ``self`` in a model's method)."""

    qualname: str
    orm: str
    #: For a row of a loop, the relation paths its queryset prefetched.
    prefetched: FrozenSet[str] = frozenset()
    #: A row of a query a loop iterates, or a row it relates to: a loop over one of its
    #: relations is read, and loaded, by the enclosing loop (``prefetch_related('lines__x')``).
    #: Also a row typed only by an annotation (``order: Order``): whoever loaded it
    #: decided what came with it.
    from_rows: bool = False


@dataclass(frozen=True)
class HttpClient:
    """A ``requests.Session`` or an ``httpx.Client`` / ``AsyncClient`` instance."""

    library: str  # "requests" or "httpx"


@dataclass(frozen=True)
class ClassObject:
    """``self`` in a method of a project class read through its lineage (a view):
    ``self.<name>`` is looked up along ``lineage`` from ``start``, which is past the
    class whose method calls ``super()`` for ``super().<name>``; ``position`` is where
    the method being read is bound. The classes from outside the project in
    ``neutral`` are known not to bind the names the analysis asks about."""

    lineage: "Lineage"
    start: int = 0
    position: int = 0
    neutral: FrozenSet[str] = frozenset()
    #: Values assumed for class-level names, as (position of the class, name, type): to
    #: learn whether a view's rows come from its own ``queryset``, it is assumed to load
    #: a marker and the rows are read again.
    assumed: Tuple[Tuple[int, str, object], ...] = ()

    def bound_at(self, position: int) -> "ClassObject":
        """``self`` inside the method bound at ``position``."""
        return replace(self, start=0, position=position)

    def after(self, position: int) -> "ClassObject":
        """What ``super()`` stands for in the method bound at ``position``."""
        return replace(self, start=position + 1, position=position)


@dataclass(frozen=True)
class SuperOf:
    """The builtin ``super`` in a method of a class read through its lineage."""

    receiver: ClassObject


Type = Union[ModelClass, QueryType, Instance, Session, SessionFactory, FlaskDatabase, HttpClient, ClassObject, SuperOf]
