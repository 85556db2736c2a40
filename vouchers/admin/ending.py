"""The confirmation page of "End selected vouchers" and the confirmed post that starts a run.

A selection travels as voucher ids (a page's checkboxes), as the changelist's query string for
"select all N" (turned back into the same queryset), or as the id of a selection saved on the
server (a CSV import): no list of 100,000 ids goes through the form. The confirmed post only
creates the run (one transaction) and queues it; Shopee is called by the worker.
"""

import copy
import zoneinfo
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.contrib.admin import helpers
from django.contrib.admin.exceptions import DisallowedModelAdminLookup
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect, QueryDict
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext, gettext_noop, ngettext
from django.utils.translation import gettext_lazy as _

from core.parsing import is_id, parse_id
from core.regions import moments_by_region, zone_choices
from runs.admin.shopee_ready import shopee_unready_redirect
from runs.models import VoucherSelection
from runs.services.create import EmptySelection, run_counts, run_create, run_plan
from runs.services.selection import selection_get, selection_vouchers
from shopee.config import load_config
from shopee.errors import ShopeeConfigError
from shops.services.access import visible

MAX_SCHEDULE_DAYS = 60
NOTHING_SELECTED = gettext_noop(
    "No voucher matches this selection: nothing was ended and no run was created."
)


class EndRunForm(forms.Form):
    """What the confirmation page posts besides the selection."""

    end_at = forms.DateTimeField(
        required=False,
        label=_("End at (optional)"),
        help_text=_("Leave empty to end now, or pick a future time, e.g. a campaign's midnight."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
    )

    delete_upcoming = forms.BooleanField(
        required=False,
        label=_("Also delete the upcoming vouchers"),
        help_text=_(
            "Stop the promotion completely: vouchers that have not started yet are deleted "
            "at Shopee (delete_voucher) instead of being skipped. Deleting cannot be undone."
        ),
    )
    end_at_shopee = forms.BooleanField(
        required=False,
        label=_("Set this end time at Shopee itself"),
        help_text=_(
            "Shopee then ends each voucher at that time by itself (update_voucher), even if "
            "shopadmin's workers are down. Shopee allows it only for a voucher that starts at "
            "least an hour before that time; the others are ended by shopadmin at that time."
        ),
    )

    end_at_zone = forms.ChoiceField(
        required=False,
        label=_("in"),
        help_text=_("Enter End at in a shop region's local time, or in this site's time zone."),
    )

    def __init__(self, *args, may_delete=False, regions=(), **kwargs):
        super().__init__(*args, **kwargs)
        if not may_delete:
            del self.fields["delete_upcoming"]
        site = timezone.get_default_timezone_name()
        site_choice = ("", gettext("this site's time (%(zone)s)") % {"zone": site})
        self.fields["end_at_zone"].choices = [site_choice] + zone_choices(regions)

    def clean(self):
        """End at is read in the chosen region's time zone (else the site's), then checked."""
        cleaned = super().clean()
        end_at = cleaned.get("end_at")
        if end_at is None:
            if cleaned.get("end_at_shopee"):
                self.add_error("end_at", gettext("Pick the end time to set at Shopee."))
            return cleaned
        zone = cleaned.get("end_at_zone")
        if zone:  # Django read the digits in the site's zone: read them in the chosen one
            end_at = timezone.make_aware(timezone.make_naive(end_at), zoneinfo.ZoneInfo(zone))
        now = timezone.now()
        if end_at <= now:
            self.add_error(
                "end_at", gettext("Pick a time in the future, or leave it empty to end now.")
            )
        elif (end_at - now).days > MAX_SCHEDULE_DAYS:
            self.add_error(
                "end_at",
                gettext("Pick a time within %(days)s days.") % {"days": MAX_SCHEDULE_DAYS},
            )
        else:
            cleaned["end_at"] = end_at
        return cleaned


@dataclass(frozen=True)
class Selection:
    """What the confirmation page is about: ids (a page's checkboxes), the changelist's filters
    ("select all"), or a selection saved on the server (a CSV import)."""

    ids: tuple = ()
    filters: str | None = None
    saved: VoucherSelection | None = None

    @classmethod
    def from_action(cls, request):
        if request.POST.get("select_across") == "1":
            return cls(filters=request.GET.urlencode())
        return cls(ids=tuple(request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)))

    @classmethod
    def from_confirmation(cls, request):
        if request.POST.get("selection"):
            saved = selection_get(public_id=request.POST["selection"], actor=request.user)
            return cls(saved=saved) if saved else None
        if request.POST.get("select_across") == "1":
            return cls(filters=request.POST.get("filters", ""))
        return cls(ids=tuple(request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)))

    def queryset(self, model_admin, request):
        """The selected vouchers, or None when the selection is not valid."""
        if self.saved is not None:
            return visible(selection_vouchers(self.saved), request.user)
        if self.filters is not None:
            changelist_request = copy.copy(request)
            changelist_request.GET = QueryDict(self.filters)
            try:
                changelist = model_admin.get_changelist_instance(changelist_request)
            except (IncorrectLookupParameters, DisallowedModelAdminLookup):
                return None
            return changelist.get_queryset(changelist_request)
        if not self.ids or not all(is_id(value) for value in self.ids):
            return None
        ids = {parse_id(value) for value in self.ids}
        vouchers = model_admin.get_queryset(request).filter(pk__in=ids)
        # Every id must be one this user may see (another team's shop is not): all or nothing.
        return vouchers if vouchers.count() == len(ids) else None

    def describe(self):
        if self.saved is not None:
            return f"The vouchers from {self.saved.description}"
        if self.filters is not None:
            return f"All vouchers matching: {self.filters or 'no filter'}"
        return f"{len(self.ids)} selected voucher{'s' if len(self.ids) != 1 else ''}"


def confirmation(
    model_admin, request, queryset, *, selection, next_url, form=None, extra_context=None
):
    """Render the confirmation page for `queryset` (`extra_context` adds to the template's);
    an empty selection ("select all" over a filter that matches nothing) goes back with a
    message instead."""
    plan = run_plan(vouchers=queryset)
    if not plan.total:
        model_admin.message_user(request, gettext(NOTHING_SELECTED), messages.WARNING)
        return HttpResponseRedirect(next_url)
    try:
        load_config()
        config_error = ""
    except ShopeeConfigError as error:
        config_error = error.message
    may_delete = model_admin.has_shopee_delete_permission(request)
    regions = [shop.region for shop in plan.shops]
    context = {
        **model_admin.admin_site.each_context(request),
        "title": gettext("End vouchers on Shopee?"),
        "subtitle": None,
        "opts": model_admin.opts,
        "plan": plan,
        "form": form or EndRunForm(may_delete=may_delete, regions=regions),
        "regions": sorted(set(regions)),
        "may_delete": may_delete,
        "selection": selection,
        "config_error": config_error,
        "end_url": reverse("admin:vouchers_voucher_end"),
        "next_url": next_url,
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "media": model_admin.media,
        **(extra_context or {}),
    }
    request.current_app = model_admin.admin_site.name
    return TemplateResponse(request, "admin/vouchers/voucher/end_confirmation.html", context)


def confirmed(model_admin, request):
    """Create the run for the confirmed selection and show its progress page."""
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}):
        next_url = reverse("admin:vouchers_voucher_changelist")
    selection = Selection.from_confirmation(request)
    queryset = selection.queryset(model_admin, request) if selection else None
    if queryset is None:
        model_admin.message_user(
            request, gettext("The selection was not valid. Nothing was ended."), "error"
        )
        return HttpResponseRedirect(next_url)
    may_delete = model_admin.has_shopee_delete_permission(request)
    if request.POST.get("delete_upcoming") and not may_delete:
        raise PermissionDenied  # the option is not shown without vouchers.delete_voucher
    regions = set(queryset.values_list("shop__region", flat=True).distinct()[:100])
    form = EndRunForm(request.POST, may_delete=may_delete, regions=regions)
    if not form.is_valid():
        return confirmation(
            model_admin, request, queryset, selection=selection, next_url=next_url, form=form
        )
    if refused := shopee_unready_redirect(model_admin, request, back_to=next_url):
        return refused
    end_at = form.cleaned_data["end_at"]
    at_shopee = form.cleaned_data["end_at_shopee"]
    try:
        run = run_create(
            vouchers=queryset,
            actor=request.user,
            selection=selection.describe(),
            end_at=None if at_shopee else end_at,
            delete_upcoming=form.cleaned_data.get("delete_upcoming", False),
            shopee_end_time=end_at if at_shopee else None,
        )
    except EmptySelection:
        model_admin.message_user(request, gettext(NOTHING_SELECTED), messages.ERROR)
        return HttpResponseRedirect(next_url)
    counts = run_counts(run)
    if selection.saved is not None:
        selection.saved.delete()
    when = (
        gettext("It will start at %(when)s")
        % {"when": f"{timezone.localtime(run.end_at):%Y-%m-%d %H:%M %Z}"}
        if run.end_at
        else gettext("It has started")
    )
    if at_shopee:
        when += gettext(", setting the end time %(when)s at Shopee") % {
            "when": f"{timezone.localtime(end_at):%Y-%m-%d %H:%M %Z}"
        }
    if end_at:
        everywhere = "; ".join(f"{r} {t}" for r, t in moments_by_region(end_at, regions))
        when += gettext(" (that is %(moments)s)") % {"moments": everywhere}
    model_admin.message_user(
        request,
        ngettext(
            "Run %(run)s: %(pending)s voucher to check at Shopee and %(verb)s, %(skipped)s "
            "skipped. %(when)s: it first reads the shops' current vouchers from Shopee; this "
            "page shows its progress.",
            "Run %(run)s: %(pending)s vouchers to check at Shopee and %(verb)s, %(skipped)s "
            "skipped. %(when)s: it first reads the shops' current vouchers from Shopee; this "
            "page shows its progress.",
            counts["pending"],
        )
        % {
            "run": run.pk,
            "pending": counts["pending"],
            "verb": _verb(run),
            "skipped": counts["skipped"],
            "when": when,
        },
        messages.SUCCESS,
    )
    return HttpResponseRedirect(reverse("admin:runs_endrun_change", args=[run.pk]))


def _verb(run) -> str:
    if run.shopee_end_time is not None:
        if run.delete_upcoming:
            return gettext("give that end time (or delete)")
        return gettext("give that end time")
    return gettext("end or delete") if run.delete_upcoming else gettext("end")
