"""ORM101-ORM103 on SQLAlchemy: `len()` and truth tests of the rows `all()` returns, and
counts tested for a row, with the fixes that ask the database for a number or one row."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from harness import assert_fixes, check, marked_rows, rows

#: A model with Flask-SQLAlchemy's ``Model.query`` (a query property) and a
#: ``lazy="dynamic"`` relationship, beside the harness's ``shop.tables``.
SHELVES = '''
from sqlalchemy import Column, ForeignKey, Integer, Table
from sqlalchemy.orm import Mapped, mapped_column, registry, relationship, scoped_session

from shop.tables import Base, SessionLocal, User

Scoped = scoped_session(SessionLocal)


class Shelf(Base):
    __tablename__ = "shelves"
    id: Mapped[int] = mapped_column(primary_key=True)
    query = Scoped.query_property()
    users = relationship(User, lazy="dynamic")


class Membership(Base):
    """A composite primary key: one of its columns matches many rows."""
    __tablename__ = "memberships"
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    shelf_id: Mapped[int] = mapped_column(ForeignKey("shelves.id"), primary_key=True)


mapper_registry = registry()
pairs = Table("pairs", Base.metadata, Column("left", Integer, primary_key=True), Column("right", Integer, primary_key=True))
labels = Table("labels", Base.metadata, Column("id", Integer, primary_key=True), Column("text", Integer))


class Pair:
    pass


class Label:
    pass


mapper_registry.map_imperatively(Pair, pairs)
mapper_registry.map_imperatively(Label, labels)
'''

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "sqlalchemy_project"


def with_shelves(root: Path) -> Path:
    (root / "shop").mkdir(parents=True, exist_ok=True)
    (root / "shop" / "shelves.py").write_text(SHELVES)
    return root


def assert_marked(tmp_path, code):
    """ORM101-ORM103 fire exactly on the rows marked ``# error: ORM10x``."""
    assert sorted(rows(check(with_shelves(tmp_path), code, "ORM1"))) == sorted(marked_rows(code))


# -- must fire -------------------------------------------------------------------------


FIRES = [
    pytest.param(
        """
        from shop.tables import SessionLocal, User

        def f():
            session = SessionLocal()
            return len(session.query(User).filter(User.name == 'x').all())  # error: ORM102
        """,
        id="len-of-legacy-query-all",
    ),
    pytest.param(
        """
        from sqlalchemy import select
        from shop.tables import SessionLocal, User

        def f():
            session = SessionLocal()
            a = len(session.scalars(select(User)).all())  # error: ORM102
            b = len(session.execute(select(User).where(User.name == 'x')).scalars().all())  # error: ORM102
            c = len(session.scalars(select(User)).unique().all())  # error: ORM102
            return a, b, c
        """,
        id="len-of-2.0-results",
    ),
    pytest.param(
        """
        from shop.shelves import Shelf
        from shop.tables import SessionLocal

        def f(shelf_id):
            session = SessionLocal()
            shelf = session.get(Shelf, shelf_id)
            shelved = len(shelf.users.all())  # error: ORM102
            return shelved, len(Shelf.query.all())  # error: ORM102
        """,
        id="len-of-dynamic-relationship-and-model-query",
    ),
    pytest.param(
        """
        from shop.tables import SessionLocal, User

        def f():
            session = SessionLocal()
            users = session.query(User).all()
            if users:  # error: ORM103
                return len(users)  # error: ORM102
        """,
        id="name-bound-to-all-only-counted",
    ),
    pytest.param(
        """
        from sqlalchemy import select
        from shop.shelves import Shelf
        from shop.tables import SessionLocal, User

        def f():
            session = SessionLocal()
            if session.query(User).all():  # error: ORM103
                return 1
            if not session.scalars(select(User)).all():  # error: ORM103
                return 2
            assert Shelf.query.all()  # error: ORM103
            return 'a' if bool(Shelf.query.all()) else 'b'  # error: ORM103
        """,
        id="truth-tests-of-all",
    ),
    pytest.param(
        """
        from sqlalchemy import select
        from shop.shelves import Shelf
        from shop.tables import SessionLocal, User

        def f(shelf_id):
            session = SessionLocal()
            shelf = session.get(Shelf, shelf_id)
            if Shelf.query.count() > 0:  # error: ORM101
                return 1
            if not shelf.users.count():  # error: ORM101
                return 2
            if len(session.scalars(select(User)).all()) == 0:  # error: ORM101
                return 3
            return len(session.query(User).all()) >= 1  # error: ORM101
        """,
        id="counts-tested-for-a-row",
    ),
    pytest.param(
        """
        from shop.shelves import Membership, Pair
        from shop.tables import SessionLocal

        def f(user_id):
            session = SessionLocal()
            if session.query(Membership).filter_by(user_id=user_id).count() > 0:  # error: ORM101
                return 1
            return session.query(Pair).filter_by(left=user_id).count() > 0  # error: ORM101
        """,
        id="a-column-of-a-composite-primary-key",
    ),
]


@pytest.mark.parametrize("code", FIRES)
def test_fires(tmp_path, code):
    assert_marked(tmp_path, code)


# -- must not fire ---------------------------------------------------------------------


SILENT = [
    pytest.param(
        """
        from shop.tables import SessionLocal, User

        def f():
            session = SessionLocal()
            users = session.query(User).all()
            for user in users:
                print(user.name)
            return len(users)
        """,
        id="rows-iterated",
    ),
    pytest.param(
        """
        from shop.tables import SessionLocal, User

        def f():
            session = SessionLocal()
            users = session.query(User).all()
            return [len(users), users]
        """,
        id="rows-returned",
    ),
    pytest.param(
        """
        from shop.tables import SessionLocal, User

        def f(someone):
            session = SessionLocal()
            users = session.query(User).all()
            twice = users.count(someone)
            return len(users), twice
        """,
        id="list-count-reads-the-rows",
    ),
    pytest.param(
        """
        from shop.tables import SessionLocal, User

        def f():
            session = SessionLocal()
            users = session.query(User).all()
            if users:
                return users[0]
        """,
        id="truth-test-then-indexed",
    ),
    pytest.param(
        """
        from shop.tables import SessionLocal, User

        def f():
            session = SessionLocal()
            users = session.query(User).all()
            while users:
                users.pop()
        """,
        id="while-popping",
    ),
    pytest.param(
        """
        from shop.tables import SessionLocal, User

        def f(flag):
            session = SessionLocal()
            users = session.query(User).all()
            if flag:
                users = []
            return len(users)
        """,
        id="name-bound-twice",
    ),
    pytest.param(
        """
        def f(users):
            if users:
                return len(users)
        """,
        id="parameter",
    ),
    pytest.param(
        """
        from shop.tables import SessionLocal, User

        def f(user_id):
            session = SessionLocal()
            if session.query(User).filter_by(id=user_id).all():
                return len(session.query(User).filter_by(id=user_id).all())
        """,
        id="one-row-at-most",
    ),
    pytest.param(
        """
        from shop.shelves import Shelf

        def f():
            page = Shelf.query.paginate(page=1)
            return len(page.items), bool(page.items)
        """,
        id="page-items",
    ),
    pytest.param(
        """
        from shop.tables import SessionLocal, User

        def f():
            session = SessionLocal()
            users = [user for user in session.query(User)]
            return len(users)
        """,
        id="list-built-by-the-code",
    ),
    pytest.param(
        """
        def f(thing):
            return len(thing.all()), bool(thing.all())
        """,
        id="unknown-receiver",
    ),
    pytest.param(
        """
        from shop.tables import SessionLocal, User

        def f():
            session = SessionLocal()
            return session.query(User).count() > 5
        """,
        id="count-as-a-number",
    ),
    pytest.param(
        """
        from shop import tables

        def f(user_id):
            session = tables.SessionLocal()
            return bool(session.query(tables.User).filter_by(id=user_id).all())
        """,
        id="one-row-at-most-of-a-class-named-through-its-module",
    ),
    pytest.param(
        """
        from shop.shelves import Label, Membership
        from shop.tables import SessionLocal

        def f(user_id, shelf_id):
            session = SessionLocal()
            if session.query(Label).filter_by(id=user_id).count() > 0:
                return 1
            return session.query(Membership).filter_by(user_id=user_id, shelf_id=shelf_id).count() > 0
        """,
        id="one-row-at-most-by-a-table-primary-key",
    ),
    pytest.param(
        """
        from shop.tables import SessionLocal, User

        def f():
            session = SessionLocal()
            users = session.query(User).all()
            if len(users) > 0:
                return users
        """,
        id="len-tested-then-returned",
    ),
]


@pytest.mark.parametrize("code", SILENT)
def test_silent(tmp_path, code):
    assert rows(check(with_shelves(tmp_path), code, "ORM1")) == []


def test_a_name_bound_to_itself_is_no_list(tmp_path):
    # Found by tests/test_properties.py: ``qs = qs`` sent the list's lookup round in circles.
    code = """
    import requests
    from shop.models import Order

    def view(name, items):
        session = requests.Session()
        qs = qs
        if bool(qs):
            pass
    """
    assert rows(check(tmp_path, code, "ORM")) == []  # no internal error (ORM000) either


# -- fixes -------------------------------------------------------------------------------


FIXES = [
    pytest.param(
        """
        from shop.tables import SessionLocal, User

        def f():
            session = SessionLocal()
            return len(session.query(User).filter(User.name == 'x').all())
        """,
        """
        from shop.tables import SessionLocal, User

        def f():
            session = SessionLocal()
            return session.query(User).filter(User.name == 'x').count()
        """,
        id="len-legacy",
    ),
    pytest.param(
        """
        from shop import tables

        def f():
            session = tables.SessionLocal()
            return len(session.query(tables.User).all())
        """,
        """
        from shop import tables

        def f():
            session = tables.SessionLocal()
            return session.query(tables.User).count()
        """,
        id="len-legacy-class-named-through-its-module",
    ),
    pytest.param(
        """
        from shop.tables import Post, SessionLocal, User

        def f():
            session = SessionLocal()
            return len(session.query(User, Post.id).join(User.posts).all())
        """,
        """
        from shop.tables import Post, SessionLocal, User

        def f():
            session = SessionLocal()
            return session.query(User, Post.id).join(User.posts).count()
        """,
        id="len-legacy-join-of-several-columns",
    ),
    pytest.param(
        """
        from shop.tables import SessionLocal, User

        def f():
            session = SessionLocal()
            return len(session.query(User).join(User.posts).distinct().all())
        """,
        """
        from shop.tables import SessionLocal, User

        def f():
            session = SessionLocal()
            return session.query(User).join(User.posts).distinct().count()
        """,
        id="len-legacy-join-distinct",
    ),
    pytest.param(
        """
        from sqlalchemy import select
        from shop.tables import SessionLocal, User

        def f():
            session = SessionLocal()
            return len(session.scalars(select(User).where(User.name == 'x')).all())
        """,
        """
        from sqlalchemy import select, func
        from shop.tables import SessionLocal, User

        def f():
            session = SessionLocal()
            return session.scalar(select(func.count()).select_from(select(User).where(User.name == 'x').subquery()))
        """,
        id="len-2.0-scalars",
    ),
    pytest.param(
        """
        import sqlalchemy as sa
        from shop.tables import SessionLocal, User

        def f():
            session = SessionLocal()
            return len(session.execute(sa.select(User).join(User.posts)).scalars().all())
        """,
        """
        import sqlalchemy as sa
        from shop.tables import SessionLocal, User
        from sqlalchemy import func, select

        def f():
            session = SessionLocal()
            return session.scalar(select(func.count()).select_from(sa.select(User).join(User.posts).subquery()))
        """,
        id="len-2.0-execute-scalars-join",
    ),
    pytest.param(
        """
        from shop.shelves import Shelf
        from shop.tables import SessionLocal

        def f(shelf_id):
            session = SessionLocal()
            return len(session.get(Shelf, shelf_id).users.all())
        """,
        """
        from shop.shelves import Shelf
        from shop.tables import SessionLocal

        def f(shelf_id):
            session = SessionLocal()
            return session.get(Shelf, shelf_id).users.count()
        """,
        id="len-dynamic-relationship",
    ),
    pytest.param(
        """
        from shop.tables import SessionLocal, User

        def f():
            session = SessionLocal()
            if session.query(User).all():
                return 1
        """,
        """
        from shop.tables import SessionLocal, User

        def f():
            session = SessionLocal()
            if session.query(session.query(User).exists()).scalar():
                return 1
        """,
        id="truth-legacy-known-session",
    ),
    pytest.param(
        """
        from shop.shelves import Shelf

        def f():
            if not Shelf.query.all():
                return 1
        """,
        """
        from shop.shelves import Shelf

        def f():
            if Shelf.query.first() is None:
                return 1
        """,
        id="truth-model-query-negated",
    ),
    pytest.param(
        """
        from sqlalchemy import select as sql_select
        from shop.tables import SessionLocal, User

        def f():
            session = SessionLocal()
            return 'some' if session.scalars(sql_select(User)).all() else 'none'
        """,
        """
        from sqlalchemy import select as sql_select, select
        from shop.tables import SessionLocal, User

        def f():
            session = SessionLocal()
            return 'some' if session.scalar(select(sql_select(User).exists())) else 'none'
        """,
        id="truth-2.0-select-imported-under-another-name",
    ),
    pytest.param(
        """
        from shop.shelves import Shelf

        def f():
            return Shelf.query.filter(Shelf.id > 3).count() > 0
        """,
        """
        from shop.shelves import Shelf

        def f():
            return Shelf.query.filter(Shelf.id > 3).first() is not None
        """,
        id="count-model-query",
    ),
    pytest.param(
        """
        from shop.shelves import Shelf
        from shop.tables import SessionLocal

        def f(shelf_id):
            session = SessionLocal()
            shelf = session.get(Shelf, shelf_id)
            if not shelf.users.count():
                return 1
            return [bool(shelf.users.count())]
        """,
        """
        from shop.shelves import Shelf
        from shop.tables import SessionLocal

        def f(shelf_id):
            session = SessionLocal()
            shelf = session.get(Shelf, shelf_id)
            if shelf.users.first() is None:
                return 1
            return [bool(shelf.users.first() is not None)]
        """,
        id="count-dynamic-relationship",
    ),
    pytest.param(
        """
        from shop.tables import SessionLocal, User

        def f():
            return SessionLocal().query(User).count() > 0
        """,
        """
        from shop.tables import SessionLocal, User

        def f():
            return SessionLocal().query(User).first() is not None
        """,
        id="count-session-not-repeatable",
    ),
    pytest.param(
        """
        from sqlalchemy import select
        from shop.tables import SessionLocal, User

        def f():
            session = SessionLocal()
            return len(session.scalars(select(User)).all()) == 0
        """,
        """
        from sqlalchemy import select
        from shop.tables import SessionLocal, User

        def f():
            session = SessionLocal()
            return not session.scalar(select(select(User).exists()))
        """,
        id="len-2.0-tested-for-none",
    ),
]


@pytest.mark.parametrize("before, after", FIXES)
def test_fixes(tmp_path, before, after):
    with_shelves(tmp_path)
    assert_fixes(tmp_path, before, after, "ORM1")


WITHOUT_FIX = [
    pytest.param(
        """
        from shop.tables import SessionLocal, User

        def f():
            session = SessionLocal()
            return len(session.query(User).join(User.posts).all())  # error: ORM102
        """,
        id="legacy-join-of-one-entity",
    ),
    pytest.param(
        """
        from shop.tables import Post, SessionLocal, User

        def f():
            session = SessionLocal()
            return len(session.query(User).filter(User.id == Post.user_id).all())  # error: ORM102
        """,
        id="legacy-filter-on-another-class",
    ),
    pytest.param(
        """
        from shop.tables import SessionLocal, User

        def f():
            session = SessionLocal()
            return len(session.query(User.id).join(User.posts).all())  # error: ORM102
        """,
        id="legacy-join-of-one-column",
    ),
    pytest.param(
        """
        from sqlalchemy import select
        from shop.tables import SessionLocal, User

        def f():
            session = SessionLocal()
            return len(session.scalars(select(User).join(User.posts)).unique().all())  # error: ORM102
        """,
        id="unique-after-a-join",
    ),
    pytest.param(
        """
        from shop.tables import SessionLocal, User

        def f():
            session = SessionLocal()
            users = session.query(User).all()
            return len(users), bool(users)  # error: ORM102, ORM103
        """,
        id="name-bound-to-all",
    ),
    pytest.param(
        """
        from shop.shelves import Shelf

        def f():
            return Shelf.query.limit(3).count() > 0  # error: ORM101
        """,
        id="first-would-replace-the-limit",
    ),
    pytest.param(
        """
        from sqlalchemy import select
        from shop.tables import SessionLocal, User

        def f(func):
            session = SessionLocal()
            return len(session.scalars(select(User)).all())  # error: ORM102
        """,
        id="func-means-something-else",
    ),
]


@pytest.mark.parametrize("code", WITHOUT_FIX)
def test_reported_without_fix(tmp_path, code):
    assert_marked(tmp_path, code)
    assert all(d.fix is None for d in check(tmp_path, code, "ORM1"))
    assert_fixes(tmp_path, code, code, "ORM1")


# -- the fixture project -----------------------------------------------------------------


def test_the_fixture_projects_cases():
    """``library/counting.py`` fires on its marks, with a fix unless the mark says none."""
    path = FIXTURE / "library" / "counting.py"
    # Run in the project, as its users do: from this repository's folder the fixture is
    # test code (``tests/``), where only the timeout rules run by default.
    completed = subprocess.run(
        [sys.executable, "-m", "ormlint", "--no-cache", "--select", "ORM1", "--output-format", "json", str(path)],
        capture_output=True, text=True, cwd=FIXTURE, timeout=300,
    )
    assert completed.returncode == 1, completed.stdout + completed.stderr
    findings = json.loads(completed.stdout)
    source = path.read_text(encoding="utf-8")
    assert sorted((f["location"]["row"], f["code"]) for f in findings) == sorted(marked_rows(source))
    lines = source.splitlines()
    for finding in findings:
        assert (finding["fix"] is None) == ("no fix" in lines[finding["location"]["row"] - 1])
