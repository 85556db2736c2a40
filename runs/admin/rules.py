"""Ending by rule: "every ongoing voucher of these shops (whose code starts with ... / whose name
contains ...)", resolved when the run starts from Shopee's current lists, so a voucher created
since the last sync is included. The page previews what our copy matches; the run decides on
Shopee's word (runs/services/fresh.py) and its page lists what the rule matched.
"""

from django import forms
from django.contrib import messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from core.parsing import is_id
from runs.admin.shopee_ready import shopee_unready_redirect
from runs.services.create import SHOPEE_MANAGED, run_create
from shopee.config import load_config
from shopee.errors import ShopeeConfigError
from vouchers.models import Voucher

MAX_SHOPS = 1000
MATCHES_PER_PAGE = 50
RULE_FIELDS = ("code_prefix", "name_contains", "delete_upcoming")


class EndRuleForm(forms.Form):
    code_prefix = forms.CharField(
        required=False,
        max_length=100,
        label=_("Only codes starting with"),
        help_text=_("Leave empty for every code. Not case-sensitive."),
    )
    name_contains = forms.CharField(
        required=False,
        max_length=100,
        label=_("Only names containing"),
        help_text=_("Leave empty for every name. Not case-sensitive."),
    )
    delete_upcoming = forms.BooleanField(
        required=False,
        label=_("Also delete the upcoming vouchers that match"),
        help_text=_(
            "Stop the promotion completely: matching vouchers that have not started are "
            "deleted at Shopee (delete_voucher). Deleting cannot be undone."
        ),
    )

    def __init__(self, *args, may_delete=False, **kwargs):
        super().__init__(*args, **kwargs)
        if not may_delete:
            del self.fields["delete_upcoming"]

    def clean(self):
        cleaned = super().clean()
        for name in ("code_prefix", "name_contains"):
            if "\x00" in cleaned.get(name, ""):
                self.add_error(name, "Remove the NUL character.")
        return cleaned


def rule_shops(model_admin, request, ids):
    """The shops of `ids` (Shop pks) that this user may see, or None when `ids` is not valid."""
    if not ids or len(ids) > MAX_SHOPS or not all(is_id(value) for value in ids):
        return None
    return list(model_admin.get_queryset(request).filter(pk__in=ids).order_by("name"))


def rule_page(model_admin, request, shops, form=None):
    """The rule's form with a preview of what our copy matches: counts per shop, and the
    matched vouchers a page at a time (``?page=``; the page links keep the shops and the rule).
    Four queries whatever the page."""
    may_delete = request.user.has_perm("vouchers.delete_voucher")
    form = form or EndRuleForm(may_delete=may_delete)
    rule = form.cleaned_data if form.is_bound and form.is_valid() else {}
    matches = Paginator(_matches(shops, rule), MATCHES_PER_PAGE).get_page(request.GET.get("page"))
    try:
        load_config()
        config_error = ""
    except ShopeeConfigError as error:
        config_error = error.message
    context = {
        **model_admin.admin_site.each_context(request),
        "title": gettext("End every ongoing voucher of these shops?"),
        "subtitle": None,
        "opts": model_admin.opts,
        "form": form,
        "shops": _preview(shops, rule),
        "matches": matches,
        "match_pages": matches.paginator.get_elided_page_range(matches.number),
        "page_query": _page_query(shops, rule),
        "deletes_upcoming": bool(rule.get("delete_upcoming")),
        "config_error": config_error,
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "rule_url": reverse("admin:shops_shop_end_rule"),
    }
    request.current_app = model_admin.admin_site.name
    return TemplateResponse(request, "admin/shops/shop/end_rule.html", context)


def rule_view(model_admin, request):
    """GET (from the voucher list's shop filter, ``?shop=<pk>&code_prefix=...``): the rule's
    page for those shops. POST: preview again, or create the run with the rule (its vouchers
    are read at run time)."""
    if request.method not in ("GET", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    if not request.user.has_perm("vouchers.end_voucher"):
        raise PermissionDenied
    if request.method == "GET":
        shops = rule_shops(model_admin, request, request.GET.getlist("shop"))
        if not shops:
            model_admin.message_user(
                request, gettext("Pick the shops to end by rule first."), "warning"
            )
            return HttpResponseRedirect(reverse("admin:shops_shop_changelist"))
        # The voucher list's link and the preview's page links carry the rule: preview it.
        data = {name: request.GET[name] for name in RULE_FIELDS if name in request.GET}
        may_delete = request.user.has_perm("vouchers.delete_voucher")
        if data.get("delete_upcoming") and not may_delete:
            data.pop("delete_upcoming")
        form = EndRuleForm(data, may_delete=may_delete)
        return rule_page(model_admin, request, shops, form)
    may_delete = request.user.has_perm("vouchers.delete_voucher")
    if request.POST.get("delete_upcoming") and not may_delete:
        raise PermissionDenied
    shops = rule_shops(model_admin, request, request.POST.getlist(helpers.ACTION_CHECKBOX_NAME))
    if not shops:
        model_admin.message_user(
            request, gettext("No valid shop was selected. Nothing was ended."), "error"
        )
        return HttpResponseRedirect(reverse("admin:shops_shop_changelist"))
    form = EndRuleForm(request.POST, may_delete=may_delete)
    if not form.is_valid() or "preview" in request.POST:
        return rule_page(model_admin, request, shops, form)
    back = reverse("admin:shops_shop_changelist")
    if refused := shopee_unready_redirect(model_admin, request, back_to=back):
        return refused
    rule = {
        "shops": [shop.pk for shop in shops],
        "code_prefix": form.cleaned_data["code_prefix"].strip(),
        "name_contains": form.cleaned_data["name_contains"].strip(),
    }
    run = run_create(
        vouchers=Voucher.objects.none(),
        actor=request.user,
        selection=_describe(shops, rule),
        delete_upcoming=form.cleaned_data.get("delete_upcoming", False),
        rule=rule,
    )
    model_admin.message_user(
        request,
        ngettext(
            "Run %(run)s has started: it reads the current vouchers of %(shops)s shop from "
            "Shopee and ends every ongoing one the rule matches; this page lists them.",
            "Run %(run)s has started: it reads the current vouchers of %(shops)s shops from "
            "Shopee and ends every ongoing one the rule matches; this page lists them.",
            len(shops),
        )
        % {"run": run.pk, "shops": len(shops)},
        messages.SUCCESS,
    )
    return HttpResponseRedirect(reverse("admin:runs_endrun_change", args=[run.pk]))


def _rule_vouchers(shops, rule):
    """Our copy's vouchers of `shops` that the rule matches, not yet ended or deleted."""
    matches = Voucher.objects.filter(
        shop__in=shops, ended_at__isnull=True, deleted_at__isnull=True
    ).exclude(SHOPEE_MANAGED)
    if rule.get("code_prefix"):
        matches = matches.filter(voucher_code__istartswith=rule["code_prefix"].strip())
    if rule.get("name_contains"):
        matches = matches.filter(voucher_name__icontains=rule["name_contains"].strip())
    return matches


def _matches(shops, rule):
    """The vouchers the run would end (ongoing), and delete (upcoming) when the rule says so,
    by shop and end time."""
    now = timezone.now()
    live = Q(start_time__lte=now, end_time__gt=now)
    if rule.get("delete_upcoming"):
        live |= Q(start_time__gt=now)
    return (
        _rule_vouchers(shops, rule)
        .filter(live)
        .select_related("shop")
        .order_by("shop__name", "shop_id", "end_time", "pk")
    )


def _page_query(shops, rule) -> str:
    """The query string of the preview's page links, without the page: shops and rule."""
    pairs = [("shop", shop.pk) for shop in shops]
    pairs += [
        (name, rule[name].strip()) for name in ("code_prefix", "name_contains") if rule.get(name)
    ]
    if rule.get("delete_upcoming"):
        pairs.append(("delete_upcoming", "on"))
    return urlencode(pairs)


def _preview(shops, rule):
    """Per shop: last sync, and how many ongoing (and upcoming) vouchers our copy matches."""
    now = timezone.now()
    counts = {
        row["shop_id"]: row
        for row in _rule_vouchers(shops, rule)
        .values("shop_id")
        .annotate(
            ongoing=Count("pk", filter=Q(start_time__lte=now, end_time__gt=now)),
            upcoming=Count("pk", filter=Q(start_time__gt=now)),
        )
    }
    return [
        (
            shop,
            counts.get(shop.pk, {}).get("ongoing", 0),
            counts.get(shop.pk, {}).get("upcoming", 0),
        )
        for shop in shops
    ]


def _describe(shops, rule):
    names = ", ".join(shop.name for shop in shops[:5]) + (" …" if len(shops) > 5 else "")
    parts = [
        ngettext(
            "Every ongoing voucher of %(count)s shop (%(names)s)",
            "Every ongoing voucher of %(count)s shops (%(names)s)",
            len(shops),
        )
        % {"count": len(shops), "names": names}
    ]
    if rule["code_prefix"]:
        parts.append(gettext("code starting with “%(prefix)s”") % {"prefix": rule["code_prefix"]})
    if rule["name_contains"]:
        parts.append(gettext("name containing “%(words)s”") % {"words": rule["name_contains"]})
    return ", ".join(parts)
