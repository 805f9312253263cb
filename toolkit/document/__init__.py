"""Published reports as documents: the model both ways (report writes it, audit reads it)."""
