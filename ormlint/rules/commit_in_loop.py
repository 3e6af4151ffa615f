"""ORM204 commit-in-loop."""

from __future__ import annotations

import libcst as cst

from ormlint.rules._writes import WriteRule
from ormlint.semantic.types import Instance, Session
from ormlint.syntax import children
from ormlint.semantic.writes import loop_variables, per_item, per_iteration_calls, unconditional

#: Session methods that add, change or remove rows.
_SESSION_WRITES = frozenset({"add", "add_all", "delete", "merge", "execute", "bulk_save_objects", "bulk_insert_mappings", "bulk_update_mappings"})


class CommitInLoop(WriteRule):
    """
    ## What it does
    Finds a SQLAlchemy `session.commit()` or `session.flush()` on every iteration of a
    loop that adds, changes or deletes rows.

    ## Why is this bad?
    Each commit ends a transaction: a round trip, a disk sync on most databases, and
    every object in the session expired, so the next access reloads it. Each flush sends
    the pending rows of one iteration on their own instead of batching them. Committing
    once after the loop writes the same rows in one transaction.

    ## Example
    ```python
    from shop.tables import SessionLocal, User

    def import_users(names):
        session = SessionLocal()
        for name in names:
            session.add(User(name=name))
            session.commit()
    ```

    ## Use instead
    ```python
    from shop.tables import SessionLocal, User

    def import_users(names):
        session = SessionLocal()
        for name in names:
            session.add(User(name=name))
        session.commit()
    ```

    ## Fix safety
    No fix: committing once changes what a failure in the middle of the loop leaves
    behind (nothing, instead of the rows before it), which only the author can decide.

    ## When it does not fire
    When the commit is conditional (`if i % 1000 == 0: session.commit()`, deliberate
    batches) or inside a `try` block (deliberate per-row error handling), when the loop
    does not write, in a retry loop that stops at its first success, and in test code by
    default.

    ## References
    - [SQLAlchemy: session basics, committing](https://docs.sqlalchemy.org/en/20/orm/session_basics.html#committing)
    """

    code = "ORM204"
    name = "commit-in-loop"
    required_text = (".commit(", ".flush(")

    methods = ("commit", "flush")
    # Committing once instead of per item is advice about transactions, whatever their
    # number; a loop over at most one item is left alone (see ``per_item``).
    ignores_a_handful = False

    def check_write(self, loop: cst.For, call: cst.Call, indentation: str) -> None:
        if not isinstance(self.semantic.type_of(call.func.value), Session):
            return
        if not unconditional(loop, call) or not per_item(self.semantic, loop, call) or not self._writes(loop):
            return
        method = call.func.attr.value
        cost = "one transaction per row" if method == "commit" else "the rows sent one iteration at a time"
        self.report(call, f"`{self.shown(call)}` on every iteration: {cost}; {method} once after the loop")

    def _writes(self, loop: cst.For) -> bool:
        """Whether the loop adds, changes or deletes rows: a session write, or a change to
        an attribute of a mapped row it iterates."""
        for call in per_iteration_calls(loop, _SESSION_WRITES):
            if not isinstance(self.semantic.type_of(call.func.value), Session):
                continue
            if call.func.attr.value != "execute" or (call.args and _writes_rows(call.args[0].value)):
                return True
        rows = loop_variables(loop) | self._fetched_in_body(loop)
        for statement in _assignments(loop.body):
            for target in statement:
                if isinstance(target, cst.Attribute) and isinstance(target.value, cst.Name) and target.value.value in rows:
                    row = self.semantic.type_of(target.value)
                    if target.value.value not in loop_variables(loop) or (isinstance(row, Instance) and row.orm == "sqlalchemy"):
                        return True
        return False

    def _fetched_in_body(self, loop: cst.For):
        """Names the body binds to a row it loads by primary key: ``session.get(M, pk)``."""
        names = set()
        for call in per_iteration_calls(loop, ("get",)):
            if isinstance(self.semantic.type_of(call.func.value), Session):
                names.update(_assigned_names(loop.body, call))
        return names


def _writes_rows(statement: cst.BaseExpression) -> bool:
    """An ``insert()`` / ``update()`` / ``delete()`` statement (``text()`` SQL is unknown)."""
    stack = [statement]
    while stack:
        node = stack.pop()
        if isinstance(node, cst.Call):
            func = node.func
            name = func.attr.value if isinstance(func, cst.Attribute) else func.value if isinstance(func, cst.Name) else ""
            if name in ("insert", "update", "delete"):
                return True
        stack.extend(children(node))
    return False


def _assigned_names(block: cst.CSTNode, value: cst.CSTNode):
    """The names assigned ``value`` itself in ``block``."""
    stack = [block]
    while stack:
        node = stack.pop()
        if isinstance(node, cst.Assign) and node.value is value:
            yield from (t.target.value for t in node.targets if isinstance(t.target, cst.Name))
        elif not isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
            stack.extend(children(node))


def _assignments(block: cst.CSTNode):
    """The targets of every assignment in a loop body (not in nested functions)."""
    stack = [block]
    while stack:
        node = stack.pop()
        if isinstance(node, cst.Assign):
            yield [t.target for t in node.targets]
        elif isinstance(node, cst.AugAssign):
            yield [node.target]
        elif isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
            continue
        stack.extend(children(node))
