"""contract_tests: checks that a KPB environment matches spec/kpb.openapi.yaml."""
