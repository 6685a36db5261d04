"""Tooling shared by the tests, the demo and the benchmarks: Terraform and AWS CLI set up for this machine."""
