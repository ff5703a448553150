from collections.abc import Iterable
from typing import Any

from django import template
from django.http import HttpRequest

register = template.Library()


@register.simple_tag(takes_context=True)
def language_url(context: template.Context, code: str) -> str:
    """The current page in another language (keeps the other query parameters)."""
    request: HttpRequest | None = context.get("request")
    if request is None:
        return f"?lang={code}"
    query = request.GET.copy()
    query["lang"] = code
    return f"{request.path}?{query.urlencode()}"


@register.inclusion_tag("includes/filter_select.html")
def filter_select(
    name: str,
    label: str,
    options: Iterable[Any],
    selected: Any = "",
    value: str = "",
    text: str = "",
) -> dict[str, Any]:
    """A labelled filter <select> with an "all" choice.

    `options` are (value, label) pairs, or objects whose `value` and `text` attributes give them.
    """
    pairs = [
        (str(getattr(option, value)), str(getattr(option, text))) if value else option
        for option in options
    ]
    return {
        "name": name,
        "label": label,
        "options": pairs,
        "selected": "" if selected is None else str(selected),
        "element_id": "filter-" + name.replace("_", "-"),
    }
