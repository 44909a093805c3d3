"""The contact screen's reason picker (F4): type a few letters, ↑/↓, Enter adds; Backspace in the empty box removes the last."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from duty_tui.areas.frontdesk.tui.contact_sections import ContactSections
from duty_tui.core.tui.kit.choices import Choice
from duty_tui.core.tui.kit.fields import TextInput
from duty_tui.core.tui.text import plain

__all__ = ["ComboInput", "ReasonPicker"]


class ComboInput(TextInput):
    """An input that steers a list below it: ↑/↓ move the highlight, Backspace on empty removes the last pick."""

    class Move(Message):
        """Move the list's highlight."""

        def __init__(self, combo: ComboInput, delta: int) -> None:
            super().__init__()
            self.combo = combo
            self.delta = delta

        @property
        def control(self) -> ComboInput:
            """The input the key was pressed in."""
            return self.combo

    class RemoveLast(Message):
        """Backspace in an empty box: remove the last thing chosen."""

        def __init__(self, combo: ComboInput) -> None:
            super().__init__()
            self.combo = combo

        @property
        def control(self) -> ComboInput:
            """The input the key was pressed in."""
            return self.combo

    BINDINGS = [
        Binding("down", "move(1)", "Next match", show=False, id="contact-combo-next", tooltip="Highlight the next match"),
        Binding("up", "move(-1)", "Previous match", show=False, id="contact-combo-previous",
                tooltip="Highlight the previous match"),
    ]

    def action_move(self, delta: int) -> None:
        """Tell the screen to move the list's highlight."""
        self.post_message(self.Move(self, delta))

    def action_delete_left(self) -> None:
        if not self.value:
            self.post_message(self.RemoveLast(self))
            return
        super().action_delete_left()


class ReasonPicker(ContactSections):
    """The reasons chosen for a contact (several allowed); one that routes sets the outcome."""

    SCREEN_PART: ClassVar[bool] = True

    @on(ComboInput.Move)
    def _move(self, event: ComboInput.Move) -> None:
        event.stop()
        if event.combo.id == "reason-filter":
            options = self.query_one("#reason-options", OptionList)
            if options.option_count:
                current = options.highlighted if options.highlighted is not None else -1
                options.highlighted = max(0, min(options.option_count - 1, current + event.delta))

    # -- reasons ---------------------------------------------------------------------------------

    @on(Input.Changed, "#reason-filter")
    def _reason_typed(self) -> None:
        self._show_reason_options()

    def on_descendant_focus(self, event) -> None:
        # The reasons list is shown while choosing reasons, and folds away after, to keep 80x24 calm.
        self.query_one("#reason-options").display = getattr(event.widget, "id", None) == "reason-filter"


    def _show_reason_options(self) -> None:
        if self.form is None:
            return
        from duty_tui.areas.frontdesk.services.contact_form import match_reasons

        query = self.query_one("#reason-filter", Input).value
        matches = [r for r in match_reasons(self.form, query) if r.code not in self.reasons]
        options = self.query_one("#reason-options", OptionList)
        options.set_options([Option(plain(r.label + ("  (ID check)" if r.needs_identity_check else "")), id=r.code)
                             for r in matches[:12]])
        if matches:
            options.highlighted = 0

    @on(Input.Submitted, "#reason-filter")
    def _reason_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        options = self.query_one("#reason-options", OptionList)
        if event.value.strip() and options.highlighted is not None and options.option_count:
            code = str(options.get_option_at_index(options.highlighted).id)
            self._choose_reason(code, event.input)
        elif not event.value.strip() and self.reasons:
            self.focus_next()
        elif not event.value.strip():
            self._problems(["reason: type a few letters (e.g. bal, repair, damp) and press Enter"])

    def _choose_reason(self, code: str, box: Input) -> None:
        """Add the reason; one that opens an urgent homelessness case is confirmed first (default: no)."""
        from duty_tui.areas.frontdesk.domain.rules import confirm_before_choosing
        from duty_tui.core.tui.kit.dialogs import ConfirmDialog

        reason = self._reason(code)
        question = confirm_before_choosing(reason.case_type, reason.priority, reason.routes, reason.label,
                                           reason.team) if reason else None
        if question is None:
            self._add_reason(code)
            box.value = ""
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self._add_reason(code)
                box.value = ""
            box.focus()

        self.app.push_screen(ConfirmDialog(question, yes="Yes, homeless tonight", no="No, choose another reason"),
                             answered)

    @on(ComboInput.RemoveLast, "#reason-filter")
    def _remove_last_reason(self, event: ComboInput.RemoveLast) -> None:
        event.stop()
        if self.reasons:
            self.reasons.pop()
            self._reasons_changed()

    def _add_reason(self, code: str) -> None:
        if code in self.reasons:
            return
        self.reasons.append(code)
        self._reasons_changed()
        reason = self._reason(code)
        if reason and reason.routes:
            self.query_one("#outcome", Choice).value = "routed"
        team = self._widget("#route-team")
        if reason and team is not None and team.value is None:
            team.value = reason.team

    def _reasons_changed(self) -> None:
        chosen = self.query_one("#reasons-chosen", Static)
        if self.reasons:
            labels = [self._reason(c).label if self._reason(c) else c for c in self.reasons]
            chosen.update(plain("Reasons: " + " · ".join(labels) + "   (Backspace in the box removes the last)"))
        else:
            chosen.update("")
        self._show_reason_options()
        self._refresh_sections()
