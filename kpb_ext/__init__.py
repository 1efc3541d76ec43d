"""kpb_ext: the hand-written layer over the generated KPB client."""
