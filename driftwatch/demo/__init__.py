"""An emulated AWS estate for the demo, the tests and the benchmarks."""
