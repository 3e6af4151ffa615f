"""What the N+1 rules share: visiting every kind of loop once, and wording a finding."""

from __future__ import annotations

from typing import List, Tuple

import libcst as cst

from ormlint.fixers.related import add_related
from ormlint.rules.base import Rule
from ormlint.fixers.admin_queryset import get_queryset_method
from ormlint.semantic.admin import AdminFacts, InlineFacts, analyse_admin, analyse_inline
from ormlint.semantic.drf import ViewFacts, analyse_view, serialized_rows
from ormlint.semantic.rendering import list_view_facts, render_facts
from ormlint.semantic.loops import Loop, LoopFacts, RelationRead, analyse_callable, analyse_loop, analyse_unpacked_loop, comprehension_clauses, longest, longest_reads


class LoopRule(Rule):
    """A rule that looks at every ``for`` loop and comprehension over query rows."""

    needs_orm = True
    follows_calls = True
    required_text = ("for ", "groupby", "sorted(", "map(", "filter(", "min(", "max(", "ModelAdmin", "register(", "serializer_class", "queryset", "render", "TemplateResponse", "ListView", "DetailView", "get_context_data", "many=True")

    def visit_For(self, node: cst.For) -> None:
        self._visit_loop(node)

    def visit_ListComp(self, node: cst.ListComp) -> None:
        self._visit_loop(node)

    def visit_SetComp(self, node: cst.SetComp) -> None:
        self._visit_loop(node)

    def visit_DictComp(self, node: cst.DictComp) -> None:
        self._visit_loop(node)

    def visit_GeneratorExp(self, node: cst.GeneratorExp) -> None:
        self._visit_loop(node)

    def visit_Call(self, node: cst.Call) -> None:
        self._visit_callable(node)
        for facts in render_facts(self.semantic, node):
            self.check_loop(facts)

    def visit_Attribute(self, node: cst.Attribute) -> None:
        facts = serialized_rows(self.semantic, node)
        if facts is not None:
            self.check_loop(facts)

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        admin = analyse_admin(self.semantic, node)
        if admin is not None:
            self.check_admin(admin)
        inline = analyse_inline(self.semantic, node)
        if inline is not None:
            self.check_inline(inline)
        view = analyse_view(self.semantic, node)
        if view is not None:
            self.check_view(view)
        for facts in list_view_facts(self.semantic, node):
            self.check_loop(facts)

    def check_admin(self, facts: AdminFacts) -> None:
        """A ModelAdmin's change list reads its columns on every row."""

    def check_inline(self, facts: InlineFacts) -> None:
        """An inline shows every related row on its parent's change form."""

    def check_view(self, facts: ViewFacts) -> None:
        """A DRF list view serializes every row of its queryset."""

    def report_inline(self, facts: InlineFacts, reads: List[RelationRead], method: str, fixable: bool) -> None:
        """Report what an inline's rows read and its queryset does not load, on the value
        its ``get_queryset()`` returns, or on its ``model`` when it has none; the fix
        extends that value, or writes the method."""
        reads, paths, call = loading_call(reads, method)
        shown = ", ".join(f"`{read.shown}` (by `{facts.columns[read.lookup]}`)" for read in reads)
        message = (
            f"The inline `{facts.node.name.value}` reads {shown} on every row of the change form: "
            f"1 query per row; load with `{call}` in its `get_queryset()`"
        )
        fix = None
        if fixable and facts.returned is not None:
            fix = self.fix(f"Add `{call}`", (facts.returned, add_related(facts.returned, method, paths)))
        elif fixable and facts.declared is not None and not facts.inherits_query:
            edit = get_queryset_method(self.semantic.module_node, facts.declared, method, paths, class_indentation(self, facts.node))
            fix = self.fix(f"Add `get_queryset()` with `{call}`", edit)
        self.report(facts.returned or facts.declared or facts.node.name, message, fix)

    def report_view(self, facts: ViewFacts, reads: List[RelationRead], method: str, fixable: bool) -> None:
        reads, paths, call = loading_call(reads, method)
        shown = ", ".join(f"`{read.shown}` (field `{facts.fields[read.lookup]}`)" for read in reads)
        message = (
            f"`{facts.node.name.value}` serializes every row with `{facts.serializer}`, which reads {shown}: "
            f"1 query per row; load with `{call}`"
        )
        if facts.queryset is None:
            # The rows come from a base class elsewhere: say so where the view is.
            self.report(facts.node.name, message + (f" in `{facts.rows_from}`" if facts.rows_from else ""))
            return
        fix = self.fix(f"Add `{call}`", (facts.queryset, add_related(facts.queryset, method, paths))) if fixable else None
        self.report(facts.queryset, message, fix)

    def _visit_callable(self, node: cst.Call) -> None:
        facts = analyse_callable(self.semantic, node)
        if facts is not None:
            self.check_loop(facts)

    def _visit_loop(self, node: Loop) -> None:
        for clause in comprehension_clauses(node):
            facts = analyse_loop(self.semantic, node, clause)
            if facts is not None:
                self.check_loop(facts)
            for unpacked in analyse_unpacked_loop(self.semantic, node, clause):
                self.check_loop(unpacked)

    def check_loop(self, facts: LoopFacts) -> None:
        raise NotImplementedError


def loading_call(reads: List[RelationRead], method: str) -> Tuple[List[RelationRead], List[str], str]:
    """The reads to report (none that a longer one covers), the paths to load, and the
    call that loads them: ``.select_related('customer', 'lines__product')``."""
    reads = longest_reads(reads)
    paths = longest(read.lookup for read in reads)
    return reads, paths, f".{method}(" + ", ".join(f"'{path}'" for path in paths) + ")"


def reads_message(facts: LoopFacts, reads: List[RelationRead], call: str) -> str:
    if facts.via is not None:
        shown = ", ".join(f"`.{read.shown}`" for read in reads)
        does = f"calls {' and '.join(facts.called)} on each of these rows" if facts.called else "loops over these rows"
        return f"{facts.via} {does} and reads {shown} of every row: 1 query per row; load with `{call}`"
    shown = ", ".join(f"`{facts.variable}.{read.shown}`" for read in reads)
    return f"Loop reads {shown} on every row: 1 query per row; load with `{call}`"


def report_related(rule: LoopRule, facts: LoopFacts, reads: List[RelationRead], method: str, fixable: bool, note: str = "") -> None:
    """Report the unloaded ``reads`` of a Django loop and, when ``fixable``, add them to
    the queryset's ``method`` (``select_related`` / ``prefetch_related``) where it is built."""
    reads, paths, call = loading_call(reads, method)
    fix = None
    site = rule.semantic.queryset_type(facts.built_at) if fixable and facts.built_at is not None else None
    if site is not None and _extensible(facts.built_at, site) and not facts.query.prefetched_rows:
        fix = rule.fix(f"Add `{call}`", (facts.built_at, add_related(facts.built_at, method, paths)))
    rule.report(facts.reported_at, reads_message(facts, reads, call) + note, fix, helper=facts.helper)


def _extensible(site: cst.BaseExpression, query) -> bool:
    """Whether ``.select_related(...)`` can be added to the query built at ``site``: a
    queryset, or a queryset's ``.iterator()`` (the call goes before it). What a project
    function returns as an iterator (``chunked(qs)``) is a generator, which has no
    queryset methods."""
    if query.kind == "queryset":
        return True
    return query.kind == "iterator" and isinstance(site, cst.Call) and isinstance(site.func, cst.Attribute) and site.func.attr.value == "iterator"


def class_indentation(rule: LoopRule, node: cst.ClassDef) -> str:
    """The indentation of the statements in a class's body."""
    body = node.body
    own = body.indent if isinstance(body, cst.IndentedBlock) and body.indent is not None else rule.semantic.module_node.default_indent
    return rule.semantic.indentation + own


def columns_message(facts: AdminFacts, reads: List[RelationRead], advice: str) -> str:
    admin = facts.node.name.value
    shown = ", ".join(f"`{read.shown}` (column `{facts.columns[read.lookup]}`)" for read in reads)
    return f"The change list of `{admin}` reads {shown} on every row: 1 query per row; {advice}"
