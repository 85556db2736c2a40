"""What stopping a campaign would do: the preview plan, from the lists Shopee just gave.

A campaign is shops, kinds of promotion and terms (a code prefix for vouchers, words of the name
for every kind, a time window). A read job (jobs.services.campaign_read) has saved each shop's
ongoing and upcoming promotions of each kind and kept what Shopee listed; this module decides,
per shop and kind, on Shopee's word of that read: an ongoing promotion is ended (a shop flash
sale switched off), an upcoming one deleted, anything else skipped with one reason: managed by
Shopee, expired, a discount that started less than an hour ago (the kind's own rules,
`PromotionKind.skip_reason`), not live at Shopee (our copy says live, Shopee's lists do not), or
an action the user is not allowed. A kind whose read failed for a shop is reported, never
silently planned from our copy. Reads only: one query per kind, whatever the shops.
"""

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext_noop

from promotions.permissions import may
from promotions.services.kinds import kind_named
from runs.services.records import records_of

DELETE = "delete"
ENTRIES_SHOWN = 100  # per shop and kind on the preview; the counts cover all

# What the plan reads of a record, per store (a preview of thousands loads nothing more).
VOUCHER_FIELDS = (
    "shop_id",
    "voucher_id",
    "voucher_code",
    "voucher_name",
    "start_time",
    "end_time",
    "is_admin",
    "voucher_purpose",
    "ended_at",  # the run's final skips read these two: not a query per record
    "deleted_at",
)
PROMOTION_FIELDS = (
    "shop_id",
    "kind",
    "promotion_id",
    "name",
    "start_time",
    "end_time",
    "shopee_status",
    "shopee_managed",
    "details",
    "ended_at",
    "deleted_at",
)

RECORD_FIELDS = {"voucher": VOUCHER_FIELDS, "promotion": PROMOTION_FIELDS}

SKIP_NOT_LIVE = gettext_noop(
    "Not live at Shopee: not in Shopee's lists of ongoing and upcoming promotions read for this "
    "campaign (it has expired, been ended or been deleted)."
)
SKIP_MAY_NOT_END = gettext_noop(
    "Ongoing, but you are not allowed to end (or switch off) this kind of promotion."
)
SKIP_MAY_NOT_DELETE = gettext_noop(
    "Upcoming, but you are not allowed to delete this kind of promotion: it is left as it is."
)


@dataclass
class KindRead:
    """One shop's read of one kind: Shopee id (text) -> list status, or why it failed."""

    listed: dict = field(default_factory=dict)
    error: str = ""


@dataclass
class ShopRead:
    shop: object
    kinds: dict = field(default_factory=dict)  # kind name -> KindRead (missing: not read)
    error: str = ""  # the whole shop could not be read (deleted, ...)


@dataclass
class CampaignTerms:
    kinds: list
    code_prefix: str = ""
    name_contains: str = ""
    window_from: dt.datetime | None = None
    window_to: dt.datetime | None = None

    @classmethod
    def from_rule(cls, rule: dict) -> "CampaignTerms":
        """The terms kept as JSON (a run's `rule`, a read job's campaign)."""
        window = list(rule.get("window") or [None, None]) + [None, None]
        return cls(
            kinds=list(rule.get("kinds") or []),
            code_prefix=rule.get("code_prefix") or "",
            name_contains=rule.get("name_contains") or "",
            window_from=_moment(window[0]),
            window_to=_moment(window[1]),
        )

    def as_rule(self, shops) -> dict:
        return {
            "kinds": list(self.kinds),
            "shops": [shop.pk for shop in shops],
            "code_prefix": self.code_prefix,
            "name_contains": self.name_contains,
            "window": [_iso(self.window_from), _iso(self.window_to)],
        }


@dataclass
class PlanEntry:
    kind: str
    record: object  # a Voucher or a Promotion
    shopee_id: int
    label: str  # the code (a voucher) or name staff know it by
    start_time: dt.datetime
    end_time: dt.datetime
    action: str = ""  # "end", "disable" or "delete"; "" when skipped
    skip: str = ""  # the reason (English; translated where shown)


@dataclass
class KindPlan:
    kind: object  # the PromotionKind
    error: str = ""  # its read failed: nothing of it is planned for the shop
    entries: list = field(default_factory=list)

    @property
    def actions(self) -> Counter:
        return Counter(entry.action for entry in self.entries if entry.action)

    @property
    def skipped(self) -> Counter:
        return Counter(entry.skip for entry in self.entries if not entry.action)

    @property
    def shown(self) -> list:
        return self.entries[:ENTRIES_SHOWN]

    @property
    def more(self) -> int:
        return max(0, len(self.entries) - ENTRIES_SHOWN)


@dataclass
class ShopPlan:
    shop: object
    kinds: list = field(default_factory=list)  # KindPlan, in the campaign's order
    error: str = ""

    @property
    def actions(self) -> Counter:
        return sum((kind.actions for kind in self.kinds), Counter())

    @property
    def skipped(self) -> int:
        return sum(kind.skipped.total() for kind in self.kinds)

    @property
    def failed_reads(self) -> list:
        return [kind for kind in self.kinds if kind.error]


@dataclass
class CampaignPlan:
    terms: CampaignTerms
    shops: list = field(default_factory=list)  # ShopPlan, by shop name

    def entries(self, *, to_do: bool | None = None):
        """Every entry (or only those to send, or only the skipped ones)."""
        for shop in self.shops:
            for kind in shop.kinds:
                for entry in kind.entries:
                    if to_do is None or bool(entry.action) == to_do:
                        yield entry

    @property
    def actions(self) -> Counter:
        return sum((shop.actions for shop in self.shops), Counter())

    @property
    def to_do(self) -> int:
        return self.actions.total()

    @property
    def skipped(self) -> int:
        return sum(shop.skipped for shop in self.shops)

    @property
    def skipped_by_reason(self) -> Counter:
        return Counter(entry.skip for entry in self.entries(to_do=False))

    @property
    def failed_reads(self) -> int:
        return sum(len(shop.failed_reads) + bool(shop.error) for shop in self.shops)


def campaign_plan_build(
    *, reads: list, terms: CampaignTerms, user, since: dt.datetime, now=None
) -> CampaignPlan:
    """The plan of stopping `terms`' promotions of `reads`' shops for `user`, on the lists read
    since `since` (the read job's start). Records live by our copy but not listed by Shopee are
    skipped as not live; records that ended before `since` are left out. No transaction, no
    write."""
    now = now or timezone.now()
    plan = CampaignPlan(terms=terms)
    shops = [read.shop for read in reads if read.shop is not None]
    found = {name: _records(name, shops, terms, since) for name in terms.kinds}
    allowed = {
        (action, name): may(user, action, name)
        for name in terms.kinds
        for action in (kind_named(name).end_action, DELETE)
    }
    for read in sorted(reads, key=lambda read: (read.shop.name, read.shop.shop_id)):
        shop_plan = ShopPlan(shop=read.shop, error=read.error)
        plan.shops.append(shop_plan)
        for name in terms.kinds:
            kind = kind_named(name)
            kind_read = read.kinds.get(name)
            if read.error:
                continue
            if kind_read is None or kind_read.error:
                error = kind_read.error if kind_read else gettext_noop("Not read.")
                shop_plan.kinds.append(KindPlan(kind=kind, error=error))
                continue
            kind_plan = KindPlan(kind=kind)
            records = records_of(name)
            for record in found[name].get(read.shop.pk, ()):
                entry = _decide(records, record, kind_read.listed, allowed, now)
                kind_plan.entries.append(entry)
            kind_plan.entries.sort(key=lambda entry: (not entry.action, entry.action, entry.label))
            shop_plan.kinds.append(kind_plan)
    return plan


def _records(name, shops, terms, since) -> dict:
    """{shop pk: [records]} of kind `name` that the campaign's terms match (as the run's own
    read matches them: `Records.rule_matches`) and that were not over before `since`."""
    records = records_of(name)
    queryset = records.queryset().only(*RECORD_FIELDS[records.item_field])
    queryset = records.rule_matches(queryset, terms.as_rule(shops))
    queryset = queryset.filter(shop__in=[shop.pk for shop in shops], end_time__gt=since)
    found = {}
    for record in queryset.order_by():
        found.setdefault(record.shop_id, []).append(record)
    return found


def _decide(records, record, listed, allowed, now) -> PlanEntry:
    kind = records.kind
    fields = records.fields(record)
    entry = PlanEntry(
        kind=kind.name,
        record=record,
        shopee_id=fields["promotion_id"],
        label=records.label(record) or str(fields["promotion_id"]),
        start_time=fields["start_time"],
        end_time=fields["end_time"],
    )
    if str(fields["promotion_id"]) not in listed:
        entry.skip = SKIP_NOT_LIVE
        return entry
    # Upcoming by its times: deleted; else stopped. The kind's rules say whether it may be
    # (managed by Shopee, expired, switched off already, a discount started < 1 h ago, ...).
    action = DELETE if now < fields["start_time"] else kind.end_action
    entry.skip = kind.skip_reason(fields, action=action, now=now)
    if not entry.skip and not allowed[action, kind.name]:
        entry.skip = SKIP_MAY_NOT_DELETE if action == DELETE else SKIP_MAY_NOT_END
    entry.action = "" if entry.skip else action
    return entry


def _moment(value):
    if not value:
        return None
    try:
        moment = dt.datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment, dt.UTC)


def _iso(moment) -> str | None:
    return moment.astimezone(dt.UTC).isoformat() if moment is not None else None
