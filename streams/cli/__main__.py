"""``python -m lapor_hub.streams.cli``: the ``lapor-hub`` command (how the tests and tools start workers)."""

import sys

from lapor_hub.streams.cli import main

sys.exit(main())
