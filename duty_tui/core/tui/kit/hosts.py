"""The classes the kit's mixins join, as the type checker sees them.

A mixin such as ``Navigation`` is written against duty-tui's app: it reads ``self.screen_stack``,
``self.ctx`` and ``self.drafts``. For the checker ``AppHost`` is a textual ``App`` declaring what
DutyApp adds that the mixins use, and ``ScreenHost`` a textual ``Screen``; at run time both are
``object``, so nothing changes (DutyApp and the screens still list textual's class last).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from textual.app import App
    from textual.screen import Screen

    from duty_tui.core.services.context import ServiceContext
    from duty_tui.core.tui.drafts import DraftKeeper

    class AppHost(App[None]):
        """What DutyApp's mixins may use of the app they are mixed into."""

        ctx: ServiceContext
        drafts: DraftKeeper

    ScreenHost = Screen[Any]
else:
    AppHost = ScreenHost = object
