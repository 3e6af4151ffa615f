"""ORM003 n-plus-one-sqlalchemy: a loop over SQLAlchemy results reads a lazily loaded
relationship of each row."""

import pytest

from harness import assert_fixes, check, make_project, marked_rows, rows

#: Relationships beyond ``User.posts`` / ``Post.author``: eager strategies, an optional
#: many-to-one, a self-referencing collection, one whose direction the source does not
#: state, ``uselist=False`` and a ``backref``.
EXTRA_TABLES = '''
from typing import List, Optional

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shop.tables import Base


class Comment(Base):
    __tablename__ = "comments"
    id: Mapped[int] = mapped_column(primary_key=True)
    body: Mapped[str] = mapped_column(String(200))
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id"))
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    parent_id: Mapped[Optional[int]] = mapped_column(ForeignKey("comments.id"))
    post: Mapped["Post"] = relationship()
    user: Mapped[Optional["User"]] = relationship()
    replies: Mapped[List["Comment"]] = relationship()
    eager_post: Mapped["Post"] = relationship(lazy="selectin", viewonly=True)
    joined_user: Mapped["User"] = relationship(lazy="joined", viewonly=True)
    raising_post: Mapped["Post"] = relationship(lazy="raise", viewonly=True)
    false_lazy_user: Mapped["User"] = relationship(lazy=False, viewonly=True)
    dynamic_replies = relationship("Comment", lazy="dynamic", viewonly=True)
    legacy_post = relationship("Post", viewonly=True)
    single_user = relationship("User", uselist=False, viewonly=True)


class Badge(Base):
    __tablename__ = "badges"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    holder = relationship("User", backref="badges")
'''


def project(tmp_path):
    make_project(tmp_path, {"shop/library.py": EXTRA_TABLES})
    return tmp_path


def diagnostics(tmp_path, code):
    return check(project(tmp_path), code, "ORM003")


def fixes(tmp_path, before, after):
    assert_fixes(project(tmp_path), before, after, "ORM003")


# -- must fire ---------------------------------------------------------------------------


FIRES = [
    pytest.param(
        """
        from sqlalchemy import select
        from shop.tables import Post, SessionLocal

        def f():
            session = SessionLocal()
            for post in session.scalars(select(Post)):  # error: ORM003
                print(post.author.name)
        """,
        id="scalars-select",
    ),
    pytest.param(
        """
        from sqlalchemy import select
        from shop.tables import Post

        def authors(session):
            return [post.author.name for post in session.scalars(select(Post))]  # error: ORM003
        """,
        id="comprehension",
    ),
    pytest.param(
        """
        from sqlalchemy import select
        from shop.tables import Post

        def authors(session):
            return {post.id: post.author for post in session.scalars(select(Post).where(Post.id > 1))}  # error: ORM003
        """,
        id="dict-comprehension-where",
    ),
    pytest.param(
        """
        from sqlalchemy import select
        from shop.tables import User

        def f(session):
            for user in session.execute(select(User)).scalars():  # error: ORM003
                print(len(user.posts))
        """,
        id="execute-scalars-collection",
    ),
    pytest.param(
        """
        from sqlalchemy import select
        from shop.tables import User

        def f(session):
            for user in session.execute(select(User)).scalars().unique().all():  # error: ORM003
                print(len(user.posts))
        """,
        id="execute-scalars-unique-all",
    ),
    pytest.param(
        """
        from sqlalchemy import select
        from shop.tables import Post

        def f(session):
            for post in session.scalars(select(Post)).all():  # error: ORM003
                print(post.author.name)
        """,
        id="scalars-all",
    ),
    pytest.param(
        """
        from shop.tables import Post

        def f(session):
            for post in session.query(Post).all():  # error: ORM003
                print(post.author.name)
        """,
        id="legacy-query-all",
    ),
    pytest.param(
        """
        from shop.tables import Post, SessionLocal

        def f():
            with SessionLocal() as session:
                for post in session.query(Post).filter(Post.id > 1).order_by(Post.id):  # error: ORM003
                    print(post.author.name)
        """,
        id="legacy-query-chain-with-session",
    ),
    pytest.param(
        """
        from sqlalchemy.orm import Session
        from shop.tables import User

        def f(session: Session):
            users = session.query(User)
            for user in users:  # error: ORM003
                for post in user.posts:
                    print(post.id)
        """,
        id="assigned-query",
    ),
    pytest.param(
        """
        from sqlalchemy import select
        from shop.tables import Post

        def f(session):
            statement = select(Post)
            for post in session.scalars(statement):  # error: ORM003
                print(post.author.name)
        """,
        id="assigned-statement",
    ),
    pytest.param(
        """
        from sqlalchemy import select
        from shop.tables import Post

        def f(session):
            for post in session.scalars(select(Post)):  # error: ORM003
                writer = post.author
                print(writer.name)
        """,
        id="alias",
    ),
    pytest.param(
        """
        from sqlalchemy import select
        from shop.library import Comment

        def f(session):
            for comment in session.scalars(select(Comment)):  # error: ORM003
                print(comment.post.author.name)
        """,
        id="chain",
    ),
    pytest.param(
        """
        from sqlalchemy import select
        from sqlalchemy.orm import joinedload
        from shop.library import Comment

        def f(session):
            for comment in session.scalars(select(Comment).options(joinedload(Comment.post))):  # error: ORM003
                print(comment.post.id, comment.user.name)
        """,
        id="other-relationship-loaded",
    ),
    pytest.param(
        """
        from sqlalchemy import select
        from shop.library import Comment

        def f(session):
            for comment in session.scalars(select(Comment)):  # error: ORM003
                print(comment.user.name)
        """,
        id="optional-many-to-one",
    ),
    pytest.param(
        """
        from sqlalchemy import select
        from shop.library import Comment

        def f(session):
            for comment in session.scalars(select(Comment)):  # error: ORM003
                print(len(comment.replies))
        """,
        id="self-referencing-collection",
    ),
    pytest.param(
        """
        from sqlalchemy import select
        from shop.library import Comment

        def f(session):
            for comment in session.scalars(select(Comment)):  # error: ORM003
                print(comment.legacy_post, comment.single_user)
        """,
        id="untyped-relationships",
    ),
    pytest.param(
        """
        from sqlalchemy import select
        from shop.tables import User

        def f(session):
            for user in session.scalars(select(User)):  # error: ORM003
                print(user.badges)
        """,
        id="backref",
    ),
    pytest.param(
        """
        from sqlalchemy import select
        from shop.tables import Post, SessionLocal

        for post in SessionLocal().scalars(select(Post)):  # error: ORM003
            print(post.author)
        """,
        id="module-level",
    ),
    pytest.param(
        """
        from sqlalchemy import select
        from sqlalchemy.orm import lazyload
        from shop.tables import Post

        def f(session):
            for post in session.scalars(select(Post).options(lazyload(Post.author))):  # error: ORM003
                print(post.author.name)
        """,
        id="lazyload-option-loads-lazily",
    ),
    pytest.param(
        """
        from sqlalchemy import select
        from sqlalchemy.orm import defaultload
        from shop.tables import Post, User

        def f(session):
            for user in session.scalars(select(User).options(defaultload(User.posts).joinedload(Post.author))):  # error: ORM003
                print(len(user.posts))
        """,
        id="defaultload-keeps-the-relationship-lazy",
    ),
]


@pytest.mark.parametrize("code", FIRES)
def test_fires(tmp_path, code):
    assert rows(diagnostics(tmp_path, code)) == sorted(marked_rows(code))


def test_message(tmp_path):
    code = """
    from sqlalchemy import select
    from shop.library import Comment

    def f(session):
        for comment in session.scalars(select(Comment)):
            print(comment.user.name, len(comment.replies), comment.post.author)
    """
    found = diagnostics(tmp_path, code)
    assert rows(found) == [(6, "ORM003")]
    message = found[0].message
    for read in ("`comment.user`", "`comment.replies`", "`comment.post"):
        assert read in message
    assert (
        ".options(joinedload(Comment.post), selectinload(Comment.replies), joinedload(Comment.user))" in message
    )


# -- must not fire -----------------------------------------------------------------------


SILENT = [
    pytest.param(
        """
        from sqlalchemy import select
        from shop.library import Comment

        def f(session):
            for comment in session.scalars(select(Comment)):
                print(comment.eager_post.id, comment.joined_user.name, comment.raising_post)
        """,
        id="eager-lazy-strategies",
    ),
    pytest.param(
        """
        from sqlalchemy import select
        from sqlalchemy.orm import selectinload
        from shop.tables import User

        def f(session):
            for user in session.scalars(select(User).options(selectinload(User.posts))):
                print(len(user.posts))
        """,
        id="selectinload-option",
    ),
    pytest.param(
        """
        from sqlalchemy import select
        from sqlalchemy.orm import joinedload
        from shop.tables import Post

        def f(session):
            for post in session.scalars(select(Post).options(joinedload(Post.author))):
                print(post.author.name)
        """,
        id="joinedload-option",
    ),
    pytest.param(
        """
        from sqlalchemy import select
        from sqlalchemy.orm import selectinload
        from shop.tables import Post, User

        def f(session):
            for user in session.scalars(select(User).options(selectinload(User.posts).joinedload(Post.author))):
                print([post.author for post in user.posts])
        """,
        id="chained-loader-option",
    ),
    pytest.param(
        """
        from sqlalchemy.orm import joinedload
        from shop.tables import Post

        def f(session):
            for post in session.query(Post).options(joinedload(Post.author)).all():
                print(post.author.name)
        """,
        id="legacy-query-option",
    ),
    pytest.param(
        """
        from sqlalchemy import select
        from sqlalchemy.orm import selectinload
        from shop.tables import User

        def f(session):
            statement = select(User).options(selectinload(User.posts))
            for user in session.scalars(statement):
                print(len(user.posts))
        """,
        id="option-on-assigned-statement",
    ),
    pytest.param(
        """
        from sqlalchemy import select
        from shop.tables import Post

        def f(session):
            for post in session.scalars(select(Post)):
                print(post.id, post.user_id)
        """,
        id="column-attributes",
    ),
    pytest.param(
        """
        from sqlalchemy import select
        from shop.tables import Post

        def f(session):
            for post in session.scalars(select(Post)):
                print(post.to_dict())
        """,
        id="method-call",
    ),
    pytest.param(
        """
        from sqlalchemy import select
        from shop.tables import Post

        def f(session):
            for post in session.scalars(select(Post)):
                pass
            print(post.author.name)
        """,
        id="read-after-loop",
    ),
    pytest.param(
        """
        from shop.tables import Post

        def f():
            posts = [Post(id=1), Post(id=2)]
            for post in posts:
                print(post.author)
        """,
        id="plain-list",
    ),
    pytest.param(
        """
        def f(posts):
            for post in posts:
                print(post.author)
        """,
        id="unknown-iterable",
    ),
    pytest.param(
        """
        from sqlalchemy import select
        from shop.tables import Post

        def f(session):
            for row in session.execute(select(Post.id, Post.user_id)):
                print(row.author)
        """,
        id="column-select",
    ),
    pytest.param(
        """
        from shop.tables import Post

        def f(session):
            for post_id in session.query(Post.id):
                print(post_id.author)
        """,
        id="column-query",
    ),
    pytest.param(
        """
        from sqlalchemy import select
        from shop.tables import Post

        def f(session):
            return [lambda: post.author for post in session.scalars(select(Post))]
        """,
        id="read-in-lambda-not-per-row",
    ),
    pytest.param(
        """
        from shop.models import Order

        def f():
            for order in Order.objects.all():
                print(order.customer.name)
        """,
        id="django-is-orm001",
    ),
    pytest.param(
        """
        from sqlalchemy import select
        from shop.library import Comment

        def f(session):
            for comment in session.scalars(select(Comment)):
                print(comment.false_lazy_user.name)
        """,
        id="lazy-false-means-joined",
    ),
    pytest.param(
        """
        from sqlalchemy import select
        from shop.library import Comment

        def f(session):
            for comment in session.scalars(select(Comment)):
                print(comment.dynamic_replies.filter_by(id=1).all())
        """,
        id="dynamic-relationship-no-loader-option-applies",
    ),
    pytest.param(
        """
        from sqlalchemy import select
        from sqlalchemy.orm import contains_eager
        from shop.tables import Post

        def f(session):
            for post in session.scalars(select(Post).join(Post.author).options(contains_eager(Post.author))):
                print(post.author.name)
        """,
        id="contains-eager-option",
    ),
    pytest.param(
        """
        from sqlalchemy.orm import subqueryload
        from shop.tables import User

        def f(session):
            for user in session.query(User).options(subqueryload(User.posts)).filter(User.id > 1).all():
                print(len(user.posts))
        """,
        id="option-then-filter-on-legacy-query",
    ),
    pytest.param(
        """
        from sqlalchemy import select
        from sqlalchemy.orm import raiseload
        from shop.tables import Post

        def f(session):
            for post in session.scalars(select(Post).options(raiseload(Post.author))):
                print(post.author)
        """,
        id="raiseload-option",
    ),
    pytest.param(
        """
        from sqlalchemy import select
        from shop.tables import Post

        def f(session):
            for post in session.scalars(select(Post)):
                def later():
                    return post.author
                print(later)
        """,
        id="read-in-nested-function-not-per-row",
    ),
    pytest.param(
        """
        from sqlalchemy import select
        from shop.tables import Post, User

        def f(session, user):
            for post in session.scalars(select(Post)):
                post.author = user
        """,
        id="relationship-assigned-not-read",
    ),
]


@pytest.mark.parametrize("code", SILENT)
def test_silent(tmp_path, code):
    assert rows(diagnostics(tmp_path, code)) == []


# -- findings without a fix --------------------------------------------------------------


NO_FIX = [
    pytest.param(
        """
        def f(session):
            from sqlalchemy import select
            from shop.tables import Post

            for post in session.scalars(select(Post)):
                print(post.author.name)
        """,
        id="no-top-level-import-to-follow",
    ),
    pytest.param(
        """
        from sqlalchemy import select
        from sqlalchemy.orm import *
        from shop.tables import Post

        def f(session):
            for post in session.scalars(select(Post)):
                print(post.author.name)
        """,
        id="star-import",
    ),
    pytest.param(
        """
        from shop.tables import Post

        def f(session, flag):
            posts = session.query(Post)
            if flag:
                posts = posts.filter(Post.id > 1)
            for post in posts:
                print(post.author.name)
        """,
        id="assigned-twice",
    ),
]


@pytest.mark.parametrize("code", NO_FIX)
def test_finding_without_fix(tmp_path, code):
    found = diagnostics(tmp_path, code)
    assert [d.code for d in found] == ["ORM003"]
    assert found[0].fix is None


# -- fixes -------------------------------------------------------------------------------


def test_fix_scalars_select_adds_import_after_last_import(tmp_path):
    fixes(
        tmp_path,
        """
        from sqlalchemy import select
        from shop.tables import Post

        def authors(session):
            return [post.author.name for post in session.scalars(select(Post))]
        """,
        """
        from sqlalchemy import select
        from shop.tables import Post
        from sqlalchemy.orm import joinedload

        def authors(session):
            return [post.author.name for post in session.scalars(select(Post).options(joinedload(Post.author)))]
        """,
    )


def test_fix_import_goes_after_the_import_block(tmp_path):
    fixes(
        tmp_path,
        """
        import logging

        from sqlalchemy import select
        from shop.tables import Post

        LOG = logging.getLogger(__name__)


        def authors(session):
            for post in session.scalars(select(Post)):
                LOG.info(post.author.name)
        """,
        """
        import logging

        from sqlalchemy import select
        from shop.tables import Post
        from sqlalchemy.orm import joinedload

        LOG = logging.getLogger(__name__)


        def authors(session):
            for post in session.scalars(select(Post).options(joinedload(Post.author))):
                LOG.info(post.author.name)
        """,
    )


def test_fix_merges_into_existing_sqlalchemy_orm_import(tmp_path):
    fixes(
        tmp_path,
        """
        from sqlalchemy import select
        from sqlalchemy.orm import Session
        from shop.tables import Post

        def authors(session: Session):
            for post in session.scalars(select(Post)):
                print(post.author.name)
        """,
        """
        from sqlalchemy import select
        from sqlalchemy.orm import Session, joinedload
        from shop.tables import Post

        def authors(session: Session):
            for post in session.scalars(select(Post).options(joinedload(Post.author))):
                print(post.author.name)
        """,
    )


def test_fix_merges_into_parenthesised_import_keeping_its_layout(tmp_path):
    fixes(
        tmp_path,
        """
        from sqlalchemy import select
        from sqlalchemy.orm import (
            Session,
            load_only,
        )
        from shop.tables import Post

        def authors(session: Session):
            for post in session.scalars(select(Post)):
                print(post.author.name)
        """,
        """
        from sqlalchemy import select
        from sqlalchemy.orm import (
            Session,
            load_only,
            joinedload,
        )
        from shop.tables import Post

        def authors(session: Session):
            for post in session.scalars(select(Post).options(joinedload(Post.author))):
                print(post.author.name)
        """,
    )


def test_fix_execute_scalars_collection_selectinload(tmp_path):
    fixes(
        tmp_path,
        """
        from sqlalchemy import select
        from shop.tables import User

        def f(session):
            for user in session.execute(select(User)).scalars():
                print([post.id for post in user.posts])
        """,
        """
        from sqlalchemy import select
        from shop.tables import User
        from sqlalchemy.orm import selectinload

        def f(session):
            for user in session.execute(select(User).options(selectinload(User.posts))).scalars():
                print([post.id for post in user.posts])
        """,
    )


def test_fix_legacy_query_all(tmp_path):
    fixes(
        tmp_path,
        """
        from shop.tables import Post

        def f(session):
            for post in session.query(Post).all():
                print(post.author.name)
        """,
        """
        from shop.tables import Post
        from sqlalchemy.orm import joinedload

        def f(session):
            for post in session.query(Post).options(joinedload(Post.author)).all():
                print(post.author.name)
        """,
    )


def test_fix_legacy_query_assignment(tmp_path):
    fixes(
        tmp_path,
        """
        from shop.tables import User

        def f(session):
            users = session.query(User).filter(User.id > 1)
            for user in users:
                print(len(user.posts))
        """,
        """
        from shop.tables import User
        from sqlalchemy.orm import selectinload

        def f(session):
            users = session.query(User).filter(User.id > 1).options(selectinload(User.posts))
            for user in users:
                print(len(user.posts))
        """,
    )


def test_fix_after_where(tmp_path):
    fixes(
        tmp_path,
        """
        from sqlalchemy import select
        from shop.tables import Post

        def f(session):
            for post in session.scalars(select(Post).where(Post.id > 1)).all():
                print(post.author.name)
        """,
        """
        from sqlalchemy import select
        from shop.tables import Post
        from sqlalchemy.orm import joinedload

        def f(session):
            for post in session.scalars(select(Post).where(Post.id > 1).options(joinedload(Post.author))).all():
                print(post.author.name)
        """,
    )


def test_fix_extends_existing_options_without_new_import(tmp_path):
    fixes(
        tmp_path,
        """
        from sqlalchemy import select
        from sqlalchemy.orm import joinedload
        from shop.library import Comment

        def f(session):
            for comment in session.scalars(select(Comment).options(joinedload(Comment.post))):
                print(comment.post.id, comment.user.name)
        """,
        """
        from sqlalchemy import select
        from sqlalchemy.orm import joinedload
        from shop.library import Comment

        def f(session):
            for comment in session.scalars(select(Comment).options(joinedload(Comment.post), joinedload(Comment.user))):
                print(comment.post.id, comment.user.name)
        """,
    )


def test_fix_two_loaders_one_import(tmp_path):
    fixes(
        tmp_path,
        """
        from sqlalchemy import select
        from shop.library import Comment

        def f(session):
            for comment in session.scalars(select(Comment)):
                print(len(comment.replies), comment.post.author.name)
        """,
        """
        from sqlalchemy import select
        from shop.library import Comment
        from sqlalchemy.orm import joinedload, selectinload

        def f(session):
            for comment in session.scalars(select(Comment).options(joinedload(Comment.post), selectinload(Comment.replies))):
                print(len(comment.replies), comment.post.author.name)
        """,
    )


def test_fix_unknown_direction_uses_selectinload(tmp_path):
    fixes(
        tmp_path,
        """
        from sqlalchemy import select
        from sqlalchemy.orm import Session
        from shop.library import Comment

        def f(session: Session):
            return [comment.legacy_post for comment in session.scalars(select(Comment))]
        """,
        """
        from sqlalchemy import select
        from sqlalchemy.orm import Session, selectinload
        from shop.library import Comment

        def f(session: Session):
            return [comment.legacy_post for comment in session.scalars(select(Comment).options(selectinload(Comment.legacy_post)))]
        """,
    )


def test_fix_alias(tmp_path):
    fixes(
        tmp_path,
        """
        from sqlalchemy import select
        from shop.tables import Post

        def f(session):
            for post in session.scalars(select(Post)):
                writer = post.author
                print(writer.name)
        """,
        """
        from sqlalchemy import select
        from shop.tables import Post
        from sqlalchemy.orm import joinedload

        def f(session):
            for post in session.scalars(select(Post).options(joinedload(Post.author))):
                writer = post.author
                print(writer.name)
        """,
    )


def test_fix_is_safe_and_titled(tmp_path):
    code = """
    from sqlalchemy import select
    from shop.tables import Post

    def f(session):
        for post in session.scalars(select(Post)):
            print(post.author.name)
    """
    (found,) = diagnostics(tmp_path, code)
    assert found.fix is not None
    assert found.fix.applicability.value == "safe"
    assert found.fix.title == "Add `.options(joinedload(Post.author))`"


LEGACY_MODELS = '''from sqlalchemy import Column, ForeignKey, Integer
from sqlalchemy.orm import backref, declarative_base, relationship

Base = declarative_base()


class Event(Base):
    __tablename__ = "events"
    id = Column(Integer, primary_key=True)


class Entry(Base):
    __tablename__ = "entries"
    id = Column(Integer, primary_key=True)
    event_id = Column(ForeignKey("events.id"))
    event = relationship(Event, backref=backref("entries", lazy="dynamic"))
    logs = relationship("Log", lazy="dynamic")
    notes = relationship("Note")

    def describe(self):
        return self.logs.count()


class Log(Base):
    __tablename__ = "logs"
    id = Column(Integer, primary_key=True)
    entry_id = Column(ForeignKey("entries.id"))


class Note(Base):
    __tablename__ = "notes"
    id = Column(Integer, primary_key=True)
    entry_id = Column(ForeignKey("entries.id"))
'''


@pytest.mark.parametrize(
    "body, expected",
    [
        # event_id beside event: a many-to-one, loaded with joinedload
        ("[e.event for e in session.query(Entry).all()]", "joinedload(Entry.event)"),
        ("[e.notes for e in session.query(Entry).all()]", "selectinload(Entry.notes)"),
        # with_parent(event): the many-to-one back to the event is in the identity map
        ("[e.event for e in session.query(Entry).with_parent(event).all()]", None),
        ("[e.notes for e in session.query(Entry).with_parent(event).all()]", "selectinload(Entry.notes)"),
        # lazy="dynamic", directly, through a method, or through a backref
        ("[e.logs.count() for e in session.query(Entry).all()]", None),
        ("[e.describe() for e in session.query(Entry).all()]", None),
        ("[list(v.entries) for v in session.query(Event).all()]", None),
    ],
)
def test_relationship_direction_identity_map_and_dynamic(tmp_path, body, expected):
    make_project(tmp_path, {"shop/legacy.py": LEGACY_MODELS})
    code = f"from shop.legacy import Entry, Event\n\n\ndef f(session, event):\n    return {body}\n"
    found = check(tmp_path, code, "ORM003")
    if expected is None:
        assert found == []
    else:
        assert len(found) == 1 and expected in found[0].message


def test_a_path_is_loaded_by_a_loader_chain(tmp_path):
    """``comment.post.author`` needs ``joinedload(Comment.post).joinedload(Post.author)``
    when ``Post`` is importable; loading only ``post`` leaves the second step per row."""
    fixes(
        tmp_path,
        """
        from sqlalchemy import select
        from sqlalchemy.orm import joinedload
        from shop.library import Comment
        from shop.tables import Post

        def f(session):
            for comment in session.scalars(select(Comment).options(joinedload(Comment.post))):
                print(comment.post.author.name)
        """,
        """
        from sqlalchemy import select
        from sqlalchemy.orm import joinedload
        from shop.library import Comment
        from shop.tables import Post

        def f(session):
            for comment in session.scalars(select(Comment).options(joinedload(Comment.post), joinedload(Comment.post).joinedload(Post.author))):
                print(comment.post.author.name)
        """,
    )


def test_a_chain_cut_short_offers_no_fix_that_loads_nothing_new(tmp_path):
    code = """
    from sqlalchemy import select
    from sqlalchemy.orm import joinedload
    from shop.library import Comment

    def f(session):
        for comment in session.scalars(select(Comment).options(joinedload(Comment.post))):
            print(comment.post.author.name)
    """
    (found,) = diagnostics(tmp_path, code)
    assert "`comment.post.author`" in found.message and found.fix is None


def test_what_follows_a_relation_of_unknown_direction_is_not_read_on_the_parent(tmp_path):
    """``entry.slot.start`` where ``slot``'s direction is unknown: ``start`` is not the
    parent's ``start`` property (which reads ``slot`` again)."""
    project(tmp_path)
    (tmp_path / "shop" / "slots.py").write_text(
        "from sqlalchemy import ForeignKey\nfrom sqlalchemy.orm import mapped_column, relationship\n"
        "from shop.tables import Base\n\n"
        "class Slot(Base):\n    __tablename__ = 'slots'\n    id = mapped_column(primary_key=True)\n"
        "    entry_id = mapped_column(ForeignKey('entries.id'))\n\n"
        "class Entry(Base):\n    __tablename__ = 'entries'\n    id = mapped_column(primary_key=True)\n"
        "    slot = relationship('Slot')\n\n"
        "    @property\n    def start(self):\n        return self.slot.start\n"
    )
    code = """
    from sqlalchemy import select
    from sqlalchemy.orm import selectinload
    from shop.slots import Entry

    def f(session):
        return [entry.slot.start for entry in session.scalars(select(Entry).options(selectinload(Entry.slot)))]
    """
    assert check(tmp_path, code, "ORM003") == []


def test_silent_when_the_options_are_not_spelled_out(tmp_path):
    # ``options(*eager)`` or ``options(helper())`` may load the relationship: unknown.
    for options in ("*self.eager_options()", "EAGER", "joinedload(Post.author), *extra"):
        code = f"""
        from sqlalchemy import select
        from sqlalchemy.orm import joinedload
        from shop.tables import Post, SessionLocal

        class Store:
            def names(self, extra):
                session = SessionLocal()
                return [post.author.name for post in session.scalars(select(Post).options({options}))]
        """
        assert diagnostics(tmp_path, code) == [], options
    spelled = """
    from sqlalchemy import select
    from sqlalchemy.orm import load_only
    from shop.tables import Post, SessionLocal

    def names():
        session = SessionLocal()
        return [post.author.name for post in session.scalars(select(Post).options(load_only(Post.id)))]  # error: ORM003
    """
    assert set(rows(diagnostics(tmp_path, spelled))) == marked_rows(spelled)
