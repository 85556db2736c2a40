"""The confirmation page of "End selected vouchers" and the confirmed post that starts a run.

A selection travels as voucher ids, or, for "select all N" on a filtered changelist, as the
changelist's query string, which the confirmed post turns back into the same queryset: no list
of 100,000 ids goes through the form. The confirmed post only creates the run (one transaction)
and queues it; Shopee is called by the worker.
"""

import copy
import zoneinfo

from django import forms
from django.contrib import messages
from django.contrib.admin import helpers
from django.contrib.admin.options import IncorrectLookupParameters
from django.http import HttpResponseRedirect, QueryDict
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from vouchers.services.runs.create import run_create, run_plan
from vouchers.shopee.config import load_config
from vouchers.shopee.errors import ShopeeConfigError

MAX_SCHEDULE_DAYS = 60


class EndRunForm(forms.Form):
    """What the confirmation page posts besides the selection."""

    end_at = forms.DateTimeField(
        required=False,
        label="End at (optional)",
        help_text="Leave empty to end now, or pick a future time, e.g. a campaign's midnight.",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
    )

    def clean_end_at(self):
        end_at = self.cleaned_data["end_at"]
        if end_at is None:
            return None
        if timezone.is_naive(end_at):
            end_at = timezone.make_aware(
                end_at, zoneinfo.ZoneInfo(timezone.get_current_timezone_name())
            )
        now = timezone.now()
        if end_at <= now:
            raise forms.ValidationError("Pick a time in the future, or leave it empty to end now.")
        if (end_at - now).days > MAX_SCHEDULE_DAYS:
            raise forms.ValidationError(f"Pick a time within {MAX_SCHEDULE_DAYS} days.")
        return end_at


def selection_from_action(request):
    """(ids, filters) of what the changelist or change form posted to the action."""
    select_across = request.POST.get("select_across") == "1"
    if select_across:
        return None, request.GET.urlencode()
    return request.POST.getlist(helpers.ACTION_CHECKBOX_NAME), ""


def selection_queryset(model_admin, request, ids, filters):
    """The vouchers the confirmation page was about, or None when the selection is invalid."""
    if ids is not None and ids:
        if not all(value.isdigit() for value in ids):
            return None
        return model_admin.get_queryset(request).filter(pk__in=ids)
    if ids is not None:
        return None
    changelist_request = copy.copy(request)
    changelist_request.GET = QueryDict(filters)
    try:
        changelist = model_admin.get_changelist_instance(changelist_request)
    except IncorrectLookupParameters:
        return None
    return changelist.get_queryset(changelist_request)


def describe(ids, filters, plan):
    if ids is not None:
        return f"{plan.total} selected voucher{'s' if plan.total != 1 else ''}"
    return f"All {plan.total} vouchers matching: {filters or 'no filter'}"


def confirmation(
    model_admin, request, queryset, *, ids, filters, next_url, form=None, extra_context=None
):
    """Render the confirmation page for `queryset` (`extra_context` adds to the template's)."""
    plan = run_plan(vouchers=queryset)
    try:
        load_config()
        config_error = ""
    except ShopeeConfigError as error:
        config_error = error.message
    context = {
        **model_admin.admin_site.each_context(request),
        "title": "End vouchers on Shopee?",
        "subtitle": None,
        "opts": model_admin.opts,
        "plan": plan,
        "form": form or EndRunForm(),
        "selected_ids": ids or [],
        "filters": filters,
        "select_across": ids is None,
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
    select_across = request.POST.get("select_across") == "1"
    ids = None if select_across else request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
    filters = request.POST.get("filters", "") if select_across else ""
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}):
        next_url = reverse("admin:vouchers_voucher_changelist")
    queryset = selection_queryset(model_admin, request, ids, filters)
    if queryset is None:
        model_admin.message_user(
            request, "The selection was not valid. Nothing was ended.", "error"
        )
        return HttpResponseRedirect(next_url)
    form = EndRunForm(request.POST)
    if not form.is_valid():
        return confirmation(
            model_admin, request, queryset, ids=ids, filters=filters, next_url=next_url, form=form
        )
    try:
        load_config()
    except ShopeeConfigError as error:
        model_admin.message_user(request, f"Nothing was ended: {error.message}", messages.ERROR)
        return HttpResponseRedirect(next_url)
    plan = run_plan(vouchers=queryset, end_at=form.cleaned_data["end_at"])
    run = run_create(
        vouchers=queryset,
        actor=request.user,
        selection=describe(ids, filters, plan),
        end_at=form.cleaned_data["end_at"],
    )
    when = (
        f"It will start at {timezone.localtime(run.end_at):%Y-%m-%d %H:%M %Z}"
        if run.end_at
        else "It has started"
    )
    model_admin.message_user(
        request,
        f"Run {run.pk}: {plan.endable} voucher{'s' if plan.endable != 1 else ''} to end, "
        f"{plan.skipped} skipped. {when}; this page shows its progress.",
        messages.SUCCESS,
    )
    return HttpResponseRedirect(reverse("admin:vouchers_endrun_change", args=[run.pk]))
