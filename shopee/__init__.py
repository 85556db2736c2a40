"""Everything that knows HTTP and Shopee Open Platform v2. Imports no models."""
