"""The hostile corpus: bad files, values, identities, study files, injections, interrupts and folders,
each case asserting its exact outcome (a located error, a logged row, or a correct result)."""
