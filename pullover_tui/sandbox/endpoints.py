"""Pushover's own endpoints (``/1/...``), answering as PUSHOVER_API.md describes."""

from __future__ import annotations

from pullover_tui.sandbox.app import SandboxApp
from pullover_tui.sandbox.responses import (
    ApiRequest,
    ApiResponse,
    failure,
    new_request_id,
    ok,
    quota_spent,
    rejection,
)
from pullover_tui.sandbox.rules import (
    EMERGENCY,
    LICENSES,
    Rejection,
    validate_message,
    validate_user_request,
)
from pullover_tui.sandbox.state import UnknownReceipt

RECEIPT_NOT_FOUND = "receipt not found; may be invalid or expired"


def send_message(app: SandboxApp, request: ApiRequest) -> ApiResponse:
    """POST /1/messages.json: validate, spend quota, record, log."""
    token = request.value("token")
    verdict = validate_message(request.form, app.accounts())
    if isinstance(verdict, Rejection):
        return rejection(verdict.problems, app.quota_headers(token))
    request_id = new_request_id()
    recorded = app.state.record(verdict, request.form.encoding, request_id, app.config.quota)
    if recorded is None:
        return quota_spent(app.quota_headers(token, spent=True))
    app.announce(recorded)
    extra = {"receipt": recorded.receipt} if verdict.priority == EMERGENCY else {}
    return ok(extra, app.quota_headers(token), request_id)


def validate_user(app: SandboxApp, request: ApiRequest) -> ApiResponse:
    """POST /1/users/validate.json: is this a user key, and which devices does it have?"""
    accounts = app.accounts()
    problems, device = validate_user_request(request.form.fields, accounts)
    if problems:
        return rejection(problems)
    devices = [device] if device else list(accounts.devices)
    return ok({"group": 0, "devices": devices, "licenses": list(LICENSES)})


def list_sounds(app: SandboxApp, request: ApiRequest) -> ApiResponse:
    """GET /1/sounds.json: built-in sounds and the sandbox's custom ones."""
    accounts = app.accounts()
    if problem := accounts.token_problem(request.value("token")):
        return rejection({"token": problem})
    return ok({"sounds": dict(accounts.sounds)})


def app_limits(app: SandboxApp, request: ApiRequest) -> ApiResponse:
    """GET /1/apps/limits.json: the app's monthly quota."""
    token = _valid_token(app, request)
    if isinstance(token, ApiResponse):
        return token
    quota = app.state.quota(token, app.config.quota)
    return ok({"limit": quota.limit, "remaining": quota.remaining, "reset": quota.reset})


def receipt_status(app: SandboxApp, request: ApiRequest) -> ApiResponse:
    """GET /1/receipts/{receipt}.json: has the emergency message been acknowledged?"""
    token = _valid_token(app, request)
    if isinstance(token, ApiResponse):
        return token
    try:
        return ok(app.state.receipt(request.path_args["receipt"], token))
    except UnknownReceipt:
        return receipt_not_found()


def cancel_receipt(app: SandboxApp, request: ApiRequest) -> ApiResponse:
    """POST /1/receipts/{receipt}/cancel.json: stop an emergency message re-alerting."""
    token = _valid_token(app, request)
    if isinstance(token, ApiResponse):
        return token
    try:
        app.state.cancel(request.path_args["receipt"], token)
    except UnknownReceipt:
        return receipt_not_found()
    return ok()


def cancel_by_tag(app: SandboxApp, request: ApiRequest) -> ApiResponse:
    """POST /1/receipts/cancel_by_tag/{tag}.json: cancel the app's emergencies with that tag."""
    token = _valid_token(app, request)
    if isinstance(token, ApiResponse):
        return token
    return ok({"canceled": app.state.cancel_by_tag(request.path_args["tag"], token)})


def receipt_not_found() -> ApiResponse:
    return failure(404, [RECEIPT_NOT_FOUND], {"receipt": "not found"})


def _valid_token(app: SandboxApp, request: ApiRequest) -> str | ApiResponse:
    """The request's app token, or the 400 answer refusing it."""
    token = request.value("token")
    problem = app.accounts().token_problem(token)
    if token is None or problem is not None:
        return rejection({"token": problem or "application token is invalid"})
    return token
