"""`python -m guide_server.cli`: the `guide` command."""

import sys

from guide_server.cli import main

sys.exit(main())
