"""Who may see and act on which shop: the one place the team rule lives.

A shop belongs to teams (Django groups); a user sees, syncs and ends only the shops of the teams
they are a member of. Superusers and users with "Can see and act on every shop"
(`vouchers.view_all_shops`) see every shop. Every queryset of the admin, the confirmation and run
views, the CSV import and "Select all N" go through these functions, so nothing of another team
is shown, counted or acted on, whatever the request says.
"""

from django.db.models import Exists, OuterRef, Q

from vouchers.models import EndRun, EndRunItem, Shop

ALL_SHOPS_PERMISSION = "vouchers.view_all_shops"


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
    """Runs whose every voucher (and every shop of their rule) is of `user`'s shops."""
    if sees_all_shops(user):
        return queryset
    mine = shops_visible(user).values("pk")
    foreign_item = EndRunItem.objects.filter(run=OuterRef("pk")).exclude(
        Q(shop__in=mine) | Q(shop__isnull=True)
    )
    runs = queryset.exclude(Exists(foreign_item))
    return runs.filter(Q(created_by=user) | Exists(EndRunItem.objects.filter(run=OuterRef("pk"))))


def run_visible(run, user) -> bool:
    if sees_all_shops(user):
        return True
    if run.rule and set(run.rule.get("shops") or []) - set(
        shops_visible(user).values_list("pk", flat=True)
    ):
        return False
    return runs_visible(EndRun.objects.filter(pk=run.pk), user).exists()


def shops_join_teams(*, shops, user) -> None:
    """Shops a team member connects join that member's teams, so they can see them."""
    teams = list(user.groups.all())
    for shop in shops:
        shop.teams.add(*teams)
