"""The clinic: records, permissions, audit and the pages a practitioner opens every day (Django app)."""
