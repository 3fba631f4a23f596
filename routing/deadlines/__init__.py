"""Deadlines: the working calendar, deadline policy, and yellow/red cards."""
