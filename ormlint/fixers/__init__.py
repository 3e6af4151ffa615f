"""Rewrites shared by the rules: pure functions from nodes and facts to replacement nodes.

A rule decides *whether* to fix; a fixer decides *how*. Replacement nodes reuse the
original subtrees, so the formatting and comments inside them survive.
"""
