"""``python -m sandbox`` and the demo seed."""

import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import requests

from sandbox.documents import voucher_status
from sandbox.seeds import DEMO_PARTNER_ID, DEMO_PARTNER_KEY, demo_document
from sandbox.signing import signed_query
from sandbox.testing import start_sandbox

ROOT = Path(__file__).resolve().parents[2]


def test_help_works():
    result = subprocess.run(
        [sys.executable, "-m", "sandbox", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 0
    assert "--seed" in result.stdout and "--state" in result.stdout


def test_the_demo_starts_prints_where_to_point_the_app_and_answers_health():
    process = subprocess.Popen(
        [sys.executable, "-m", "sandbox", "--seed", "demo", "--port", "0"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        lines = []
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            assert line, f"sandbox exited early: {lines}"
            lines.append(line.strip())
            if line.startswith("Sandbox listening on "):
                break
        base_url = lines[-1].removeprefix("Sandbox listening on ")
        assert base_url.startswith("http://127.0.0.1:")
        assert f"SHOPEE_PARTNER_ID={DEMO_PARTNER_ID}" in lines
        assert f"SHOPEE_PARTNER_KEY={DEMO_PARTNER_KEY}" in lines
        assert f"SHOPEE_API_BASE_URL={base_url}" in lines
        assert requests.get(base_url + "/_sandbox/health", timeout=5).json() == {"ok": True}
    finally:
        process.terminate()
        process.wait(timeout=10)
        process.stdout.close()


def test_the_demo_document_has_every_kind_of_voucher():
    now = 1_800_000_000
    doc = demo_document(now)
    assert doc == demo_document(now)  # deterministic
    assert doc["partners"] == [{"partner_id": 2001887, "partner_key": "sandbox_demo_partner_key"}]
    assert [s["region"] for s in doc["shops"]] == ["SG", "MY", "TH", "PH"]
    vouchers = doc["vouchers"]
    assert len(vouchers) == 300
    assert len({v["voucher_id"] for v in vouchers}) == 300
    for shop in doc["shops"]:
        mine = [v for v in vouchers if v["shop_id"] == shop["shop_id"]]
        statuses = Counter(voucher_status(v, now) for v in mine)
        assert set(statuses) == {"ongoing", "upcoming", "expired"}
        refused = [
            v
            for v in mine
            if voucher_status(v, now) == "ongoing"
            and (v["is_admin"] or v["voucher_purpose"] in (4, 6))
        ]
        assert {v["is_admin"] for v in refused} == {True, False}
        assert {v["voucher_purpose"] for v in refused} >= {4, 6}
    assert sum(v["voucher_id"] > 2**32 for v in vouchers) >= 4


def test_the_demo_tokens_work():
    sandbox = start_sandbox(seed="demo")
    try:
        path = "/api/v2/voucher/get_voucher_list"
        now = requests.get(sandbox.base_url + "/_sandbox/clock", timeout=5).json()["now"]
        shop = demo_document(now)["shops"][2]
        query = signed_query(
            partner_id=DEMO_PARTNER_ID,
            partner_key=DEMO_PARTNER_KEY,
            path=path,
            timestamp=now,
            access_token=shop["access_token"],
            shop_id=shop["shop_id"],
        )
        payload = requests.get(
            sandbox.base_url + path, params=query | {"status": "ongoing"}, timeout=5
        ).json()
        assert payload["error"] == "" and payload["response"]["voucher_list"]
    finally:
        sandbox.stop()
