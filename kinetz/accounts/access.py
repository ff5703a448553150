"""Access checks for staff and partner pages, in one place.

A view declares the capability it needs with `@requires(Capability.X)`; the decorator sends
anonymous visitors to the login page, refuses users whose role lacks the capability, and
refuses users of 2FA roles whose session was not verified with a second factor.
"""

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeVar, cast

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from kinetz.accounts.roles import Capability

if TYPE_CHECKING:
    from kinetz.accounts.models import User

View = TypeVar("View", bound=Callable[..., HttpResponse])


def is_verified(request: HttpRequest) -> bool:
    user = request.user
    verified = getattr(user, "is_verified", None)
    return bool(verified and verified())


def check_access(request: HttpRequest, capability: Capability) -> "User":
    """Return the signed-in user if they may use `capability`, else raise PermissionDenied."""
    user = cast("User", request.user)
    if not user.is_authenticated:
        raise PermissionDenied
    if user.needs_two_factor and not is_verified(request):
        raise PermissionDenied
    if not (user.is_superuser or user.can(capability)):
        raise PermissionDenied
    return user


def requires(capability: Capability) -> Callable[[View], View]:
    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            check_access(request, capability)
            return view(request, *args, **kwargs)

        return cast(View, wrapped)

    return decorator
