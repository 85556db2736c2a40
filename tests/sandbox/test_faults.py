"""Fault rules: each kind, which calls they hit (times, rate, shop, path) and phase after."""

import time

import pytest
import requests

from sandbox.testing import SandboxControlError
from tests.sandbox.helpers import (
    END_VOUCHER,
    LIST,
    ONGOING,
    PARTNER_ID,
    REFRESH,
    REFRESH_GET,
    SHOP2_ID,
    SHOP2_VOUCHER,
    SHOP_ID,
    TOKEN2,
    assert_error,
    assert_request_id,
)


def end(shopee, voucher_id=ONGOING, **kwargs):
    return shopee.shop("POST", END_VOUCHER, body={"voucher_id": voucher_id}, **kwargs)


def still_ongoing(control, voucher_id=ONGOING):
    voucher = next(v for v in control.state()["vouchers"] if v["voucher_id"] == voucher_id)
    return voucher["end_time"] > control.now()


def test_latency_delays_a_normal_answer(shopee, control):
    control.set_faults([{"path": END_VOUCHER, "kind": "latency", "latency_ms": 300}])
    started = time.monotonic()
    response = end(shopee)
    assert time.monotonic() - started >= 0.3
    assert response.json()["error"] == ""
    assert control.calls()[-1]["fault"] == "latency"


def test_latency_adds_to_another_fault(shopee, control):
    control.set_faults(
        [
            {"path": END_VOUCHER, "kind": "latency", "latency_ms": 200},
            {"path": END_VOUCHER, "kind": "shopee_error"},
        ]
    )
    started = time.monotonic()
    assert end(shopee).json()["error"] == "error_server"
    assert time.monotonic() - started >= 0.2


def test_http_status_with_an_html_page(shopee, control):
    control.set_faults(
        [
            {
                "path": END_VOUCHER,
                "kind": "http_status",
                "status": 502,
                "content_type": "text/html",
                "body": "<html>Bad gateway</html>",
            }
        ]
    )
    response = end(shopee)
    assert response.status_code == 502
    assert response.headers["Content-Type"].startswith("text/html")
    assert response.text == "<html>Bad gateway</html>"
    assert still_ongoing(control)  # phase before: not applied
    call = control.calls()[-1]
    assert (call["status"], call["response"], call["fault"]) == (502, response.text, "http_status")
    assert call["request_id"] is None


def test_http_status_defaults(shopee, control):
    control.set_faults(
        [
            {"path": END_VOUCHER, "kind": "http_status", "times": 1},
            {
                "path": END_VOUCHER,
                "kind": "http_status",
                "status": 503,
                "content_type": "application/json",
                "times": 1,
            },
        ]
    )
    html = end(shopee)
    assert html.status_code == 500 and "500 Internal Server Error" in html.text
    json_answer = end(shopee)
    assert json_answer.status_code == 503
    payload = json_answer.json()
    assert payload["error"] == "error_server"
    assert_request_id(payload)
    assert control.calls()[-1]["request_id"] == payload["request_id"]


def test_shopee_error_is_a_normal_envelope(shopee, control):
    control.set_faults(
        [
            {
                "path": END_VOUCHER,
                "kind": "shopee_error",
                "error": "error_network",
                "message": "Inner http call failed",
            }
        ]
    )
    payload = assert_error(end(shopee), "error_network", "Inner http call failed")
    assert control.calls()[-1]["request_id"] == payload["request_id"]
    assert still_ongoing(control)


def test_shopee_error_with_a_5xx_status(shopee, control):
    control.set_faults([{"path": END_VOUCHER, "kind": "shopee_error", "status": 503}])
    assert_error(end(shopee), "error_server", "Internal server error", status=503)


def test_drop_closes_the_connection_without_an_answer(shopee, control):
    control.set_faults([{"path": END_VOUCHER, "kind": "drop"}])
    with pytest.raises(requests.ConnectionError):
        end(shopee)
    call = control.calls()[-1]
    assert (call["status"], call["response"], call["fault"]) == (None, None, "drop")
    assert still_ongoing(control)


def test_hang_outlasts_the_client_timeout(shopee, control):
    control.set_faults([{"path": END_VOUCHER, "kind": "hang", "hang_seconds": 2}])
    started = time.monotonic()
    with pytest.raises(requests.Timeout):
        end(shopee, timeout=0.5)
    assert time.monotonic() - started < 1.5
    assert control.calls()[-1]["fault"] == "hang"


def test_non_json_answers_plain_text(shopee, control):
    control.set_faults([{"path": END_VOUCHER, "kind": "non_json"}])
    response = end(shopee)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/plain")
    assert response.text == "upstream connect error"
    with pytest.raises(ValueError):
        response.json()


def test_phase_after_applies_the_request_then_loses_the_answer(shopee, control):
    control.set_faults([{"path": END_VOUCHER, "kind": "drop", "phase": "after"}])
    with pytest.raises(requests.ConnectionError):
        end(shopee)
    assert not still_ongoing(control)  # the voucher really ended
    control.clear_faults()
    assert end(shopee).json()["error"] == "voucher.update_end_voucher_error"


def test_phase_after_with_a_5xx(shopee, control):
    control.set_faults(
        [{"path": END_VOUCHER, "kind": "http_status", "status": 504, "phase": "after"}]
    )
    assert end(shopee).status_code == 504
    assert not still_ongoing(control)


def test_times_hits_only_the_next_n_calls(shopee, control):
    control.set_faults([{"path": END_VOUCHER, "kind": "shopee_error", "times": 2}])
    assert end(shopee).json()["error"] == "error_server"
    assert control.faults()[0]["remaining"] == 1
    assert end(shopee).json()["error"] == "error_server"
    assert end(shopee).json()["error"] == ""
    assert (control.faults()[0]["remaining"], control.faults()[0]["fired"]) == (0, 2)


def test_rate_hits_a_fraction_of_calls_deterministically(shopee, control):
    rule = {"path": LIST, "kind": "shopee_error", "rate": 0.3, "seed": 42}

    def outcomes():
        control.set_faults([rule])
        return [
            shopee.shop("GET", LIST, params={"status": "all"}).json()["error"] for _ in range(40)
        ]

    first = outcomes()
    hits = first.count("error_server")
    assert 4 <= hits <= 20 and first.count("") == 40 - hits
    assert outcomes() == first  # same seed, same calls hit


def test_rate_and_times_combine(shopee, control):
    control.set_faults([{"path": LIST, "kind": "shopee_error", "rate": 1.0, "times": 1}])
    errors = [shopee.shop("GET", LIST, params={"status": "all"}).json()["error"] for _ in range(3)]
    assert errors == ["error_server", "", ""]


def test_a_rule_can_target_one_shop(shopee, control):
    control.set_faults([{"path": END_VOUCHER, "shop_id": SHOP2_ID, "kind": "shopee_error"}])
    assert end(shopee).json()["error"] == ""
    response = end(shopee, SHOP2_VOUCHER, shop_id=SHOP2_ID, access_token=TOKEN2)
    assert response.json()["error"] == "error_server"


def test_token_api_rules_match_the_bodys_shop(shopee, control):
    control.set_faults([{"path": REFRESH_GET, "shop_id": SHOP_ID, "kind": "drop"}])
    body = {"refresh_token": REFRESH, "partner_id": PARTNER_ID, "shop_id": SHOP_ID}
    with pytest.raises(requests.ConnectionError):
        shopee.public("POST", REFRESH_GET, body=body)
    assert control.calls()[-1]["shop_id"] == SHOP_ID


def test_rules_are_tried_in_order_and_a_prefix_matches_many_paths(shopee, control):
    control.set_faults(
        [
            {"path": "/api/v2/voucher/*", "kind": "non_json", "times": 1},
            {"path": END_VOUCHER, "kind": "shopee_error"},
        ]
    )
    assert end(shopee).text == "upstream connect error"
    assert end(shopee).json()["error"] == "error_server"
    assert shopee.shop("GET", LIST, params={"status": "all"}).json()["error"] == ""


def test_setting_rules_replaces_them_and_delete_clears(shopee, control):
    control.set_faults([{"path": END_VOUCHER, "kind": "drop"}])
    control.set_faults([{"path": LIST, "kind": "drop"}])
    assert [rule["path"] for rule in control.faults()] == [LIST]
    assert end(shopee).json()["error"] == ""
    control.clear_faults()
    assert control.faults() == []


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ({"kind": "drop"}, "rules[0]: path must be a string starting with /"),
        ({"path": LIST, "kind": "explode"}, "rules[0]: kind must be one of"),
        ({"path": LIST, "kind": "drop", "phase": "during"}, "rules[0]: phase must be"),
        ({"path": LIST, "kind": "drop", "times": 0}, "rules[0]: times must be"),
        ({"path": LIST, "kind": "drop", "rate": 1.5}, "rules[0]: rate must be"),
        ({"path": LIST, "kind": "http_status", "status": 99}, "rules[0]: status must be"),
        ("drop", "rules[0]: a rule must be a JSON object"),
    ],
)
def test_malformed_rules_are_refused(control, rule, message):
    with pytest.raises(SandboxControlError) as refused:
        control.set_faults([rule])
    assert refused.value.status == 400
    assert refused.value.payload["error"].startswith(message)
