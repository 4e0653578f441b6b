"""closecredit: where closed deals really come from, and what each close costs."""
