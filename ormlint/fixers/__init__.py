"""Rewrites shared by the rules: pure functions from nodes and facts to replacement nodes.

A rule decides *whether* to fix; a fixer decides *how*. Replacement nodes reuse the
original subtrees, so the formatting and comments inside them survive.
"""

from typing import List

import libcst as cst
from libcst._nodes.internal import CodegenState


def bare(node: cst.BaseExpression) -> cst.BaseExpression:
    """``node`` without its own parentheses.

    A node replaced in place keeps the parentheses written around it in the source (they
    lie outside its position), so a replacement that embeds the node itself must drop them.
    """
    if isinstance(node, cst.Tuple) and not node.elements:
        return node  # ``()`` is its parentheses
    if getattr(node, "lpar", None) or getattr(node, "rpar", None):
        return node.with_changes(lpar=(), rpar=())
    return node


def render(module: cst.Module, node: cst.CSTNode, indentation: str) -> str:
    """The code of a replacement node, indented for the statement it goes into.

    ``Module.code_for_node`` renders a node as if it stood at the top level, which loses
    the indentation of continuation lines inside brackets; libcst's code generator takes
    the indentation as state, so we give it the statement's. Positions exclude a node's
    own parentheses, so the rendered replacement does too.
    """
    state = CodegenState(
        default_indent=module.default_indent,
        default_newline=module.default_newline,
        indent_tokens=[indentation] if indentation else [],
    )
    bare(node)._codegen(state)
    return "".join(state.tokens)



def comments(node: cst.CSTNode) -> List[str]:
    """Every comment inside ``node``, so that a fix can prove it keeps them all."""
    found: List[str] = []
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, cst.Comment):
            found.append(current.value)
        else:
            stack.extend(current.children)
    return found


def quote_of(node: cst.CSTNode) -> str:
    """The quote the code at hand uses for strings: single if it does, double otherwise."""
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, cst.SimpleString):
            return "'" if current.value.lstrip("rbuRBU").startswith("'") else '"'
        stack.extend(current.children)
    return '"'
