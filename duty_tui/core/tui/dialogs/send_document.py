"""Send a document: to a printer, by email, to this browser, or to a file — one dialog for every document.

``push_screen(SendDocumentDialog(title, make), callback)``: ``make`` builds the ``Document`` (run
in a worker thread, so a letter's PDF can be read from the database); the callback gets the
``Sent`` outcome, or None when the person closed the dialog without sending.

One list holds every way: a line per printer, email, and download (browser) or save (terminal),
each marked ``(•)``/``( )`` in text. The way this terminal last used for this kind of document
is preselected, so ``p`` then Enter sends as last time. Enter (or F9) sends; Tab reaches the
email address. A send that fails keeps the dialog open with the document and the reason: Enter
tries again, or another way is chosen (duty_tui.core.services.documents; docs/DOCUMENTS.md).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from duty_tui.core.domain.errors import DutyError, InputError
from duty_tui.core.tui.documents import DownloadReady, browser_download, deliver
from duty_tui.core.tui.screens.base import DutyModal
from duty_tui.core.tui.text import plain

if TYPE_CHECKING:
    from duty_tui.core.services.documents import SendOptions, Sent
    from duty_tui.core.services.printable import Document


class _Loaded(Message):
    """The worker built the document and read what this terminal can do."""

    def __init__(self, document: Document, options: SendOptions) -> None:
        super().__init__()
        self.document = document
        self.options = options


class _Done(Message):
    """A send finished: ``sent`` when it went, else ``problem`` (``field``: it is about the address)."""

    def __init__(self, sent: Sent | None, problem: str = "", *, field: bool = False) -> None:
        super().__init__()
        self.sent = sent
        self.problem = problem
        self.field = field


class SendDocumentDialog(DutyModal["Sent | None"]):
    """Choose how a document goes (printer, email, download or file) and send it; failures keep it here."""

    SCOPE_NAME = "send-document"
    DEFAULT_CSS = """
    SendDocumentDialog { align: center middle; }
    SendDocumentDialog > Vertical { width: 72; max-width: 100%; height: auto; max-height: 100%;
        border: thick $primary; background: $surface; padding: 0 1; }
    SendDocumentDialog #send-title { text-style: bold; }
    SendDocumentDialog #send-ways { height: auto; max-height: 9; border: none; padding: 0; }
    SendDocumentDialog .send-row { height: 1; margin-top: 1; }
    SendDocumentDialog .send-row Label { width: 10; }
    SendDocumentDialog #send-email { width: 1fr; }
    SendDocumentDialog #send-email-note { height: auto; color: $text-muted; }
    SendDocumentDialog #send-email-note.-problem { color: $text-error; }
    SendDocumentDialog #send-message { height: auto; margin-top: 1; }
    SendDocumentDialog #send-message.-problem { color: $text-error; }
    SendDocumentDialog #send-keys { color: $text-muted; margin-top: 1; }
    """
    BINDINGS = [
        Binding("f9", "send", "Send", id="send-document-send",
                tooltip="Send the document the way chosen (Enter in the list or the address does the same)"),
        Binding("escape", "close", "Close", id="send-document-close",
                tooltip="Close without sending (the document can be sent again from its screen)"),
    ]

    def __init__(self, title: str, make: Callable[[], Document]) -> None:
        super().__init__()
        self.doc_title = title
        self.make = make
        self.document: Document | None = None
        self.options: SendOptions | None = None
        self.sending = False
        self.send_when_ready = False  # Enter pressed before the options arrived (type-ahead)
        self.last_problem = ""

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(plain(f"Send {self.doc_title}"), id="send-title")
            # Not disabled: Enter on it before the printers are found is kept and sends once they are.
            yield OptionList(Option("Finding printers…", id="loading"), id="send-ways")
            with Horizontal(classes="send-row"):
                yield Label("Email to")
                yield Input(id="send-email", compact=True, max_length=254, placeholder="name@example.org")
            yield Static("", id="send-email-note")
            yield Static("", id="send-message")
            yield Static("↑↓ choose · Enter or F9 send · Tab email address · Esc close", id="send-keys")

    def on_mount(self) -> None:
        self._say("")
        self._note("")
        self.query_one("#send-ways", OptionList).focus()
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="send-document-load")
    def load(self) -> None:
        from duty_tui.core.services.documents import send_options

        document = self.make()
        options = send_options(self.duty_app.ctx, document, web=self.app.is_web)
        self.post_message(_Loaded(document, options))

    # ------------------------------------------------------------------ the list of ways
    def _ways(self, options: SendOptions) -> list[tuple[str, str]]:
        """(option id, words) for each way, in order."""
        from duty_tui.core.services.documents import CHANNEL_WORDS

        settings = self.duty_app.settings
        ways: list[tuple[str, str]] = []
        if options.printers:
            for queue in options.printers:
                note = " (text: receipt printer)" if queue in settings.text_printers else ""
                ways.append((f"print:{queue}", f"Print on {queue}{note}"))
        else:
            ways.append(("print:", "Print (no printer set up here)"))
        ways.append(("email", "Email" + (" (not set up here)" if options.email_problem else "")))
        ways.append((options.channels[2], CHANNEL_WORDS[options.channels[2]]))
        return ways

    def _chosen_id(self) -> str | None:
        ways = self.query_one("#send-ways", OptionList)
        if ways.highlighted is None or self.options is None:
            return None
        return ways.get_option_at_index(ways.highlighted).id

    def _mark(self) -> None:
        """(•) before the chosen way, ( ) before the others: the choice in text, not colour alone."""
        if self.options is None:
            return
        ways = self.query_one("#send-ways", OptionList)
        for index, (_way_id, words) in enumerate(self._ways(self.options)):
            marker = "(•)" if index == ways.highlighted else "( )"
            ways.replace_option_prompt_at_index(index, plain(f"{marker} {words}"))
        chosen = self._chosen_id() or ""
        problem = None
        if chosen.startswith("print:"):
            problem = self.options.print_problem
        elif chosen == "email":
            problem = self.options.email_problem
        if problem and not self.sending:
            self._say(problem, problem=True)
        elif not self.sending and not self.last_problem:
            self._say("")

    @on(_Loaded)
    def _loaded(self, event: _Loaded) -> None:
        self.document, self.options = event.document, event.options
        ways = self.query_one("#send-ways", OptionList)
        ways.clear_options()
        listed = self._ways(event.options)
        ways.add_options([Option(plain(words), id=way_id) for way_id, words in listed])
        wanted = (f"print:{event.options.printer}" if event.options.channel == "print" and event.options.printer
                  else event.options.channel)
        ids = [way_id for way_id, _words in listed]
        ways.highlighted = ids.index(wanted) if wanted in ids else len(ids) - 1
        email = self.query_one("#send-email", Input)
        if event.options.email_to and not email.value:
            email.value = event.options.email_to
        who = f" — about {event.options.recipient}" if event.options.recipient else ""
        self.query_one("#send-title", Static).update(plain(f"Send {self.doc_title}{who}"))
        if event.options.recipient and not event.options.email_to:
            self._note(f"No email address on {event.options.recipient}'s record: type one to email it.")
        self._mark()
        if self.send_when_ready:
            self.send_when_ready = False
            self.action_send()

    @on(OptionList.OptionHighlighted, "#send-ways")
    def _highlighted(self, _event: OptionList.OptionHighlighted) -> None:
        self._mark()

    @on(OptionList.OptionSelected, "#send-ways")
    def _selected(self, _event: OptionList.OptionSelected) -> None:
        self.action_send()

    @on(Input.Submitted, "#send-email")
    def _email_entered(self, _event: Input.Submitted) -> None:
        if self.options is not None:
            ways = self.query_one("#send-ways", OptionList)
            ids = [ways.get_option_at_index(i).id for i in range(ways.option_count)]
            ways.highlighted = ids.index("email")
        self.action_send()

    @on(Input.Changed, "#send-email")
    def _email_changed(self, _event: Input.Changed) -> None:
        note = self.query_one("#send-email-note", Static)
        if note.has_class("-problem"):  # a stale complaint about the address goes once it is edited
            self._note("")

    # ------------------------------------------------------------------ sending
    def action_send(self) -> None:
        """Send the document the way highlighted."""
        if self.sending:
            return
        if self.options is None or self.document is None:
            self.send_when_ready = True
            self._say("Getting ready… it will be sent as soon as the printers are found.")
            return
        chosen = self._chosen_id()
        if chosen is None:
            return
        from duty_tui.core.services.documents import SendRequest

        if chosen.startswith("print:"):
            if self.options.print_problem or not chosen[6:]:
                self._say(self.options.print_problem or "Choose a printer.", problem=True)
                return
            request = SendRequest("print", printer=chosen[6:])
            doing = f"Sending to printer {chosen[6:]}…"
        elif chosen == "email":
            if self.options.email_problem:
                self._say(self.options.email_problem, problem=True)
                return
            address = self.query_one("#send-email", Input).value.strip()
            if not address:
                self._note("Type the email address to send it to.", problem=True)
                self.query_one("#send-email", Input).focus()
                return
            request = SendRequest("email", email_to=address)
            doing = f"Emailing {address}…"
        else:
            request = SendRequest(chosen)
            doing = "Sending to this browser…" if chosen == "download" else "Saving…"
        self.sending = True
        self._say(doing)
        self.send(self.document, request)

    @work(thread=True, exclusive=True, exit_on_error=False, group="send-document")
    def send(self, document: Document, request) -> None:
        from duty_tui.core.services.documents import send_document

        app = self.duty_app
        try:
            sent = send_document(app.ctx, document, request, web=app.is_web,
                                 download=browser_download(self))
        except InputError as exc:
            self.post_message(_Done(None, exc.message, field=request.channel == "email"))
            return
        except DutyError as exc:
            self.post_message(_Done(None, exc.message))
            return
        self.post_message(_Done(sent))

    @on(DownloadReady)
    def _download_ready(self, event: DownloadReady) -> None:
        deliver(self.app, event.document)

    @on(_Done)
    def _done(self, event: _Done) -> None:
        self.sending = False
        if event.sent is not None:
            self.dismiss(event.sent)
            return
        self.last_problem = event.problem
        if event.field:
            self._note(event.problem, problem=True)
            self._say("Not sent: fix the address, then Enter.", problem=True)
            self.query_one("#send-email", Input).focus()
        else:
            self._say(event.problem, problem=True)

    def on_worker_error(self, error: BaseException | None) -> None:
        self.sending = False
        self.send_when_ready = False
        message = error.message if isinstance(error, DutyError) else "Not sent: something went wrong."
        self._say(f"{message} The document is kept: Enter tries again, or choose another way.", problem=True)
        super().on_worker_error(error)

    def action_close(self) -> None:
        """Close without sending."""
        self.dismiss(None)

    # ------------------------------------------------------------------ messages
    def _say(self, text: str, *, problem: bool = False) -> None:
        message = self.query_one("#send-message", Static)
        message.update(plain(text))
        message.set_class(problem, "-problem")
        message.display = bool(text)

    def _note(self, text: str, *, problem: bool = False) -> None:
        note = self.query_one("#send-email-note", Static)
        note.update(plain(text))
        note.set_class(problem, "-problem")
        note.display = bool(text)
