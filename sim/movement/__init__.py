"""Residents' trips under the day's rules, and how households get their necessities."""
