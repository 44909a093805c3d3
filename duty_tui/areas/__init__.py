"""The areas of this build: AREAS is the one explicit list (docs/ARCHITECTURE.md).

Each area is a package beside this one with its own layers (domain, db, services, tui) and
describes what it adds to the house in its ``__init__.py`` (an ``Area``: F-keys, palette entries,
command-line groups, reports, demo step, tables and migrations, hooks). The core reads this list
through ``duty_tui.core.registry``; leaving an area out gives a working app without it.

The order is the order the demo steps run in (later areas' demo rows may stand on earlier ones).
"""

from duty_tui.areas.frontdesk import AREA as FRONTDESK
from duty_tui.areas.housing_options import AREA as HOUSING_OPTIONS
from duty_tui.areas.income import AREA as INCOME
from duty_tui.areas.lettings import AREA as LETTINGS
from duty_tui.areas.payments import AREA as PAYMENTS
from duty_tui.areas.rents import AREA as RENTS
from duty_tui.areas.trust import AREA as TRUST

AREAS = (HOUSING_OPTIONS, PAYMENTS, FRONTDESK, TRUST, INCOME, RENTS, LETTINGS)

__all__ = ["AREAS"]
