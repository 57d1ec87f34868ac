"""The synthetic district: residents, households, grids, firms and markets."""
