"""Shopee's pushes: verify each one, log the ones we take, apply each message once.

A push is Shopee POSTing JSON to our registered URL with an ``Authorization`` header (see
`shopee.signing.push_signature`). What it means for us:

- code 0: the verification Shopee sends when the URL is registered; answered, nothing else;
- code 1: shops (or a main account's shops) authorized our app; their tokens arrive through the
  connect callback, so a push only records when;
- code 2: the seller cancelled the authorization of the shops and merchants listed: each of ours
  is flagged as needing re-authorization (its vouchers are skipped);
- code 12: the authorization of the shops and merchants listed ends within 7 days: flagged as
  expiring, with the end Shopee gives;
- a code a subject above registered a handler for (`handlers`: promotions' 7 and 9, which mark
  the promotion named stale): applied by that handler;
- any other code: logged and ignored.

Modules: `message` reads a message (a pushed body or a lost entry), `apply` applies it once and
writes the push log (`ShopeePush`, append-only), `receive` takes a push at `/shopee/push/` or
rejects it into `RejectedPush` (bounded, pruned), `lost` fetches, applies and confirms the
pushes Shopee could not deliver.

A push that is not signed with our partner key changes nothing but its `RejectedPush` row. The
same message (code, shop, timestamp and data) is applied once, whether it came pushed, pushed
again, or fetched by `lost_pushes_apply()` after we missed it. A cancellation or expiry notice
older than the shop's latest authorization is stale and ignored.
"""

from shops.services.push.apply import push_apply
from shops.services.push.lost import LostPushReport, lost_pushes_apply
from shops.services.push.message import PushMalformed, PushMessage
from shops.services.push.receive import PushReply, push_receive, push_reject, push_too_large

__all__ = [
    "LostPushReport",
    "PushMalformed",
    "PushMessage",
    "PushReply",
    "lost_pushes_apply",
    "push_apply",
    "push_receive",
    "push_reject",
    "push_too_large",
]
