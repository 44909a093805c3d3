"""duty-tui: the front-office terminal for UK social landlords.

Imports nothing heavy, so that the command line starts fast.
"""

__version__ = "0.1.0"
