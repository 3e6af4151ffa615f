"""ORM302 timeout-none."""

from __future__ import annotations

import libcst as cst

from ormlint.diagnostics import Applicability
from ormlint.fixers.timeout import replace_value
from ormlint.rules.base import Rule
from ormlint.semantic.http import http_call, keyword_argument
from ormlint.structure import Structure


class TimeoutNone(Rule):
    """
    ## What it does
    Finds `timeout=None` passed to `requests` or `httpx`: their functions, a
    `requests.Session` or `httpx.Client` method, or the `httpx.Client(...)` constructor.

    ## Why is this bad?
    `timeout=None` switches the timeout off: the call waits forever for a server that does
    not answer, holding the worker that made it. `httpx` has a 5 second default that
    `None` removes; in `requests` it is the default that nobody meant to keep.

    ## Example
    ```python
    import httpx

    response = httpx.get("https://example.com/report", timeout=None)
    ```

    ## Use instead
    ```python
    import httpx

    response = httpx.get("https://example.com/report", timeout=10)
    ```

    ## Fix safety
    Unsafe: someone wrote `None` on purpose, perhaps for a long download or a streaming
    response, and a timeout turns that wait into an exception. Applied only with
    `--unsafe-fixes`.

    ## Options
    - `default-timeout`: the number of seconds the fix writes.

    ## When it does not fire
    On a timeout given as a variable or any value but the literal `None`, and on calls not
    known to be `requests` or `httpx`.

    ## References
    - [requests: timeouts](https://requests.readthedocs.io/en/latest/user/advanced/#timeouts)
    - [HTTPX: timeouts](https://www.python-httpx.org/advanced/timeouts/)
    """

    code = "ORM302"
    name = "timeout-none"
    fix_applicability = Applicability.UNSAFE
    required_text = ("None",)

    @classmethod
    def has_candidate(cls, structure: Structure) -> bool:
        return structure.timeout_none

    def visit_Call(self, node: cst.Call) -> None:
        argument = keyword_argument(node, "timeout")
        if argument is None or not (isinstance(argument.value, cst.Name) and argument.value.value == "None"):
            return
        call = http_call(self.semantic, node)
        if call is None or call.library not in ("requests", "httpx"):
            return
        timeout = self.config.timeout_literal
        self.report(
            argument,
            f"`timeout=None` in `{call.name}()` disables the timeout: the call can hang forever",
            # Only the value is replaced: the argument's comma and comments stay as written.
            self.fix(f"Replace with `timeout={timeout}`", (argument.value, replace_value(argument, timeout).value)),
        )
