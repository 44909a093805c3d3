"""`python -m duty_tui` runs the command line (under umask 077, set by ``main``: files it makes are private)."""

from duty_tui.launch import main

if __name__ == "__main__":
    main()
