"""A server format written as a member would write it, shared by the format tests."""

HOUSE_RULES = """\
name = "House rules"
description = "Two openings, then questions from the floor."
vote = "majority"
debaters_per_side = { min = 1, max = 2 }

[[phase]]
name = "Opening: For"
speaker = "for"
seconds = 120

[[phase]]
name = "Opening: Against"
speaker = "against"
seconds = 120

[[phase]]
name = "Floor"
speaker = "audience"
seconds = 180
"""
