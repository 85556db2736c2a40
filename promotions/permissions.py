"""Who may end, delete or switch off which kind of promotion at Shopee.

Every kind has its own permission per action: `promotions.end_<kind>` and
`promotions.delete_<kind>` (a shop flash sale's "end" is switching it off); vouchers keep theirs,
`vouchers.end_voucher` and `vouchers.delete_voucher`.
"""

from promotions.models import PromotionKindName

ACTIONS = ("end", "delete")
VOUCHER = "voucher"


def permission_name(action: str, kind_name: str) -> str:
    """The permission string of `action` ("end" or "delete"; "disable" counts as "end") on
    `kind_name`. ValueError for an unknown action or kind."""
    action = "end" if action == "disable" else action
    if action not in ACTIONS:
        raise ValueError(f"Unknown action {action!r}.")
    if kind_name == VOUCHER:
        return f"vouchers.{action}_voucher"
    if kind_name not in PromotionKindName.values:
        raise ValueError(f"Unknown promotion kind {kind_name!r}.")
    return f"promotions.{action}_{kind_name}"


def may(user, action: str, kind_name: str) -> bool:
    """Whether `user` may `action` ("end", "disable" or "delete") promotions of `kind_name`."""
    return user.has_perm(permission_name(action, kind_name))
