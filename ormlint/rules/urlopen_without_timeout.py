"""ORM303 urlopen-without-timeout."""

from __future__ import annotations

import libcst as cst

from ormlint.diagnostics import Applicability
from ormlint.fixers.timeout import add_keyword
from ormlint.rules.base import Rule
from ormlint.semantic.http import has_star_arguments, http_call, keyword_argument, positional_count
from ormlint.structure import Structure


class UrlopenWithoutTimeout(Rule):
    """
    ## What it does
    Finds `urllib.request.urlopen(...)` called without a timeout, however it was imported.

    ## Why is this bad?
    Without a timeout, `urlopen` uses the global socket default, which is no timeout at
    all unless someone called `socket.setdefaulttimeout()`: a server that stops answering
    holds the calling worker forever.

    ## Example
    ```python
    from urllib.request import urlopen

    def fetch(url):
        with urlopen(url) as response:
            return response.read()
    ```

    ## Use instead
    ```python
    from urllib.request import urlopen

    def fetch(url):
        with urlopen(url, timeout=10) as response:
            return response.read()
    ```

    ## Fix safety
    Safe by decision, as for ORM301: adding the timeout is the point of the rule. The fix
    writes `timeout=<default-timeout>`.

    ## Options
    - `default-timeout`: the number of seconds the fix writes.

    ## When it does not fire
    When a timeout is passed by keyword or as the third positional argument, or the call
    passes `*args` / `**kwargs`.

    ## References
    - [Python: `urllib.request.urlopen`](https://docs.python.org/3/library/urllib.request.html#urllib.request.urlopen)
    """

    code = "ORM303"
    name = "urlopen-without-timeout"
    fix_applicability = Applicability.SAFE
    required_text = ("urlopen",)

    @classmethod
    def has_candidate(cls, structure: Structure) -> bool:
        return "urlopen" in structure.untimed_callees

    def visit_Call(self, node: cst.Call) -> None:
        call = http_call(self.semantic, node)
        if call is None or call.library != "urllib":
            return
        if keyword_argument(node, "timeout") is not None or has_star_arguments(node):
            return
        if call.timeout_position is not None and positional_count(node) > call.timeout_position:
            return
        timeout = self.config.timeout_literal
        self.report(
            node,
            "`urlopen()` without `timeout=` can hang the worker forever",
            self.fix(f"Add `timeout={timeout}`", (node, add_keyword(node, "timeout", timeout))),
        )
