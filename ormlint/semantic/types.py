"""The few kinds of value the semantic model can name.

An expression whose value is none of these (or is not known for certain) has type ``None``,
and rules stay silent on it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Optional, Union

import libcst as cst


@dataclass(frozen=True)
class ModelClass:
    """A Django model or SQLAlchemy mapped class itself (``Order``)."""

    qualname: str
    orm: str


@dataclass(frozen=True)
class QueryType:
    """A Django manager or queryset, or a SQLAlchemy ``Query``, over rows of ``model``.

    ``model`` is empty when the rows are known to come from a query but not of which class
    (``session.query(func.count(...))``).
    """

    orm: str
    model: str
    kind: str  # "manager", "queryset" (Django) or "query" (SQLAlchemy)
    #: False for ``.values()`` / ``.values_list()`` / ``.dates()``: rows are not model instances.
    yields_instances: bool = True
    #: ``union()`` / ``intersection()`` / ``difference()``: some rewrites are not supported.
    combined: bool = False
    #: SQLAlchemy: the session expression the query was made from, when it can be repeated.
    session: Optional[cst.BaseExpression] = None

    def derive(self, **changes) -> "QueryType":
        return replace(self, kind="queryset" if self.orm == "django" else "query", **changes)


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
class HttpClient:
    """A ``requests.Session`` or an ``httpx.Client`` / ``AsyncClient`` instance."""

    library: str  # "requests" or "httpx"


Type = Union[ModelClass, QueryType, Session, SessionFactory, FlaskDatabase, HttpClient]
