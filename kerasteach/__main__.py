"""``python -m kerasteach`` runs the command line."""

from kerasteach.cli.main import console_main

if __name__ == "__main__":
    console_main()
