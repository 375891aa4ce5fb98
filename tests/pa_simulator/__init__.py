"""A plateforme agréée simulator: the XP Z12-013 Flow Service routes the siège uses."""
