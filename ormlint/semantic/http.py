"""Which calls send HTTP requests, through which library, and how their timeout is passed.

Used by the timeout rules (ORM301-ORM303). Names are resolved through imports and local
data flow, so ``import requests as r; r.get(...)``, ``from requests import get`` and
``s = requests.Session(); s.get(...)`` are all known, and ``cache.get(...)`` is not.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import libcst as cst

from ormlint.semantic.model import SemanticModel
from ormlint.semantic.types import HttpClient


HTTP_VERBS = frozenset({"get", "post", "put", "patch", "delete", "head", "options", "request"})
_HTTPX_FUNCTIONS = HTTP_VERBS | {"stream"}


@dataclass(frozen=True)
class HttpCall:
    """A call that sends an HTTP request (or builds a client) through a known library.

    ``timeout_position`` is the index of the positional parameter that takes the timeout,
    when the signature has one (``Session.request`` and ``urlopen`` do).
    """

    library: str  # "requests", "httpx" or "urllib"
    name: str  # as the message shows it: ``requests.get``, ``Session.post``, ``urlopen``
    timeout_position: Optional[int] = None


def http_call(semantic: SemanticModel, call: cst.Call) -> Optional[HttpCall]:
    """What HTTP call ``call`` is: ``requests.get(...)``, ``session.post(...)`` on a
    ``requests.Session()``, ``httpx.get(...)``, ``client.get(...)`` on an ``httpx.Client``,
    ``httpx.Client(...)`` itself, or ``urllib.request.urlopen(...)``."""
    func = call.func
    if isinstance(func, cst.Attribute) and func.attr.value in _HTTPX_FUNCTIONS:
        receiver = semantic.type_of(func.value)
        if isinstance(receiver, HttpClient):
            method = func.attr.value
            if receiver.library == "requests" and method in HTTP_VERBS:
                # Session.request(method, url, params, data, headers, cookies, files, auth, timeout)
                return HttpCall("requests", f"Session.{method}", 8 if method == "request" else None)
            if receiver.library == "httpx":
                return HttpCall("httpx", f"Client.{method}")
            return None
    qualname = semantic.qualified_name(func)
    if qualname is None:
        return None
    module, _, name = qualname.rpartition(".")
    if module in ("requests", "requests.api") and name in HTTP_VERBS:
        return HttpCall("requests", f"requests.{name}")
    if module == "httpx" and (name in _HTTPX_FUNCTIONS or name in ("Client", "AsyncClient")):
        return HttpCall("httpx", f"httpx.{name}")
    if qualname == "urllib.request.urlopen":
        return HttpCall("urllib", "urlopen", 2)
    return None


def keyword_argument(call: cst.Call, name: str) -> Optional[cst.Arg]:
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == name:
            return arg
    return None


def has_star_arguments(call: cst.Call) -> bool:
    """``f(*args)`` or ``f(**kwargs)``: the arguments cannot be known statically."""
    return any(arg.star for arg in call.args)


def positional_count(call: cst.Call) -> int:
    return sum(1 for arg in call.args if arg.keyword is None and not arg.star)
