"""Appointments on a generated plant day: driver behaviour, the day played live, and its report."""
