from audit.models.call_hours import CallHour
from audit.models.calls import ShopeeCall
from audit.models.pushes import RejectedPush, ShopeePush

__all__ = ["CallHour", "RejectedPush", "ShopeeCall", "ShopeePush"]
