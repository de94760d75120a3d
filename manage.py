#!/usr/bin/env python
"""Django's command-line utility. `.venv/bin/pustaka` runs this same entry point."""

import sys

from config.cli import main

if __name__ == "__main__":
    sys.exit(main())
