"""What ormlint knows about the code it checks: imports, models, querysets and sessions.

Rules never guess types from names; they ask the :class:`~ormlint.semantic.model.SemanticModel`,
which answers from the project index (every model class of the project) and from local data
flow inside the function being checked.
"""
