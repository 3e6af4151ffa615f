"""ORM003 n-plus-one-sqlalchemy."""

from __future__ import annotations

from typing import Optional, Tuple

import libcst as cst

from ormlint.diagnostics import Applicability
from ormlint.fixers.imports import import_edit
from ormlint.fixers.loader_options import add_options
from ormlint.rules._loops import LoopRule, reads_message
from ormlint.semantic.loops import LoopFacts, RelationRead, is_loaded, longest_reads
from ormlint.semantic.model import SQLALCHEMY_SELECT, keeps_rows_on_commit
from ormlint.semantic.types import ModelClass, QueryType, Session
from ormlint.semantic.writes import per_iteration_calls


class NPlusOneSqlalchemy(LoopRule):
    """
    ## What it does
    Finds a loop over SQLAlchemy results (`session.scalars(select(M))`,
    `session.execute(select(M)).scalars()`, `session.query(M)`, Flask-SQLAlchemy's
    `M.query`) whose body reads a lazily loaded `relationship()` of each row.

    Rows of several entities count too: a loop that unpacks them
    (`for topic, read in session.query(Topic, TopicRead)`, `add_entity()`,
    `with_entities()`, `session.execute(select(Topic, Forum))`) reads each name as a row
    of its entity, loaded with the options that name that entity's class.

    The loop may be in another function: rows passed to a function or method of the
    project that loops over that argument (`customer_names(orders)`, `self.render(qs)`)
    are read there, and reported and fixed where the query is built. A function that
    slices or rebinds the argument before looping is not followed.

    Templates count too: a view that renders a template with query rows in its context
    (`render(request, "x.html", {"orders": qs})`, `TemplateResponse`, `render_to_string`,
    a `ListView`, Flask's `render_template`) is reported where the rows are built when the
    template's `{% for %}` loops (and the `{% include %}`s they name) read relations of
    each row. Templates are found by name below any `templates` folder of the project.

    ## Why is this bad?
    A relationship with the default `lazy="select"` runs one query the first time it is
    read on each object: one query for the list, then one per row.

    ## Example
    ```python
    from sqlalchemy import select
    from shop.tables import Post

    def authors(session):
        return [post.author.name for post in session.scalars(select(Post))]
    ```

    ## Use instead
    ```python
    from sqlalchemy import select
    from shop.tables import Post
    from sqlalchemy.orm import joinedload

    def authors(session):
        return [post.author.name for post in session.scalars(select(Post).options(joinedload(Post.author)))]
    ```

    ## Fix safety
    Safe: the same objects, loaded eagerly. The fix adds `.options(selectinload(M.rel))`
    for collections (and relationships whose direction the source does not state) and
    `.options(joinedload(M.rel))` for many-to-one, where the statement or query is built,
    and imports the loader from `sqlalchemy.orm`. No fix is offered when the loop commits
    on each row: a commit expires every loaded row, eager loads too, unless the session
    is made with `expire_on_commit=False` where the file shows it.

    ## When it does not fire
    On relationships declared `lazy="selectin"`, `"joined"`, `"subquery"`,
    `"immediate"`, `"raise"` or `"noload"`, on queries whose options already load the
    relationship, on column attributes, and on anything the index does not know. A path
    is loaded step by step: `joinedload(Post.author)` loads `author` but not what it
    relates to, and `defaultload(Post.author).joinedload(User.team)` loads `team` with
    each author but not the author. Options ormlint cannot read (`options(*eager)`) may
    load anything. In unpacked rows, not on the entity of an outer-joined class
    (`outerjoin(TopicRead, ...)`: `None` on rows without a match), on columns that are no
    entity, nor on the names after a `*args` among the columns.

    Nor on a many-to-one that every row shares, which the session's identity map serves
    after its first read: the query filters it, or its `<name>_id` column, to one value
    (`filter(Post.author == user)`, `filter_by(author_id=x)`, `with_parent(user)`), or the
    rows are a `lazy="dynamic"` collection of that parent.

    ## References
    - [SQLAlchemy: relationship loading techniques](https://docs.sqlalchemy.org/en/20/orm/queryguide/relationships.html)
    """

    code = "ORM003"
    name = "n-plus-one-sqlalchemy"
    fix_applicability = Applicability.SAFE

    def check_loop(self, facts: LoopFacts) -> None:
        query = facts.query
        if query.orm != "sqlalchemy":
            return
        reads = [r for r in facts.reads if not is_loaded(query, r)]
        reads = longest_reads(reads)
        if not reads:
            return
        read_of = {}
        for read in reads:
            read_of.setdefault(self._chain(query.model, read), read)
        chains = sorted(read_of, key=lambda chain: [a for _, _, a in chain])
        call = ".options(" + ", ".join(_shown(chain) for chain in chains) + ")"
        # A chain cut short (a class on the way is not imported here) may load nothing new.
        new = [c for c in chains if not is_loaded(query, _first_steps(read_of[c], len(c)))]
        message = reads_message(facts, reads, call)
        commit = self._expiring_commit(facts)
        if commit is not None:
            # What the options load is expired by the commit before the next row reads it.
            shown = " ".join(self.semantic.module_node.code_for_node(commit).split())
            message += f" after moving `{shown}` out of the loop: a commit expires every loaded row"
            new = []
        fix = self._fix(facts, new, call) if new else None
        self.report(facts.reported_at, message, fix, helper=facts.helper)

    def _expiring_commit(self, facts: LoopFacts) -> Optional[cst.Call]:
        """A ``commit()`` on each iteration of the loop, unless it is certainly on a
        session made with ``expire_on_commit=False``: a receiver of unknown type may be a
        session too."""
        if not isinstance(facts.node, cst.For) or facts.via is not None:
            return None
        for commit in per_iteration_calls(facts.node, ("commit",)):
            receiver = commit.func.value
            kind = self.semantic.type_of(receiver)
            if (kind is None or isinstance(kind, Session)) and not keeps_rows_on_commit(self.semantic, receiver):
                return commit
        return None

    def _chain(self, model: str, read: RelationRead) -> Tuple[Tuple[str, str, str], ...]:
        """The loader chain for a read: (loader, class name, attribute) per step. A step
        from a class not importable here by its name ends the chain: it still loads the
        steps before it."""
        steps = []
        owner = model.rpartition(".")[2]
        for position, (attribute, relation) in enumerate(zip(read.path, read.relations)):
            if position and self.semantic.model_name(read.relations[position - 1].target or "") is None:
                break
            loader = "joinedload" if relation.kind == "one" else "selectinload"
            steps.append((loader, owner, attribute))
            owner = (relation.target or "").rpartition(".")[2]
        return tuple(steps)

    def _fix(self, facts: LoopFacts, chains, call: str):
        target = _statement(self.semantic, facts.built_at, facts.query.model) if facts.built_at is not None else None
        module = self.semantic.module_node
        if target is None or module is None:
            return None
        statement, model = target
        rewritten = statement
        for chain in chains:
            rewritten = add_options(rewritten, [(loader, model if not i else cst.Name(owner), attribute) for i, (loader, owner, attribute) in enumerate(chain)])
        missing = sorted(
            {
                loader
                for chain in chains
                for loader, _, _ in chain
                if self.semantic.qualified_name(cst.Name(loader)) != f"sqlalchemy.orm.{loader}"
            }
        )
        replacements = [(statement, rewritten)]
        if missing:
            edit = import_edit(module, "sqlalchemy.orm", missing)
            if edit is None:
                return None
            replacements.append(edit)
        return self.fix(f"Add `{call}`", *replacements)


def _first_steps(read: RelationRead, count: int) -> RelationRead:
    return RelationRead(read.path[:count], read.relations[:count])


def _shown(chain) -> str:
    return ".".join(f"{loader}({owner}.{attribute})" for loader, owner, attribute in chain)


def _statement(semantic, expression: cst.BaseExpression, entity: str):
    """The ``select(M)...`` or ``session.query(M)...`` expression inside the iterable,
    and the expression naming the class ``entity`` among its columns."""
    node: Optional[cst.BaseExpression] = expression
    while node is not None:
        found = semantic.queryset_type(node)
        if isinstance(found, QueryType) and found.kind in ("select", "query"):
            model = _model_argument(semantic, node, entity)
            return (node, model) if model is not None else None
        if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute):
            if node.func.attr.value in ("scalars", "execute") and node.args:
                node = node.args[0].value
            else:
                node = node.func.value
        else:
            return None
    return None


#: Calls that set a query's columns (an entity not among their arguments is not named in
#: the statement), and methods that add columns to them.
_COLUMNS_FROM = ("query", "select", "with_entities")
_COLUMNS_ADDED = ("add_entity", "add_columns")


def _model_argument(semantic, node: cst.BaseExpression, entity: str) -> Optional[cst.BaseExpression]:
    """``Book`` in ``select(Book).where(...)``, ``session.query(Book).filter(...)``, or
    ``session.query(Topic, Book)`` / ``.add_entity(Book)`` for the entity ``Book``;
    ``None`` for a query built elsewhere (``recent_books(author)``, a helper's)."""
    while isinstance(node, cst.Call):
        func = node.func
        method = func.attr.value if isinstance(func, cst.Attribute) else ""
        starts = semantic.qualified_name(func) in SQLALCHEMY_SELECT or method in _COLUMNS_FROM
        if starts or method in _COLUMNS_ADDED:
            for arg in node.args:
                named = semantic.type_of(arg.value) if not arg.star and isinstance(arg.value, (cst.Name, cst.Attribute)) else None
                if isinstance(named, ModelClass) and named.qualname == entity:
                    return arg.value
            if starts:
                return None
        node = func.value if isinstance(func, cst.Attribute) else None
    return None
