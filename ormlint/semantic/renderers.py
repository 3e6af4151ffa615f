"""The functions that render a template, as data, and the project functions that wrap one.

A rendering function takes a template name and a context at fixed places
(``RENDERERS``). A project function that hands two of its parameters on to one,
``def render_page(request, name, context): return render(request, name, context)``,
renders a template too: its summary (``rendering_places``) says where its callers pass the
name and the context, so that a call ``render_page(request, "orders.html", {"orders": qs})``
is read as the ``render`` call it amounts to. One walk of the function's nodes.
"""

from __future__ import annotations

import ast
from typing import Dict, Optional, Tuple

from ormlint.semantic.summaries import FunctionBody

#: Where a template name or a context is passed: position (``-1``: by keyword only) and
#: keyword.
Place = Tuple[int, str]
#: A rendering function's template-name place and context place (``None``: the context
#: is the keyword arguments, as for Flask's ``render_template``).
Places = Tuple[Place, Optional[Place]]

RENDERERS: Dict[str, Places] = {
    "django.shortcuts.render": ((1, "template_name"), (2, "context")),
    "django.template.response.TemplateResponse": ((1, "template"), (2, "context")),
    "django.template.loader.render_to_string": ((0, "template_name"), (1, "context")),
    "flask.render_template": ((0, "template_name_or_list"), None),
}


_JINJA_SUFFIXES = (".jinja", ".jinja2", ".j2")


def renders_jinja(places: Places, template_name: str) -> bool:
    """Whether the template is a Jinja2 one: rendered by Flask (the only renderer that
    takes its context as keyword arguments, wrapped or not) or named as one."""
    return places[1] is None or template_name.endswith(_JINJA_SUFFIXES)


def rendering_places(body: FunctionBody, names: Dict[str, str]) -> Optional[Places]:
    """Where callers of a module function pass the template name and the context it
    renders, when it passes two of its parameters, never rebound, to a rendering function
    (the context as one parameter, or for Flask its ``**kwargs`` as they are)."""
    _, positions = body.call_parameters(method=False)
    keywords = body.function.args.kwarg.arg if body.function.args.kwarg is not None else None

    def parameter(node: Optional[ast.expr]) -> Optional[Place]:
        if isinstance(node, ast.Name) and node.id in positions and body.stores[node.id] == 0:
            return positions[node.id], node.id
        return None

    for node in body.nodes:
        if not isinstance(node, ast.Call):
            continue
        places = RENDERERS.get(_qualified(node.func, names) or "")
        if places is None:
            continue
        template = parameter(_argument(node, places[0]))
        if template is None:
            continue
        if places[1] is not None:
            context = parameter(_argument(node, places[1]))
            if context is not None:
                return template, context
        elif keywords is not None and body.stores[keywords] == 0 and _unpacks_only(node, keywords):
            return template, None
    return None


def _argument(call: ast.Call, place: Place) -> Optional[ast.expr]:
    position, keyword = place
    for argument in call.keywords:
        if argument.arg == keyword:
            return argument.value
    positional = [a for a in call.args if not isinstance(a, ast.Starred)]
    return positional[position] if 0 <= position < len(positional) else None


def _unpacks_only(call: ast.Call, keywords: str) -> bool:
    """``render_template(name, **context)``: the function's keyword arguments are passed
    on as they are, and no other mapping that could hide one of their keys."""
    unpacked = [k.value for k in call.keywords if k.arg is None]
    return len(unpacked) == 1 and isinstance(unpacked[0], ast.Name) and unpacked[0].id == keywords


def _qualified(node: ast.expr, names: Dict[str, str]) -> Optional[str]:
    if isinstance(node, ast.Name):
        return names.get(node.id)
    if isinstance(node, ast.Attribute):
        base = _qualified(node.value, names)
        return f"{base}.{node.attr}" if base else None
    return None
