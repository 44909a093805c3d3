"""DutyTable moved into the kit (duty_tui.core.tui.kit.list_table); new lists use kit.ListTable."""

from duty_tui.core.tui.kit.list_table import DutyTable

__all__ = ["DutyTable"]
