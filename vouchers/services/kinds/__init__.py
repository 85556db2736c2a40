"""Promotion kinds as plug-ins (see `base.PromotionKind`): one module per kind."""
