"""The call log's list filters: Shopee's error codes, who made the call, which run."""

import uuid

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from promotions.services.kinds import known_errors
from runs.models import EndRun
from shops.services.access import sees_all_shops

KNOWN_ERRORS = known_errors()  # Shopee's meaning lives in shopee/errors.py and the kinds


class ErrorFilter(admin.SimpleListFilter):
    """Shopee's error codes, from a fixed list (no DISTINCT over a huge table); any code works
    as a URL parameter."""

    title = _("Shopee error")
    parameter_name = "error"

    def lookups(self, request, model_admin):
        return [("-", _("(no error)")), *((code, code) for code in KNOWN_ERRORS)]

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        return queryset.filter(error="" if value == "-" else value)


class ActorFilter(admin.RelatedFieldListFilter):
    """Who made the call. Someone who sees every shop chooses among every user; a team member
    among themselves and their team mates (members of the teams that give them their shops),
    never another team's users. Team mates come from the groups table, not from a DISTINCT
    over the call log, so the list stays cheap on a big table."""

    def field_choices(self, field, request, model_admin):
        if sees_all_shops(request.user):
            return super().field_choices(field, request, model_admin)
        teams = Group.objects.filter(user=request.user, shops__isnull=False)
        mates = get_user_model().objects.filter(Q(pk=request.user.pk) | Q(groups__in=teams))
        return [(user.pk, str(user)) for user in mates.distinct().order_by("username")]


class RunFilter(admin.SimpleListFilter):
    """The calls of one run (`?batch_id=`): shown as active when the run's page linked here."""

    title = _("run")
    parameter_name = "batch_id"

    def lookups(self, request, model_admin):
        value = request.GET.get(self.parameter_name)
        if not _is_uuid(value):
            return [(value, gettext("(not a run)"))] if value else []
        run = EndRun.objects.filter(public_id=value).first()
        label = gettext("Run %(run)s") % {"run": run.pk} if run else f"Batch {value[:8]}…"
        return [(value, label)]

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        return queryset.filter(batch_id=value) if _is_uuid(value) else queryset.none()


def _is_uuid(value) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True
