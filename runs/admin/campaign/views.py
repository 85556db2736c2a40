"""Stop a campaign: every kind of promotion of some shops, in one reviewed step.

Staff open it from the shop list (the shops they selected) or from the runs list (a search:
shops optional, meaning every shop they may see), pick the kinds they are allowed to stop and
the campaign's terms (a code prefix, words of the name, a time window), then "Read Shopee's
lists": a background read job (jobs.services.campaign_read) whose page fills in shop by shop and
becomes the preview once done (runs.services.campaign_plan): per shop and kind what will be
ended, deleted or switched off and what is skipped and why, a failed read said plainly.
"Yes, stop the campaign" starts one run over all of it and shows its progress page.
The web requests only read the database and write a job or a run: no call to Shopee.
"""

import datetime as dt
import functools

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from core.parsing import is_id
from core.regions import region_zone
from core.times import utc_offset, with_offset
from jobs.models import JobKind, JobStatus, ShopJob
from jobs.services.campaign_read import campaign_read_create, campaign_terms
from jobs.services.create import jobs_visible
from jobs.services.report import shop_job_progress, shop_job_row_words
from ops.tasks import shop_job_enqueue
from promotions.services.kinds import kind_named
from runs.admin.campaign.forms import MAX_SHOPS, CampaignForm, kinds_offered
from runs.admin.campaign.read_back import follow_up_view
from runs.admin.campaign.reads import campaign_reads
from runs.admin.shopee_ready import shopee_unready_redirect
from runs.services.campaign import campaign_run_create
from runs.services.campaign_plan import CampaignTerms, campaign_plan_build
from runs.services.create import EmptySelection
from shops.services.access import shops_visible

SHOPS_PER_PAGE = 5
REFRESH_SECONDS = 2


def campaign_urls(model_admin) -> list:
    """The pages of "Stop a campaign", under the runs admin."""
    site = model_admin.admin_site
    return [
        path(
            "campaign/",
            site.admin_view(functools.partial(campaign_view, model_admin)),
            name="runs_endrun_campaign",
        ),
        path(
            "campaign/<int:job_id>/",
            site.admin_view(functools.partial(campaign_job_view, model_admin)),
            name="runs_endrun_campaign_preview",
        ),
        path(
            "<int:run_id>/campaign-follow-up/",
            site.admin_view(functools.partial(follow_up_view, model_admin)),
            name="runs_endrun_campaign_follow_up",
        ),
    ]


def stop_campaign(model_admin, request, queryset):
    """The shop list's action ("Stop a campaign in these shops"): the campaign's page with
    the selected shops."""
    query = "&".join(f"shop={pk}" for pk in queryset.values_list("pk", flat=True)[:MAX_SHOPS])
    return HttpResponseRedirect(f"{reverse('admin:runs_endrun_campaign')}?{query}")


def campaign_view(model_admin, request):
    """GET: the campaign's form (``?shop=<pk>`` preselects shops). POST: start the read."""
    if request.method not in ("GET", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    if not kinds_offered(request.user):
        raise PermissionDenied
    if request.method == "GET":
        chosen = [value for value in request.GET.getlist("shop") if is_id(value)][:MAX_SHOPS]
        form = CampaignForm(user=request.user, initial={"shops": chosen})
        return _form_page(model_admin, request, form)
    form = CampaignForm(request.POST, user=request.user)
    if not form.is_valid():
        return _form_page(model_admin, request, form)
    back = reverse("admin:runs_endrun_campaign")
    if refused := shopee_unready_redirect(model_admin, request, back_to=back):
        return refused
    shops = list(form.cleaned_data["shops"]) or list(
        shops_visible(request.user).order_by("name", "shop_id")[:MAX_SHOPS]
    )
    if not shops:
        form.add_error("shops", gettext("You may not see any shop: there is nothing to stop."))
        return _form_page(model_admin, request, form)
    terms = form.terms()
    job = campaign_read_create(actor=request.user, shops=shops, campaign=terms.as_rule(shops))
    shop_job_enqueue(job_id=job.pk)
    return HttpResponseRedirect(reverse("admin:runs_endrun_campaign_preview", args=[job.pk]))


def campaign_job_view(model_admin, request, job_id):
    """The read's page while it runs, then the preview; POST confirms and starts the run."""
    if request.method not in ("GET", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    if not kinds_offered(request.user):
        raise PermissionDenied
    jobs = jobs_visible(ShopJob.objects.filter(kind=JobKind.CAMPAIGN), request.user)
    job = jobs.filter(pk=job_id).first()
    if job is None:
        model_admin.message_user(
            request, gettext("This campaign's read was not found: start again."), messages.WARNING
        )
        return HttpResponseRedirect(reverse("admin:runs_endrun_campaign"))
    if job.active or job.status == JobStatus.FAILED:
        if request.method == "POST":
            raise PermissionDenied  # nothing to confirm before the lists are read
        return _reading_page(model_admin, request, job)
    terms = CampaignTerms.from_rule(campaign_terms(job))
    reads = campaign_reads(job)
    plan = campaign_plan_build(reads=reads, terms=terms, user=request.user, since=job.created_at)
    if request.method == "POST":
        return _confirm(model_admin, request, job, plan, [read.shop for read in reads])
    return _preview_page(model_admin, request, job, plan)


def _confirm(model_admin, request, job, plan, shops):
    back = reverse("admin:runs_endrun_campaign_preview", args=[job.pk])
    if refused := shopee_unready_redirect(model_admin, request, back_to=back):
        return refused
    with transaction.atomic():
        job = ShopJob.objects.select_for_update().get(pk=job.pk)
        started = campaign_terms(job).get("run")
        if started is None:
            if not plan.to_do:
                model_admin.message_user(
                    request,
                    gettext("Nothing of this campaign can be stopped: no run was created."),
                    messages.WARNING,
                )
                return HttpResponseRedirect(back)
            try:
                run = campaign_run_create(
                    plan=plan,
                    actor=request.user,
                    selection=_describe(plan, shops),
                    rule=plan.terms.as_rule(shops),
                )
            except EmptySelection:
                model_admin.message_user(
                    request,
                    gettext("None of these shops is yours any more: no run was created."),
                    messages.WARNING,
                )
                return HttpResponseRedirect(back)
            job.outcome["campaign"]["run"] = started = run.pk
            job.save(update_fields=["outcome"])
            model_admin.message_user(
                request,
                ngettext(
                    "Run %(run)s has started: %(count)s promotion to end, delete or switch off.",
                    "Run %(run)s has started: %(count)s promotions to end, delete or switch off.",
                    plan.to_do,
                )
                % {"run": run.pk, "count": plan.to_do},
                messages.SUCCESS,
            )
    return HttpResponseRedirect(reverse("admin:runs_endrun_change", args=[started]))


def _describe(plan, shops) -> str:
    """The run's selection, in English as stored (like the other runs')."""
    names = ", ".join(shop.name for shop in shops[:5]) + (" …" if len(shops) > 5 else "")
    parts = [f"Stop a campaign: {', '.join(plan.terms.kinds)} of {len(shops)} shop(s) ({names})"]
    if plan.terms.code_prefix:
        parts.append(f"code starting with “{plan.terms.code_prefix}”")
    if plan.terms.name_contains:
        parts.append(f"name containing “{plan.terms.name_contains}”")
    if plan.terms.window_from or plan.terms.window_to:
        parts.append(
            f"running between {_utc(plan.terms.window_from)} and {_utc(plan.terms.window_to)}"
        )
    return ", ".join(parts)


def _utc(moment):
    return f"{moment.astimezone(dt.UTC):%Y-%m-%d %H:%M} UTC" if moment else "…"


def _context(model_admin, request, title, **extra):
    request.current_app = model_admin.admin_site.name
    return {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "title": title,
        "subtitle": None,
        "campaign_url": reverse("admin:runs_endrun_campaign"),
        **extra,
    }


def _form_page(model_admin, request, form):
    context = _context(model_admin, request, gettext("Stop a campaign"), form=form)
    return TemplateResponse(request, "admin/runs/campaign/start.html", context)


def _reading_page(model_admin, request, job):
    progress = shop_job_progress(job=job, viewer=request.user)
    context = _context(
        model_admin,
        request,
        gettext("Stop a campaign: reading Shopee's lists"),
        job=job,
        progress=progress,
        rows=[(row, shop_job_row_words(row)) for row in progress.rows],
        refresh_seconds=REFRESH_SECONDS if job.active else None,
    )
    return TemplateResponse(request, "admin/runs/campaign/reading.html", context)


def _preview_page(model_admin, request, job, plan):
    page = Paginator(plan.shops, SHOPS_PER_PAGE).get_page(request.GET.get("page"))
    shown = [(shop_plan, _kinds_shown(shop_plan)) for shop_plan in page]
    terms = plan.terms
    context = _context(
        model_admin,
        request,
        gettext("Stop this campaign?"),
        job=job,
        plan=plan,
        page=page,
        shown=shown,
        terms_words=_terms_words(terms),
        totals=_totals(plan),
        skipped_by_reason=sorted(plan.skipped_by_reason.items(), key=lambda item: -item[1]),
        failed=[
            (shop_plan, kind_plan)
            for shop_plan in plan.shops
            for kind_plan in ([None] if shop_plan.error else shop_plan.failed_reads)
        ],
        run_id=campaign_terms(job).get("run"),
        read_at=with_offset(job.finished_at),
    )
    return TemplateResponse(request, "admin/runs/campaign/preview.html", context)


def _terms_words(terms) -> list:
    """The campaign's terms as staff entered them, for the preview's first lines."""
    kinds = ", ".join(str(kind_named(name).label_plural) for name in terms.kinds)
    words = [gettext("kinds: %(kinds)s") % {"kinds": kinds}]
    if terms.code_prefix:
        words.append(
            gettext("voucher codes starting with “%(prefix)s”") % {"prefix": terms.code_prefix}
        )
    if terms.name_contains:
        words.append(gettext("names containing “%(words)s”") % {"words": terms.name_contains})
    if terms.window_from:
        words.append(gettext("ending after %(when)s") % {"when": with_offset(terms.window_from)})
    if terms.window_to:
        words.append(gettext("starting before %(when)s") % {"when": with_offset(terms.window_to)})
    return words


def _kinds_shown(shop_plan) -> list:
    """[(kind plan, [(entry, start, end)])]: the entries shown, their times in the shop's zone
    with its UTC offset (formatted here: a thousand dates through the template cost seconds)."""
    zone = region_zone(shop_plan.shop.region)
    return [
        (
            kind_plan,
            [
                (entry, _local(entry.start_time, zone), _local(entry.end_time, zone))
                for entry in kind_plan.shown
            ],
        )
        for kind_plan in shop_plan.kinds
    ]


def _local(moment, zone) -> str:
    local = timezone.localtime(moment, zone)
    return f"{local:%Y-%m-%d %H:%M} {utc_offset(local)}"


def _totals(plan) -> list:
    """Per kind: (kind, to end or switch off, to delete, skipped) over every shop."""
    rows = []
    for name in plan.terms.kinds:
        kind = kind_named(name)
        end = delete = skipped = 0
        for shop_plan in plan.shops:
            for kind_plan in shop_plan.kinds:
                if kind_plan.kind.name == name:
                    actions = kind_plan.actions
                    end += actions.get(kind.end_action, 0)
                    delete += actions.get("delete", 0)
                    skipped += kind_plan.skipped.total()
        rows.append((kind, end, delete, skipped))
    return rows
