"""kpb_sim: an offline stand-in for the KPB test environment."""
