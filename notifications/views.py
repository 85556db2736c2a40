"""My notifications: each staff user turns the mails of notifications.services.notify on or
off. Wrapped in `admin.site.admin_view` (see shopadmin/urls.py): staff only, login required,
CSRF-protected, never cached."""

from django import forms
from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext

from notifications.models import NotificationSettings
from notifications.services.notify import notification_settings_get, notification_settings_set


class NotificationSettingsForm(forms.ModelForm):
    class Meta:
        model = NotificationSettings
        fields = ["runs", "shop_alerts"]


def notification_settings(request):
    current = notification_settings_get(user=request.user)
    data = request.POST if request.method == "POST" else None
    form = NotificationSettingsForm(data, instance=current)
    if request.method == "POST" and form.is_valid():
        notification_settings_set(
            user=request.user,
            runs=form.cleaned_data["runs"],
            shop_alerts=form.cleaned_data["shop_alerts"],
        )
        messages.success(request, gettext("Your notification settings were saved."))
        return HttpResponseRedirect(reverse("notification_settings"))
    context = {
        **admin.site.each_context(request),
        "title": gettext("My notifications"),
        "form": form,
        "email": request.user.email,
    }
    return TemplateResponse(request, "admin/notifications/settings.html", context)
