"""Firms: closures, resumption, accounts, relief and failure; households' income."""
