"""The sandbox's own endpoints (``/sandbox/...``): what tests and people use to look inside."""

from __future__ import annotations

from pullover_tui.sandbox.app import SandboxApp
from pullover_tui.sandbox.endpoints import receipt_not_found
from pullover_tui.sandbox.responses import ApiRequest, ApiResponse, failure, json_response
from pullover_tui.sandbox.rules import parse_int
from pullover_tui.sandbox.state import NotARecipient, ReceiptClosed, UnknownReceipt


def list_messages(app: SandboxApp, request: ApiRequest) -> ApiResponse:
    """GET /sandbox/messages[?since=ID]: received messages, oldest first, keys masked."""
    since = parse_int(request.value("since") or "0")
    if since is None:
        return failure(400, ["since must be a message id (an integer)"], {"since": "invalid"})
    return json_response(200, app.state.messages(since))


def clear_messages(app: SandboxApp, request: ApiRequest) -> ApiResponse:
    """DELETE /sandbox/messages: forget every received message (receipts and quota stay)."""
    return json_response(200, {"status": 1, "deleted": app.state.clear()})


def acknowledge(app: SandboxApp, request: ApiRequest) -> ApiResponse:
    """POST /sandbox/receipts/{receipt}/acknowledge: a person acknowledges an emergency."""
    try:
        receipt = app.acknowledge(
            request.path_args["receipt"], request.value("user"), request.value("device")
        )
    except UnknownReceipt:
        return receipt_not_found()
    except ReceiptClosed:
        return failure(409, ["receipt was already acknowledged, cancelled or has expired"])
    except NotARecipient:
        return failure(400, ["user was not a recipient of this message"], {"user": "invalid"})
    status = receipt.to_json(app.state.now())
    return json_response(200, {"status": 1, "receipt": receipt.receipt, **status})
