"""Drafts on screen: forms that keep what was typed through hang-ups, sign-outs and switches.

A screen opts in by mixing in ``DraftForm`` and naming its ``DRAFT_KIND``. The app asks
every such screen for its values every few seconds (``DraftKeeper.tick``) and when the
terminal hangs up, and writes those with unsaved typing through ``duty_tui.core.services.drafts``.
When a form is saved or discarded its draft goes.

The default ``draft_values``/``restore_draft`` read and write every field on the screen that
has an id, the one way the kit's forms expose their values (``kit.values.read_values`` and
``write_values``); screens whose state is more than their widgets override them.
"""

from __future__ import annotations

import json
import uuid
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from duty_tui.core.services.drafts import DraftIn
    from duty_tui.core.tui.app import DutyApp

def draft_seconds(settings) -> float:
    """The ``draft_seconds`` setting as a number (the start-up preview may still hold the raw text)."""
    try:
        return min(3600.0, max(0.5, float(getattr(settings, "draft_seconds", 3.0))))
    except (TypeError, ValueError):
        return 3.0


def collect_values(screen) -> dict[str, Any]:
    """Every identified field on the screen and its value, passwords never (the kit's ``read_values``)."""
    from duty_tui.core.tui.kit.values import read_values

    return read_values(screen)


def apply_values(screen, values: dict[str, Any]) -> list[str]:
    """Put values back into the screen's fields; returns the keys that had nowhere to go (``write_values``)."""
    from duty_tui.core.tui.kit.values import write_values

    return write_values(screen, values)


class DraftForm:
    """Mixin for a form screen whose typing must never be lost."""

    DRAFT_KIND: ClassVar[str] = "form"

    @property
    def draft_key(self) -> str:
        """This form's draft identity (kept when the form is reopened from its draft)."""
        key = self.__dict__.get("_draft_key")
        if key is None:
            key = self.__dict__["_draft_key"] = uuid.uuid4().hex
        return key

    @draft_key.setter
    def draft_key(self, value: str) -> None:
        self.__dict__["_draft_key"] = value

    def draft_dirty(self) -> bool:
        """True when there is unsaved typing (screens define ``dirty`` as a method or property)."""
        dirty = getattr(self, "dirty", None)
        if callable(dirty):
            return bool(dirty())
        return bool(dirty) if dirty is not None else True

    def draft_title(self) -> str:
        """How the draft is named when it is offered back."""
        ref = self.draft_person_ref()
        return f"{getattr(self, 'TITLE', None) or self.DRAFT_KIND}{' for ' + ref if ref else ''}"

    def draft_person_ref(self) -> str | None:
        """The person the form is about, if known."""
        return getattr(self, "person_ref", None)

    def draft_args(self) -> dict[str, Any]:
        """Keyword arguments that rebuild this screen (before its values are put back)."""
        return {"person_ref": getattr(self, "person_ref", None)}

    def draft_values(self) -> dict[str, Any]:
        """What was typed."""
        return collect_values(self)

    def restore_draft(self, values: dict[str, Any]) -> None:
        """Put a draft's values back (called once the screen is mounted)."""
        apply_values(self, values)

    def draft_dirty_safe(self) -> bool:
        """``draft_dirty``, or False when the form can no longer say (it is being taken down)."""
        try:
            return self.draft_dirty()
        except Exception:
            return False

    def draft_snapshot(self) -> DraftIn:
        """The form as a draft."""
        from duty_tui.core.services.drafts import DraftIn

        cls = type(self)
        return DraftIn(key=self.draft_key, kind=self.DRAFT_KIND, title=self.draft_title(),
                       screen=f"{cls.__module__}:{cls.__qualname__}", args=self.draft_args(),
                       values=self.draft_values(), person_ref=self.draft_person_ref())

    def on_unmount(self) -> None:
        # Closed: saved, or discarded after asking. Sign-out, switch user and hang-up keep drafts.
        app = getattr(self, "app", None)
        keeper = getattr(app, "drafts", None)
        if keeper is not None:
            keeper.closed(self)


class DraftKeeper:
    """The app's side: writes drafts of open forms, removes them when forms close."""

    def __init__(self, app: DutyApp) -> None:
        self.app = app
        self.keeping = False  # True while signing out / switching / hanging up: closing forms keep drafts
        self._written: dict[str, str] = {}  # key -> the JSON last written

    def forms(self) -> list[DraftForm]:
        """Open forms (any depth of the screen stack)."""
        return [s for s in self.app.screen_stack if isinstance(s, DraftForm) and s.is_mounted]

    def pending(self) -> list[DraftIn]:
        """Drafts of forms with unsaved typing that differ from what was last written."""
        out: list[DraftIn] = []
        for form in self.forms():
            try:
                if not form.draft_dirty():
                    if form.draft_key in self._written:
                        self._forget(form.draft_key, "saved")
                    continue
                snapshot = form.draft_snapshot()
            except Exception:  # a form half-built (mounting) is skipped this time round
                continue
            encoded = json.dumps([snapshot.args, snapshot.values, snapshot.title], sort_keys=True, default=str)
            if self._written.get(snapshot.key) != encoded:
                self._written[snapshot.key] = encoded
                out.append(snapshot)
        return out

    def tick(self) -> None:
        """Every few seconds: write changed drafts in a worker."""
        ctx = self.app.ctx
        if ctx is None or ctx.actor is None or getattr(self.app, "locked", False):
            return
        drafts = self.pending()
        if drafts:
            self.app.run_worker(lambda: self._write(ctx, drafts), thread=True, exit_on_error=False,
                                group="drafts", name="drafts")

    def _write(self, ctx, drafts: list[DraftIn]) -> None:
        from duty_tui.core.services.drafts import keep

        try:
            where = keep(ctx, drafts)
        except Exception:
            for draft in drafts:  # try again at the next tick
                self._written.pop(draft.key, None)
            raise
        if where != "database":
            for draft in drafts:
                self._written.pop(draft.key, None)

    def flush_in_background(self) -> None:
        """Sign-out and switch user: read every form now (UI thread), write them in a worker
        as the person they belong to — the screen never waits on the database."""
        ctx = self.app.ctx
        if ctx is None or ctx.actor is None:
            return
        self._written.clear()
        drafts = self.pending()
        if drafts:
            self.app.run_worker(lambda: self._write(ctx, drafts), thread=True, exit_on_error=False,
                                group="drafts", name="drafts")

    def flush_now(self) -> str:
        """Write every form with unsaved typing, now, on this thread (hang-up and quit: the process is ending)."""
        from duty_tui.core.services.drafts import keep

        ctx = self.app.ctx
        if ctx is None or ctx.actor is None:
            return "nowhere"
        self._written.clear()
        drafts = self.pending()
        if not drafts:
            return "nothing to keep"
        return keep(ctx, drafts)

    def keep_all(self) -> None:
        """The forms open now keep their drafts when they close (sign-out, switch user, hang-up, quit)."""
        for form in self.forms():
            form.__dict__["_keep_draft"] = True

    def adopt(self, form: DraftForm, key: str) -> None:
        """A form reopened from its draft carries the draft's key."""
        form.draft_key = key
        self._written[key] = ""

    def closed(self, form: DraftForm) -> None:
        """A form left the screen: unless we are keeping drafts, its draft goes."""
        if self.keeping or form.__dict__.get("_keep_draft"):
            return
        key = form.draft_key
        if key in self._written:
            self._forget(key, "discarded" if form.draft_dirty_safe() else "saved")

    def _forget(self, key: str, reason: str) -> None:
        self._written.pop(key, None)
        ctx = self.app.ctx
        if ctx is None or ctx.actor is None:
            return
        from duty_tui.core.services.drafts import delete_draft

        self.app.run_worker(lambda: delete_draft(ctx, key, reason=reason), thread=True, exit_on_error=False,
                            group="drafts-delete")

    def reset(self) -> None:
        """A different member of staff: forget what was written for the last one."""
        self._written.clear()

