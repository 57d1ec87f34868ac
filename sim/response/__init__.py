"""The response and its staff: grid workers, cadres, screening, tracing, quarantine, tests."""
