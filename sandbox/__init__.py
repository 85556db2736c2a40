"""A local stand-in for Shopee's Open Platform API v2, for development and tests.

Standard library only, threaded, its state behind one lock. Run it with
``python -m sandbox --seed demo`` or start it in-process with
:func:`sandbox.testing.start_sandbox`. ``sandbox/README.md`` describes the Shopee-side APIs,
pushes, the control API (``/_sandbox/...``) and the fault rules. Modules:

* :mod:`sandbox.server` -- HTTP server and handler; :mod:`sandbox.shopee_api` -- Shopee-side
  routing, faults, throttling, calls log; :mod:`sandbox.common` -- common parameter, signature
  and token checks;
* the APIs: :mod:`sandbox.auth_page` (the seller's authorization page, shops and main
  accounts), :mod:`sandbox.auth_api` (token/get, access_token/get, the per-shop token split),
  :mod:`sandbox.shop_api` (get_shop_info), :mod:`sandbox.partner_api` (get_shops_by_partner,
  lost pushes), :mod:`sandbox.voucher_api`, :mod:`sandbox.voucher_update` (update_voucher's
  rules), :mod:`sandbox.promotions` (every other promotion kind, a module each, and the pushes
  7 and 9);
* :mod:`sandbox.push` -- pushes to the partner's URL (bodies, signatures, delivery outside the
  lock);
* :mod:`sandbox.control` -- ``/_sandbox/`` endpoints (a package); :mod:`sandbox.faults` -- fault
  rules; :mod:`sandbox.throttle` -- per-shop rate limit;
* :mod:`sandbox.state` -- data, lock, clock, tokens; :mod:`sandbox.views` -- the state as
  ``GET /_sandbox/state`` shows it; :mod:`sandbox.documents`, :mod:`sandbox.accounts`,
  :mod:`sandbox.fields` -- the reset document (shops, vouchers, main accounts and merchants);
  :mod:`sandbox.persistence` -- ``--state FILE``; :mod:`sandbox.seeds` -- ``--seed``;
* :mod:`sandbox.signing` -- Shopee signatures (requests and pushes); :mod:`sandbox.wire` --
  requests, answers, errors;
* :mod:`sandbox.testing` -- in-process start and a control client for tests;
  :mod:`sandbox.seller` -- the seller's clicks on the authorization page.
"""
