"""ORM301 request-without-timeout: which calls fire, which do not, and what the fix writes."""

import pytest

from harness import assert_fixes, check, make_project, rows
from ormlint.config import Config
from ormlint.engine import Project, fix_source
from ormlint.source import SourceFile

CODE = "ORM301"


def _fires_at(*found):
    return [(row, CODE) for row in found]


# (id, code, rows that must fire). Every snippet is the whole file.
FIRES = [
    ("get", "import requests\n\ndef f(u):\n    return requests.get(u)\n", [4]),
    ("post", "import requests\n\ndef f(u):\n    return requests.post(u, data={})\n", [4]),
    ("put", "import requests\n\ndef f(u):\n    return requests.put(u, json={})\n", [4]),
    ("patch", "import requests\n\ndef f(u):\n    return requests.patch(u)\n", [4]),
    ("delete", "import requests\n\ndef f(u):\n    return requests.delete(u)\n", [4]),
    ("head", "import requests\n\ndef f(u):\n    return requests.head(u)\n", [4]),
    ("options", "import requests\n\ndef f(u):\n    return requests.options(u)\n", [4]),
    ("request", "import requests\n\ndef f(u):\n    return requests.request('GET', u)\n", [4]),
    ("module-level", "import requests\n\nrequests.get('https://example.com')\n", [3]),
    ("chained-json", "import requests\n\ndef f(u):\n    return requests.get(u).json()\n", [4]),
    ("import-as", "import requests as r\n\ndef f(u):\n    return r.get(u)\n", [4]),
    ("from-import", "from requests import get\n\ndef f(u):\n    return get(u)\n", [4]),
    ("from-import-as", "from requests import get as fetch\n\ndef f(u):\n    return fetch(u)\n", [4]),
    ("from-import-post-request", "from requests import post, request\n\ndef f(u):\n    post(u)\n    request('GET', u)\n", [4, 5]),
    ("import-in-body", "def f(u):\n    import requests\n    return requests.get(u)\n", [3]),
    ("from-import-in-body", "def f(u):\n    from requests import get\n    return get(u)\n", [3]),
    ("session-variable", "import requests\n\ndef f(u):\n    s = requests.Session()\n    return s.get(u)\n", [5]),
    ("session-lowercase", "import requests\n\ndef f(u):\n    s = requests.session()\n    return s.post(u)\n", [5]),
    ("session-from-import", "from requests import Session\n\ndef f(u):\n    s = Session()\n    return s.put(u)\n", [5]),
    ("session-with", "import requests\n\ndef f(u):\n    with requests.Session() as s:\n        return s.post(u)\n", [5]),
    ("session-inline", "import requests\n\ndef f(u):\n    return requests.Session().get(u)\n", [4]),
    ("session-annotated-parameter", "import requests\n\ndef f(s: requests.Session, u):\n    return s.get(u)\n", [4]),
    ("session-request", "import requests\n\ndef f(u):\n    s = requests.Session()\n    return s.request('GET', u)\n", [5]),
    ("session-request-few-positionals", "import requests\n\ndef f(u):\n    s = requests.Session()\n    return s.request('GET', u, None, None, None, None, None, None)\n", [5]),
    ("module-session", "import requests\n\nSESSION = requests.Session()\n\ndef f(u):\n    return SESSION.delete(u)\n", [6]),
    ("two-calls", "import requests\n\ndef f(u):\n    a = requests.get(u)\n    b = requests.get(u, timeout=3)\n    c = requests.head(u)\n", [4, 6]),
]


@pytest.mark.parametrize("code, expected", [case[1:] for case in FIRES], ids=[case[0] for case in FIRES])
def test_fires(tmp_path, code, expected):
    assert rows(check(tmp_path, code, CODE)) == _fires_at(*expected)


# (id, code): must not fire.
SILENT = [
    ("timeout-keyword", "import requests\n\ndef f(u):\n    return requests.get(u, timeout=5)\n"),
    ("timeout-tuple", "import requests\n\ndef f(u):\n    return requests.post(u, data={}, timeout=(3, 10))\n"),
    ("timeout-variable", "import requests\n\ndef f(u, t):\n    return requests.get(u, timeout=t)\n"),
    ("timeout-none-is-orm302", "import requests\n\ndef f(u):\n    return requests.get(u, timeout=None)\n"),
    ("double-star", "import requests\n\ndef f(u, **kwargs):\n    return requests.get(u, **kwargs)\n"),
    ("single-star", "import requests\n\ndef f(*args):\n    return requests.get(*args)\n"),
    ("session-timeout", "import requests\n\ndef f(u):\n    s = requests.Session()\n    return s.get(u, timeout=5)\n"),
    ("session-double-star", "import requests\n\ndef f(u, **kw):\n    with requests.Session() as s:\n        return s.post(u, **kw)\n"),
    ("session-request-timeout-positional", "import requests\n\ndef f(u):\n    s = requests.Session()\n    return s.request('GET', u, None, None, None, None, None, None, 5)\n"),
    ("dict-get", "import requests\n\ndef f(d, k):\n    return d.get(k)\n"),
    ("dict-literal-get", "import requests\n\ndef f(k):\n    d = {}\n    return d.get(k)\n"),
    ("cache-get", "import requests\nfrom django.core.cache import cache\n\ndef f(k):\n    return cache.get(k)\n"),
    ("queryset-get", "import requests\nfrom shop.models import Order\n\ndef f():\n    return Order.objects.get(pk=1)\n"),
    ("parameter-shadows-requests", "import requests\n\ndef f(requests, u):\n    return requests.get(u)\n"),
    ("local-shadows-requests", "import requests\n\ndef f(u, make):\n    requests = make()\n    return requests.get(u)\n"),
    ("local-get-function", "import requests\n\ndef get(u):\n    return u\n\ndef f(u):\n    return get(u)\n"),
    ("nested-get-shadows-import", "from requests import get\n\ndef f(u):\n    def get(x):\n        return x\n    return get(u)\n"),
    ("get-parameter-shadows-import", "from requests import get\n\ndef f(get, u):\n    return get(u)\n"),
    ("httpx-get", "import httpx\nimport requests\n\ndef f(u):\n    return httpx.get(u)\n"),
    ("httpx-client-get", "import httpx\nimport requests\n\ndef f(u):\n    with httpx.Client() as c:\n        return c.get(u)\n"),
    ("session-subclass", "import requests\n\nclass MySession(requests.Session):\n    pass\n\ndef f(u):\n    s = MySession()\n    return s.get(u)\n"),
    ("no-requests-import", '"""Talks to the rates service without requests."""\n\ndef f(u):\n    return get(u)\n'),
    ("other-module-named-requests", "from shop import requests\n\ndef f(u):\n    return requests.get(u)\n"),
    ("not-a-verb", "import requests\n\ndef f(u):\n    return requests.Request('GET', u)\n"),
    ("unknown-receiver", "import requests\n\nclass Api:\n    def f(self, u):\n        return self.session.get(u)\n"),
]


@pytest.mark.parametrize("code", [case[1] for case in SILENT], ids=[case[0] for case in SILENT])
def test_does_not_fire(tmp_path, code):
    assert rows(check(tmp_path, code, CODE)) == []


# (id, before, after): the fix adds `timeout=10` and keeps the layout.
FIXES = [
    (
        "one-argument",
        "import requests\n\ndef f(u):\n    return requests.get(u)\n",
        "import requests\n\ndef f(u):\n    return requests.get(u, timeout=10)\n",
    ),
    (
        "keyword-argument",
        "import requests\n\ndef f(u):\n    return requests.get(u, params={'a': 1})\n",
        "import requests\n\ndef f(u):\n    return requests.get(u, params={'a': 1}, timeout=10)\n",
    ),
    (
        "no-arguments",
        "import requests\n\ndef f():\n    return requests.get()\n",
        "import requests\n\ndef f():\n    return requests.get(timeout=10)\n",
    ),
    (
        "chained",
        "import requests\n\ndef f(u):\n    return requests.get(u).json()\n",
        "import requests\n\ndef f(u):\n    return requests.get(u, timeout=10).json()\n",
    ),
    (
        "session-method",
        "import requests\n\ndef f(u):\n    s = requests.Session()\n    return s.post(u, data=1)\n",
        "import requests\n\ndef f(u):\n    s = requests.Session()\n    return s.post(u, data=1, timeout=10)\n",
    ),
    (
        "one-per-line-trailing-comma",
        """\
        import requests

        def f(u, p):
            return requests.post(
                u,
                data=p,
            )
        """,
        """\
        import requests

        def f(u, p):
            return requests.post(
                u,
                data=p,
                timeout=10,
            )
        """,
    ),
    (
        "one-per-line-no-trailing-comma",
        """\
        import requests

        def f(u, p):
            return requests.post(
                u,
                data=p
            )
        """,
        """\
        import requests

        def f(u, p):
            return requests.post(
                u,
                data=p,
                timeout=10
            )
        """,
    ),
    (
        "single-argument-on-its-own-line",
        """\
        import requests

        def f(u):
            return requests.get(
                u,
            )
        """,
        """\
        import requests

        def f(u):
            return requests.get(
                u,
                timeout=10,
            )
        """,
    ),
    (
        "comment-after-last-argument",
        """\
        import requests

        def f(u, p):
            return requests.post(
                u,
                data=p,  # the payload
            )
        """,
        """\
        import requests

        def f(u, p):
            return requests.post(
                u,
                data=p,  # the payload
                timeout=10,
            )
        """,
    ),
    (
        "comment-after-last-argument-no-trailing-comma",
        """\
        import requests

        def f(u, p):
            return requests.post(
                u,
                data=p  # the payload
            )
        """,
        """\
        import requests

        def f(u, p):
            return requests.post(
                u,
                data=p,  # the payload
                timeout=10
            )
        """,
    ),
    (
        "comment-line-between-arguments",
        """\
        import requests

        def f(u, p):
            return requests.post(
                u,
                # the payload
                data=p,
            )
        """,
        """\
        import requests

        def f(u, p):
            return requests.post(
                u,
                # the payload
                data=p,
                timeout=10,
            )
        """,
    ),
    (
        "comment-line-before-closing-parenthesis",
        """\
        import requests

        def f(u, p):
            return requests.post(
                u,
                data=p,
                # end of arguments
            )
        """,
        """\
        import requests

        def f(u, p):
            return requests.post(
                u,
                data=p,
                timeout=10,
                # end of arguments
            )
        """,
    ),
    (
        "with-statement-in-indented-block",
        """\
        import requests

        def f(u):
            if u:
                with requests.get(
                    u,
                    stream=True,
                ) as response:
                    return response.content
        """,
        """\
        import requests

        def f(u):
            if u:
                with requests.get(
                    u,
                    stream=True,
                    timeout=10,
                ) as response:
                    return response.content
        """,
    ),
    (
        "aligned-continuation",
        """\
        import requests

        def f(u, p):
            return requests.post(u,
                                 data=p)
        """,
        """\
        import requests

        def f(u, p):
            return requests.post(u,
                                 data=p, timeout=10)
        """,
    ),
]


@pytest.mark.parametrize("before, after", [case[1:] for case in FIXES], ids=[case[0] for case in FIXES])
def test_fix(tmp_path, before, after):
    assert_fixes(tmp_path, before, after, CODE)


@pytest.mark.parametrize("seconds, literal", [(5, "5"), (2.5, "2.5"), (30.0, "30")])
def test_fix_uses_configured_default_timeout(tmp_path, seconds, literal):
    assert_fixes(
        tmp_path,
        "import requests\n\ndef f(u):\n    return requests.get(u)\n",
        f"import requests\n\ndef f(u):\n    return requests.get(u, timeout={literal})\n",
        CODE,
        config=Config(default_timeout=seconds),
    )


def _fix_bytes(root, raw: bytes) -> str:
    make_project(root)
    path = root / "shop" / "views.py"
    path.write_bytes(raw)
    source = SourceFile.from_bytes(str(path), raw)
    result = fix_source(source, Config().override(select=(CODE,)), Project(), unsafe=False)
    return source.text if result.fixed_text is None else result.fixed_text


@pytest.mark.parametrize(
    "before, after",
    [
        (
            "import requests\r\n\r\ndef f(u):\r\n    return requests.get(u)\r\n",
            "import requests\r\n\r\ndef f(u):\r\n    return requests.get(u, timeout=10)\r\n",
        ),
        (
            "import requests\r\n\r\ndef f(u, p):\r\n    return requests.post(\r\n        u,\r\n        data=p,\r\n    )\r\n",
            "import requests\r\n\r\ndef f(u, p):\r\n    return requests.post(\r\n        u,\r\n        data=p,\r\n        timeout=10,\r\n    )\r\n",
        ),
        (
            "import requests\r\n\r\ndef f(u, p):\r\n    return requests.post(\r\n        u,\r\n        data=p  # payload\r\n    )\r\n",
            "import requests\r\n\r\ndef f(u, p):\r\n    return requests.post(\r\n        u,\r\n        data=p,  # payload\r\n        timeout=10\r\n    )\r\n",
        ),
    ],
    ids=["single-line", "one-per-line", "comment-no-trailing-comma"],
)
def test_fix_keeps_crlf_line_endings(tmp_path, before, after):
    fixed = _fix_bytes(tmp_path, before.encode())
    assert fixed == after
    assert _fix_bytes(tmp_path, fixed.encode()) == fixed
