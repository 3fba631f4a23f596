"""Work orders: intake, classification, dispatch suggestion, lifecycle, deadlines."""
