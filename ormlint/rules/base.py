"""What every rule is: a libcst visitor with a code, a name, documentation and a way to report.

A rule decides *whether* something is wrong and asks a fixer (``ormlint.fixers``) *how* to
rewrite it. All rules of a run visit the tree together in one batched traversal, after the
semantic model, which they query through ``self.semantic``.
"""

from __future__ import annotations

import inspect
import traceback
from dataclasses import dataclass, field
from typing import ClassVar, List, Optional, Sequence, Set, Tuple, Union

import libcst as cst

from ormlint.config import Config
from ormlint.diagnostics import Applicability
from ormlint.semantic.model import SemanticModel
from ormlint.structure import Structure
from ormlint.syntax import visitor_names

#: A fix as a rule states it: nodes of the tree and what to put in their place. The
#: engine turns it into text edits once positions are known.
Replacement = Tuple[cst.CSTNode, Union[cst.CSTNode, str]]


@dataclass(frozen=True)
class PendingFix:
    title: str
    applicability: Applicability
    replacements: Tuple[Replacement, ...]


@dataclass
class Finding:
    code: str
    node: cst.CSTNode
    message: str
    fix: Optional[PendingFix] = None
    #: The indentation of the statement the finding is in, for rendering the fix.
    indentation: str = ""
    #: For rows passed to a project function that loops over them: that function, as
    #: ``LoopFacts.helper`` gives it.
    helper: Optional[Tuple[str, bool, str]] = None


@dataclass
class FileContext:
    """What a rule may read about the file it checks, and where its findings go."""

    path: str
    config: Config
    semantic: SemanticModel
    findings: List[Finding] = field(default_factory=list)


class Rule(cst.BatchableCSTVisitor):
    code: ClassVar[str]
    name: ClassVar[str]
    #: The applicability of the fixes this rule offers, or ``None`` if it never fixes.
    fix_applicability: ClassVar[Optional[Applicability]] = None
    #: Words whose presence in a file's text is necessary for a finding (any of them).
    required_text: ClassVar[Sequence[str]] = ()
    #: Whether a finding needs a query, hence one of the project index's vocabulary
    #: words (a model, manager or queryset method name) in the file.
    needs_orm: ClassVar[bool] = False
    #: Whether the rule also looks into calls of the project's functions that loop over
    #: an argument, so that a call of one is reason enough to check a file.
    follows_calls: ClassVar[bool] = False

    @classmethod
    def has_candidate(cls, structure: Structure) -> bool:
        """Whether the module's structure holds something this rule's visitors start from
        (see ``ormlint.structure``); a rule that does not say is always run."""
        return True

    def __init__(self, context: FileContext) -> None:
        super().__init__()
        self.context = context
        self.semantic = context.semantic
        self.config = context.config
        #: The traceback of a bug of this rule's on this file, if it hit one.
        self.failure: Optional[str] = None
        self._reported: Set[Tuple[int, str]] = set()

    def get_visitors(self):
        """Every visitor method runs guarded: a bug in this rule stops this rule on this
        file, and the other rules, which share the traversal, go on."""
        return {name: self._guarded(getattr(self, name)) for name in visitor_names(type(self))}

    def _guarded(self, method):
        def guarded(node: cst.CSTNode) -> None:
            if self.failure is not None:
                return
            try:
                method(node)
            except Exception:  # noqa: BLE001 - reported as an internal error by the engine
                self.failure = traceback.format_exc()

        return guarded

    def report(
        self,
        node: cst.CSTNode,
        message: str,
        fix: Optional[PendingFix] = None,
        indentation: Optional[str] = None,
        helper: Optional[Tuple[str, bool, str]] = None,
    ) -> None:
        """Report ``node``; a fix that replaces an enclosing statement gives that
        statement's ``indentation`` (by default, the one being visited)."""
        key = (id(node), message)
        if key in self._reported:  # the same rows passed to a function from several places
            return
        self._reported.add(key)
        chosen = self.semantic.indentation if indentation is None else indentation
        self.context.findings.append(Finding(self.code, node, message, fix, chosen, helper))

    def fix(self, title: str, *replacements: Replacement, applicability: Optional[Applicability] = None) -> PendingFix:
        chosen = applicability or self.fix_applicability
        assert chosen is not None, f"{self.code} declares no fix applicability"
        return PendingFix(title, chosen, tuple(replacements))

    @classmethod
    def documentation(cls) -> str:
        return inspect.cleandoc(cls.__doc__ or "")

    @classmethod
    def summary(cls) -> str:
        """The first line of the documentation: what the rule does, in one sentence."""
        text = cls.documentation()
        after_heading = text.split("## What it does", 1)[-1].strip()
        return " ".join(after_heading.split("\n\n", 1)[0].split())
