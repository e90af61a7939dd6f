"""What the clinic tells the other apps, without knowing them.

- `visit_charted`: a session was charted (sent inside the charting transaction) with `visit=`, `by=` and
  `appointment=`, the appointment number the charting form was opened from (as typed in the address: the receiver
  reads and checks it; "" when there is none). The scheduling app links the session to that appointment and
  completes it.
"""

from __future__ import annotations

from django.dispatch import Signal

visit_charted = Signal()
