pytest_plugins = ["kpb_sim.pytest_plugin"]
