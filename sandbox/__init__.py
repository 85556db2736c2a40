"""A local stand-in for Shopee's Open Platform API v2, for development and tests.

Standard library only, threaded, its state behind one lock. Run it with
``python -m sandbox --seed demo`` or start it in-process with
:func:`sandbox.testing.start_sandbox`. ``sandbox/README.md`` describes the control API
(``/_sandbox/...``) and the fault rules. Modules:

* :mod:`sandbox.server` -- HTTP server and handler; :mod:`sandbox.shopee_api` -- Shopee-side
  routing, faults, throttling, calls log; :mod:`sandbox.common` -- common parameter, signature
  and token checks; :mod:`sandbox.auth_api`, :mod:`sandbox.voucher_api` -- the APIs;
* :mod:`sandbox.control` -- ``/_sandbox/`` endpoints; :mod:`sandbox.faults` -- fault rules;
  :mod:`sandbox.throttle` -- per-shop rate limit;
* :mod:`sandbox.state` -- data, lock, clock, tokens; :mod:`sandbox.documents` -- the reset
  document; :mod:`sandbox.persistence` -- ``--state FILE``; :mod:`sandbox.seeds` -- ``--seed``;
* :mod:`sandbox.signing` -- Shopee signatures; :mod:`sandbox.wire` -- requests, answers, errors;
* :mod:`sandbox.testing` -- in-process start and a control client for tests.
"""
