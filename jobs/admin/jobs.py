"""Shop jobs: the list, and each job's page (shops filling in, then the outcome) and its JSON."""

from django.contrib import admin
from django.http import Http404, JsonResponse
from django.urls import path, reverse
from django.utils.translation import gettext

from core.parsing import is_id, parse_id
from jobs.models import JobKind, ShopJob
from jobs.services.create import jobs_visible
from jobs.services.report import shop_job_progress, shop_job_row_words
from shopadmin.paging import CappedCountPaginator, CheckedQuery

REFRESH_SECONDS = 2


@admin.register(ShopJob)
class ShopJobAdmin(CheckedQuery, admin.ModelAdmin):
    list_display = ["__str__", "created_at", "created_by_username", "status"]
    list_filter = ["kind", "status"]
    search_fields = ["created_by_username", "=public_id"]
    paginator = CappedCountPaginator
    show_full_result_count = False
    actions = None
    change_form_template = "admin/jobs/shopjob/progress.html"

    def get_queryset(self, request):
        return jobs_visible(super().get_queryset(request), request.user)

    def has_add_permission(self, request):
        return False  # jobs are started from the shop list and by Connect

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) or request.user.has_perm("shops.view_shop")

    def get_urls(self):
        return [
            path(
                "<int:job_id>/progress.json",
                self.admin_site.admin_view(self.progress_json_view),
                name="jobs_shopjob_progress",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        job = self._job(request, object_id)
        if job is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        progress = shop_job_progress(job=job, viewer=request.user)
        changelist = reverse("admin:shops_shop_changelist")
        shops_url, shops_link = changelist, gettext("The shop list →")
        if job.main_account_id:
            shops_url = f"{changelist}?main_account_id={job.main_account_id}"
            shops_link = gettext("The shops of main account %(account)s →") % {
                "account": job.main_account_id
            }
        elif job.kind == JobKind.CAMPAIGN:  # "Stop a campaign" (runs.admin.campaign)
            shops_url = reverse("admin:runs_endrun_campaign_preview", args=[job.pk])
            shops_link = gettext("The campaign's preview →")
        elif job.kind == JobKind.CONNECT and progress.rows and progress.rows[0].shop_id:
            shops_url = reverse("admin:shops_shop_change", args=[progress.rows[0].shop_id])
            shops_link = gettext("The shop's page →")
        extra_context = {
            "job": job,
            "progress": progress,
            "rows": [(row, shop_job_row_words(row)) for row in progress.rows],
            "refresh_seconds": REFRESH_SECONDS if job.active else None,
            "shops_url": shops_url,
            "shops_link": shops_link,
            "title": gettext("Job %(job)s: %(kind)s, %(status)s")
            % {
                "job": job.pk,
                "kind": job.get_kind_display(),
                "status": job.get_status_display().lower(),
            },
            "subtitle": None,
            **(extra_context or {}),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def progress_json_view(self, request, job_id):
        """The page's figures for a script or a test that polls: counts, rows, messages."""
        if not self.has_view_permission(request):
            raise Http404
        job = self._job(request, str(job_id))
        if job is None:
            raise Http404
        progress = shop_job_progress(job=job, viewer=request.user)
        return JsonResponse(
            {
                "status": job.status,
                "active": job.active,
                "total": progress.total,
                "done": progress.done,
                "failed": progress.failed,
                "vouchers": progress.vouchers,
                "shops": [
                    {
                        "shop_id": row.shop_shopee_id,
                        "name": row.shop_name,
                        "state": row.state,
                        "words": shop_job_row_words(row),
                    }
                    for row in progress.rows
                ],
                "messages": [{"level": level, "text": text} for level, text in progress.messages],
            }
        )

    def _job(self, request, object_id):
        if not is_id(object_id):
            return None
        return self.get_queryset(request).filter(pk=parse_id(object_id)).first()


def job_url(job) -> str:
    return reverse("admin:jobs_shopjob_change", args=[job.pk])
