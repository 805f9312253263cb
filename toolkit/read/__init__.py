"""Reading returns: open any file safely, find what it holds (groundwork for `check`)."""
