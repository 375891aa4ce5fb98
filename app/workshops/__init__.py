"""Workshops and other activities: the theme catalogue, sessions and slots,
registrations, attendance and the workshop documents."""
