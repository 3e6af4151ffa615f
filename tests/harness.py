"""Shared test harness: check or fix code inside a small project on disk.

Every rule test goes through :func:`check` and :func:`assert_fixes`, so each one also
proves what the round-trip check demands of every fix: the expected output parses, the fix
produces it, and fixing it again changes nothing.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Set, Tuple

import libcst as cst

from ormlint.config import Config
from ormlint.diagnostics import Diagnostic
from ormlint.engine import Project, check_source, fix_source
from ormlint.source import SourceFile

#: The models every rule test can use, as a Django app and a SQLAlchemy module.
DJANGO_MODELS = '''
from django.db import models


class Customer(models.Model):
    name = models.CharField(max_length=100)


class Order(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="orders")
    status = models.CharField(max_length=20)

    archived = models.Manager()
'''

SQLALCHEMY_MODELS = '''
from typing import List

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship, sessionmaker


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50))
    posts: Mapped[List["Post"]] = relationship(back_populates="author")


class Post(Base):
    __tablename__ = "posts"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    author: Mapped["User"] = relationship(back_populates="posts")


SessionLocal = sessionmaker()
'''

#: More relations for the N+1 rules' tests: OneToOne, nullable ForeignKey, ManyToMany,
#: GenericForeignKey, and chains through them (written to shop/extra.py by those tests).
EXTRA_DJANGO_MODELS = '''
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models

from shop.models import Customer


class Region(models.Model):
    name = models.CharField(max_length=50)


class Profile(models.Model):
    customer = models.OneToOneField(Customer, on_delete=models.CASCADE, related_name="profile")
    region = models.ForeignKey(Region, null=True, on_delete=models.SET_NULL)
    bio = models.TextField()


class Tag(models.Model):
    name = models.CharField(max_length=50)


class Line(models.Model):
    order = models.ForeignKey("shop.Order", on_delete=models.CASCADE, related_name="lines")
    region = models.ForeignKey(Region, on_delete=models.CASCADE)
    parent = models.ForeignKey("self", null=True, on_delete=models.CASCADE, related_name="children")
    tags = models.ManyToManyField(Tag, related_name="lines")
    quantity = models.IntegerField()


class Owned(models.Model):
    owner = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="%(class)s_items")

    class Meta:
        abstract = True


class Note(Owned):
    text = models.TextField()
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveIntegerField()
    content_object = GenericForeignKey("content_type", "object_id")
'''

_MARK = re.compile(r"#\s*error:\s*(?P<codes>ORM\d{3}(?:\s*,\s*ORM\d{3})*)")


def make_project(root: Path, files: Optional[Dict[str, str]] = None) -> Path:
    """A project folder with the shared models, plus ``files``."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text("[project]\nname = 'testproject'\n")
    shop = root / "shop"
    shop.mkdir(exist_ok=True)
    (shop / "__init__.py").write_text("")
    (shop / "models.py").write_text(DJANGO_MODELS)
    (shop / "tables.py").write_text(SQLALCHEMY_MODELS)
    for name, text in (files or {}).items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def _write(root: Path, code: str, name: str) -> SourceFile:
    make_project(root)
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(code))
    return SourceFile.read(str(path))


def check(root: Path, code: str, select: str, name: str = "shop/views.py", config: Optional[Config] = None) -> List[Diagnostic]:
    """Diagnostics of ``select`` rules for ``code`` written as ``name`` in a project."""
    source = _write(root, code, name)
    config = (config or Config()).override(select=(select,))
    return check_source(source, config, Project()).diagnostics


def rows(diagnostics: List[Diagnostic]) -> List[Tuple[int, str]]:
    return [(d.location.row, d.code) for d in diagnostics]


def fix(root: Path, code: str, select: str, unsafe: bool = False, name: str = "shop/views.py", config: Optional[Config] = None) -> str:
    source = _write(root, code, name)
    config = (config or Config()).override(select=(select,))
    result = fix_source(source, config, Project(), unsafe=unsafe)
    return source.text if result.fixed_text is None else result.fixed_text


def assert_fixes(root: Path, before: str, after: str, select: str, unsafe: bool = False, config: Optional[Config] = None) -> None:
    """``before`` fixes to exactly ``after``, which parses and is left alone by a second fix."""
    expected = textwrap.dedent(after)
    cst.parse_module(expected)  # a test must never enshrine broken code
    fixed = fix(root, before, select, unsafe=unsafe, config=config)
    assert fixed == expected
    assert fix(root, fixed, select, unsafe=unsafe, config=config) == fixed


def marked_rows(text: str) -> Set[Tuple[int, str]]:
    """The ``# error: ORM101`` marks of a fixture: the rows and codes that must fire."""
    found = set()
    for row, line in enumerate(text.splitlines(), start=1):
        match = _MARK.search(line)
        if match:
            for code in re.split(r"\s*,\s*", match.group("codes")):
                found.add((row, code))
    return found


def editor_edits(text: str) -> Iterator[Tuple[str, str]]:
    """Edits of each kind an editor makes, at the start, middle and end of the file and
    inside and between statements."""
    lines = text.splitlines(keepends=True)
    for i in sorted({len(lines) // 3, len(lines) - 1}):
        line = lines[i]
        indent = line[: len(line) - len(line.lstrip())]
        yield f"comment at {i}", "".join(lines[:i] + [indent + "# typed\n"] + lines[i:])
        yield f"unindented comment at {i}", "".join(lines[:i] + ["# typed\n"] + lines[i:])
        yield f"indented comment at {i}", "".join(lines[: i + 1] + [indent + "    # deeper\n"] + lines[i + 1 :])
        yield f"statement at {i}", "".join(lines[: i + 1] + [indent + "typed = 1\n"] + lines[i + 1 :])
        yield f"line deleted at {i}", "".join(lines[:i] + lines[i + 1 :])
        yield f"blank line at {i}", "".join(lines[:i] + ["\n"] + lines[i:])
        yield f"name changed at {i}", "".join(lines[:i] + [line.replace("(", "_typed(", 1)] + lines[i + 1 :])
    yield "first line", "# typed\n" + text
    yield "last line", text + "typed = 2\n"
    yield "indented comment at the end", text + "    # typed\n"
    yield "no newline at the end", text.rstrip("\n")
    yield "windows newline", text.replace("\n", "\r\n", 1)
