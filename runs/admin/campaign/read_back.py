"""A campaign run's read-back on its page, and "Stop what is still live".

When a campaign run's calls are done, the worker reads the shops' lists again
(`campaign_read_back`) and keeps per shop what of the campaign Shopee still has live. The run's
page shows it (templates/admin/runs/endrun/campaign_read_back.html), a team member only their
shops' part, with a one-click follow-up run (`campaign_follow_up`) over what is still live.
"""

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext

from core.parsing import is_id, parse_id
from core.times import with_offset
from promotions.services.kinds import kind_named
from runs.admin.campaign.forms import kinds_offered
from runs.models import EndRun
from runs.services.campaign import campaign_follow_up
from shops.services.access import run_shops, run_visible, runs_visible


def read_back_context(model_admin, request, object_id) -> dict:
    """What the run's page shows of a campaign's read-back (nothing for another run)."""
    if not is_id(object_id):
        return {}
    runs = runs_visible(EndRun.objects.all(), request.user)
    run = runs.filter(pk=parse_id(object_id)).first()
    if run is None or not run.is_campaign:
        return {}
    entries = run.read_report or []
    shops = run_shops(run, request.user)
    if shops is not None:
        own = {str(shop) for shop in shops}
        entries = [entry for entry in entries if entry.get("shop") in own]
    read_back = [entry for entry in entries if "read_back_at" in entry]
    live, errors, count, actionable = [], [], 0, 0
    for entry in read_back:
        count += entry.get("still_live_count", len(entry.get("still_live") or []))
        for promotion in entry.get("still_live") or []:
            label = _kind_label(promotion.get("kind"))
            live.append((entry["shop"], label, promotion))
            actionable += not promotion.get("shopee_managed")
        for kind, error in (entry.get("read_back_errors") or {}).items():
            errors.append((entry["shop"], _kind_label(kind), error))
    return {
        "campaign_read_back": {
            "done": bool(read_back),
            "at": _moment(read_back[0]["read_back_at"]) if read_back else None,
            "live": live,
            "count": count,
            "errors": errors,
            "may_follow_up": bool(actionable) and bool(kinds_offered(request.user)),
            "follow_up_url": reverse("admin:runs_endrun_campaign_follow_up", args=[run.pk]),
        }
    }


def follow_up_view(model_admin, request, run_id):
    """POST: a run over what the campaign's read-back found still live; its page."""
    if request.method != "POST" or not kinds_offered(request.user):
        raise PermissionDenied
    run = get_object_or_404(EndRun, pk=run_id)
    if not run_visible(run, request.user) or not run.is_campaign:
        raise PermissionDenied
    follow_up = campaign_follow_up(run=run, user=request.user)
    if follow_up is None:
        model_admin.message_user(
            request,
            gettext("Nothing you may stop is still live: no run was created."),
            messages.INFO,
        )
        return HttpResponseRedirect(reverse("admin:runs_endrun_change", args=[run.pk]))
    model_admin.message_user(
        request,
        gettext("Run %(run)s has started: it stops what was still live after run %(first)s.")
        % {"run": follow_up.pk, "first": run.pk},
        messages.SUCCESS,
    )
    return HttpResponseRedirect(reverse("admin:runs_endrun_change", args=[follow_up.pk]))


def _moment(value) -> str:
    try:
        return with_offset(dt.datetime.fromisoformat(value))
    except (TypeError, ValueError):
        return ""


def _kind_label(name):
    try:
        return kind_named(name).label_plural
    except KeyError:
        return name
