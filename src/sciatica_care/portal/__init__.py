"""The patient's side: accounts confined to /portal/, the journal, the home programme, their own progress."""
