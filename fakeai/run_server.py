"""`python -m fakeai.run_server` (the seeds' way to start the server): `fakeai serve` with the same flags."""

import sys

from .cli import server_main

if __name__ == "__main__":
    sys.exit(server_main())
