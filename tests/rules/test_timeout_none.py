"""ORM302 timeout-none: `timeout=None` given to requests or httpx, and its unsafe fix."""

import pytest

from harness import assert_fixes, check, fix, rows
from ormlint.config import Config

CODE = "ORM302"

FIRES = [
    ("requests-get", "import requests\n\ndef f(u):\n    return requests.get(u, timeout=None)\n", [4]),
    ("requests-post-from-import", "from requests import post\n\ndef f(u):\n    return post(u, data=1, timeout=None)\n", [4]),
    ("requests-import-as", "import requests as r\n\ndef f(u):\n    return r.request('GET', u, timeout=None)\n", [4]),
    ("httpx-get", "import httpx\n\ndef f(u):\n    return httpx.get(u, timeout=None)\n", [4]),
    ("httpx-stream", "import httpx\n\ndef f(u):\n    with httpx.stream('GET', u, timeout=None) as r:\n        return r\n", [4]),
    ("httpx-client", "import httpx\n\nclient = httpx.Client(timeout=None)\n", [3]),
    ("httpx-async-client", "import httpx\n\nclient = httpx.AsyncClient(base_url='x', timeout=None)\n", [3]),
    ("httpx-client-method", "import httpx\n\ndef f(u):\n    client = httpx.Client()\n    return client.get(u, timeout=None)\n", [5]),
    ("httpx-client-with", "import httpx\n\ndef f(u):\n    with httpx.Client() as client:\n        return client.post(u, timeout=None)\n", [5]),
    ("requests-session-method", "import requests\n\ndef f(u):\n    s = requests.Session()\n    return s.get(u, timeout=None)\n", [5]),
    ("requests-session-annotated", "import requests\n\ndef f(s: requests.Session, u):\n    return s.put(u, timeout=None)\n", [4]),
    (
        "argument-on-its-own-line",
        "import requests\n\ndef f(u):\n    return requests.get(\n        u,\n        timeout=None,\n    )\n",
        [6],
    ),
]


@pytest.mark.parametrize("code, expected", [case[1:] for case in FIRES], ids=[case[0] for case in FIRES])
def test_fires(tmp_path, code, expected):
    assert rows(check(tmp_path, code, CODE)) == [(row, CODE) for row in expected]


SILENT = [
    ("timeout-number", "import requests\n\ndef f(u):\n    return requests.get(u, timeout=5)\n"),
    ("timeout-variable", "import requests\n\ndef f(u, t=None):\n    return requests.get(u, timeout=t)\n"),
    ("timeout-variable-none", "import requests\n\ndef f(u):\n    t = None\n    return requests.get(u, timeout=t)\n"),
    ("httpx-timeout-object", "import httpx\n\nclient = httpx.Client(timeout=httpx.Timeout(None, connect=5))\n"),
    ("no-timeout", "import httpx\n\ndef f(u):\n    return httpx.get(u, auth=None)\n"),
    ("unrelated-function", "def foo(**kw):\n    pass\n\nfoo(timeout=None)\n"),
    ("unrelated-function-with-requests-import", "import requests\n\ndef foo(**kw):\n    pass\n\nfoo(timeout=None)\n"),
    ("django-cache-set", "import requests\nfrom django.core.cache import cache\n\ndef f(k, v):\n    cache.set(k, v, timeout=None)\n"),
    ("django-cache-add", "from django.core.cache import cache\n\ndef f(k, v):\n    cache.add(k, v, timeout=None)\n"),
    ("socket", "import socket\n\ndef f(a):\n    return socket.create_connection(a, timeout=None)\n"),
    ("parameter-shadows-httpx", "import httpx\n\ndef f(httpx, u):\n    return httpx.get(u, timeout=None)\n"),
    ("session-subclass", "import requests\n\nclass MySession(requests.Session):\n    pass\n\ndef f(u):\n    return MySession().get(u, timeout=None)\n"),
]


@pytest.mark.parametrize("code", [case[1] for case in SILENT], ids=[case[0] for case in SILENT])
def test_does_not_fire(tmp_path, code):
    assert rows(check(tmp_path, code, CODE)) == []


FIXES = [
    (
        "requests-get",
        "import requests\n\ndef f(u):\n    return requests.get(u, timeout=None)\n",
        "import requests\n\ndef f(u):\n    return requests.get(u, timeout=10)\n",
    ),
    (
        "httpx-client",
        "import httpx\n\nclient = httpx.Client(timeout=None)\n",
        "import httpx\n\nclient = httpx.Client(timeout=10)\n",
    ),
    (
        "not-last-argument",
        "import httpx\n\nclient = httpx.Client(timeout=None, base_url='x')\n",
        "import httpx\n\nclient = httpx.Client(timeout=10, base_url='x')\n",
    ),
    (
        "spaces-around-equals-kept",
        "import httpx\n\nclient = httpx.Client(timeout = None, base_url='x')\n",
        "import httpx\n\nclient = httpx.Client(timeout = 10, base_url='x')\n",
    ),
    (
        "multi-line-with-comment",
        "import requests\n\ndef f(u):\n    return requests.get(\n        u,\n        timeout=None,  # stream forever\n    )\n",
        "import requests\n\ndef f(u):\n    return requests.get(\n        u,\n        timeout=10,  # stream forever\n    )\n",
    ),
    (
        "session-method",
        "import requests\n\ndef f(u):\n    s = requests.Session()\n    return s.get(u, timeout=None)\n",
        "import requests\n\ndef f(u):\n    s = requests.Session()\n    return s.get(u, timeout=10)\n",
    ),
]


@pytest.mark.parametrize("before, after", [case[1:] for case in FIXES], ids=[case[0] for case in FIXES])
def test_unsafe_fix(tmp_path, before, after):
    assert_fixes(tmp_path, before, after, CODE, unsafe=True)


@pytest.mark.parametrize("before", [case[1] for case in FIXES], ids=[case[0] for case in FIXES])
def test_fix_is_not_applied_without_unsafe(tmp_path, before):
    assert fix(tmp_path, before, CODE) == before
    assert_fixes(tmp_path, before, before, CODE)


@pytest.mark.parametrize("seconds, literal", [(5, "5"), (2.5, "2.5")])
def test_fix_uses_configured_default_timeout(tmp_path, seconds, literal):
    assert_fixes(
        tmp_path,
        "import httpx\n\ndef f(u):\n    return httpx.get(u, timeout=None)\n",
        f"import httpx\n\ndef f(u):\n    return httpx.get(u, timeout={literal})\n",
        CODE,
        unsafe=True,
        config=Config(default_timeout=seconds),
    )


def test_fix_is_unsafe(tmp_path):
    from ormlint.diagnostics import Applicability

    (diagnostic,) = check(tmp_path, "import requests\n\nrequests.get('u', timeout=None)\n", CODE)
    assert diagnostic.fix is not None
    assert diagnostic.fix.applicability is Applicability.UNSAFE
    assert not diagnostic.is_fixable(unsafe=False)
