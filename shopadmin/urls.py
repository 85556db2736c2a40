from django.contrib import admin
from django.http import HttpResponseRedirect
from django.urls import include, path, re_path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView

from notifications.views import notification_settings
from ops.admin.dashboard import admin_home
from ops.metrics import metrics
from ops.views import health, shopee_push
from shopadmin.security import admin_login

admin.site.site_header = "shopadmin"
admin.site.site_title = "shopadmin"
admin.site.index_title = _("Shopee shops, vouchers and the call log")

# Admin pages of models that left the vouchers app for their subject's app (README:
# Architecture): old bookmarks, and Shopee sending back a seller who followed an authorization
# link made before the move to /admin/vouchers/shop/connect/callback/, land on the new page.
MOVED_ADMIN_PAGES = {
    "shop": "shops",
    "shopeecall": "audit",
    "shopeepush": "audit",
    "rejectedpush": "audit",
    "endrun": "runs",
    "shopjob": "jobs",
}


def moved_admin_page(request, model, rest):
    """Redirect /admin/vouchers/<model>/<rest> to the model's new app, query string kept."""
    url = f"/admin/{MOVED_ADMIN_PAGES[model]}/{model}/{rest}"
    if request.META.get("QUERY_STRING"):
        url += "?" + request.META["QUERY_STRING"]
    return HttpResponseRedirect(url)


urlpatterns = [
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
    path(
        "admin/notifications/",
        admin.site.admin_view(notification_settings),
        name="notification_settings",
    ),
    re_path(
        r"^admin/vouchers/(?P<model>{})/(?P<rest>.*)$".format("|".join(MOVED_ADMIN_PAGES)),
        moved_admin_page,
    ),
    # The admin's own login, keeping `next` to the admin's pages (before admin.site.urls).
    path("admin/login/", admin_login),
    # The admin's home: the index with the dashboard (before admin.site.urls, whose index it is).
    path("admin/", admin.site.admin_view(admin_home), name="admin_home"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("health/", health, name="health"),
    path("metrics/", metrics, name="metrics"),
    path("shopee/push/", shopee_push, name="shopee_push"),
]
