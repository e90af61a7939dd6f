"""The front desk: locations, rooms, services, practitioners' shifts, appointments, the waitlist and the messages
sent about them (a Django app; its background work runs through django-tasks)."""
