"""The Django admin for operators: reached through kinetz's own sign-in, second factor required."""

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from kinetz.accounts.access import is_verified


class VerifiedAdminSite(admin.AdminSite):
    site_header = "kinetz – Administration"
    site_title = "kinetz"

    def has_permission(self, request: HttpRequest) -> bool:
        return super().has_permission(request) and is_verified(request)

    def login(self, request: HttpRequest, extra_context: object = None) -> HttpResponse:
        target = request.GET.get("next") or reverse("admin:index")
        return redirect(f"{reverse('accounts:login')}?{urlencode({'next': target})}")
