from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import get_language

from kinetz.core.languages import direction


def site(request: HttpRequest) -> dict[str, object]:
    language = get_language() or "de"
    return {
        "text_direction": direction(language),
        "language_choices": settings.LANGUAGES,
        "current_language": language,
    }
