"""Who may see and act on which shop: the one place the team rule lives.

A shop belongs to teams (Django groups); a user sees, syncs and ends only the shops of the teams
they are a member of. Superusers and users with "Can see and act on every shop"
(`shops.view_all_shops`) see every shop. Every queryset of the admin, the confirmation and run
views, the CSV import and "Select all N" go through these functions, so nothing of another team
is shown, counted or acted on, whatever the request says.
"""

from django.db.models import Exists, OuterRef, Q

from runs.models import EndRun, EndRunItem
from shops.models import Shop

ALL_SHOPS_PERMISSION = "shops.view_all_shops"


def sees_all_shops(user) -> bool:
    return bool(user.is_active and (user.is_superuser or user.has_perm(ALL_SHOPS_PERMISSION)))


def shops_visible(user):
    """The shops `user` may see and act on (a queryset)."""
    if sees_all_shops(user):
        return Shop.objects.all()
    if not user.is_active:
        return Shop.objects.none()
    return Shop.objects.filter(teams__user=user).distinct()


def visible(queryset, user, *, shop_field: str = "shop"):
    """`queryset` restricted to rows whose `shop_field` is one of `user`'s shops."""
    if sees_all_shops(user):
        return queryset
    return queryset.filter(**{f"{shop_field}__in": shops_visible(user).values("pk")})


def runs_visible(queryset, user):
    """Runs that touch at least one of `user`'s shops: an item of one, or a rule naming one.

    A run over several teams' shops is visible to each of those teams; its page shows each
    only its own shops' part (`run_shops`). A run with none of the user's shops is not listed.
    """
    if sees_all_shops(user):
        return queryset
    mine = list(shops_visible(user).values_list("pk", flat=True))
    own_item = EndRunItem.objects.filter(run=OuterRef("pk"), shop__in=mine)
    return queryset.filter(Exists(own_item) | Q(pk__in=_rule_runs_naming(queryset, mine)))


def _rule_runs_naming(queryset, shop_pks) -> list[int]:
    """Rule runs of `queryset` whose rule names one of `shop_pks`. The rule is JSON, whose
    list lookups differ between databases: read in Python (rule runs are few and small)."""
    wanted = set(shop_pks)
    rows = queryset.order_by().filter(rule__isnull=False).values_list("pk", "rule")
    return [pk for pk, rule in rows if wanted & _rule_shops(rule)]


def _rule_shops(rule) -> set:
    shops = rule.get("shops") if isinstance(rule, dict) else None
    return {pk for pk in shops if isinstance(pk, int)} if isinstance(shops, list) else set()


def run_visible(run, user) -> bool:
    """Whether `user` may see `run` (its part of it: see `runs_visible`)."""
    if sees_all_shops(user):
        return True
    return runs_visible(EndRun.objects.filter(pk=run.pk), user).exists()


def run_shops(run, user):
    """The shops of `run` whose part `user` may see and act on: None for all of them (the user
    sees every shop of the run), else a queryset of the user's shops, to filter items by."""
    if sees_all_shops(user):
        return None
    mine = shops_visible(user)
    foreign_item = EndRunItem.objects.filter(run=run).exclude(
        Q(shop__in=mine.values("pk")) | Q(shop__isnull=True)
    )
    foreign_rule_shop = _rule_shops(run.rule) - set(mine.values_list("pk", flat=True))
    if not foreign_item.exists() and not foreign_rule_shop:
        return None
    return mine


def shops_join_teams(*, shops, user) -> None:
    """Shops a team member connects join that member's teams, so they can see them (one
    insert whatever the number of shops: a main account brings hundreds at once)."""
    teams = list(user.groups.all())
    if not teams:
        return
    membership = Shop.teams.through
    membership.objects.bulk_create(
        [membership(shop_id=shop.pk, group_id=team.pk) for shop in shops for team in teams],
        ignore_conflicts=True,
        batch_size=500,
    )
