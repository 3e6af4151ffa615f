"""ORM301 request-without-timeout."""

from __future__ import annotations

import libcst as cst

from ormlint.diagnostics import Applicability
from ormlint.fixers.timeout import add_keyword
from ormlint.rules.base import Rule
from ormlint.semantic.http import HTTP_VERBS, has_star_arguments, http_call, keyword_argument, positional_count
from ormlint.structure import Structure


class RequestWithoutTimeout(Rule):
    """
    ## What it does
    Finds HTTP calls through `requests` that pass no `timeout=`: `requests.get`, `post`,
    `put`, `patch`, `delete`, `head`, `options` and `request`, the same functions imported
    by name or under an alias, and the methods of a `requests.Session()` object: a local
    one, a parameter annotated `requests.Session`, or one stored on `self` when every
    assignment of that attribute in the class is a session (`self.session =
    requests.Session()` in `__init__`).

    ## Why is this bad?
    `requests` waits forever by default. One slow or silent server holds a web worker (or a
    task runner) until it is killed; a handful of them take a site down.

    ## Example
    ```python
    import requests

    def fetch_rates():
        return requests.get("https://rates.example.com/latest").json()
    ```

    ## Use instead
    ```python
    import requests

    def fetch_rates():
        return requests.get("https://rates.example.com/latest", timeout=10).json()
    ```

    ## Fix safety
    Safe by decision: adding `timeout=<default-timeout>` (10 seconds unless configured)
    turns a hang into a `requests.Timeout` exception, which is the point of the rule.

    ## Options
    - `default-timeout`: the number of seconds the fix writes.

    ## When it does not fire
    When the call passes `timeout=`, `*args` or `**kwargs` (the timeout may be inside), on
    `Session.request()` with the timeout passed by position, on `get()` methods of anything
    that is not known to be `requests` (dictionaries, caches, querysets), and on
    subclasses of `requests.Session`, which may set a default timeout.

    ## References
    - [requests: timeouts](https://requests.readthedocs.io/en/latest/user/advanced/#timeouts)
    """

    code = "ORM301"
    name = "request-without-timeout"
    fix_applicability = Applicability.SAFE
    required_text = ("requests", "Session")

    @classmethod
    def has_candidate(cls, structure: Structure) -> bool:
        """A verb called without a timeout: whether its receiver or name is ``requests``'
        takes the imports and the types that only the semantic model knows."""
        return bool(structure.untimed_callees & HTTP_VERBS)

    def visit_Call(self, node: cst.Call) -> None:
        call = http_call(self.semantic, node)
        if call is None or call.library != "requests":
            return
        if keyword_argument(node, "timeout") is not None or has_star_arguments(node):
            return
        if call.timeout_position is not None and positional_count(node) > call.timeout_position:
            return
        timeout = self.config.timeout_literal
        self.report(
            node,
            f"`{call.name}()` without `timeout=` can hang the worker forever",
            self.fix(f"Add `timeout={timeout}`", (node, add_keyword(node, "timeout", timeout))),
        )
