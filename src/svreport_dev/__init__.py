"""Developer tooling for svreport, outside the runtime package: the sample data generator and the benchmark."""
