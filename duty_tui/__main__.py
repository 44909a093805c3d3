"""`python -m duty_tui` runs the command line."""

from duty_tui.cli import main

if __name__ == "__main__":
    main()
