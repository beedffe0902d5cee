"""`icp synth`: a synthetic Northern Ireland population written straight into the warehouse."""
