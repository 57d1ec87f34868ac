"""Many runs: Hydra sweeps, their callback, and calibration to observed series."""
