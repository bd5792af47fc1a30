"""Telling an emergency message's callback URL that it was acknowledged, as Pushover does."""

from __future__ import annotations

import contextlib
import threading
import urllib.request
from collections.abc import Callable
from urllib.parse import urlencode

from pullover_tui.sandbox.state import Receipt

CALLBACK_TIMEOUT = 5.0


def post_callback(receipt: Receipt, on_delivered: Callable[[], None]) -> None:
    """POST the acknowledgement in a background thread; ``on_delivered`` runs after a 2xx."""
    if not receipt.callback or not receipt.callback.startswith(("http://", "https://")):
        return
    form = {
        "receipt": receipt.receipt,
        "acknowledged": "1",
        "acknowledged_at": str(receipt.acknowledged_at),
        "acknowledged_by": receipt.acknowledged_by,
        "acknowledged_by_device": receipt.acknowledged_by_device,
    }
    request = urllib.request.Request(
        receipt.callback,
        data=urlencode(form).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        method="POST",
    )

    def deliver() -> None:
        with (
            contextlib.suppress(Exception),
            urllib.request.urlopen(request, timeout=CALLBACK_TIMEOUT) as answer,
        ):
            if 200 <= answer.status < 300:
                on_delivered()

    threading.Thread(target=deliver, name="sandbox-callback", daemon=True).start()
