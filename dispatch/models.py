"""The pace of calls to Shopee, shared by every job, worker process and machine."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PaceSlot(models.Model):
    """The next free slot of one pace: a shop's (`shop:<pk>`) or the partner app's
    (`partner:<id>`), in Unix seconds, and until when Shopee asked that shop to cool down.

    Written only by `services.dispatch.shared_pace` with one UPDATE ... RETURNING per batch of
    slots, so that a slot is never handed to two processes."""

    key = models.CharField(verbose_name=_("key"), max_length=64, primary_key=True)
    next_at = models.FloatField(verbose_name=_("next at"), default=0.0)
    cool_until = models.FloatField(verbose_name=_("cool until"), default=0.0)

    class Meta:
        db_table = "vouchers_paceslot"  # the table it had in the vouchers app
        verbose_name = _("pace slot")
        verbose_name_plural = _("pace slots")

    def __str__(self):
        return self.key
