"""The browser face: `duty-tui serve` runs one app process per browser tab through textual-serve.

``duty_tui.core.web.server`` holds the web server; ``page/`` the HTML page, its style sheet and
script (the terminal itself, xterm.js and the Roboto Mono font come from textual-serve's
own package). Nothing the page loads comes from another host.
"""
