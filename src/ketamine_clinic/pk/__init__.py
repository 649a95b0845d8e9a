"""Pharmacokinetics: published ketamine and esketamine models solved exactly.

Pure NumPy/SciPy, no Django. A model is data (parameters with units, sources, covariates
and variability) that assembles a linear compartment system for each subject; a regimen
becomes impulses and constant-rate inputs at known times; the solver propagates the exact
solution between those times in each subject's eigenbasis (no ODE solver), vectorised over
subjects. Every output is a model estimate, not a measurement.
"""
