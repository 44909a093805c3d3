"""`python -m duty_tui` runs the command line."""

from duty_tui.launch import main

if __name__ == "__main__":
    main()
