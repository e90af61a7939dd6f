"""The clinic's public pages: booking online, managing a booking by its link, and waitlist offers."""
