"""Runs: the list, and each run's progress page with Cancel and Retry failed items.

A run over several teams' shops is listed to each of those teams, and its page shows each team
only its own shops: counts, lists, per-shop figures, the rule's shops and the read report.
Canceling stops the whole run, so it is for someone who sees all of the run's shops; retrying
retries the user's own shops' failed items.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from core.cells import truncated
from core.parsing import is_id, parse_id
from core.regions import moments_by_region
from runs.admin.columns import RunColumns, with_outcome_counts
from runs.admin.run_words import (
    campaign_selection,
    kind_labels,
    kind_rows,
    window_words,
    with_kind_words,
)
from runs.models import EndRun
from runs.services.control import run_cancel, run_progress, run_retry_failed
from runs.services.create import run_counts
from shopadmin.paging import (
    CappedCountPaginator,
    CheckedDateFieldListFilter,
    CheckedQuery,
)
from shops.models import Shop
from shops.services.access import run_shops, run_visible, runs_visible, sees_all_shops

REFRESH_SECONDS = 3


@admin.register(EndRun)
class EndRunAdmin(RunColumns, CheckedQuery, admin.ModelAdmin):
    # Each run's outcome at a glance, fitting a 1366 px laptop (columns in runs.admin.columns).
    list_display = [
        "run_label",
        "created",
        "started_by",
        "status_label",
        "outcome",
        "selection_label",
    ]
    list_filter = ["status", ("created_at", CheckedDateFieldListFilter)]
    search_fields = ["created_by_username", "=public_id"]
    paginator = CappedCountPaginator
    show_full_result_count = False
    actions = None
    change_form_template = "admin/runs/endrun/progress.html"

    def get_queryset(self, request):
        """The user's runs, each with its items counted by outcome in the same query (a team
        member: their own shops' items, as the run's page shows them)."""
        runs = runs_visible(super().get_queryset(request), request.user)
        return with_outcome_counts(runs, request.user)

    def get_list_display(self, request):
        """A rule's selection names its shops: someone who does not see every shop reads the
        rule without shop names (the run's page names that user's own shops)."""
        if sees_all_shops(request.user):
            return self.list_display

        @admin.display(description=_("selection"))
        def selection(run):
            return truncated(_selection_without_shops(run), css="cell-wide")

        return [name if name != "selection_label" else selection for name in self.list_display]

    def has_add_permission(self, request):
        return False  # runs are started from the vouchers list

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) or request.user.has_perm(
            "vouchers.end_voucher"
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        runs = self.get_queryset(request)
        run = runs.filter(pk=parse_id(object_id)).first() if is_id(object_id) else None
        if run is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        shops = run_shops(run, request.user)  # None: the user sees all of the run's shops
        progress = run_progress(run=run, shops=shops)
        rule_shops = []
        if run.rule:
            named = Shop.objects.filter(pk__in=run.rule.get("shops") or [])
            if shops is not None:
                named = named.filter(pk__in=shops.values("pk"))
            rule_shops = [str(shop) for shop in named]
        moment = run.shopee_end_time or run.end_at
        items = run.items.all() if shops is None else run.items.filter(shop__in=shops.values("pk"))
        regions = items.values_list("shop__region", flat=True).distinct()[:50]
        read_report = run.read_report
        if shops is not None:
            own = {str(shop) for shop in shops}
            read_report = [entry for entry in read_report if entry.get("shop") in own]
        campaign = run.is_campaign
        if campaign:
            with_kind_words(progress.items)
            with_kind_words(progress.failures)
        extra_context = {
            "run": run,
            "campaign": campaign,
            "kind_rows": kind_rows(run_counts(run, shops=shops)["by_kind"]) if campaign else [],
            "rule_kinds": kind_labels(run.rule.get("kinds")) if campaign else "",
            "rule_window": window_words(run.rule) if campaign else "",
            "run_moments": moments_by_region(moment, [r for r in regions if r]) if moment else [],
            "rule_shops": rule_shops,
            "progress": progress,
            "refresh_seconds": REFRESH_SECONDS if run.active else None,
            "can_act": request.user.has_perm("vouchers.end_voucher"),
            "can_cancel": request.user.has_perm("vouchers.end_voucher") and shops is None,
            "own_shops_only": not sees_all_shops(request.user),
            "read_report": read_report,
            "run_selection": _selection(run, request.user, rule_shops),
            "can_see_calls": request.user.has_perm("audit.view_shopeecall"),
            "title": gettext("Run %(run)s: %(status)s")
            % {"run": run.pk, "status": run.get_status_display().lower()},
            "subtitle": None,
            "calls_url": reverse("admin:audit_shopeecall_changelist")
            + f"?batch_id={run.public_id}",
            **(extra_context or {}),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def get_urls(self):
        return [
            path(
                "<int:run_id>/cancel/",
                self.admin_site.admin_view(self.cancel_view),
                name="runs_endrun_cancel",
            ),
            path(
                "<int:run_id>/retry/",
                self.admin_site.admin_view(self.retry_view),
                name="runs_endrun_retry",
            ),
            *super().get_urls(),
        ]

    def cancel_view(self, request, run_id):
        run = self._run_for_action(request, run_id)
        if run_shops(run, request.user) is not None:
            raise PermissionDenied  # it stops other teams' shops too
        canceled = run_cancel(run=run)
        self.message_user(
            request,
            cancel_words(run, canceled)
            if canceled or run.active
            else gettext("Run %(run)s was not active; nothing to cancel.") % {"run": run.pk},
            messages.WARNING,
        )
        return HttpResponseRedirect(reverse("admin:runs_endrun_change", args=[run.pk]))

    def retry_view(self, request, run_id):
        run = self._run_for_action(request, run_id)
        retried = run_retry_failed(run=run, shops=run_shops(run, request.user))
        self.message_user(
            request,
            retry_words(run, retried),
            messages.SUCCESS if retried else messages.INFO,
        )
        return HttpResponseRedirect(reverse("admin:runs_endrun_change", args=[run.pk]))

    def _run_for_action(self, request, run_id):
        if request.method != "POST":
            raise PermissionDenied  # these change state: POST with the CSRF token only
        if not request.user.has_perm("vouchers.end_voucher"):
            raise PermissionDenied
        run = get_object_or_404(EndRun, pk=run_id)
        if not run_visible(run, request.user):
            raise PermissionDenied  # none of the user's shops is in it
        return run


def _selection(run, user, rule_shops) -> str:
    """The run's selection in words: a campaign's in the reader's language (their own shops
    named), another run's as stored (a rule's shop names left out for a team member)."""
    if run.is_campaign:
        return campaign_selection(run, rule_shops)
    return run.selection if sees_all_shops(user) else _selection_without_shops(run)


def _selection_without_shops(run) -> str:
    """The run's selection in words, a rule's shop names left out."""
    if run.is_campaign:
        return campaign_selection(run)
    if not run.rule:
        return run.selection
    rule = run.rule
    parts = [gettext("Every ongoing voucher of the rule's shops")]
    if rule.get("code_prefix"):
        parts.append(gettext("code starting with “%(prefix)s”") % {"prefix": rule["code_prefix"]})
    if rule.get("name_contains"):
        parts.append(gettext("name containing “%(words)s”") % {"words": rule["name_contains"]})
    return ", ".join(parts)


def cancel_words(run, canceled: int) -> str:
    """What canceling did, in a campaign's words or a voucher run's."""
    if run.is_campaign:
        text = ngettext(
            "Run %(run)s canceled: %(canceled)s pending promotion will not be stopped. "
            "Requests already sent finish and are recorded.",
            "Run %(run)s canceled: %(canceled)s pending promotions will not be stopped. "
            "Requests already sent finish and are recorded.",
            canceled,
        )
    else:
        text = ngettext(
            "Run %(run)s canceled: %(canceled)s pending voucher will not be ended. "
            "Requests already sent finish and are recorded.",
            "Run %(run)s canceled: %(canceled)s pending vouchers will not be ended. "
            "Requests already sent finish and are recorded.",
            canceled,
        )
    return text % {"run": run.pk, "canceled": canceled}


def retry_words(run, retried: int) -> str:
    """What retrying did, in a campaign's words or a voucher run's."""
    if not retried:
        if run.is_campaign:
            return gettext("No failed promotions to retry.")
        return gettext("No failed vouchers to retry.")
    if run.is_campaign:
        text = ngettext(
            "Retrying %(retried)s failed promotion.",
            "Retrying %(retried)s failed promotions.",
            retried,
        )
    else:
        text = ngettext(
            "Retrying %(retried)s failed voucher.",
            "Retrying %(retried)s failed vouchers.",
            retried,
        )
    return text % {"retried": retried}
