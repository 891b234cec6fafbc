"""Statistics without tables: proportions and their intervals, exact and model tests, survival.

Takes counts or per-patient frames; gives numbers (estimates, intervals, p-values, model
coefficients) with the name of the method, which the table builders put in the ARD.
"""
