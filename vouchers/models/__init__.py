from vouchers.models.audit import ShopeeCall
from vouchers.models.call_hours import CallHour
from vouchers.models.health import WorkerHeartbeat
from vouchers.models.job import ShopJob, ShopJobRow
from vouchers.models.notifications import NotificationSettings, ShopAlertSent
from vouchers.models.pace import PaceSlot
from vouchers.models.push import ShopeePush
from vouchers.models.run import EndRun, EndRunItem, VoucherSelection
from vouchers.models.shop import Shop, ShopToken
from vouchers.models.voucher import Voucher

__all__ = [
    "CallHour",
    "EndRun",
    "EndRunItem",
    "NotificationSettings",
    "PaceSlot",
    "Shop",
    "ShopAlertSent",
    "ShopJob",
    "ShopJobRow",
    "ShopToken",
    "ShopeeCall",
    "ShopeePush",
    "Voucher",
    "VoucherSelection",
    "WorkerHeartbeat",
]
