from django.contrib import messages
from django.contrib.auth import logout
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kinetz.accounts import two_factor
from kinetz.accounts.access import requires
from kinetz.accounts.administration import AdministrationError, invite_user, update_user
from kinetz.accounts.forms import CodeForm, SignInForm, UserForm
from kinetz.accounts.models import User
from kinetz.accounts.roles import Capability


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return ""


def sign_in(request: HttpRequest) -> HttpResponse:
    next_url = _safe_next(request)
    form = SignInForm(request, request.POST or None)
    if request.method == "POST" and form.is_valid() and form.user is not None:
        user = form.user
        two_factor.start_pending(request, user, next_url)
        if two_factor.confirmed_device(user):
            return redirect("accounts:sign_in_code")
        if user.needs_two_factor:
            return redirect("accounts:two_factor_setup")
        return redirect(two_factor.complete_sign_in(request, None) or "core:dashboard")
    return render(request, "accounts/sign_in.html", {"form": form, "next": next_url})


def sign_in_code(request: HttpRequest) -> HttpResponse:
    pending = two_factor.get_pending(request)
    device = pending and two_factor.confirmed_device(pending.user)
    if pending is None or device is None:
        messages.error(request, _("Your sign-in has expired. Please sign in again."))
        return redirect("accounts:login")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if two_factor.verify(device, form.cleaned_data["code"]):
            return redirect(two_factor.complete_sign_in(request, device) or "core:dashboard")
        if two_factor.record_failed_code(request):
            messages.error(request, _("Too many wrong codes. Please sign in again."))
            return redirect("accounts:login")
        form.add_error("code", _("This code is not correct or has expired."))
    return render(request, "accounts/sign_in_code.html", {"form": form})


def two_factor_setup(request: HttpRequest) -> HttpResponse:
    pending = two_factor.get_pending(request)
    if pending is None:
        messages.error(request, _("Your sign-in has expired. Please sign in again."))
        return redirect("accounts:login")
    if two_factor.confirmed_device(pending.user):
        return redirect("accounts:sign_in_code")
    device = two_factor.unconfirmed_device(pending.user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if two_factor.verify(device, form.cleaned_data["code"]):
            messages.success(request, _("Two-factor sign-in is set up."))
            return redirect(two_factor.complete_sign_in(request, device) or "core:dashboard")
        if two_factor.record_failed_code(request):
            messages.error(request, _("Too many wrong codes. Please sign in again."))
            return redirect("accounts:login")
        form.add_error("code", _("This code is not correct or has expired."))
    context = {
        "form": form,
        "qr_svg": two_factor.provisioning_svg(device),
        "secret": two_factor.base32_secret(device),
    }
    return render(request, "accounts/two_factor_setup.html", context)


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.info(request, _("You are signed out."))
    return redirect("core:start")


@requires(Capability.MANAGE_USERS)
def user_list(request: HttpRequest) -> HttpResponse:
    admin: User = request.user  # type: ignore[assignment]
    users = User.objects.for_user(admin).order_by("role", "email")
    return render(request, "accounts/user_list.html", {"users": users})


@requires(Capability.MANAGE_USERS)
def user_edit(request: HttpRequest, user_id: str | None = None) -> HttpResponse:
    admin: User = request.user  # type: ignore[assignment]
    if admin.region is None:
        raise PermissionDenied
    user = get_object_or_404(User, pk=user_id, region=admin.region) if user_id else User()
    form = UserForm(request.POST or None, instance=user)
    if request.method == "POST" and form.is_valid():
        edited = form.save(commit=False)
        try:
            if user_id:
                update_user(admin, edited, form.changed_data)
                messages.success(request, _("The user was saved."))
            else:
                invite_user(admin, admin.region, edited)
                messages.success(
                    request, _("The user was created and received an e-mail to set a password.")
                )
        except AdministrationError:
            form.add_error(None, _("You cannot change your own role or deactivate yourself."))
        else:
            return redirect("accounts:users")
    return render(request, "accounts/user_edit.html", {"form": form, "edited_user": user})
