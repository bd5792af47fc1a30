"""Stop every emergency message with a tag from alerting: ``POST /1/receipts/cancel_by_tag``.

For alerts this app did not send itself (a cron job's ``send -p emergency
--tag backup``, say): the tag is checked by the core before any request, and
the dialog stays open to tell how many messages Pushover stopped, or why not.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from pullover_tui.core.errors import ClientSendError, PulloverError, ValidationError
from pullover_tui.core.receipts import validate_tag
from pullover_tui.tui.widgets.form_row import FormRow

if TYPE_CHECKING:
    from pullover_tui.tui.api import ProfileApi


class CancelByTagScreen(ModalScreen[None]):
    """Asks for a tag, cancels with the compose screen's profile, shows the outcome."""

    DEFAULT_CSS = """
    CancelByTagScreen {
        & #cancel-tag-about { color: $text-muted; }
        & FormRow { margin-top: 1; }
        & #cancel-tag-outcome { margin: 1 0 0 0; height: auto; }
        & #cancel-tag-outcome.-bad { color: $text-error; }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", id="cancel_tag_close"),
    ]

    def __init__(self, api: ProfileApi) -> None:
        super().__init__()
        self.api = api

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="dialog -tag"):
            yield Static("Stop emergency alerts by tag", classes="panel-title")
            yield Static(
                f"Every emergency message of profile {self.api.profile.name!r} sent with "
                "this tag stops re-alerting.",
                id="cancel-tag-about",
                markup=False,
            )
            yield FormRow(
                "Tag", Input(id="tag", placeholder="e.g. backup", compact=True), field="tag"
            )
            yield Static("", id="cancel-tag-outcome", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button("Stop alerts", id="stop", variant="error")
                yield Button("Close (esc)", id="close")

    def on_mount(self) -> None:
        self.query_one("#tag", Input).focus()

    def _outcome(self, text: str, *, bad: bool) -> None:
        outcome = self.query_one("#cancel-tag-outcome", Static)
        outcome.set_class(bad, "-bad")
        outcome.update(text)

    @on(Input.Submitted, "#tag")
    @on(Button.Pressed, "#stop")
    def _stop(self) -> None:
        try:
            tag = validate_tag(self.query_one("#tag", Input).value)
        except ValidationError as exc:
            self._outcome(str(exc), bad=True)
            return
        self._outcome(f"Stopping the alerts tagged {tag!r}…", bad=False)
        self.query_one("#stop", Button).disabled = True
        self.cancel(tag)

    @work(exclusive=True, group="cancel-tag", exit_on_error=False)
    async def cancel(self, tag: str) -> None:
        try:
            count = await self.api.cancel_by_tag(tag)
        except ClientSendError as exc:
            self._outcome(f"Refused by Pushover: {exc}", bad=True)
        except PulloverError as exc:
            self._outcome(f"Not done: {exc}", bad=True)
        else:
            noun = "message" if count == 1 else "messages"
            self._outcome(f"✓ {count} emergency {noun} tagged {tag!r} stopped.", bad=False)
            self.notify(f"{count} {noun} tagged {tag!r}", title="Alerts stopped", markup=False)
        finally:
            self.query_one("#stop", Button).disabled = False

    @on(Button.Pressed, "#close")
    def action_close(self) -> None:
        self.dismiss(None)
