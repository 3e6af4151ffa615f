"""ORM003 precision: what a SQLAlchemy query really loads with its rows, relationship by
relationship along a path, which many-to-one reads the session's identity map answers,
and when a commit in the loop makes loader options useless."""

import pytest

from harness import assert_fixes, check, make_project, marked_rows, rows

#: Books by authors of publishers; ``joined_author`` / ``selectin_author`` load with the
#: book by their own strategy, ``shelf`` is a ``lazy="dynamic"`` query of the books.
CATALOG = '''
from typing import List

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shop.tables import Base, User


class Publisher(Base):
    __tablename__ = "publishers"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50))


class Author(Base):
    __tablename__ = "authors"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50))
    publisher_id: Mapped[int] = mapped_column(ForeignKey("publishers.id"))
    publisher: Mapped["Publisher"] = relationship()
    books: Mapped[List["Book"]] = relationship(back_populates="author")
    shelf = relationship("Book", lazy="dynamic", viewonly=True)


class Book(Base):
    __tablename__ = "books"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(50))
    author_id: Mapped[int] = mapped_column(ForeignKey("authors.id"))
    editor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    author: Mapped["Author"] = relationship(back_populates="books")
    editor: Mapped["User"] = relationship()
    joined_author: Mapped["Author"] = relationship(lazy="joined", viewonly=True)
    selectin_author: Mapped["Author"] = relationship(lazy="selectin", viewonly=True)
'''

IMPORTS = """
from sqlalchemy import select
from sqlalchemy.orm import defaultload, joinedload, lazyload, load_only, selectinload
from shop.catalog import Author, Book, Publisher
"""


def project(tmp_path):
    return make_project(tmp_path, {"shop/catalog.py": CATALOG})


def diagnostics(tmp_path, code):
    return check(project(tmp_path), IMPORTS + code, "ORM003")


def assert_marked(tmp_path, code):
    assert set(rows(diagnostics(tmp_path, code))) == marked_rows(IMPORTS + code)


# -- a loaded path, step by step ------------------------------------------------------------


PATH_FIRES = [
    pytest.param(
        """
def f(session):
    for book in session.scalars(select(Book).options(joinedload(Book.author))):  # error: ORM003
        print(book.author.publisher.name)
""",
        id="joinedload-loads-the-author-not-its-publisher",
    ),
    pytest.param(
        """
def f(session):
    for book in session.scalars(select(Book)):  # error: ORM003
        print(book.joined_author.publisher.name, book.selectin_author.publisher.name)
""",
        id="eager-strategy-loads-one-step",
    ),
    pytest.param(
        """
def f(session):
    for book in session.scalars(select(Book).options(defaultload(Book.author).joinedload(Author.publisher))):  # error: ORM003
        print(book.author.name)
""",
        id="defaultload-leaves-the-author-lazy",
    ),
    pytest.param(
        """
def f(session):
    for book in session.scalars(select(Book).options(defaultload(Book.author).joinedload(Author.publisher))):  # error: ORM003
        print(book.author.publisher.name)
""",
        id="defaultload-path-still-loads-each-author",
    ),
    pytest.param(
        """
def f(session):
    for book in session.scalars(select(Book).options(lazyload(Book.author).joinedload(Author.publisher))):  # error: ORM003
        print(book.author.publisher.name)
""",
        id="lazyload-then-joinedload",
    ),
    pytest.param(
        """
def f(session):
    for book in session.scalars(select(Book).options(joinedload(Book.author).load_only(Author.name))):  # error: ORM003
        print(book.author.name, book.editor.name)
""",
        id="load_only-after-a-loader-loads-no-other-relationship",
    ),
    pytest.param(
        """
def f(session, deeper):
    for book in session.scalars(select(Book).options(joinedload(Book.author).options(*deeper))):  # error: ORM003
        print(book.author.publisher.name, book.editor.name)
""",
        id="unknown-sub-options-cover-only-their-own-path",
    ),
]


PATH_SILENT = [
    pytest.param(
        """
def f(session):
    for book in session.scalars(select(Book).options(joinedload(Book.author).joinedload(Author.publisher))):
        print(book.author.publisher.name)
""",
        id="chained-loaders",
    ),
    pytest.param(
        """
def f(session):
    for book in session.scalars(select(Book).options(selectinload(Book.author).load_only(Author.name))):
        print(book.author.name)
""",
        id="loader-then-load_only",
    ),
    pytest.param(
        """
def f(session):
    for book in session.scalars(select(Book).options(joinedload(Book.author).load_only(Author.name).joinedload(Author.publisher))):
        print(book.author.publisher.name)
""",
        id="load_only-keeps-the-path",
    ),
    pytest.param(
        """
def f(session):
    for book in session.scalars(select(Book).options(defaultload(Book.joined_author).joinedload(Author.publisher))):
        print(book.joined_author.publisher.name)
""",
        id="defaultload-of-an-eager-relationship",
    ),
    pytest.param(
        """
def f(session):
    for book in session.scalars(select(Book).options(joinedload(Book.author), defaultload(Book.author).joinedload(Author.publisher))):
        print(book.author.publisher.name)
""",
        id="defaultload-beside-its-loader",
    ),
    pytest.param(
        """
def f(session):
    for book in session.scalars(select(Book).options(joinedload(Book.author).options(joinedload(Author.publisher), load_only(Author.name)))):
        print(book.author.publisher.name)
""",
        id="sub-options",
    ),
    pytest.param(
        """
def f(session, deeper):
    for book in session.scalars(select(Book).options(joinedload(Book.author).options(*deeper))):
        print(book.author.publisher.name)
""",
        id="unknown-sub-options",
    ),
    pytest.param(
        """
def f(session):
    for author in session.scalars(select(Author).options(selectinload(Author.books.and_(Book.title != "")))):
        print(len(author.books))
""",
        id="loader-with-criteria",
    ),
    pytest.param(
        """
def f(session, name):
    for book in session.scalars(select(Book).options(joinedload(getattr(Book, name)))):
        print(book.author.name)
""",
        id="loader-of-an-attribute-the-source-does-not-name",
    ),
    pytest.param(
        """
def f(session, eager):
    for book in session.scalars(select(Book).options(*eager)):
        print(book.author.publisher.name)
""",
        id="options-ormlint-cannot-read",
    ),
]


@pytest.mark.parametrize("code", PATH_FIRES)
def test_a_path_not_loaded_at_every_step_fires(tmp_path, code):
    assert_marked(tmp_path, code)


@pytest.mark.parametrize("code", PATH_SILENT)
def test_a_path_loaded_at_every_step_is_silent(tmp_path, code):
    assert diagnostics(tmp_path, code) == []


def test_the_fix_loads_the_step_that_defaultload_leaves_lazy(tmp_path):
    before = """
def f(session):
    for book in session.scalars(select(Book).options(defaultload(Book.author).joinedload(Author.publisher))):
        print(book.author.name)
"""
    after = """
def f(session):
    for book in session.scalars(select(Book).options(defaultload(Book.author).joinedload(Author.publisher), joinedload(Book.author))):
        print(book.author.name)
"""
    assert_fixes(project(tmp_path), IMPORTS + before, IMPORTS + after, "ORM003")


def test_the_fix_extends_a_loaded_step_to_the_next(tmp_path):
    before = """
def f(session):
    for book in session.scalars(select(Book).options(joinedload(Book.author))):
        print(book.author.publisher.name)
"""
    after = """
def f(session):
    for book in session.scalars(select(Book).options(joinedload(Book.author), joinedload(Book.author).joinedload(Author.publisher))):
        print(book.author.publisher.name)
"""
    assert_fixes(project(tmp_path), IMPORTS + before, IMPORTS + after, "ORM003")


# -- many-to-one reads the identity map serves ----------------------------------------------


SHARED_PARENT_FIRES = [
    pytest.param(
        """
def f(session, author):
    for book in session.query(Book).filter(Book.author == author):  # error: ORM003
        print(book.author.name, book.editor.name)
""",
        id="another-many-to-one-than-the-pinned-one",
    ),
    pytest.param(
        """
def f(session):
    for book in session.query(Book).filter(Book.author_id == Author.id):  # error: ORM003
        print(book.author.name)
""",
        id="equated-with-a-column-is-a-join",
    ),
    pytest.param(
        """
from sqlalchemy.orm import aliased

def f(session):
    other = aliased(Author)
    for book in session.query(Book).filter(Book.author_id == other.id):  # error: ORM003
        print(book.author.name)
""",
        id="equated-with-an-alias-column",
    ),
    pytest.param(
        """
def f(session, author_id):
    for book in session.query(Book).join(Book.editor).filter_by(author_id=author_id):  # error: ORM003
        print(book.author.name)
""",
        id="filter_by-after-a-join-filters-the-joined-class",
    ),
    pytest.param(
        """
from sqlalchemy import or_

def f(session, author_id):
    for book in session.scalars(select(Book).where(or_(Book.author_id == author_id, Book.id > 3))):  # error: ORM003
        print(book.author.name)
""",
        id="one-of-two-conditions",
    ),
    pytest.param(
        """
def f(session, author_id):
    for book in session.query(Book).filter(Book.author_id != author_id):  # error: ORM003
        print(book.author.name)
""",
        id="not-equal",
    ),
    pytest.param(
        """
def f(session):
    for author in session.query(Author):
        for book in author.shelf:  # error: ORM003
            print(book.author.name, book.editor.name)
""",
        id="rows-of-a-dynamic-collection-read-another-relationship",
    ),
]


SHARED_PARENT_SILENT = [
    pytest.param(
        """
def f(session, author):
    for book in session.query(Book).filter(Book.author == author):
        print(book.author.name)
""",
        id="filter-on-the-relationship",
    ),
    pytest.param(
        """
def f(session, author_id):
    for book in session.query(Book).filter_by(author_id=author_id):
        print(book.author.name)
""",
        id="filter_by-foreign-key",
    ),
    pytest.param(
        """
def f(session, author):
    for book in session.query(Book).filter_by(author=author).order_by(Book.title):
        print(book.author.name)
""",
        id="filter_by-relationship",
    ),
    pytest.param(
        """
def f(session, author):
    for book in session.query(Book).filter(Book.id > 3, Book.author_id == author.id):
        print(book.author.name)
""",
        id="filter-foreign-key-among-others",
    ),
    pytest.param(
        """
def f(session, author_id):
    for book in session.scalars(select(Book).where(author_id == Book.author_id)):
        print(book.author.name)
""",
        id="where-value-first",
    ),
    pytest.param(
        """
from sqlalchemy import and_

def f(session, author):
    books = session.query(Book).filter(and_(Book.title != "", Book.author_id == author.id))
    for book in books:
        print(book.author.publisher.name)
""",
        id="and-beyond-the-shared-parent",
    ),
    pytest.param(
        """
def f(session):
    for book in session.query(Book).filter_by(author_id=7).all():
        print(book.author.name)
""",
        id="filter_by-a-literal",
    ),
    pytest.param(
        """
def f(session):
    for author in session.query(Author):
        for book in author.shelf.filter(Book.id > 3):
            print(book.author.name)
""",
        id="rows-of-a-dynamic-collection",
    ),
    pytest.param(
        """
def f(session, author_id):
    author = session.get(Author, author_id)
    for book in author.books:
        print(book.author.name)
""",
        id="rows-of-the-parent-collection",
    ),
]


@pytest.mark.parametrize("code", SHARED_PARENT_FIRES)
def test_rows_that_do_not_share_the_parent_fire(tmp_path, code):
    assert_marked(tmp_path, code)


@pytest.mark.parametrize("code", SHARED_PARENT_SILENT)
def test_rows_that_share_the_parent_are_silent(tmp_path, code):
    assert diagnostics(tmp_path, code) == []


def test_the_collection_is_loaded_not_what_its_items_share(tmp_path):
    """``author.books`` per author is an N+1; ``book.author`` of its items is the author
    again, and no part of the message or fix."""
    code = """
def f(session):
    for author in session.query(Author):
        for book in author.books:
            print(book.author.name)
"""
    (found,) = diagnostics(tmp_path, code)
    assert "`author.books`" in found.message and "book.author" not in found.message
    assert "selectinload(Author.books))" in found.message


def test_django_has_no_identity_map(tmp_path):
    """``filter(customer=c)`` does not set ``order.customer``: Django fetches it per row."""
    code = """
from shop.models import Order

def f(customer):
    for order in Order.objects.filter(customer=customer):  # error: ORM001
        print(order.customer.name)
"""
    assert set(rows(check(project(tmp_path), code, "ORM001"))) == marked_rows(code)


# -- a commit on each row expires what loader options load ----------------------------------


EXPIRED_BY_COMMIT = [
    pytest.param(
        """
def f(session):
    for book in session.scalars(select(Book)):
        book.title = book.author.name
        session.commit()
""",
        id="session-of-unknown-making",
    ),
    pytest.param(
        """
from sqlalchemy.orm import Session

def f(engine):
    with Session(engine) as session:
        done = 0
        for book in session.scalars(select(Book)).all():
            book.title = book.author.name
            done += 1
            if done % 100 == 0:
                session.commit()
""",
        id="every-hundred-rows-expires-the-rest-too",
    ),
    pytest.param(
        """
from sqlalchemy.orm import sessionmaker

SessionLocal = sessionmaker(expire_on_commit=False)

def f():
    session = SessionLocal(expire_on_commit=True)
    for book in session.query(Book):
        book.title = book.author.name
        session.commit()
""",
        id="factory-setting-overridden",
    ),
    pytest.param(
        """
from shop.tables import SessionLocal

def f():
    session = SessionLocal()
    for book in session.query(Book):
        book.title = book.author.name
        session.commit()
""",
        id="factory-made-elsewhere",
    ),
]


KEPT_ON_COMMIT = [
    pytest.param(
        """
from sqlalchemy.orm import Session

def f(engine):
    with Session(engine, expire_on_commit=False) as session:
        for book in session.scalars(select(Book)):
            book.title = book.author.name
            session.commit()
""",
        id="session-keeps-rows",
    ),
    pytest.param(
        """
from sqlalchemy.orm import sessionmaker

SessionLocal = sessionmaker(expire_on_commit=False)

def f():
    session = SessionLocal()
    for book in session.query(Book):
        book.title = book.author.name
        session.commit()
""",
        id="factory-keeps-rows",
    ),
    pytest.param(
        """
from sqlalchemy.orm import scoped_session, sessionmaker

Session = scoped_session(sessionmaker(expire_on_commit=False))

def f():
    for book in Session.query(Book):
        book.title = book.author.name
        Session.commit()
""",
        id="scoped-session-of-a-factory-that-keeps-rows",
    ),
    pytest.param(
        """
def f(session):
    for book in session.scalars(select(Book)):
        book.title = book.author.name
        session.flush()
""",
        id="flush-expires-nothing",
    ),
    pytest.param(
        """
def f(session):
    for book in session.scalars(select(Book)):
        book.title = book.author.name
    session.commit()
""",
        id="commit-after-the-loop",
    ),
]


@pytest.mark.parametrize("code", EXPIRED_BY_COMMIT)
def test_no_loader_fix_when_a_commit_in_the_loop_expires_the_rows(tmp_path, code):
    (found,) = diagnostics(tmp_path, code)
    assert found.fix is None
    assert "load with `.options(joinedload(Book.author))` after moving `session.commit()` out of the loop" in found.message


@pytest.mark.parametrize("code", KEPT_ON_COMMIT)
def test_loader_fix_when_the_loaded_rows_survive(tmp_path, code):
    (found,) = diagnostics(tmp_path, code)
    assert found.fix is not None and "commit" not in found.message
