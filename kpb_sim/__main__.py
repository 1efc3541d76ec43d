"""``python -m kpb_sim``: the same as ``kpb sim serve``.

An entry point, not part of the library: the simulator's modules never import the
``kpb`` command (ARCHITECTURE.md); this one runs it.
"""

import sys

from kpb_cli import main

main(["sim", "serve", *sys.argv[1:]], prog_name="python -m kpb_sim")
