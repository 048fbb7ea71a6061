"""Piket: the call centre's shifts, buku mutasi, Perwira Piket orders, forwarding, reports."""
