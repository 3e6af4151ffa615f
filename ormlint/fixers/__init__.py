"""Rewrites shared by the rules: pure functions from nodes and facts to replacement nodes.

A rule decides *whether* to fix; a fixer decides *how*. Replacement nodes reuse the
original subtrees, so the formatting and comments inside them survive.
"""

import libcst as cst


def bare(node: cst.BaseExpression) -> cst.BaseExpression:
    """``node`` without its own parentheses.

    A node replaced in place keeps the parentheses written around it in the source (they
    lie outside its position), so a replacement that embeds the node itself must drop them.
    """
    if getattr(node, "lpar", None) or getattr(node, "rpar", None):
        return node.with_changes(lpar=(), rpar=())
    return node
