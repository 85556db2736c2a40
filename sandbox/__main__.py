"""``python -m sandbox``: run the Shopee sandbox until interrupted.

Prints the partner credentials and the ``SHOPEE_API_BASE_URL`` the app should use, then
``Sandbox listening on http://HOST:PORT`` (flushed), the line scripts wait for.
"""

from __future__ import annotations

import argparse
import sys

from sandbox.seeds import SEEDS
from sandbox.server import create_server


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m sandbox",
        description="A local stand-in for Shopee's Open Platform API v2 (development and tests).",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8765, help="port (default 8765; 0: any)")
    parser.add_argument("--seed", choices=sorted(SEEDS), help="start with this seed document")
    parser.add_argument(
        "--state",
        metavar="FILE",
        help="load the state from FILE if it exists (else from --seed) and save it there "
        "after every state-changing request",
    )
    parser.add_argument("--verbose", action="store_true", help="log each request to stderr")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    server = create_server(
        args.host, args.port, seed=args.seed, state_file=args.state, verbose=args.verbose
    )
    state = server.state
    with state.lock:
        for partner_id, partner_key in state.partners.items():
            print(f"SHOPEE_PARTNER_ID={partner_id}")
            print(f"SHOPEE_PARTNER_KEY={partner_key}")
        for shop in state.shops.values():
            print(f"shop {shop.shop_id}: {shop.name} ({shop.region}), partner {shop.partner_id}")
    print(f"SHOPEE_API_BASE_URL={server.base_url}")
    print(f"Sandbox listening on {server.base_url}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
