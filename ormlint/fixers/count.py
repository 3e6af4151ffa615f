"""Rewrite ``len(qs)`` into ``qs.count()``: a ``COUNT(*)`` instead of loading every row."""

from __future__ import annotations

import libcst as cst


def django_count(queryset: cst.BaseExpression) -> cst.Call:
    return cst.Call(func=cst.Attribute(value=queryset, attr=cst.Name("count")))
