"""ORM303 urlopen-without-timeout: however `urlopen` was imported, and its fix."""

import pytest

from harness import assert_fixes, check, rows
from ormlint.config import Config

CODE = "ORM303"

FIRES = [
    ("dotted", "import urllib.request\n\ndef f(u):\n    return urllib.request.urlopen(u)\n", [4]),
    ("from-import", "from urllib.request import urlopen\n\ndef f(u):\n    return urlopen(u)\n", [4]),
    ("from-import-as", "from urllib.request import urlopen as fetch\n\ndef f(u):\n    return fetch(u)\n", [4]),
    ("from-urllib-import-request", "from urllib import request\n\ndef f(u):\n    return request.urlopen(u)\n", [4]),
    ("import-as", "import urllib.request as ur\n\ndef f(u):\n    return ur.urlopen(u)\n", [4]),
    ("import-in-body", "def f(u):\n    from urllib.request import urlopen\n    return urlopen(u)\n", [3]),
    ("with-statement", "from urllib.request import urlopen\n\ndef f(u):\n    with urlopen(u) as response:\n        return response.read()\n", [4]),
    ("data-positional", "from urllib.request import urlopen\n\ndef f(u, d):\n    return urlopen(u, d)\n", [4]),
    ("data-keyword", "from urllib.request import urlopen\n\ndef f(u, d):\n    return urlopen(u, data=d)\n", [4]),
    ("module-level", "from urllib.request import urlopen\n\nurlopen('https://example.com')\n", [3]),
]


@pytest.mark.parametrize("code, expected", [case[1:] for case in FIRES], ids=[case[0] for case in FIRES])
def test_fires(tmp_path, code, expected):
    assert rows(check(tmp_path, code, CODE)) == [(row, CODE) for row in expected]


SILENT = [
    ("timeout-keyword", "from urllib.request import urlopen\n\ndef f(u):\n    return urlopen(u, timeout=5)\n"),
    ("timeout-positional", "from urllib.request import urlopen\n\ndef f(u):\n    return urlopen(u, None, 5)\n"),
    ("dotted-timeout-positional", "import urllib.request\n\ndef f(u, d):\n    return urllib.request.urlopen(u, d, 5)\n"),
    ("star-args", "from urllib.request import urlopen\n\ndef f(*a):\n    return urlopen(*a)\n"),
    ("double-star", "from urllib.request import urlopen\n\ndef f(u, **kw):\n    return urlopen(u, **kw)\n"),
    ("local-function", "def urlopen(u):\n    return u\n\ndef f(u):\n    return urlopen(u)\n"),
    ("local-function-shadows-import", "from urllib.request import urlopen\n\ndef f(u):\n    def urlopen(x):\n        return x\n    return urlopen(u)\n"),
    ("parameter-shadows-import", "from urllib.request import urlopen\n\ndef f(urlopen, u):\n    return urlopen(u)\n"),
    ("other-library", "from six.moves.urllib.request import Request\nfrom mylib import urlopen\n\ndef f(u):\n    return urlopen(u)\n"),
    ("method-named-urlopen", "class Opener:\n    def go(self, u):\n        return self.urlopen(u)\n"),
]


@pytest.mark.parametrize("code", [case[1] for case in SILENT], ids=[case[0] for case in SILENT])
def test_does_not_fire(tmp_path, code):
    assert rows(check(tmp_path, code, CODE)) == []


FIXES = [
    (
        "one-argument",
        "from urllib.request import urlopen\n\ndef f(u):\n    return urlopen(u)\n",
        "from urllib.request import urlopen\n\ndef f(u):\n    return urlopen(u, timeout=10)\n",
    ),
    (
        "data-positional",
        "import urllib.request\n\ndef f(u, d):\n    return urllib.request.urlopen(u, d)\n",
        "import urllib.request\n\ndef f(u, d):\n    return urllib.request.urlopen(u, d, timeout=10)\n",
    ),
    (
        "with-statement-in-indented-block",
        """\
        from urllib.request import urlopen

        def f(u, d):
            if u:
                with urlopen(
                    u,
                    data=d,
                ) as response:
                    return response.read()
        """,
        """\
        from urllib.request import urlopen

        def f(u, d):
            if u:
                with urlopen(
                    u,
                    data=d,
                    timeout=10,
                ) as response:
                    return response.read()
        """,
    ),
]


@pytest.mark.parametrize("before, after", [case[1:] for case in FIXES], ids=[case[0] for case in FIXES])
def test_fix(tmp_path, before, after):
    assert_fixes(tmp_path, before, after, CODE)


@pytest.mark.parametrize("seconds, literal", [(5, "5"), (2.5, "2.5")])
def test_fix_uses_configured_default_timeout(tmp_path, seconds, literal):
    assert_fixes(
        tmp_path,
        "from urllib.request import urlopen\n\nurlopen('https://example.com')\n",
        f"from urllib.request import urlopen\n\nurlopen('https://example.com', timeout={literal})\n",
        CODE,
        config=Config(default_timeout=seconds),
    )
