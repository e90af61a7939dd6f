"""The front desk's pages: the staff calendar, the actions taken from it, and booking a course from the plan."""
