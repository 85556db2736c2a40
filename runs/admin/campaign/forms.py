"""The form of "Stop a campaign": shops, kinds, and the campaign's terms."""

import zoneinfo

from django import forms
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.regions import zone_choices
from promotions.permissions import may
from promotions.services.kinds import KINDS
from runs.services.campaign_plan import CampaignTerms
from shops.models import Shop
from shops.services.access import shops_visible

MAX_SHOPS = 1000
INPUT_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d"]


def kinds_offered(user) -> list:
    """The kinds `user` may stop (end or delete), in the registry's order."""
    return [kind for kind in KINDS if may(user, "end", kind.name) or may(user, "delete", kind.name)]


class CampaignForm(forms.Form):
    shops = forms.ModelMultipleChoiceField(
        queryset=Shop.objects.none(),
        required=False,
        label=_("Shops"),
        help_text=_("Leave empty for every shop you may see."),
    )
    kinds = forms.MultipleChoiceField(
        widget=forms.CheckboxSelectMultiple,
        label=_("Kinds of promotion"),
        error_messages={"required": _("Pick at least one kind of promotion to stop.")},
    )
    name_contains = forms.CharField(
        required=False,
        max_length=100,
        label=_("Only names containing"),
        help_text=_(
            "Leave empty for every name. Not case-sensitive. Shop flash sales have no name at "
            "Shopee (shopadmin calls them “Flash sale” and their time slot): to include them, "
            "leave this empty and narrow by the time window."
        ),
    )
    code_prefix = forms.CharField(
        required=False,
        max_length=100,
        label=_("Only voucher codes starting with"),
        help_text=_("Vouchers only (the other kinds have no code). Not case-sensitive."),
    )
    window_from = forms.DateTimeField(
        required=False,
        label=_("Running after"),
        help_text=_("Only promotions that end after this time. Leave empty for no limit."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=INPUT_FORMATS,
    )
    window_to = forms.DateTimeField(
        required=False,
        label=_("Running before"),
        help_text=_("Only promotions that start before this time. Leave empty for no limit."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=INPUT_FORMATS,
    )
    window_zone = forms.ChoiceField(
        required=False,
        label=_("Times in"),
        help_text=_("Enter the times in a shop region's local time, or in this site's time zone."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        visible = shops_visible(user).order_by("name", "shop_id")
        self.fields["shops"].queryset = visible
        self.fields["kinds"].choices = [
            (kind.name, capfirst(kind.label_plural)) for kind in kinds_offered(user)
        ]
        site = timezone.get_default_timezone_name()
        site_choice = ("", gettext("this site's time (%(zone)s)") % {"zone": site})
        regions = visible.order_by().values_list("region", flat=True).distinct()[:50]
        self.fields["window_zone"].choices = [site_choice] + zone_choices(regions)

    def clean(self):
        cleaned = super().clean()
        for name in ("code_prefix", "name_contains"):  # a NUL is refused by the field
            cleaned[name] = (cleaned.get(name) or "").strip()
        zone = cleaned.get("window_zone")
        for name in ("window_from", "window_to"):
            moment = cleaned.get(name)
            if moment is not None and zone:  # Django read the digits in the site's zone
                cleaned[name] = timezone.make_aware(
                    timezone.make_naive(moment), zoneinfo.ZoneInfo(zone)
                )
        start, end = cleaned.get("window_from"), cleaned.get("window_to")
        if start is not None and end is not None and end <= start:
            self.add_error("window_to", gettext("The end of the window must be after its start."))
        if len(cleaned.get("shops") or ()) > MAX_SHOPS:
            self.add_error(
                "shops", gettext("Pick at most %(max)s shops at once.") % {"max": MAX_SHOPS}
            )
        return cleaned

    def terms(self) -> CampaignTerms:
        data = self.cleaned_data
        return CampaignTerms(
            kinds=list(data["kinds"]),
            code_prefix=data["code_prefix"] if "voucher" in data["kinds"] else "",
            name_contains=data["name_contains"],
            window_from=data.get("window_from"),
            window_to=data.get("window_to"),
        )
