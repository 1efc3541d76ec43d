"""``python -m kpb_sim``: the same as ``kpb sim serve``."""

from .cli import serve

serve(prog_name="python -m kpb_sim")
