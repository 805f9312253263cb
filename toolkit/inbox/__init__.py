"""What the clerk saved: workbooks and whole mails, turned into returns to check."""
