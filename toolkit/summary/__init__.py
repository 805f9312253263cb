"""`toolkit summary`: every return of an inbox, matched to the roster, checked at once."""
