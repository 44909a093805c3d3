"""The shared UI kit: one list, one person picker (and one form, one confirm dialog, one worker-error path)."""

from duty_tui.tui.kit.list_table import Column, DutyTable, ListRow, ListTable, share_widths
from duty_tui.tui.kit.list_screen import ListPage, ListScreen, Sort, count_line
from duty_tui.tui.kit.person_picker import PersonPicker
