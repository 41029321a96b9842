"""`python -m stdfund_peer write|check` (run from tools/peer): render the
parameter YAML from the ruleset JSON, or fail when it is out of date."""

import sys

from .ruleset import main

sys.exit(main(sys.argv))
