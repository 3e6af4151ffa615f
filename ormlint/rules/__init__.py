"""The rule table: every rule ormlint has, sorted by code."""

from __future__ import annotations

from typing import Optional, Tuple, Type

from ormlint.config import Config
from ormlint.rules.base import Rule
from ormlint.rules.commit_in_loop import CommitInLoop
from ormlint.rules.count_for_existence import CountForExistence
from ormlint.rules.create_in_loop import CreateInLoop
from ormlint.rules.delete_in_loop import DeleteInLoop
from ormlint.rules.len_queryset import LenQueryset
from ormlint.rules.n_plus_one_forward import NPlusOneForward
from ormlint.rules.n_plus_one_reverse import NPlusOneReverse
from ormlint.rules.n_plus_one_sqlalchemy import NPlusOneSqlalchemy
from ormlint.rules.query_in_loop import QueryInLoop
from ormlint.rules.queryset_truthiness import QuerysetTruthiness
from ormlint.rules.request_without_timeout import RequestWithoutTimeout
from ormlint.rules.save_in_loop import SaveInLoop
from ormlint.rules.timeout_none import TimeoutNone
from ormlint.rules.urlopen_without_timeout import UrlopenWithoutTimeout

ALL_RULES: Tuple[Type[Rule], ...] = tuple(
    sorted(
        (
            CommitInLoop,
            CountForExistence,
            CreateInLoop,
            DeleteInLoop,
            LenQueryset,
            NPlusOneForward,
            NPlusOneReverse,
            NPlusOneSqlalchemy,
            QueryInLoop,
            QuerysetTruthiness,
            RequestWithoutTimeout,
            SaveInLoop,
            TimeoutNone,
            UrlopenWithoutTimeout,
        ),
        key=lambda rule: rule.code,
    )
)


def rule_by_code(code: str) -> Optional[Type[Rule]]:
    for rule in ALL_RULES:
        if rule.code == code.upper() or rule.name == code:
            return rule
    return None


def selected_rules(config: Config, path: Optional[str] = None) -> Tuple[Type[Rule], ...]:
    ignored = config.ignored_in(path) if path is not None else ()
    return tuple(
        rule
        for rule in ALL_RULES
        if config.is_selected_globally(rule.code) and not any(rule.code.startswith(i) for i in ignored)
    )


__all__ = ["ALL_RULES", "Rule", "rule_by_code", "selected_rules"]
