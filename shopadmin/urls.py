from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView

from shopadmin.security import admin_login
from vouchers.admin.dashboard import admin_home
from vouchers.metrics import metrics
from vouchers.views import health, shopee_push
from vouchers.views_notifications import notification_settings

admin.site.site_header = "shopadmin"
admin.site.site_title = "shopadmin"
admin.site.index_title = _("Shopee shops, vouchers and the call log")

urlpatterns = [
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
    path(
        "admin/notifications/",
        admin.site.admin_view(notification_settings),
        name="notification_settings",
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
