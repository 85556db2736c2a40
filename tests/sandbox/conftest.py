"""Fixtures for the sandbox's own tests: one sandbox for the session, reset for each test.

``control`` resets the sandbox to :func:`world_document` and drives the control API; ``shopee``
signs and sends Shopee-side requests with ``requests``; ``receiver`` is a local HTTP server that
records the pushes it gets; ``promotions`` adds every promotion kind in every state.
"""

from __future__ import annotations

import time

import pytest

from sandbox.testing import RunningSandbox, SandboxControl, start_sandbox
from tests.sandbox.helpers import Shopee, world_document
from tests.sandbox.promotion_helpers import promotion_document
from tests.sandbox.receiver import Receiver


@pytest.fixture(scope="session")
def running() -> RunningSandbox:
    sandbox = start_sandbox()
    yield sandbox
    sandbox.stop()


@pytest.fixture
def control(running: RunningSandbox) -> SandboxControl:
    """The control client, after resetting the sandbox to `world_document`."""
    client = SandboxControl(running.base_url)
    client.reset(world_document(int(time.time())))
    yield client
    client.close()


@pytest.fixture
def shopee(running: RunningSandbox, control: SandboxControl) -> Shopee:
    return Shopee(running.base_url, control)


@pytest.fixture
def receiver() -> Receiver:
    server = Receiver()
    yield server
    server.stop()


@pytest.fixture
def promotions(control: SandboxControl) -> int:
    """`world` plus every promotion kind in every state (promotion_helpers); the reset time."""
    control.reset(promotion_document(int(time.time())))
    return control.now()
