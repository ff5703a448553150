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
