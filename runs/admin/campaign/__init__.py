"""Stop a campaign (see views): its pages join the runs admin, its action the shop list.

`campaign_register` is called once the runs admin is registered (runs.admin): it adds the
campaign's URLs to the runs admin's own (`get_urls`), the "Stop a campaign" link to the runs
list and a campaign run's read-back to its page, without the runs admin module knowing of it.
The shop list's action calls `stop_campaign`, offered to users for whom `may_stop_campaign`
holds.
"""

from runs.admin.campaign.forms import kinds_offered
from runs.admin.campaign.read_back import read_back_context
from runs.admin.campaign.views import campaign_urls, stop_campaign
from runs.models import EndRun

__all__ = ["campaign_register", "campaign_urls", "may_stop_campaign", "stop_campaign"]


def may_stop_campaign(user) -> bool:
    """Whether `user` may stop at least one kind of promotion."""
    return bool(kinds_offered(user))


def campaign_register(site) -> None:
    runs_admin = site.get_model_admin(EndRun)
    own_urls, own_changelist = runs_admin.get_urls, runs_admin.changelist_view
    own_change = runs_admin.change_view

    def get_urls():
        return [*campaign_urls(runs_admin), *own_urls()]

    def changelist_view(request, extra_context=None):
        offered = may_stop_campaign(request.user)
        return own_changelist(request, {"can_stop_campaign": offered, **(extra_context or {})})

    def change_view(request, object_id, form_url="", extra_context=None):
        extra = read_back_context(runs_admin, request, object_id)
        return own_change(request, object_id, form_url, {**extra, **(extra_context or {})})

    runs_admin.get_urls, runs_admin.changelist_view = get_urls, changelist_view
    runs_admin.change_view = change_view
