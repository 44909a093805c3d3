"""One Screen per file. ALL_SCREENS feeds the key reference (docs/KEYS.md)."""

from duty_tui.tui.screens.help import HelpScreen
from duty_tui.tui.screens.home import HomeScreen
from duty_tui.tui.screens.login import LoginScreen
from duty_tui.tui.screens.person import PersonScreen
from duty_tui.tui.screens.search import SearchScreen

ALL_SCREENS = [LoginScreen, HomeScreen, SearchScreen, PersonScreen, HelpScreen]
