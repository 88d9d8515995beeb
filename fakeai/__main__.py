"""`python -m fakeai ...` is the `fakeai` command."""

import sys

from .cli import main

sys.exit(main())
