"""The epidemic: natural history, contact layers, importation, R0 calibration, measures."""
