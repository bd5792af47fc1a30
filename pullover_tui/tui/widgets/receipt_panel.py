"""The live status of an emergency message, from its receipt, with a way to stop it alerting.

It polls through the core (``await_acknowledgement``), which never polls faster
than every 5 seconds; the app's ``receipt_sleep`` only replaces how the wait is
done (tests do not wait 5 s).
"""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.reactive import reactive
from textual.widgets import Button, Static

from pullover_tui.core.errors import ClientSendError, PulloverError, ServerSendError
from pullover_tui.core.receipts import MIN_POLL_INTERVAL, ReceiptStatus
from pullover_tui.tui.api import ProfileApi, Sleep


def clock_time(seconds: int | None) -> str:
    if seconds is None:
        return "—"
    return datetime.fromtimestamp(seconds).strftime("%d %b %H:%M:%S")


def receipt_text(status: ReceiptStatus | None, *, cancelled: bool = False) -> Text:
    """What happened so far, for people: one headline, then the details."""
    text = Text()
    if status is None:
        text.append("◷ Asking Pushover…", style="bold")
        return text
    if status.acknowledged:
        device = f" on {status.acknowledged_by_device}" if status.acknowledged_by_device else ""
        text.append("✓ Acknowledged", style="bold green")
        text.append(f"\nby {status.acknowledged_by_masked or 'someone'}{device}")
        text.append(f"\nat {clock_time(status.acknowledged_at)}")
    elif cancelled:
        text.append("⊘ Cancelled: it no longer alerts", style="bold yellow")
    elif status.expired:
        text.append("✗ Expired: nobody acknowledged it", style="bold red")
        text.append(f"\nat {clock_time(status.expires_at)}")
    else:
        text.append("◷ Alerting until acknowledged", style="bold yellow")
        text.append(f"\nre-alerts until {clock_time(status.expires_at)}")
    text.append(f"\nlast delivered {clock_time(status.last_delivered_at)}", style="dim")
    if status.called_back:
        text.append(f"\ncallback called {clock_time(status.called_back_at)}", style="dim")
    if not status.is_final and not cancelled:
        text.append(f"\nchecked every {MIN_POLL_INTERVAL:g} s", style="dim")
    return text


class ReceiptPanel(Vertical):
    """Polls one receipt while shown; ``cancel()`` (or its button) stops the alerts."""

    DEFAULT_CSS = """
    ReceiptPanel {
        height: auto;
        border: round $error 60%;
        border-title-color: $text-error;
        padding: 0 1;
        & #receipt-id { color: $text-muted; }
        & #receipt-problem { color: $text-error; display: none; }
        & #receipt-problem.-shown { display: block; }
        & Horizontal { height: auto; }
        & Button { margin-top: 1; }
    }
    """

    status: reactive[ReceiptStatus | None] = reactive(None, init=False)
    cancelled: reactive[bool] = reactive(False, init=False)

    def __init__(
        self, api: ProfileApi, receipt: str, *, sleep: Sleep | None = None, id: str | None = None
    ) -> None:
        super().__init__(id=id)
        self.api = api
        self.receipt = receipt
        self._sleep = sleep

    def compose(self) -> ComposeResult:
        yield Static(receipt_text(None), id="receipt-state")
        yield Static("", id="receipt-problem", markup=False)
        yield Static(f"receipt {self.receipt}", id="receipt-id", markup=False)
        with Horizontal():
            yield Button("Stop alerting", id="receipt-cancel", variant="error", compact=True)

    def on_mount(self) -> None:
        self.border_title = "Emergency receipt"
        self.watch_receipt()

    @property
    def state(self) -> str:
        """One of ``waiting`` (not asked yet), ``pending``, ``acknowledged``, ``expired``,
        ``cancelled``."""
        if self.status is None:
            return "waiting"
        if self.cancelled and not self.status.acknowledged:
            return "cancelled"
        return self.status.state

    @property
    def can_cancel(self) -> bool:
        return not self.cancelled and (self.status is None or not self.status.is_final)

    def _show(self) -> None:
        self.query_one("#receipt-state", Static).update(
            receipt_text(self.status, cancelled=self.cancelled)
        )
        button = self.query_one("#receipt-cancel", Button)
        if button.display != self.can_cancel:
            button.display = self.can_cancel
            self.screen.refresh_bindings()  # the screens' "stop alert" follows can_cancel

    def watch_status(self) -> None:
        self._show()

    def watch_cancelled(self) -> None:
        self._show()

    def _problem(self, text: str | None) -> None:
        line = self.query_one("#receipt-problem", Static)
        line.set_class(bool(text), "-shown")
        line.update(text or "")

    def _received(self, status: ReceiptStatus) -> None:
        if self.query_one("#receipt-problem").has_class("-shown"):
            self._problem(None)
        self.status = status

    @work(exclusive=True, group="receipt-poll", exit_on_error=False)
    async def watch_receipt(self) -> None:
        """Poll until the message is acknowledged or expires (the core spaces the polls)."""
        try:
            await self.api.watch_receipt(self.receipt, self._received, self._sleep)
        except ClientSendError as exc:
            self._problem(f"✗ Pushover refused to tell: {exc}")
        except ServerSendError as exc:
            self._problem(f"✗ Could not check: {exc.last_error}")
        except PulloverError as exc:
            self._problem(f"✗ Could not check: {exc}")

    @on(Button.Pressed, "#receipt-cancel")
    def _cancel_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.cancel()

    @work(exclusive=True, group="receipt-cancel", exit_on_error=False)
    async def cancel(self) -> None:
        """Ask Pushover to stop the re-alerts, then show the final status."""
        if not self.can_cancel:
            return
        self.query_one("#receipt-cancel", Button).loading = True
        try:
            await self.api.cancel_receipt(self.receipt)
        except PulloverError as exc:
            self._problem(f"✗ Not cancelled: {exc}")
            return
        finally:
            self.query_one("#receipt-cancel", Button).loading = False
        self.workers.cancel_group(self, "receipt-poll")
        self.cancelled = True
        self.notify("The emergency message no longer alerts.", title="Cancelled")
        try:
            self.status = await self.api.receipt(self.receipt)
        except PulloverError:
            return
