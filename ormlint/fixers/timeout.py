"""Add a ``timeout=`` keyword to a call, or replace the value of one, keeping the layout.

A call written one argument per line gets the new argument on a line of its own, indented
like its siblings, with the call's trailing comma kept and comments left on the lines they
were written on.
"""

from __future__ import annotations

import libcst as cst


def add_keyword(call: cst.Call, keyword: str, value: str) -> cst.Call:
    new_arg = cst.Arg(
        keyword=cst.Name(keyword),
        value=cst.parse_expression(value),
        equal=cst.AssignEqual(
            whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace("")
        ),
    )
    args = list(call.args)
    if not args:
        return call.with_changes(args=[new_arg])
    last = args[-1]
    trailing = isinstance(last.comma, cst.Comma)
    closing = last.comma.whitespace_after if trailing else last.whitespace_after_arg
    between = _between_arguments(call)
    if isinstance(closing, cst.ParenthesizedWhitespace) and isinstance(between, cst.ParenthesizedWhitespace):
        # One argument per line: a comment after the old last argument stays on its line,
        # blank lines and the closing indentation stay before the parenthesis.
        comma_before = last.comma.whitespace_before if trailing else cst.SimpleWhitespace("")
        last = last.with_changes(
            whitespace_after_arg=last.whitespace_after_arg if trailing else cst.SimpleWhitespace(""),
            comma=cst.Comma(
                whitespace_before=comma_before,
                whitespace_after=closing.with_changes(
                    empty_lines=(), indent=between.indent, last_line=between.last_line
                ),
            ),
        )
        after_new = closing.with_changes(first_line=cst.TrailingWhitespace())
        if trailing:
            new_arg = new_arg.with_changes(comma=cst.Comma(whitespace_after=after_new))
        else:
            new_arg = new_arg.with_changes(whitespace_after_arg=after_new)
    elif trailing:
        new_arg = new_arg.with_changes(comma=last.comma)
        last = last.with_changes(comma=cst.Comma(whitespace_after=_simple(between)))
    else:
        new_arg = new_arg.with_changes(whitespace_after_arg=last.whitespace_after_arg)
        last = last.with_changes(
            whitespace_after_arg=cst.SimpleWhitespace(""),
            comma=cst.Comma(whitespace_after=_simple(between)),
        )
    args[-1] = last
    args.append(new_arg)
    return call.with_changes(args=args)


def replace_value(arg: cst.Arg, value: str) -> cst.Arg:
    return arg.with_changes(value=cst.parse_expression(value))


def _between_arguments(call: cst.Call) -> cst.BaseParenthesizableWhitespace:
    """The whitespace that separates arguments in this call: what follows an earlier comma,
    or for a single argument, what follows the opening parenthesis."""
    for arg in call.args[:-1]:
        if isinstance(arg.comma, cst.Comma):
            return arg.comma.whitespace_after
    return call.whitespace_before_args


def _simple(whitespace: cst.BaseParenthesizableWhitespace) -> cst.BaseParenthesizableWhitespace:
    if isinstance(whitespace, cst.SimpleWhitespace) and whitespace.value:
        return whitespace
    return cst.SimpleWhitespace(" ")
