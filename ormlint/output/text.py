"""The human format: ``path:row:col: CODE [*] message`` and a one-line summary.

One finding is one line, whatever its path holds: tools read this format line by line
(editors' problem matchers, ``grep``, CI log parsers), and a file name may hold a newline
or a terminal escape sequence.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import List

import click

from ormlint.diagnostics import Applicability
from ormlint.output import Report

#: What would end a line (for ``str.splitlines`` too) or drive the terminal: the C0 and
#: C1 control characters, DEL, and the Unicode line and paragraph separators. The bytes
#: of a file name that is not UTF-8 are written as they are: they are its name.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def render(report: Report, quiet: bool = False, show_fixes: bool = False) -> str:
    """The findings and the summary; with ``show_fixes``, what the fixes changed between
    the two, as ruff's ``--show-fixes`` lists it."""
    lines: List[str] = []
    for diagnostic in report.diagnostics:
        position = f"{_printable(diagnostic.path)}:{diagnostic.location.row}:{diagnostic.location.column}:"
        marker = " [*]" if diagnostic.is_fixable(report.unsafe_fixes) else ""
        lines.append(
            f"{click.style(position, bold=True)} {click.style(diagnostic.code, fg='red', bold=True)}"
            f"{click.style(marker, fg='cyan')} {_printable(diagnostic.message)}"
        )
    if not quiet:
        if lines:
            lines.append("")
        if show_fixes and report.fixes:
            lines += [fixes(report), ""]
        lines.append(summary(report))
    return "\n".join(lines)


def fixes(report: Report) -> str:
    """What the fixes changed, per file, most frequent code first::

        Fixed 3 problems:
        - shop/views.py:
            2 × ORM101 (count-for-existence)
            1 × ORM301 (request-without-timeout)
    """
    from ormlint.rules import rule_by_code

    lines = [click.style(f"Fixed {_problems(report.fixed)}:", fg="green", bold=True)]
    for path in sorted(report.fixes):
        counts = Counter(report.fixes[path])
        width = len(str(max(counts.values())))
        lines.append(f"{click.style('-', fg='cyan')} {click.style(_printable(path), bold=True)}{click.style(':', fg='cyan')}")
        for code, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
            rule = rule_by_code(code)
            name = f" ({rule.name})" if rule else ""
            lines.append(f"    {count:>{width}} × {click.style(code, fg='red', bold=True)}{name}")
    return "\n".join(lines)


def fix_only(report: Report, quiet: bool = False, show_fixes: bool = False) -> str:
    """``--fix-only``: what was fixed, never what remains, as ruff words it: nothing when
    nothing was fixed, unless unsafe fixes were left for ``--unsafe-fixes``."""
    if quiet:
        return ""
    hidden = _hidden_unsafe(report)
    more = f" ({hidden} more fix{'es' if hidden != 1 else ''} available with --unsafe-fixes)" if hidden else ""
    if not report.fixed:
        return f"No problems fixed{more}." if hidden else ""
    text = f"Fixed {_problems(report.fixed)}{more}."
    return f"{fixes(report)}\n\n{text}" if show_fixes else text


def summary(report: Report) -> str:
    remaining = len(report.diagnostics)
    fixable = sum(1 for d in report.diagnostics if d.is_fixable(report.unsafe_fixes))
    hidden = _hidden_unsafe(report)
    if report.fixing:
        if remaining == 0 and report.fixed == 0:
            return "All checks passed!"
        text = f"Found {_problems(report.fixed + remaining)} ({report.fixed} fixed, {remaining} remaining)."
    elif remaining == 0:
        return "All checks passed!"
    else:
        text = f"Found {_problems(remaining)}"
        details = []
        if fixable:
            details.append(f"{fixable} fixable with --fix")
        if hidden:
            details.append(f"{hidden} more with --unsafe-fixes")
        text += f" ({', '.join(details)})." if details else "."
        return text
    if hidden:
        text += f"\n{hidden} more fixable with --unsafe-fixes."
    return text


def statistics(report: Report) -> str:
    """One row per code, most frequent first: count, code, ``[*]`` if fixable, rule name."""
    from ormlint.rules import rule_by_code

    counts = Counter(d.code for d in report.diagnostics)
    fixable = {d.code for d in report.diagnostics if d.is_fixable(report.unsafe_fixes)}
    width = max((len(str(n)) for n in counts.values()), default=1)
    rows = []
    for code, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        rule = rule_by_code(code)
        name = rule.name if rule else "syntax-error"
        marker = "[*]" if code in fixable else "   "
        rows.append(f"{count:>{width}}\t{code}\t{marker} {name}")
    return "\n".join(rows)


def _hidden_unsafe(report: Report) -> int:
    """How many findings have a fix that only ``--unsafe-fixes`` would apply."""
    return sum(
        1
        for d in report.diagnostics
        if not report.unsafe_fixes and d.fix is not None and d.fix.applicability is Applicability.UNSAFE
    )


def _printable(text: str) -> str:
    """``text`` with each unprintable character written as Python escapes it (``\\n``,
    ``\\x1b``, ``\\u2028``)."""
    return _UNPRINTABLE.sub(lambda match: repr(match.group())[1:-1], text)


def _problems(count: int) -> str:
    return f"{count} problem" if count == 1 else f"{count} problems"
