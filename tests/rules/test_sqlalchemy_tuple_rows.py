"""ORM003 on SQLAlchemy rows of several entities: ``session.query(Topic, TopicRead)``,
``add_entity()``, ``with_entities()``, ``session.execute(select(Topic, Forum))``, read
through loops that unpack each row (``for topic, read in rows``). Each name is a row of its
entity, with what the query loads for that entity; a column that is no entity, an
outer-joined class and whatever follows a ``*args`` are unknown."""

import pytest

from harness import assert_fixes, check, make_project, marked_rows, rows

#: Topics of forums, each by an author; a read marks that a user has read a topic.
FORUM = '''
from typing import List

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shop.tables import Base, User


class Forum(Base):
    __tablename__ = "forums"
    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    owner: Mapped["User"] = relationship()


class Topic(Base):
    __tablename__ = "topics"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(50))
    forum_id: Mapped[int] = mapped_column(ForeignKey("forums.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    forum: Mapped["Forum"] = relationship()
    author: Mapped["User"] = relationship()
    reads: Mapped[List["TopicRead"]] = relationship()


class TopicRead(Base):
    __tablename__ = "topic_reads"
    id: Mapped[int] = mapped_column(primary_key=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("topics.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    user: Mapped["User"] = relationship()
'''

IMPORTS = """
from sqlalchemy import func, select
from sqlalchemy.orm import aliased, contains_eager, joinedload
from shop.forum import Forum, Topic, TopicRead
"""


def project(tmp_path):
    return make_project(tmp_path, {"shop/forum.py": FORUM})


def diagnostics(tmp_path, code):
    return check(project(tmp_path), IMPORTS + code, "ORM003")


def assert_marked(tmp_path, code):
    assert set(rows(diagnostics(tmp_path, code))) == marked_rows(IMPORTS + code)


FIRES = [
    pytest.param(
        """
def f(session):
    rows = session.query(Topic, TopicRead).join(TopicRead, TopicRead.topic_id == Topic.id).filter(TopicRead.user_id == 3)
    for topic, read in rows:  # error: ORM003
        print(topic.author.name)
""",
        id="query-of-two-entities",
    ),
    pytest.param(
        """
def f(session):
    for topic, read in session.query(Topic, TopicRead).join(TopicRead, TopicRead.topic_id == Topic.id):  # error: ORM003
        print(read.user.name)
""",
        id="the-second-entity",
    ),
    pytest.param(
        """
def f(session):
    for (topic, read) in session.query(Topic).join(TopicRead, TopicRead.topic_id == Topic.id).add_entity(TopicRead):  # error: ORM003
        print(topic.author.name)
""",
        id="add_entity-parenthesized-targets",
    ),
    pytest.param(
        """
def f(session):
    for forum, topic in session.query(Topic).join(Topic.forum).with_entities(Forum, Topic).all():  # error: ORM003
        print(forum.owner.name)
""",
        id="with_entities-replaces-the-columns",
    ),
    pytest.param(
        """
def f(session):
    for topic, forum in session.execute(select(Topic, Forum).join(Topic.forum)):  # error: ORM003
        print(topic.author.name)
""",
        id="execute-select-of-two-entities",
    ),
    pytest.param(
        """
def f(session):
    for position, (topic, forum) in enumerate(session.execute(select(Topic, Forum).join(Topic.forum)).all()):  # error: ORM003
        print(position, forum.owner.name)
""",
        id="enumerated-tuple-rows",
    ),
    pytest.param(
        """
def f(session):
    for topic, reads in session.query(Topic, func.count(TopicRead.id)).group_by(Topic.id):  # error: ORM003
        print(topic.author.name, reads)
""",
        id="an-entity-beside-a-scalar",
    ),
    pytest.param(
        """
def f(session):
    rows = session.query(Topic, Forum).join(Topic.forum).options(joinedload(Topic.author))
    for topic, forum in rows:  # error: ORM003
        print(topic.author.name, forum.owner.name)
""",
        id="a-loader-loads-only-the-entity-it-names",
    ),
    pytest.param(
        """
def f(session, columns):
    for topic, first, second in session.query(Topic, *columns):  # error: ORM003
        print(topic.author.name, first.user, second.user)
""",
        id="the-entity-before-star-args",
    ),
    pytest.param(
        """
def f(session):
    for topic, read in session.query(Topic).outerjoin(Topic.reads).add_entity(TopicRead):  # error: ORM003
        print(topic.author.name)
""",
        id="the-entity-an-outer-join-starts-from",
    ),
    pytest.param(
        """
def f(session):
    return [topic.author.name for topic, read in session.query(Topic, TopicRead).join(TopicRead, TopicRead.topic_id == Topic.id)]  # error: ORM003
""",
        id="comprehension",
    ),
]


SILENT = [
    pytest.param(
        """
def f(session):
    rows = session.query(Topic, TopicRead).outerjoin(TopicRead, TopicRead.topic_id == Topic.id)
    for topic, read in rows:
        if read is not None:
            print(read.user.name)
""",
        id="outer-joined-entity-may-be-none",
    ),
    pytest.param(
        """
def f(session):
    for topic, read in session.query(Topic).outerjoin(Topic.reads).add_entity(TopicRead):
        print(read.user.name)
""",
        id="outer-joined-through-a-relationship",
    ),
    pytest.param(
        """
def f(session):
    reads = aliased(TopicRead)
    for topic, read in session.query(Topic, TopicRead).outerjoin(reads, reads.topic_id == Topic.id):
        print(topic.author.name, read.user.name)
""",
        id="outer-joined-class-the-source-does-not-name",
    ),
    pytest.param(
        """
def f(session):
    rows = session.query(Topic, TopicRead).join(TopicRead, TopicRead.topic_id == Topic.id, isouter=True)
    for topic, read in rows:
        print(read.user.name)
""",
        id="join-isouter",
    ),
    pytest.param(
        """
def f(session):
    rows = session.query(Topic, Forum).join(Topic.forum).options(joinedload(Topic.author), joinedload(Forum.owner))
    for topic, forum in rows:
        print(topic.author.name, forum.owner.name)
""",
        id="each-entity-loads-what-its-loader-names",
    ),
    pytest.param(
        """
def f(session):
    rows = session.query(Topic, Forum).join(Topic.forum).options(contains_eager(Topic.forum))
    for topic, forum in rows:
        print(topic.forum.id)
""",
        id="contains_eager-of-the-join",
    ),
    pytest.param(
        """
def f(session):
    for topic, forum in session.query(Topic):
        print(topic.author.name)
""",
        id="single-entity-is-no-tuple",
    ),
    pytest.param(
        """
def f(session, columns):
    for first, topic in session.query(*columns, Topic):
        print(topic.author.name)
""",
        id="entity-after-star-args",
    ),
    pytest.param(
        """
def f(session):
    other = aliased(Topic)
    for topic, copy in session.query(Topic, other):
        print(copy.author.name)
""",
        id="aliased-entity-is-unknown",
    ),
    pytest.param(
        """
def f(session):
    for topic, read, extra in session.query(Topic, TopicRead):
        print(topic.author.name)
""",
        id="rows-of-another-length",
    ),
    pytest.param(
        """
def f(session, author):
    for topic, forum in session.query(Topic, Forum).join(Topic.forum).filter(Topic.author == author, Forum.owner_id == 3):
        print(topic.author.name, forum.owner.name)
""",
        id="each-entity-shares-a-pinned-parent",
    ),
    pytest.param(
        """
def f(session, eager):
    for topic, forum in session.query(Topic, Forum).options(*eager):
        print(topic.author.name, forum.owner.name)
""",
        id="options-ormlint-cannot-read",
    ),
    pytest.param(
        """
def f(session):
    for title, forum_id in session.query(Topic.title, Topic.forum_id):
        print(title.author, forum_id.owner)
""",
        id="columns-only",
    ),
]


#: Before, a query of several columns passed for rows of its first entity.
TUPLE_NOT_FIRST_ENTITY = [
    pytest.param(
        """
def f(session):
    for row in session.query(Topic, Forum).join(Topic.forum):
        print(row.author.name)
""",
        id="query-of-two-entities",
    ),
    pytest.param(
        """
def f(session):
    for row in session.query(Topic).add_columns(Topic.title):
        print(row.author.name)
""",
        id="add_columns",
    ),
    pytest.param(
        """
def f(session):
    for row in session.query(Topic).with_entities(Topic.id, Topic.forum_id):
        print(row.forum.owner)
""",
        id="with_entities-of-columns",
    ),
]


@pytest.mark.parametrize("code", TUPLE_NOT_FIRST_ENTITY)
def test_a_tuple_row_is_not_a_row_of_its_first_entity(tmp_path, code):
    assert diagnostics(tmp_path, code) == []


def test_with_entities_of_one_entity_gives_its_rows(tmp_path):
    code = """
def f(session):
    for forum in session.query(Topic).join(Topic.forum).with_entities(Forum):  # error: ORM003
        print(forum.owner.name)
"""
    assert_marked(tmp_path, code)


@pytest.mark.parametrize("code", FIRES)
def test_a_lazy_relation_of_an_unpacked_entity_fires(tmp_path, code):
    assert_marked(tmp_path, code)


@pytest.mark.parametrize("code", SILENT)
def test_unknown_optional_or_loaded_entities_are_silent(tmp_path, code):
    assert diagnostics(tmp_path, code) == []


def test_a_row_of_one_entity_still_reads_as_before(tmp_path):
    """``scalars(select(Topic, Forum))`` gives the first column's rows: topics."""
    code = """
def f(session):
    for topic in session.scalars(select(Topic, Forum).join(Topic.forum)):  # error: ORM003
        print(topic.author.name)
"""
    assert_marked(tmp_path, code)


def test_the_fix_loads_each_entity_from_its_own_class(tmp_path):
    before = """
def f(session):
    rows = session.query(Topic, TopicRead).join(TopicRead, TopicRead.topic_id == Topic.id)
    for topic, read in rows:
        print(topic.author.name, read.user.name)
"""
    after = """
def f(session):
    rows = session.query(Topic, TopicRead).join(TopicRead, TopicRead.topic_id == Topic.id).options(joinedload(Topic.author), joinedload(TopicRead.user))
    for topic, read in rows:
        print(topic.author.name, read.user.name)
"""
    assert_fixes(project(tmp_path), IMPORTS + before, IMPORTS + after, "ORM003")


def test_the_fix_names_the_entity_added_to_the_query(tmp_path):
    before = """
def f(session):
    for topic, forum in session.query(Topic).join(Topic.forum).add_entity(Forum):
        print(forum.owner.name)
"""
    after = """
def f(session):
    for topic, forum in session.query(Topic).join(Topic.forum).add_entity(Forum).options(joinedload(Forum.owner)):
        print(forum.owner.name)
"""
    assert_fixes(project(tmp_path), IMPORTS + before, IMPORTS + after, "ORM003")


FLASK_FORUM = """
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()


class User(db.Model):
    id = db.Column(db.Integer, primary_key=True)


class Topic(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    author_id = db.Column(db.Integer, db.ForeignKey("user.id"))
    author = db.relationship("User")


class TopicRead(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    topic_id = db.Column(db.Integer, db.ForeignKey("topic.id"))
    user_id = db.Column(db.Integer, db.ForeignKey("user.id"))
    user = db.relationship("User")
"""


def test_an_entity_the_columns_do_not_name_is_reported_without_a_fix(tmp_path):
    """``Topic.query`` of Flask-SQLAlchemy names ``Topic`` nowhere among the columns, so
    there is no argument to start the loader from; ``TopicRead`` is one."""
    code = """
from app import Topic, TopicRead

def f():
    for topic, read in Topic.query.join(TopicRead, TopicRead.topic_id == Topic.id).add_entity(TopicRead):
        print(topic.author.id, read.user.id)
"""
    root = make_project(tmp_path, {"app/__init__.py": FLASK_FORUM})
    found = {d.message.split("`")[1]: d for d in check(root, code, "ORM003", name="app/views.py")}
    assert set(found) == {"topic.author", "read.user"}
    assert found["topic.author"].fix is None
    assert found["read.user"].fix is not None
