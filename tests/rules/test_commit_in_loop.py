"""ORM204 commit-in-loop: a SQLAlchemy commit or flush on every iteration of a loop that
writes (no fix)."""

import pytest

from harness import check, marked_rows, rows


def diagnostics(tmp_path, code):
    return check(tmp_path, code, "ORM204")


FIRES = [
    pytest.param(
        """
        from shop.tables import SessionLocal, User

        def load(names):
            session = SessionLocal()
            for name in names:
                session.add(User(name=name))
                session.commit()  # error: ORM204
        """,
        id="add-then-commit",
    ),
    pytest.param(
        """
        from sqlalchemy import select
        from sqlalchemy.orm import Session
        from shop.tables import User

        def rename(session: Session):
            for user in session.scalars(select(User)):
                user.name = user.name.title()
                session.flush()  # error: ORM204
        """,
        id="change-then-flush",
    ),
    pytest.param(
        """
        from shop.tables import SessionLocal, User

        def load(names, lock):
            with SessionLocal() as session:
                for name in names:
                    with lock:
                        session.merge(User(name=name))
                        session.commit()  # error: ORM204
        """,
        id="inside-with",
    ),
]


@pytest.mark.parametrize("code", FIRES)
def test_fires(tmp_path, code):
    assert rows(diagnostics(tmp_path, code)) == sorted(marked_rows(code))


SILENT = [
    pytest.param(
        """
        from shop.tables import SessionLocal, User

        def load(names):
            session = SessionLocal()
            for i, name in enumerate(names):
                session.add(User(name=name))
                if i % 1000 == 0:
                    session.commit()
            session.commit()
        """,
        id="batched-commits",
    ),
    pytest.param(
        """
        from shop.tables import SessionLocal, User

        def load(names):
            session = SessionLocal()
            for name in names:
                try:
                    session.add(User(name=name))
                    session.commit()
                except Exception:
                    session.rollback()
        """,
        id="per-row-error-handling",
    ),
    pytest.param(
        """
        from shop.tables import SessionLocal, User

        def report(names):
            session = SessionLocal()
            for user in session.query(User):
                print(user.name)
                session.commit()
        """,
        id="loop-does-not-write",
    ),
    pytest.param(
        """
        from shop.tables import SessionLocal, User

        def save(user):
            session = SessionLocal()
            session.add(user)
            for attempt in range(3):
                session.add(user)
                session.commit()
                break
        """,
        id="retry-loop",
    ),
    pytest.param(
        """
        def load(names, connection, repo):
            for name in names:
                repo.add(name)
                repo.commit()
                connection.commit()
        """,
        id="not-a-session",
    ),
]


@pytest.mark.parametrize("code", SILENT)
def test_silent(tmp_path, code):
    assert rows(diagnostics(tmp_path, code)) == []


def test_message(tmp_path):
    code = """
    from shop.tables import SessionLocal, User

    def load(names):
        session = SessionLocal()
        for name in names:
            session.add(User(name=name))
            session.flush()
    """
    (found,) = diagnostics(tmp_path, code)
    assert found.message.startswith("`session.flush()` on every iteration")
    assert "flush once after the loop" in found.message
    assert found.fix is None
