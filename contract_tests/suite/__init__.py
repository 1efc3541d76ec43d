"""The contract suite's tests. ``kpb contract`` runs them; they learn their target from it."""
