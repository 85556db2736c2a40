"""The promotions' admin pages (browsing, like vouchers)."""
