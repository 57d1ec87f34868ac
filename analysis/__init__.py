"""gridgov's analysis: reads run directories (never imports the simulation engine)."""
